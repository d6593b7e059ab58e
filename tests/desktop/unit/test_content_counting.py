"""Each channel's counting rule, as the channel counts (../shared/reference/channels.md)."""

from __future__ import annotations

import unicodedata

import pytest

from desktop.domain.content import Counting, FieldSpec
from desktop.domain.content_counting import (
    characters,
    clip,
    counter_state,
    counter_text,
    sms_count,
    x_weighted_length,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello", 5),
        ("See https://example.com/a/very/long/path/that/goes/on?and=on", 4 + 23),
        ("Visit acme.com today", 6 + 23 + 6),
        ("👍", 2),
        ("👨\u200d👩\u200d👧", 2),  # one family emoji, however many code points
        ("👍🏽", 2),  # skin tone modifier belongs to the emoji
        ("🇫🇷", 2),  # a flag is a pair of regional indicators
        ("日本語", 6),
        ("e\u0301", 1),  # NFC: é written as e + combining accent is one character
        ("a" * 280, 280),
        ("—“quoted”", 9),  # dashes and curly quotes weigh 1
        ("…", 2),  # the ellipsis is outside the light ranges of twitter-text
    ],
)
def test_x_counts_urls_as_23_and_emoji_and_cjk_as_2(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


def test_x_post_of_141_cjk_characters_is_over_the_limit() -> None:
    spec = FieldSpec("text", "Post", Counting.X_WEIGHTED, hard_limit=280)
    assert counter_state(spec, "字" * 140) == "ok"
    assert counter_state(spec, "字" * 141) == "over"
    assert counter_text(spec, "字" * 141) == "282/280 weighted"


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # € takes two septets
        ("[x]" * 40, "GSM-7", 200, 2),
        ("a" * 69 + "👍", "UCS-2", 71, 2),  # one emoji makes the whole message UCS-2
        ("a" * 70, "GSM-7", 70, 1),
        ("ą" * 70, "UCS-2", 70, 1),
        ("ą" * 71, "UCS-2", 71, 2),
        ("ą" * 134, "UCS-2", 134, 2),
        ("ą" * 135, "UCS-2", 135, 3),
        ("", "GSM-7", 0, 0),
    ],
)
def test_sms_segments_follow_gsm7_and_ucs2(
    text: str, encoding: str, units: int, segments: int
) -> None:
    count = sms_count(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_sms_names_the_characters_that_forced_ucs2() -> None:
    assert sms_count("Sale ends soon ’cause 🎉").offending == "’🎉"


def test_sms_counter_text_shows_segments_and_encoding() -> None:
    spec = FieldSpec("text", "Message", Counting.SMS, hard_limit=4, soft_max=1)
    assert counter_text(spec, "Hi 👋") == "1 segment · 5/70 UCS-2"
    assert counter_state(spec, "a" * 161) == "long"
    assert counter_state(spec, "a" * 800) == "over"


def test_characters_count_after_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "café")
    assert len(decomposed) == 5
    assert characters(decomposed) == 4


def test_clip_cuts_at_a_word_boundary_within_the_limit() -> None:
    spec = FieldSpec("headlines", "Headline", hard_limit=30, max_items=15)
    text = "Guaranteed results for every online shop owner"
    clipped = clip(spec, text)
    assert clipped == "Guaranteed results for every"
    assert len(clipped) <= 30
    assert clip(spec, "Short enough") == "Short enough"
    assert clip(spec, "Supercalifragilisticexpialidocious!") == "Supercalifragilisticexpialidoc"
