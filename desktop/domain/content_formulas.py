"""Template mode: copy written from proven formulas (AIDA, PAS, FAB, 4U) with no model.

The formulas are data (``resources/formulas/*.toml``): for each kind of field (a short
headline, a one-line description, a body built from the formula's stages…) a list of
patterns with ``{placeholders}`` filled from the brief and the brand kit. Variants are
recombined — formula, pattern rotation, which key fact leads — so fifteen variants of a
search ad are fifteen different ads, not one ad fifteen times. Every field is fitted to
its channel's limit: a pattern that fits is preferred, and only when none does is the
text clipped at a word boundary. Every variant is labelled as a template draft.

Placeholders are plain ``{name}`` substitutions (never ``str.format``, which would let a
pattern reach attributes); a capital first letter (``{Benefit}``) capitalises the value.
A pattern that needs a value the brief does not have is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.domain.content import (
    BrandKit,
    Brief,
    ContentType,
    Counting,
    FieldSpec,
    SpecProblem,
    Variant,
    VariantSource,
)
from desktop.domain.content_counting import clip, measure

ROLES = ("short", "line", "body", "post", "subject", "cta", "section", "path")
_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
TEMPLATE_LABEL = "Template draft"


@dataclass(frozen=True, slots=True)
class Formula:
    id: str
    name: str
    title: str
    stages: tuple[str, ...]
    patterns: Mapping[str, tuple[str, ...]]  # role -> patterns
    body: Mapping[str, tuple[str, ...]]  # stage -> sentence patterns


def formula_from_mapping(data: Mapping[str, Any], where: str) -> Formula:
    """A :class:`Formula` from a parsed ``resources/formulas/*.toml`` file."""
    for key in ("id", "name", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SpecProblem(f"{where}: {key} is missing or empty.")
    stages = tuple(str(s) for s in data.get("stages", ()))
    body_raw = data.get("body", {})
    if not stages or not isinstance(body_raw, Mapping):
        raise SpecProblem(f"{where}: a formula needs stages and a [body] table.")
    body: dict[str, tuple[str, ...]] = {}
    for stage in stages:
        options = body_raw.get(stage)
        if not isinstance(options, list) or not options:
            raise SpecProblem(f"{where}: [body] needs a list of sentences for '{stage}'.")
        body[stage] = tuple(str(o) for o in options)
    patterns = {
        role: tuple(str(p) for p in data.get(role, ()))
        for role in ROLES
        if role not in ("body", "post", "path")
    }
    for role, options in patterns.items():
        if not options:
            raise SpecProblem(f"{where}: the formula has no '{role}' patterns.")
    return Formula(data["id"], data["name"], data["title"], stages, patterns, body)


def _bare(fact: str) -> str:
    return fact.strip().rstrip(".!;:,").strip()


def _lower_first(text: str) -> str:
    # "Set up in 5 minutes" -> "set up in 5 minutes"; "GDPR-ready" and "iPhone" stay.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def slot_values(brief: Brief, brand: BrandKit, round_: int = 0) -> dict[str, str]:
    """The values the placeholders take for one round of variants: the key facts rotate
    with ``round_`` so each round leads with a different one."""
    facts = [_bare(f) for f in brief.key_facts if _bare(f)]
    offer = _bare(brief.offer)
    if not facts:
        facts = [offer] if offer else []
    n = len(facts)
    benefit = facts[round_ % n] if n else ""
    benefit2 = facts[(round_ + 1) % n] if n > 1 else ""
    evidenced = [_bare(c.text) for c in (*brief.claims, *brand.approved_claims) if c.evidence]
    proof = (
        evidenced[round_ % len(evidenced)]
        if evidenced
        else (facts[(round_ + 2) % n] if n > 2 else "")
    )
    return {
        "product": brief.product.strip(),
        "audience": _bare(brief.audience) or "teams",
        "offer": offer,
        "benefit": benefit,
        "benefit2": benefit2,
        "proof": proof,
        "pain": _bare(brief.pain) or "doing it by hand",
        "cta": _bare(brief.call_to_action) or _bare(brand.call_to_action) or "Get started",
    }


def fill(pattern: str, values: Mapping[str, str]) -> str | None:
    """``pattern`` with its placeholders filled; None if one has no value."""
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        value = values.get(name.lower(), "")
        if not value:
            missing = True
            return ""
        if name in ("product", "Product"):
            return value
        if name[0].isupper():
            return value[0].upper() + value[1:]
        return _lower_first(value)

    text = _PLACEHOLDER.sub(sub, pattern)
    if missing:
        return None
    text = re.sub(r"([.!?])\s*\.", r"\1", text)  # "minutes.." -> "minutes."
    # A value lowered to run on mid-sentence may open the next one: "… today. get started."
    text = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return " ".join(text.split(" ")).strip()


def _limit(spec: FieldSpec) -> int | None:
    if spec.counting is Counting.SMS:
        return spec.soft_max or spec.hard_limit
    if not spec.multiline and spec.soft_max is not None:
        return spec.soft_max if spec.hard_limit is None else min(spec.soft_max, spec.hard_limit)
    return spec.hard_limit


def _fits(spec: FieldSpec, text: str, limit: int | None) -> bool:
    return limit is None or measure(spec, text) <= limit


def _pick(
    spec: FieldSpec,
    candidates: Sequence[str],
    count: int,
    limit: int | None,
    avoid: set[str],
) -> list[str]:
    """Up to ``count`` distinct candidates that fit, in order; clipped ones if too few."""
    chosen: list[str] = []
    too_long: list[str] = []
    for text in candidates:
        key = text.lower()
        if key in avoid or key in (c.lower() for c in chosen):
            continue
        if _fits(spec, text, limit):
            chosen.append(text)
        else:
            too_long.append(text)
        if len(chosen) == count:
            return chosen
    for text in too_long:
        clipped = clip(spec, text, limit)
        if clipped and clipped.lower() not in (c.lower() for c in chosen):
            chosen.append(clipped)
        if len(chosen) == count:
            break
    return chosen


def _rotate(items: Sequence[str], by: int) -> list[str]:
    if not items:
        return []
    k = by % len(items)
    return [*items[k:], *items[:k]]


def _body(formula: Formula, values: Mapping[str, str], round_: int, joiner: str) -> list[str]:
    """Body drafts, fullest first: one sentence per stage (mixed-radix choice per round,
    so rounds differ), then shorter ones dropping middle stages."""
    sentences: list[str] = []
    radix = 1
    for stage in formula.stages:
        options = [s for s in (fill(p, values) for p in formula.body[stage]) if s]
        if options:
            sentences.append(options[(round_ // radix) % len(options)])
            radix *= len(formula.body[stage])
    drafts = [joiner.join(sentences)]
    if len(sentences) > 2:
        drafts.append(joiner.join([sentences[0], *sentences[-2:]]))
        drafts.append(joiner.join([sentences[0], sentences[-1]]))
    drafts.append(sentences[-1] if sentences else "")
    return [d for d in drafts if d]


def _paths(values: Mapping[str, str], round_: int, second: bool) -> list[str]:
    """Display-path words: the product's for the first path, the lead benefit's (then the
    offer's, the audience's) for the second."""
    words: list[str] = []
    keys = ("benefit", "offer", "audience", "benefit2") if second else ("product",)
    for key in keys:
        for word in re.findall(r"[A-Za-z0-9]+", values.get(key, "")):
            w = word.lower()
            if 4 <= len(w) <= 15 and w not in words and w not in _STOP:
                words.append(w)
    return _rotate(words, round_)


_STOP = frozenset("the and for with your you our from that this into are get".split())


def template_variants(
    content_type: ContentType,
    brief: Brief,
    brand: BrandKit,
    formulas: Sequence[Formula],
    count: int | None = None,
    start: int = 0,
) -> list[Variant]:
    """``count`` (default: the brief's number) template-mode variants, starting at
    combination ``start`` (regenerating variant *i* asks for ``start=i``, count 1; a new
    round asks for a later start to get fresh combinations)."""
    if not formulas:
        raise ValueError("No copy formulas are installed (resources/formulas is empty).")
    n = brief.variants if count is None else count
    out: list[Variant] = []
    for i in range(start, start + n):
        formula = formulas[i % len(formulas)]
        round_ = i // len(formulas)
        values = slot_values(brief, brand, round_)
        others = [f for f in formulas if f is not formula]
        fields: dict[str, tuple[str, ...]] = {}
        for spec in content_type.fields:
            fields[spec.name] = tuple(_field(spec, formula, others, values, round_, i, fields))
        label = f"{TEMPLATE_LABEL} · {formula.name}"
        if not brief.language.lower().startswith("en"):
            label += " (English patterns)"  # the formulas are written in English
        out.append(Variant(fields, VariantSource.TEMPLATE, label))
    return out


def _field(
    spec: FieldSpec,
    formula: Formula,
    others: Sequence[Formula],
    values: Mapping[str, str],
    round_: int,
    index: int,
    done: Mapping[str, tuple[str, ...]],
) -> list[str]:
    limit = _limit(spec)
    count = spec.write_items
    used = {item.lower() for items in done.values() for item in items}
    if spec.role == "path":
        second = any(n.startswith("path") for n in done)
        return _pick(spec, _paths(values, round_, second), 1, limit, used)
    if spec.role in ("body", "post"):
        joiner = " " if spec.role == "post" or not spec.multiline else "\n\n"
        return _pick(spec, _body(formula, values, round_, joiner), 1, limit, set())
    role = spec.role if spec.role in formula.patterns else "line"
    own = [t for t in (fill(p, values) for p in formula.patterns[role]) if t]
    rest = [t for f in others for t in (fill(p, values) for p in f.patterns[role]) if t]
    # This formula's own patterns lead; the others fill lists such as 15 headlines.
    candidates = _rotate(own, round_ * count + index) + _rotate(rest, round_ * count)
    return _pick(spec, candidates, count, limit, used)
