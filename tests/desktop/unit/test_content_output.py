"""Reading what a model returns: partial JSON while it streams, JSON inside prose, and
pydantic validation whose errors are written for the model's retry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.domain.content_output import (
    OutputProblem,
    complete_partial_json,
    extract_json,
    output_schema,
    parse_partial,
    validate_output,
)
from desktop.services.content import load_catalogue

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[3] / "resources")
RSA = CATALOGUE.types["google-rsa"]

REPLY = {
    "variants": [
        {
            "headlines": ["Fast setup", 'Try "Acme" free', "Ünïcode ✓"],
            "descriptions": ["Line one.", "Line two, with a \\ backslash."],
            "path1": "acme",
            "path2": "",
        },
        {
            "headlines": ["Second", "Third", "Fourth"],
            "descriptions": ["A.", "B."],
            "path1": "x",
            "path2": "y",
        },
    ]
}


@pytest.mark.parametrize("indent", [None, 2])
def test_every_prefix_of_a_streamed_reply_parses(indent: int | None) -> None:
    text = json.dumps(REPLY, indent=indent, ensure_ascii=False)
    seen_first_headline = None
    for i in range(len(text) + 1):
        completed = complete_partial_json(text[:i])
        if completed is not None:
            json.loads(completed)  # never raises
        variants = parse_partial(text[:i])
        if variants and variants[0].get("headlines") and seen_first_headline is None:
            seen_first_headline = i
    assert parse_partial(text) == [
        {k: (tuple(v) if isinstance(v, list) else (v,)) for k, v in r.items()}
        for r in REPLY["variants"]
    ]
    # Text shows as soon as the first characters of the first headline arrive.
    assert seen_first_headline is not None
    assert seen_first_headline <= text.index("Fast setup") + 1


def test_a_growing_field_shows_its_text_so_far() -> None:
    assert parse_partial('{"variants": [{"headlines": ["Fast se') == [{"headlines": ("Fast se",)}]


def test_json_is_found_in_prose_and_code_fences() -> None:
    assert extract_json('Sure! ```json\n{"variants": []}\n``` Hope it helps.') == {"variants": []}
    assert extract_json('Here: {"variants": [{"text": "a } b"}]} done') == {
        "variants": [{"text": "a } b"}]
    }
    with pytest.raises(OutputProblem) as info:
        extract_json("I would rather not.")
    assert "no JSON" in info.value.feedback


def test_an_oversized_reply_is_refused() -> None:
    with pytest.raises(OutputProblem, match="too long"):
        extract_json("{" + " " * 300_000 + "}")


def test_validation_accepts_a_good_reply_and_strings_for_lists() -> None:
    variants = validate_output(RSA, REPLY, 2)
    assert variants[0].items("headlines")[1] == 'Try "Acme" free'
    assert variants[0].items("path2") == ()
    one = validate_output(
        RSA, {"headlines": "Single", "descriptions": ["d"], "path1": "", "path2": ""}, 1
    )
    assert one[0].items("headlines") == ("Single",)


def test_validation_errors_are_written_for_the_model() -> None:
    bad = {"variants": [{"headlines": "", "descriptions": 5}]}
    with pytest.raises(OutputProblem) as info:
        validate_output(RSA, bad, 1)
    feedback = info.value.feedback
    assert "variant 1" in feedback
    assert "descriptions" in feedback
    assert "Return the complete JSON again" in feedback
    with pytest.raises(OutputProblem, match="no variants"):
        validate_output(RSA, {"variants": []}, 1)


def test_schema_is_strict_mode_compatible() -> None:
    schema = output_schema(RSA)
    item = schema["properties"]["variants"]["items"]
    assert item["additionalProperties"] is False
    assert (
        set(item["required"])
        == set(item["properties"])
        == {"headlines", "descriptions", "path1", "path2"}
    )
    only = output_schema(RSA, ["descriptions"])
    assert list(only["properties"]["variants"]["items"]["properties"]) == ["descriptions"]
