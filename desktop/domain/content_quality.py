"""Quality checks run offline on every variant before it can be saved or exported.

Each check returns :class:`Finding`\\ s with a severity, an explanation a marketer can act
on and, where one can be made safely, a fix (the item rewritten). Nothing here deletes or
changes copy by itself: a claim that needs evidence is flagged with a suggested rewrite,
never silently removed.

Sources: channel limits and Google Ads editorial rules from
``../shared/reference/channels.md``; claims that need substantiation follow the FTC's
basis (ads must be truthful and claims substantiated).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from desktop.domain.content import (
    SEVERITY_ORDER,
    BrandKit,
    Brief,
    Claim,
    ContentType,
    Counting,
    FieldSpec,
    Finding,
    QualityReport,
    Severity,
    Spelling,
    Variant,
)
from desktop.domain.content_counting import clip, measure, sms_count
from desktop.domain.content_readability import readability

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

NEAR_DUPLICATE = 0.8  # word-bigram overlap above which two variants read as the same


@dataclass(frozen=True, slots=True)
class CheckContext:
    content_type: ContentType
    brief: Brief
    brand: BrandKit


def check_variant(
    variant: Variant,
    ctx: CheckContext,
    others: Sequence[Variant] = (),
) -> QualityReport:
    """Every check on one variant. ``others`` are the variants shown before it (for the
    near-duplicate check)."""
    findings: list[Finding] = []
    ct = ctx.content_type
    for spec in ct.fields:
        items = list(variant.items(spec.name))
        findings += _check_item_count(spec, items)
        for index, item in enumerate(items):
            findings += _check_limits(spec, item, index)
            if "google-editorial" in spec.rules:
                findings += _check_google_item(spec, item, index, ctx)
            if "email-subject" in spec.rules:
                findings += _check_subject(spec, item, index, ctx)
            findings += _check_claims(spec, item, index, ctx)
            findings += _check_brand(spec, item, index, ctx.brand)
            findings += _check_personal_data(spec, item, index)
        findings += _check_readability(spec, items, ctx.brief.language)
        findings += _check_repeats(spec, items)
    if "google-editorial" in ct.rules:
        findings += _check_google_ad(variant, ct)
    findings += _check_near_duplicates(variant, others)
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], _field_order(ct, f.field), f.item))
    return QualityReport(tuple(findings))


def check_all(variants: Sequence[Variant], ctx: CheckContext) -> list[QualityReport]:
    return [check_variant(v, ctx, variants[:i]) for i, v in enumerate(variants)]


def apply_fix(variant: Variant, finding: Finding) -> Variant:
    """The variant with ``finding``'s fix applied to its item (unchanged if it has none)."""
    if not finding.fix or not finding.field or finding.item < 0:
        return variant
    items = list(variant.items(finding.field))
    if finding.item >= len(items):
        return variant
    items[finding.item] = finding.fix
    return variant.with_field(finding.field, items)


def _field_order(ct: ContentType, name: str) -> int:
    names = ct.field_names
    return names.index(name) if name in names else -1


def _where(spec: FieldSpec, index: int) -> str:
    return f"{spec.label} {index + 1}" if spec.is_list else spec.label


# -- limits -------------------------------------------------------------------------------


def _check_item_count(spec: FieldSpec, items: list[str]) -> list[Finding]:
    filled = [i for i in items if i.strip()]
    if not filled and spec.optional:
        return []
    if not filled:
        return [
            Finding(
                E,
                "missing-field",
                f"{spec.label} is empty.",
                "Every variant needs this field; write it or regenerate the field.",
                spec.name,
            )
        ]
    if len(filled) < spec.min_items:
        return [
            Finding(
                E,
                "too-few-items",
                f"{len(filled)} {spec.label.lower()}s; at least {spec.min_items} are needed.",
                f"{spec.source or 'The channel'} needs at least {spec.min_items}.",
                spec.name,
            )
        ]
    if len(filled) > spec.max_items:
        return [
            Finding(
                E,
                "too-many-items",
                f"{len(filled)} {spec.label.lower()}s; at most {spec.max_items} are allowed.",
                "Remove the weakest ones before exporting.",
                spec.name,
            )
        ]
    return []


def _check_limits(spec: FieldSpec, item: str, index: int) -> list[Finding]:
    out: list[Finding] = []
    if spec.counting is Counting.SMS:
        count = sms_count(item)
        if count.encoding == "UCS-2":
            fix = _gsm_friendly(item)
            out.append(
                Finding(
                    W if sms_count(fix).encoding == "GSM-7" else INFO,
                    "sms-ucs2",
                    f"{_where(spec, index)} is sent as UCS-2 because of "
                    f"{' '.join(repr(c) for c in count.offending)}: 70 characters per "
                    "segment instead of 160.",
                    "Any character outside the GSM-7 alphabet (emoji, curly quotes, many "
                    "accents) switches the whole message to UCS-2.",
                    spec.name,
                    index,
                    fix if fix != item else "",
                )
            )
        if spec.hard_limit is not None and count.segments > spec.hard_limit:
            out.append(
                Finding(
                    E,
                    "over-limit",
                    f"{_where(spec, index)} needs {count.segments} segments; the limit is "
                    f"{spec.hard_limit}.",
                    "Long messages are split, billed per segment and may arrive out of order.",
                    spec.name,
                    index,
                )
            )
        elif spec.soft_max is not None and count.segments > spec.soft_max:
            out.append(
                Finding(
                    W,
                    "soft-limit",
                    f"{_where(spec, index)} is {count.segments} segments "
                    f"({count.units} {count.encoding} units); aim for {spec.soft_max}.",
                    "Each segment is billed separately.",
                    spec.name,
                    index,
                    clip(spec, item, spec.soft_max),
                )
            )
        return out
    n = measure(spec, item)
    unit = "weighted characters" if spec.counting is Counting.X_WEIGHTED else "characters"
    if spec.hard_limit is not None and n > spec.hard_limit:
        out.append(
            Finding(
                E,
                "over-limit",
                f"{_where(spec, index)} is {n} {unit}; the limit is {spec.hard_limit}.",
                f"{spec.source or 'The channel'} rejects or cuts anything longer.",
                spec.name,
                index,
                clip(spec, item),
            )
        )
    elif spec.soft_max is not None and n > spec.soft_max:
        out.append(
            Finding(
                W,
                "soft-limit",
                f"{_where(spec, index)} is {n} {unit}; about {spec.soft_max} show before "
                "it is cut off.",
                spec.guidance or "Readers see only the start; put the point first.",
                spec.name,
                index,
            )
        )
    elif spec.soft_min is not None and item.strip() and n < spec.soft_min:
        out.append(
            Finding(
                INFO,
                "short",
                f"{_where(spec, index)} is {n} {unit}; {spec.soft_min} or more usually "
                "works better.",
                spec.guidance,
                spec.name,
                index,
            )
        )
    return out


_GSM_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "•": "-",
    "á": "a",
    "í": "i",
    "ó": "o",
    "ú": "u",
    "ê": "e",
    "â": "a",
    "ô": "o",
    "ç": "c",
    "ë": "e",
    "ï": "i",
}


def _gsm_friendly(text: str) -> str:
    out = "".join(_GSM_REPLACEMENTS.get(ch, ch) for ch in text)
    # Emoji cannot be spelt in GSM-7: drop them (the suggestion shows what remains).
    return re.sub(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]", "", out).replace("  ", " ")


# -- Google Ads editorial --------------------------------------------------------------------

_REPEATED_PUNCT = re.compile(r"([!?.,;:])\1+|[!?]{2,}")
_SHOUT_WORD = re.compile(r"\b[A-Z]{3,}\b")  # in a subject, "ACT NOW" already shouts
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]{3,}\b")
_ODD_CAPS = re.compile(r"\b[a-z]+[A-Z]+[a-zA-Z]*\b|\b[A-Z][a-z]+[A-Z][A-Z]+\b")
_SYMBOL_WORDS = re.compile(
    r"(?<![\w$£€.])(?:4\s+(?:you|u|all|free|less|sale)|2\s+(?:go|you|u|buy|save)|(?<=\s)u(?=\s)|"
    r"(?<=\s)@(?=\s)|(?<=\s)ur(?=\s)|(?<=\s)gr8(?=\s))",
    re.IGNORECASE,
)
_ACRONYMS = frozenset(
    "SEO SEM CRM API FAQ USA EU UK AI B2B B2C ROI KPI PDF CEO CTO HTTP HTTPS SAAS SMS NASA "
    "HIPAA GDPR ISO NYC LA AWS USB HDMI LED LCD DIY VIP".split()
)


def _allowed_caps(ctx: CheckContext) -> set[str]:
    words = set(_ACRONYMS)
    for source in (ctx.brief.product, ctx.brand.name, *ctx.brand.banned_terms):
        words.update(w for w in re.findall(r"[A-Z]{2,}", source))
    return words


def _check_google_item(spec: FieldSpec, item: str, index: int, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    where = _where(spec, index)
    if spec.name == "headlines" and "!" in item:
        out.append(
            Finding(
                E,
                "google-exclamation-headline",
                f"{where} has an exclamation mark.",
                "Google Ads does not allow '!' in headlines.",
                spec.name,
                index,
                item.replace("!", "").strip(),
            )
        )
    if _REPEATED_PUNCT.search(item):
        out.append(
            Finding(
                E,
                "google-repeated-punctuation",
                f"{where} repeats punctuation.",
                "Google Ads rejects repeated or gimmicky punctuation ('!!', '??', '...').",
                spec.name,
                index,
                _REPEATED_PUNCT.sub(lambda m: m.group(0)[0], item),
            )
        )
    allowed = _allowed_caps(ctx)
    shouty = [w for w in _CAPS_WORD.findall(item) if w.strip("'’") not in allowed]
    odd = _ODD_CAPS.findall(item)
    if shouty or odd:
        fix = item
        for w in shouty:
            fix = re.sub(rf"\b{re.escape(w)}\b", w.capitalize(), fix)
        out.append(
            Finding(
                E,
                "google-capitals",
                f"{where} uses gimmicky capitals: {', '.join(shouty + odd)}.",
                "Google Ads rejects words in all capitals (except acronyms and brand "
                "names) and unusual capitalisation.",
                spec.name,
                index,
                fix if fix != item else "",
            )
        )
    if _SYMBOL_WORDS.search(item):
        out.append(
            Finding(
                E,
                "google-symbols-as-words",
                f"{where} uses a symbol or number in place of a word.",
                "Google Ads rejects '4 you', '2 go', 'u', '@' standing for words; spell them out.",
                spec.name,
                index,
                _spell_out(item),
            )
        )
    return out


def _spell_out(text: str) -> str:
    text = re.sub(r"(?<![\w$£€.])4(?=\s+\w)", "for", text)
    text = re.sub(r"(?<![\w$£€.])2(?=\s+(?:go|you|u|buy|save)\b)", "to", text, flags=re.I)
    text = re.sub(r"(?<=\s)u(?=\s)", "you", text)
    text = re.sub(r"(?<=\s)ur(?=\s)", "your", text)
    text = re.sub(r"(?<=\s)gr8(?=\s)", "great", text)
    return re.sub(r"(?<=\s)@(?=\s)", "at", text)


def _check_google_ad(variant: Variant, ct: ContentType) -> list[Finding]:
    marks = sum(item.count("!") for f in ct.fields for item in variant.items(f.name))
    if marks > 1:
        return [
            Finding(
                E,
                "google-exclamation-ad",
                f"The ad has {marks} exclamation marks.",
                "Google Ads allows at most one '!' per ad, and none in headlines.",
            )
        ]
    return []


def _check_repeats(spec: FieldSpec, items: list[str]) -> list[Finding]:
    seen: dict[str, int] = {}
    out = []
    for index, item in enumerate(items):
        key = " ".join(item.lower().split())
        if not key:
            continue
        if key in seen:
            out.append(
                Finding(
                    W,
                    "repeated-item",
                    f"{_where(spec, index)} repeats {_where(spec, seen[key])}.",
                    "Each asset should say something different; the ad platform combines them.",
                    spec.name,
                    index,
                )
            )
        else:
            seen[key] = index
    return out


# -- email subject hygiene -----------------------------------------------------------------

_SPAM_PHRASES = (
    "act now",
    "100% free",
    "click here",
    "buy now",
    "urgent",
    "winner",
    "you have been selected",
    "no cost",
    "$$$",
    "cash bonus",
    "double your",
    "limited time only",
    "once in a lifetime",
    "order now",
    "risk free",
    "dear friend",
)


def _check_subject(spec: FieldSpec, item: str, index: int, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    marks = item.count("!")
    if marks > 1:
        out.append(
            Finding(
                W,
                "spam-exclamations",
                f"The subject has {marks} exclamation marks.",
                "Several '!' in a subject look like spam to filters and readers; use one at most.",
                spec.name,
                index,
                re.sub(r"!+", "", item).strip() + "!",
            )
        )
    allowed = _allowed_caps(ctx)
    shouty = [w for w in _SHOUT_WORD.findall(item) if w not in allowed]
    if shouty:
        fix = item
        for w in shouty:
            fix = re.sub(rf"\b{re.escape(w)}\b", w.capitalize(), fix)
        out.append(
            Finding(
                W,
                "spam-capitals",
                f"The subject shouts: {', '.join(shouty)}.",
                "Words in all capitals trip spam filters.",
                spec.name,
                index,
                fix,
            )
        )
    low = item.lower()
    hits = [p for p in _SPAM_PHRASES if p in low]
    if hits:
        out.append(
            Finding(
                W,
                "spam-phrase",
                f"The subject uses spam-filter phrases: {', '.join(hits)}.",
                "These phrases are common in spam and lower inbox placement; say what "
                "the reader gets instead.",
                spec.name,
                index,
            )
        )
    product = ctx.brief.product.strip().lower()
    if product and product in low and low.index(product) > 33:
        out.append(
            Finding(
                INFO,
                "subject-key-words-late",
                "The product name appears after the first 33 characters.",
                "Phones show about 33 characters; put the key words first.",
                spec.name,
                index,
            )
        )
    return out


# -- claims that need evidence (FTC) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ClaimRule:
    code: str
    pattern: re.Pattern[str]
    explanation: str
    rewrite: tuple[str, str]  # regex -> replacement suggested


_CLAIM_RULES = (
    _ClaimRule(
        "claim-guarantee",
        re.compile(r"\bguarantee[ds]?\b", re.I),
        "A guarantee is a promise the business must honour; state its terms or drop it.",
        (r"\bguaranteed\b|\bguarantees?\b", "backed by our refund policy"),
    ),
    _ClaimRule(
        "claim-risk-free",
        re.compile(r"\brisk[- ]free\b|\bno risk\b", re.I),
        "Few offers carry no risk at all; say what the customer can do (cancel, refund).",
        (r"\brisk[- ]free\b|\bno risk\b", "cancel anytime"),
    ),
    _ClaimRule(
        "claim-superlative",
        re.compile(
            r"#\s?1\b|\bnumber one\b|\bno\. ?1\b|\bthe best\b|\bbest[- ]in[- ]class\b|"
            r"\bworld'?s best\b|\bbest\b",
            re.I,
        ),
        "'#1' and 'best' are comparative claims: they need a source (ranking, survey) named "
        "next to them.",
        (
            r"#\s?1\b|\bnumber one\b|\bno\. ?1\b|\bthe best\b|\bbest[- ]in[- ]class\b|"
            r"\bworld'?s best\b|\bbest\b",
            "a trusted",
        ),
    ),
    _ClaimRule(
        "claim-clinical",
        re.compile(r"\bclinically (?:proven|tested|shown)\b|\bscientifically proven\b", re.I),
        "Clinical or scientific claims need competent and reliable scientific evidence.",
        (r"\b(?:clinically|scientifically) (?:proven|shown)\b", "designed"),
    ),
    _ClaimRule(
        "claim-cure",
        re.compile(r"\bcures?\b|\bheals?\b|\btreats?\b(?= \w+ (?:disease|pain|condition))", re.I),
        "Health claims ('cures', 'heals') need scientific substantiation and may be "
        "regulated; describe what the product does instead.",
        (r"\bcures\b|\bheals\b", "helps with"),
    ),
    _ClaimRule(
        "claim-earnings",
        re.compile(
            r"\b(?:earn|make|making|earning)\s+(?:up to\s+)?[$£€]\s?\d|"
            r"\b[$£€]\s?\d[\d,.]*k?\s*(?:a|per|/)\s*(?:day|week|month)\b|"
            r"\bget rich\b|\bpassive income\b",
            re.I,
        ),
        "Earnings claims must reflect what typical customers achieve, with the evidence.",
        (r"\b(?:earn|make)\s+(?:up to\s+)?[$£€]\s?[\d,.]+k?", "grow your income"),
    ),
    _ClaimRule(
        "claim-free-conditions",
        re.compile(r"\bfree\b", re.I),
        "A 'free' offer with conditions (a purchase, a subscription, a trial that renews) "
        "must state them clearly next to it.",
        (r"", ""),
    ),
)

_CONDITIONS = re.compile(
    r"\bwith\b|\bwhen\b|\bif\b|\bafter\b|\bthen\b|\bterms\b|\*|\bminimum\b|"
    r"\bsubscription\b|\btrial\b|\brenew",
    re.I,
)


def _substantiated(phrase: str, claims: Iterable[Claim]) -> bool:
    low = phrase.lower().strip()
    return any(c.evidence.strip() and low and low in c.text.lower() for c in claims)


def _check_claims(spec: FieldSpec, item: str, index: int, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    claims = (*ctx.brief.claims, *ctx.brand.approved_claims)
    for rule in _CLAIM_RULES:
        m = rule.pattern.search(item)
        if m is None or _substantiated(m.group(0), claims):
            continue
        if rule.code == "claim-free-conditions":
            offer = f"{ctx.brief.offer} {' '.join(ctx.brief.key_facts)}"
            if not _CONDITIONS.search(offer) or _CONDITIONS.search(item):
                continue  # unconditional, or the conditions are stated in the copy
            out.append(
                Finding(
                    W,
                    rule.code,
                    f"{_where(spec, index)} says 'free' but the offer has conditions.",
                    rule.explanation,
                    spec.name,
                    index,
                )
            )
            continue
        pattern, replacement = rule.rewrite
        fix = re.sub(pattern, replacement, item, count=1, flags=re.I) if pattern else ""
        fix = " ".join(fix.split())
        out.append(
            Finding(
                W,
                rule.code,
                f"{_where(spec, index)} claims '{m.group(0)}' without evidence in the brief.",
                rule.explanation + " Add the claim with its evidence to the brief or the "
                "brand kit's approved claims, or use the suggested rewrite.",
                spec.name,
                index,
                fix if fix != item else "",
            )
        )
    return out


# -- brand kit ------------------------------------------------------------------------------

_US_UK: tuple[tuple[str, str], ...] = (
    ("color", "colour"),
    ("favorite", "favourite"),
    ("organize", "organise"),
    ("optimize", "optimise"),
    ("personalize", "personalise"),
    ("customize", "customise"),
    ("analyze", "analyse"),
    ("center", "centre"),
    ("behavior", "behaviour"),
    ("license", "licence"),
    ("catalog", "catalogue"),
    ("program", "programme"),
    ("traveler", "traveller"),
    ("canceled", "cancelled"),
    ("labor", "labour"),
    ("honor", "honour"),
    ("neighbor", "neighbour"),
    ("realize", "realise"),
    ("recognize", "recognise"),
    ("prioritize", "prioritise"),
    ("maximize", "maximise"),
    ("minimize", "minimise"),
    ("defense", "defence"),
    ("jewelry", "jewellery"),
    ("gray", "grey"),
    ("check", "cheque"),
)
_US_UK = tuple(p for p in _US_UK if p[0] not in ("check", "program", "license"))

_CONTRACTIONS = {
    "don't": "do not",
    "doesn't": "does not",
    "can't": "cannot",
    "won't": "will not",
    "isn't": "is not",
    "aren't": "are not",
    "it's": "it is",
    "you're": "you are",
    "we're": "we are",
    "they're": "they are",
    "we'll": "we will",
    "you'll": "you will",
    "didn't": "did not",
    "haven't": "have not",
    "let's": "let us",
    "that's": "that is",
    "there's": "there is",
    "i'm": "I am",
    "we've": "we have",
    "you've": "you have",
}
_EXPANDED = {v.lower(): k for k, v in _CONTRACTIONS.items() if k not in ("let's", "i'm")}

_OXFORD_MISSING = re.compile(r"\b(\w+), ([\w ]{1,30}?) (and|or) (\w+)")
_OXFORD_PRESENT = re.compile(r"\b(\w+), ([\w ]{1,30}?), (and|or) (\w+)")


def _word_re(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.I)


def _match_case(src: str, repl: str) -> str:
    if src.isupper() and len(src) > 1:
        return repl.upper()
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def _cased(repl: str) -> Callable[[re.Match[str]], str]:
    return lambda m: _match_case(m.group(0), repl)


def _replace_term(text: str, term: str, repl: str) -> str:
    return _word_re(term).sub(lambda m: _match_case(m.group(0), repl), text)


def _check_brand(spec: FieldSpec, item: str, index: int, brand: BrandKit) -> list[Finding]:
    out: list[Finding] = []
    where = _where(spec, index)
    preferred = {avoid.lower(): use for avoid, use in brand.preferred_terms}
    for term in brand.banned_terms:
        if _word_re(term).search(item):
            repl = preferred.get(term.lower(), "")
            fix = " ".join(_replace_term(item, term, repl).split())
            out.append(
                Finding(
                    E,
                    "brand-banned-term",
                    f"{where} uses the banned term '{term}'.",
                    "Your brand kit bans this term." + (f" Use '{repl}'." if repl else ""),
                    spec.name,
                    index,
                    fix,
                )
            )
    for avoid, use in brand.preferred_terms:
        if avoid.lower() in (t.lower() for t in brand.banned_terms):
            continue
        if _word_re(avoid).search(item):
            out.append(
                Finding(
                    W,
                    "brand-preferred-term",
                    f"{where} says '{avoid}'; the brand says '{use}'.",
                    "Your brand kit prefers this term.",
                    spec.name,
                    index,
                    _replace_term(item, avoid, use),
                )
            )
    if brand.spelling is not None:
        wrong = 1 if brand.spelling is Spelling.US else 0
        fix = item
        found = []
        for pair in _US_UK:
            bad, good = pair[wrong], pair[1 - wrong]
            pattern = re.compile(rf"\b{bad}(?=s?\b|ed\b|ing\b|d\b|r\b|rs\b)", re.I)
            if pattern.search(fix):
                found.append(bad)
                fix = pattern.sub(_cased(good), fix)
        if found:
            out.append(
                Finding(
                    W,
                    "brand-spelling",
                    f"{where} uses {'UK' if wrong else 'US'} spelling: {', '.join(found)}.",
                    f"Your brand kit writes {brand.spelling.value} English.",
                    spec.name,
                    index,
                    fix,
                )
            )
    if brand.oxford_comma is True:
        m = _OXFORD_MISSING.search(item)
        if m and not _OXFORD_PRESENT.search(item):
            fix = item[: m.start(3) - 1] + "," + item[m.start(3) - 1 :]
            out.append(
                Finding(
                    INFO,
                    "brand-oxford-comma",
                    f"{where} lists three things without the Oxford comma.",
                    "Your brand kit uses the Oxford comma.",
                    spec.name,
                    index,
                    fix,
                )
            )
    elif brand.oxford_comma is False:
        m = _OXFORD_PRESENT.search(item)
        if m:
            start = m.start(3) - 2
            fix = item[:start] + item[start + 1 :]
            out.append(
                Finding(
                    INFO,
                    "brand-oxford-comma",
                    f"{where} uses the Oxford comma.",
                    "Your brand kit leaves it out.",
                    spec.name,
                    index,
                    fix,
                )
            )
    if brand.contractions is False:
        found = [c for c in _CONTRACTIONS if _word_re(c).search(item.replace("’", "'"))]
        if found:
            fix = item.replace("’", "'")
            for c in found:
                fix = _replace_term(fix, c, _CONTRACTIONS[c])
            out.append(
                Finding(
                    INFO,
                    "brand-contractions",
                    f"{where} uses contractions: {', '.join(found)}.",
                    "Your brand kit avoids contractions.",
                    spec.name,
                    index,
                    fix,
                )
            )
    elif brand.contractions is True:
        found = [e for e in _EXPANDED if _word_re(e).search(item)]
        if found:
            fix = item
            for e in found:
                fix = _replace_term(fix, e, _EXPANDED[e])
            out.append(
                Finding(
                    INFO,
                    "brand-contractions",
                    f"{where} could use contractions: {', '.join(found)}.",
                    "Your brand kit prefers a conversational voice with contractions.",
                    spec.name,
                    index,
                    fix,
                )
            )
    return out


# -- personal data ------------------------------------------------------------------------

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){1,4}(?!\w)"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _check_personal_data(spec: FieldSpec, item: str, index: int) -> list[Finding]:
    out: list[Finding] = []
    where = _where(spec, index)
    card_spans = []
    for m in _CARD.finditer(item):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            card_spans.append(m.span())
            out.append(
                Finding(
                    E,
                    "pii-card-number",
                    f"{where} contains a payment card number.",
                    "A number that passes the Luhn check looks like a real card number; "
                    "never publish one.",
                    spec.name,
                    index,
                    " ".join((item[: m.start()] + item[m.end() :]).split()),
                )
            )
    for m in _EMAIL.finditer(item):
        out.append(
            Finding(
                W,
                "pii-email",
                f"{where} contains an email address ({m.group(0)}).",
                "Make sure it is a public business address, not a person's.",
                spec.name,
                index,
            )
        )
    for m in _PHONE.finditer(item):
        digits = re.sub(r"\D", "", m.group(0))
        if not 9 <= len(digits) <= 15:
            continue
        if any(s <= m.start() < e for s, e in card_spans):
            continue
        out.append(
            Finding(
                W,
                "pii-phone",
                f"{where} contains a phone number ({m.group(0).strip()}).",
                "Make sure it is a public business number, not a person's.",
                spec.name,
                index,
            )
        )
    return out


# -- readability and near-duplicates --------------------------------------------------------


def _check_readability(spec: FieldSpec, items: list[str], language: str) -> list[Finding]:
    if spec.role not in ("body", "post", "line"):
        return []  # headlines, buttons, outlines: the formulas mean little there
    text = "\n".join(items)
    if len(text.split()) < 20:
        return []  # headlines and short fields: formulas mean little on a few words
    score = readability(text, language)
    if score is None or score.reading_ease >= 50:
        return []
    severity = W if score.reading_ease < 30 else INFO
    return [
        Finding(
            severity,
            "readability",
            f"{spec.label} is {score.verdict} to read (reading ease "
            f"{score.reading_ease:.0f}, grade {score.grade:.0f}).",
            "Shorter sentences and shorter words make copy easier to read; 60 or more "
            "is plain language.",
            spec.name,
        )
    ]


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"\w+", text.lower())
    return set(itertools.pairwise(words)) or {(w, "") for w in words}


def similarity(a: str, b: str) -> float:
    """Word-bigram overlap (Jaccard) of two texts: 1.0 identical, 0.0 nothing shared."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def _check_near_duplicates(variant: Variant, others: Sequence[Variant]) -> list[Finding]:
    text = variant.all_text()
    for n, other in enumerate(others, start=1):
        score = similarity(text, other.all_text())
        if score >= NEAR_DUPLICATE:
            return [
                Finding(
                    W,
                    "near-duplicate",
                    f"This variant is nearly the same as variant {n} ({score:.0%} shared wording).",
                    "Variants should test different angles; regenerate this one.",
                )
            ]
    return []
