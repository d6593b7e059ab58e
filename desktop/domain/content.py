"""What Content Studio writes, for whom, and within which limits — as plain data.

A :class:`ContentType` (Google responsive search ad, X post, email…) is a set of
:class:`FieldSpec`\\ s, each bound to a channel's published limits and its own counting
rule. The specs themselves are data in ``resources/channels/*.toml``; this module only
knows their shape (:func:`content_type_from_mapping`).

A :class:`Brief` is what the marketer types; a :class:`BrandKit` is the house style that
goes into every prompt and is enforced afterwards; a :class:`Variant` is one candidate
piece of copy: every field holds a tuple of items (a search ad has up to 15 headlines; an
X post has one text).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any


class Counting(enum.StrEnum):
    """How a channel counts a field's length."""

    CHARACTERS = "characters"  # Unicode characters after NFC normalisation
    X_WEIGHTED = "x-weighted"  # twitter-text: URLs 23, emoji and CJK 2
    SMS = "sms"  # GSM-7 septets, or UCS-2 units when any character is outside GSM-7


class Severity(enum.StrEnum):
    ERROR = "error"  # the channel rejects it, or it must not ship (card number in an ad)
    WARNING = "warning"  # likely to hurt: truncated, unsubstantiated claim, spammy
    INFO = "info"  # worth a look


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class SpecProblem(ValueError):  # noqa: N818 (a problem for the user)
    """A channel spec file is malformed; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a content type, bound to the channel's limits.

    ``hard_limit`` is what the channel rejects or cuts (None: no published limit);
    ``soft_min``/``soft_max`` the range that performs (e.g. 125 characters of Meta primary
    text visible before "See more"). Both are in the field's :class:`Counting` unit
    (characters, weighted characters, or SMS segments for ``sms``)."""

    name: str
    label: str
    counting: Counting = Counting.CHARACTERS
    hard_limit: int | None = None
    soft_min: int | None = None
    soft_max: int | None = None
    min_items: int = 1
    max_items: int = 1
    write_items: int = 1  # how many items a variant gets by default
    optional: bool = False
    multiline: bool = False
    rules: tuple[str, ...] = ()  # extra rule sets: "google-editorial", "email-subject"
    guidance: str = ""  # one line for the prompt and the tooltip
    source: str = ""  # where the limit comes from
    # What kind of copy it is, for template mode's formulas: short, line, body, post,
    # subject, cta, section, path.
    role: str = "line"

    @property
    def is_list(self) -> bool:
        return self.max_items > 1


@dataclass(frozen=True, slots=True)
class ContentType:
    id: str
    label: str
    channel: str
    description: str
    fields: tuple[FieldSpec, ...]
    export: str = "markdown"  # "google-ads-csv" or "markdown"
    rules: tuple[str, ...] = ()  # rules over the whole variant, e.g. "google-editorial"

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.id} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim the copy may make, and the evidence that substantiates it."""

    text: str
    evidence: str = ""


class Spelling(enum.StrEnum):
    US = "US"
    UK = "UK"


@dataclass(frozen=True, slots=True)
class BrandKit:
    """House style: goes into every prompt, and is checked on every variant."""

    name: str = ""
    voice: str = ""
    banned_terms: tuple[str, ...] = ()
    # (avoid, use instead): "users" -> "customers"
    preferred_terms: tuple[tuple[str, str], ...] = ()
    spelling: Spelling | None = None
    oxford_comma: bool | None = None  # True: always; False: never; None: no rule
    contractions: bool | None = None  # True: use them; False: avoid them; None: no rule
    approved_claims: tuple[Claim, ...] = ()
    call_to_action: str = ""  # the default CTA when the brief has none

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "voice": self.voice,
            "banned_terms": list(self.banned_terms),
            "preferred_terms": [list(p) for p in self.preferred_terms],
            "spelling": self.spelling.value if self.spelling else None,
            "oxford_comma": self.oxford_comma,
            "contractions": self.contractions,
            "approved_claims": [[c.text, c.evidence] for c in self.approved_claims],
            "call_to_action": self.call_to_action,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BrandKit:
        spelling = data.get("spelling")
        return cls(
            name=str(data.get("name") or ""),
            voice=str(data.get("voice") or ""),
            banned_terms=tuple(str(t) for t in data.get("banned_terms") or () if str(t).strip()),
            preferred_terms=tuple(
                (str(p[0]), str(p[1])) for p in data.get("preferred_terms") or () if len(p) == 2
            ),
            spelling=Spelling(spelling) if spelling in ("US", "UK") else None,
            oxford_comma=_opt_bool(data.get("oxford_comma")),
            contractions=_opt_bool(data.get("contractions")),
            approved_claims=tuple(
                Claim(str(c[0]), str(c[1]) if len(c) > 1 else "")
                for c in data.get("approved_claims") or ()
                if c
            ),
            call_to_action=str(data.get("call_to_action") or ""),
        )


def _opt_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


MAX_VARIANTS = 15


@dataclass(frozen=True, slots=True)
class Brief:
    """What the marketer asks for."""

    content_type: str
    product: str
    audience: str = ""
    offer: str = ""
    tone: str = ""
    language: str = "en"
    key_facts: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    variants: int = 3
    notes: str = ""
    call_to_action: str = ""
    pain: str = ""  # the problem the product solves (PAS formulas lead with it)

    def problems(self) -> list[str]:
        """What must be fixed before anything is generated (empty: ready)."""
        out = []
        if not self.product.strip():
            out.append("Say what you are promoting: the Product field is empty.")
        if not 1 <= self.variants <= MAX_VARIANTS:
            out.append(f"Ask for 1 to {MAX_VARIANTS} variants (you asked for {self.variants}).")
        for claim in self.claims:
            if claim.text.strip() and not claim.evidence.strip():
                out.append(
                    f'The claim "{claim.text}" has no evidence. Add the source that backs it '
                    "(a study, a test report, your terms), or remove the claim."
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "content_type": self.content_type,
            "product": self.product,
            "audience": self.audience,
            "offer": self.offer,
            "tone": self.tone,
            "language": self.language,
            "key_facts": list(self.key_facts),
            "claims": [[c.text, c.evidence] for c in self.claims],
            "variants": self.variants,
            "notes": self.notes,
            "call_to_action": self.call_to_action,
            "pain": self.pain,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Brief:
        """A brief from stored or user data (YAML, JSON). Raises ValueError naming the
        field that is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("A brief must be a mapping of fields (product: …, audience: …).")
        claims: list[Claim] = []
        for i, raw in enumerate(data.get("claims") or (), start=1):
            if isinstance(raw, Mapping):
                claims.append(
                    Claim(
                        str(raw.get("text") or raw.get("claim") or ""),
                        str(raw.get("evidence") or ""),
                    )
                )
            elif isinstance(raw, list | tuple) and raw:
                claims.append(Claim(str(raw[0]), str(raw[1]) if len(raw) > 1 else ""))
            elif isinstance(raw, str):
                claims.append(Claim(raw, ""))
            else:
                raise ValueError(f"claims[{i}]: write each claim as text plus evidence.")
        facts = data.get("key_facts") or data.get("facts") or ()
        if isinstance(facts, str):
            facts = [line for line in facts.splitlines() if line.strip()]
        variants = data.get("variants", 3)
        if isinstance(variants, bool) or not isinstance(variants, int):
            raise ValueError("variants: give a whole number, e.g. variants: 3.")
        return cls(
            content_type=str(data.get("content_type") or data.get("type") or ""),
            product=str(data.get("product") or ""),
            audience=str(data.get("audience") or ""),
            offer=str(data.get("offer") or ""),
            tone=str(data.get("tone") or ""),
            language=str(data.get("language") or "en"),
            key_facts=tuple(str(f).strip() for f in facts if str(f).strip()),
            claims=tuple(c for c in claims if c.text.strip()),
            variants=variants,
            notes=str(data.get("notes") or ""),
            call_to_action=str(data.get("call_to_action") or data.get("cta") or ""),
            pain=str(data.get("pain") or data.get("problem") or ""),
        )

    def with_variants(self, n: int) -> Brief:
        return replace(self, variants=n)


class VariantSource(enum.StrEnum):
    MODEL = "model"
    TEMPLATE = "template"  # template mode: a copy formula, no model


@dataclass(frozen=True, slots=True)
class Variant:
    """One candidate: field name -> items (one item for single-value fields)."""

    fields: Mapping[str, tuple[str, ...]]
    source: VariantSource = VariantSource.MODEL
    label: str = ""  # e.g. "Template draft · AIDA"

    def items(self, name: str) -> tuple[str, ...]:
        return tuple(self.fields.get(name, ()))

    def text(self, name: str) -> str:
        return "\n".join(self.items(name))

    def with_field(self, name: str, items: Iterable[str]) -> Variant:
        fields = dict(self.fields)
        fields[name] = tuple(items)
        return replace(self, fields=fields)

    def all_text(self) -> str:
        return "\n".join(item for items in self.fields.values() for item in items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {k: list(v) for k, v in self.fields.items()},
            "source": self.source.value,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Variant:
        return cls(
            fields={str(k): tuple(str(i) for i in v) for k, v in data["fields"].items()},
            source=VariantSource(data.get("source", "model")),
            label=str(data.get("label") or ""),
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """One quality finding on a variant, with what to do about it.

    ``field``/``item`` say where ("" and -1 for the whole variant); ``fix`` is a
    replacement for that item when one can be suggested safely, else ""."""

    severity: Severity
    code: str
    message: str
    explanation: str = ""
    field: str = ""
    item: int = -1
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "explanation": self.explanation,
            "field": self.field,
            "item": self.item,
            "fix": self.fix,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            severity=Severity(data["severity"]),
            code=str(data["code"]),
            message=str(data["message"]),
            explanation=str(data.get("explanation") or ""),
            field=str(data.get("field") or ""),
            item=int(data.get("item", -1)),
            fix=str(data.get("fix") or ""),
        )


@dataclass(frozen=True, slots=True)
class QualityReport:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """No errors: the variant may be exported."""
        return not self.errors

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        if not e and not w:
            return "All checks passed"
        parts = []
        if e:
            parts.append(f"{e} error{'s' if e != 1 else ''}")
        if w:
            parts.append(f"{w} warning{'s' if w != 1 else ''}")
        return ", ".join(parts)

    def to_list(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.findings]

    @classmethod
    def from_list(cls, data: Iterable[Mapping[str, Any]]) -> QualityReport:
        return cls(tuple(Finding.from_dict(d) for d in data))


# -- channel specs as data ---------------------------------------------------------------


def content_type_from_mapping(data: Mapping[str, Any], where: str) -> ContentType:
    """A :class:`ContentType` from a parsed ``resources/channels/*.toml`` file.

    Raises :class:`SpecProblem` naming ``where`` and the field that is wrong."""

    def need(mapping: Mapping[str, Any], key: str, ctx: str) -> str:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SpecProblem(f"{where}: {ctx}{key} is missing or empty.")
        return value

    def opt_int(mapping: Mapping[str, Any], key: str, ctx: str) -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SpecProblem(f"{where}: {ctx}{key} must be a whole number >= 0.")
        return value

    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise SpecProblem(f"{where}: a content type needs at least one [[fields]] table.")
    specs: list[FieldSpec] = []
    for i, raw in enumerate(raw_fields, start=1):
        ctx = f"fields[{i}]."
        try:
            counting = Counting(raw.get("counting", "characters"))
        except ValueError:
            raise SpecProblem(
                f"{where}: {ctx}counting must be one of {', '.join(c.value for c in Counting)}."
            ) from None
        max_items = opt_int(raw, "max_items", ctx) or 1
        min_items = opt_int(raw, "min_items", ctx)
        write_items = opt_int(raw, "write_items", ctx)
        spec = FieldSpec(
            name=need(raw, "name", ctx),
            label=need(raw, "label", ctx),
            counting=counting,
            hard_limit=opt_int(raw, "hard_limit", ctx),
            soft_min=opt_int(raw, "soft_min", ctx),
            soft_max=opt_int(raw, "soft_max", ctx),
            min_items=1 if min_items is None else min_items,
            max_items=max_items,
            write_items=write_items or (min_items or 1),
            optional=bool(raw.get("optional", False)),
            multiline=bool(raw.get("multiline", False)),
            rules=tuple(str(r) for r in raw.get("rules", ())),
            guidance=str(raw.get("guidance", "")),
            source=str(raw.get("source", "")),
            role=str(raw.get("role", "line")),
        )
        if spec.min_items > spec.max_items:
            raise SpecProblem(f"{where}: {ctx}min_items is larger than max_items.")
        if not spec.min_items <= spec.write_items <= spec.max_items:
            raise SpecProblem(f"{where}: {ctx}write_items must lie between min and max items.")
        specs.append(spec)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise SpecProblem(f"{where}: two fields share a name.")
    export = str(data.get("export", "markdown"))
    if export not in ("markdown", "google-ads-csv"):
        raise SpecProblem(f"{where}: export must be markdown or google-ads-csv.")
    return ContentType(
        id=need(data, "id", ""),
        label=need(data, "label", ""),
        channel=need(data, "channel", ""),
        description=str(data.get("description", "")),
        fields=tuple(specs),
        export=export,
        rules=tuple(str(r) for r in data.get("rules", ())),
    )


# -- request identity (the response cache) ------------------------------------------------


def normalise_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def request_key(
    brief: Brief,
    brand: BrandKit,
    provider: str,
    model: str,
    parameters: Mapping[str, Any],
    prompt: str,
) -> str:
    """The response cache key: the same brief (whitespace and case aside), brand kit,
    provider, model, parameters and prompt give the same key."""
    payload = {
        "brief": {
            k: (normalise_text(v) if isinstance(v, str) else v) for k, v in brief.to_dict().items()
        },
        "brand": brand.to_dict(),
        "provider": provider,
        "model": model,
        "parameters": dict(sorted(parameters.items())),
        "prompt": normalise_text(prompt),
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    import hashlib  # not at the top: it loads OpenSSL, and a learner never generates

    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
