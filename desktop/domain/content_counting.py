"""How each channel counts length: plain characters, X's weighted length, SMS segments.

Facts (../shared/reference/channels.md):

* X (twitter-text v3): count after NFC normalisation; a URL counts 23 whatever its
  length; code points in the Latin, General Punctuation and a few other ranges weigh 1,
  everything else (CJK, most emoji) weighs 2; an emoji sequence (ZWJ family, flag, skin
  tone) counts once, as 2. Limit 280.
* SMS: if every character is in the GSM-7 alphabet the message is GSM-7 (160 septets in
  one segment, 153 per segment when split; ``€ [ ] { } \\ ^ ~ |`` take 2 septets);
  otherwise the whole message is UCS-2 (70 UTF-16 units, 67 per segment).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from desktop.domain.content import Counting, FieldSpec

X_URL_LENGTH = 23
X_MAX_WEIGHTED = 280
# twitter-text v3 config: ranges of weight 100 (one character); the default is 200.
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

_URL = re.compile(
    r"(?:https?://[^\s]+|(?<![@\w])(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|uk|de|fr|ly|app|ai|dev|"
    r"info|biz|us|eu|me|tv)(?:/[^\s]*)?)",
    re.IGNORECASE,
)

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

SMS_GSM_SINGLE, SMS_GSM_MULTI = 160, 153
SMS_UCS2_SINGLE, SMS_UCS2_MULTI = 70, 67


def characters(text: str) -> int:
    """Characters as a person counts them (after NFC, so "é" is one either way)."""
    return len(unicodedata.normalize("NFC", text))


def _is_emoji_start(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D)
    )


def _emoji_length(text: str, i: int) -> int:
    """How many code points the emoji sequence starting at ``i`` spans (0: no emoji)."""
    cp = ord(text[i])
    n = len(text)
    # Keycaps: digit/#/* + optional VS16 + U+20E3.
    if text[i] in "0123456789#*":
        j = i + 1
        if j < n and text[j] == "\ufe0f":
            j += 1
        return j + 1 - i if j < n and text[j] == "\u20e3" else 0
    if not _is_emoji_start(cp):
        return 0
    j = i + 1
    if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators pair into a flag
        return 2 if j < n and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF else 1
    while j < n:
        c = ord(text[j])
        if c == 0xFE0F or 0x1F3FB <= c <= 0x1F3FF or 0xE0020 <= c <= 0xE007F:
            j += 1  # variation selector, skin tone, tag sequence
        elif c == 0x200D and j + 1 < n and _is_emoji_start(ord(text[j + 1])):
            j += 2  # zero-width joiner + the next emoji
        else:
            break
    return j - i


def x_weighted_length(text: str) -> int:
    """X's weighted length of a post (twitter-text v3 rules)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for m in _URL.finditer(text):
        total += _x_weight(text[pos : m.start()])
        total += X_URL_LENGTH
        pos = m.end()
    total += _x_weight(text[pos:])
    return total


def _x_weight(text: str) -> int:
    total = 0
    i = 0
    n = len(text)
    while i < n:
        span = _emoji_length(text, i)
        if span:
            total += 2
            i += span
            continue
        cp = ord(text[i])
        total += 1 if any(lo <= cp <= hi for lo, hi in _X_LIGHT_RANGES) else 2
        i += 1
    return total


@dataclass(frozen=True, slots=True)
class SmsCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # the capacity of a segment at this length
    offending: str  # characters that forced UCS-2 ("" for GSM-7)

    @property
    def single_limit(self) -> int:
        return SMS_GSM_SINGLE if self.encoding == "GSM-7" else SMS_UCS2_SINGLE


def sms_count(text: str) -> SmsCount:
    """Encoding, length and segments of an SMS."""
    outside = [ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED]
    if not outside:
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        if units <= SMS_GSM_SINGLE:
            return SmsCount("GSM-7", units, 1 if units else 0, SMS_GSM_SINGLE, "")
        return SmsCount("GSM-7", units, math.ceil(units / SMS_GSM_MULTI), SMS_GSM_MULTI, "")
    units = len(text.encode("utf-16-le")) // 2
    seen: dict[str, None] = dict.fromkeys(outside)
    offending = "".join(list(seen)[:8])
    if units <= SMS_UCS2_SINGLE:
        return SmsCount("UCS-2", units, 1 if units else 0, SMS_UCS2_SINGLE, offending)
    return SmsCount("UCS-2", units, math.ceil(units / SMS_UCS2_MULTI), SMS_UCS2_MULTI, offending)


def measure(spec: FieldSpec, text: str) -> int:
    """The length of ``text`` in the field's unit (segments for SMS)."""
    if spec.counting is Counting.X_WEIGHTED:
        return x_weighted_length(text)
    if spec.counting is Counting.SMS:
        return sms_count(text).segments
    return characters(text)


def counter_text(spec: FieldSpec, text: str) -> str:
    """The live counter shown next to a field: "27/30", "1 segment · 120/160 GSM-7"."""
    if spec.counting is Counting.SMS:
        c = sms_count(text)
        seg = f"{c.segments} segment{'s' if c.segments != 1 else ''}"
        cap = c.per_segment * max(c.segments, 1)
        return f"{seg} · {c.units}/{cap} {c.encoding}"
    n = measure(spec, text)
    limit = spec.hard_limit or spec.soft_max
    unit = " weighted" if spec.counting is Counting.X_WEIGHTED else ""
    return f"{n}/{limit}{unit}" if limit else f"{n} chars"


def counter_state(spec: FieldSpec, text: str) -> str:
    """ "over" (above the hard limit), "long"/"short" (outside the soft range) or "ok"."""
    n = measure(spec, text)
    if spec.hard_limit is not None and n > spec.hard_limit:
        return "over"
    if spec.soft_max is not None and n > spec.soft_max:
        return "long"
    if spec.soft_min is not None and text.strip() and n < spec.soft_min:
        return "short"
    return "ok"


def clip(spec: FieldSpec, text: str, limit: int | None = None) -> str:
    """``text`` cut to the field's limit at a word boundary (never mid-word when a space
    is near), without a trailing comma or dash. Unchanged when it fits."""
    limit = limit if limit is not None else spec.hard_limit
    if limit is None or measure(spec, text) <= limit:
        return text
    words = text.split(" ")
    out = ""
    for word in words:
        candidate = f"{out} {word}" if out else word
        if measure(spec, candidate) > limit:
            break
        out = candidate
    if not out:  # one word longer than the limit: cut it
        out = text
        while out and measure(spec, out) > limit:
            out = out[:-1]
    return out.rstrip(" ,;:-–—")
