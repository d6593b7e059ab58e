"""What a model must return for a content type, and reading what it actually returned.

* :func:`output_schema` — the JSON schema asked for (strict-mode compatible: every
  property required, no additional properties).
* :func:`validate_output` — pydantic validation of the model's JSON into variants, with
  an error text that tells the model what was wrong (for the bounded retry).
* :func:`extract_json` — the JSON object in a reply that ignored JSON mode (code fences,
  prose around it).
* :func:`parse_partial` — the variants written *so far* in a stream that is still
  arriving, so fields appear in the UI as they are written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from desktop.domain.content import ContentType, FieldSpec, Variant, VariantSource

MAX_OUTPUT_CHARS = 200_000  # a reply longer than this is refused, not parsed


class OutputProblem(ValueError):  # noqa: N818 (a problem for the user)
    """The model's reply cannot be used. ``feedback`` is written for the model (the
    retry prompt); ``user_message`` for the marketer."""

    def __init__(self, user_message: str, feedback: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.feedback = feedback


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "string"}
    desc = spec.guidance or spec.label
    if spec.is_list:
        return {
            "type": "array",
            "items": item,
            "description": f"{desc} ({spec.min_items} to {spec.max_items} items; "
            f"write {spec.write_items})",
        }
    return {**item, "description": desc}


def output_schema(ct: ContentType, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """The JSON schema of a reply: ``{"variants": [{field: value, ...}, ...]}``.
    ``fields`` restricts it to some fields (regenerating one field)."""
    specs = [f for f in ct.fields if fields is None or f.name in fields]
    variant = {
        "type": "object",
        "properties": {s.name: _field_schema(s) for s in specs},
        "required": [s.name for s in specs],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"variants": {"type": "array", "items": variant}},
        "required": ["variants"],
        "additionalProperties": False,
    }


def _variant_model(ct: ContentType, fields: Sequence[str] | None) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for spec in ct.fields:
        if fields is not None and spec.name not in fields:
            continue
        if spec.is_list:
            definitions[spec.name] = (
                list[str],
                Field(default_factory=list) if spec.optional else Field(min_length=1),
            )
        else:
            definitions[spec.name] = (str, "" if spec.optional else ...)
    return create_model(
        f"Variant_{ct.id.replace('-', '_')}",
        __config__=ConfigDict(extra="ignore", str_strip_whitespace=True),
        **definitions,
    )


def validate_output(
    ct: ContentType,
    data: object,
    expected: int,
    fields: Sequence[str] | None = None,
    label: str = "",
) -> list[Variant]:
    """Variants from a parsed reply, validated with pydantic. Raises
    :class:`OutputProblem` with feedback for the model when the shape is wrong."""
    model = _variant_model(ct, fields)
    if isinstance(data, list):
        data = {"variants": data}
    if (
        isinstance(data, Mapping)
        and "variants" not in data
        and any(f.name in data for f in ct.fields)
    ):
        data = {"variants": [data]}  # one variant, unwrapped
    if not isinstance(data, Mapping) or not isinstance(data.get("variants"), list):
        raise OutputProblem(
            "The model's reply did not contain any variants.",
            'Reply with a JSON object {"variants": [...]} as specified, nothing else.',
        )
    raw = data["variants"]
    if not raw:
        raise OutputProblem(
            "The model returned no variants.",
            f"The variants list was empty; write exactly {expected} variant(s).",
        )
    out: list[Variant] = []
    problems: list[str] = []
    for i, item in enumerate(raw[:expected], start=1):
        if isinstance(item, Mapping):
            item = {
                k: ([v] if isinstance(v, str) and ct_field_is_list(ct, k) else v)
                for k, v in item.items()
            }
        try:
            parsed = model.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors()[:6]:
                where = ".".join(str(p) for p in err["loc"])
                problems.append(f"variant {i}: {where}: {err['msg']}")
            continue
        values = parsed.model_dump()
        fields_out = {
            k: tuple(str(x).strip() for x in v if str(x).strip())
            if isinstance(v, list)
            else ((str(v).strip(),) if str(v).strip() else ())
            for k, v in values.items()
        }
        out.append(Variant(fields_out, VariantSource.MODEL, label))
    if problems:
        raise OutputProblem(
            f"The model's reply did not match the {ct.label} format "
            f"({len(problems)} problem{'s' if len(problems) != 1 else ''}).",
            "Your JSON did not match the schema: "
            + "; ".join(problems)
            + ". Return the complete JSON again, fixed.",
        )
    return out


def ct_field_is_list(ct: ContentType, name: str) -> bool:
    return any(f.name == name and f.is_list for f in ct.fields)


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)


def extract_json(text: str) -> object:
    """The JSON value in a free-text reply (inside a code fence, or the first balanced
    ``{…}``/``[…]``). Raises :class:`OutputProblem` when there is none."""
    if len(text) > MAX_OUTPUT_CHARS:
        raise OutputProblem(
            f"The model's reply was too long ({len(text):,} characters) and was not used.",
            "Your reply was far too long. Return only the JSON object, concisely.",
        )
    candidates = [m.group(1) for m in _FENCE.finditer(text)]
    candidates.append(text)
    for candidate in candidates:
        candidate = candidate.strip()
        try:
            return json.loads(candidate)
        except ValueError:
            pass
        for opener in "{[":
            start = candidate.find(opener)
            while start != -1:
                end = _balanced_end(candidate, start)
                if end is not None:
                    try:
                        return json.loads(candidate[start : end + 1])
                    except ValueError:
                        pass
                start = candidate.find(opener, start + 1)
    raise OutputProblem(
        "The model did not return the structured copy Playbook asked for (no JSON in its "
        "reply). Try again, or pick a model that follows instructions better.",
        'Your reply contained no JSON. Reply with only the JSON object {"variants": [...]}.',
    )


class _JsonScan:
    """Reads JSON text (or the start of it) keeping track of strings: whether the end of
    what was read is inside a string, and just after a backslash in one."""

    __slots__ = ("escape", "in_string")

    def __init__(self) -> None:
        self.in_string = False
        self.escape = False

    def brackets(self, text: str, start: int = 0) -> Iterator[tuple[int, str]]:
        """The brackets and commas outside strings, with their index, from ``start``."""
        in_string = escape = False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                if escape:
                    escape = False
                elif ch == "\\":
                    escape = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch in "{}[],":
                yield i, ch
        self.in_string, self.escape = in_string, escape


def _balanced_end(text: str, start: int) -> int | None:
    depth = 0
    for i, ch in _JsonScan().brackets(text, start):
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
    return None


def complete_partial_json(text: str) -> str | None:
    """Close what is open in a JSON prefix so it parses: strings, arrays, objects. A key
    without its value yet is dropped. None if nothing parseable has started."""
    start = min((i for i in (text.find("{"), text.find("[")) if i != -1), default=-1)
    if start == -1:
        return None
    text = text[start:]
    stack: list[str] = []
    # Positions where a value ended cleanly, with the stack then: safe cut points.
    last_safe = -1
    safe_stack: list[str] = []
    scan = _JsonScan()
    for i, ch in scan.brackets(text):
        if ch in "{[":
            stack.append("}" if ch == "{" else "]")
            last_safe, safe_stack = i, list(stack)
        elif ch in "}]":
            if stack:
                stack.pop()
            last_safe, safe_stack = i, list(stack)
        elif ch == ",":
            last_safe, safe_stack = i - 1, list(stack)
    in_string, escape = scan.in_string, scan.escape
    if not in_string and not stack:
        return text
    # Close an open string value (a field being written) and everything around it.
    body = text
    if in_string:
        if escape:
            body = body[:-1]
        # A string that is a key ("headl) cannot be shown; one that is a value can.
        before = body[: body.rfind('"')].rstrip()
        if before.endswith((",", "{")) and stack and stack[-1] == "}":
            body = body[: body.rfind('"')].rstrip().rstrip(",")
        else:
            body += '"'
    else:
        stripped = body.rstrip()
        if stripped.endswith('"') and stack and stack[-1] == "}":
            opening = stripped.rfind('"', 0, len(stripped) - 1)
            if stripped[:opening].rstrip().endswith((",", "{")):  # a key, no colon yet
                body = stripped[:opening].rstrip().rstrip(",")
        elif stripped.endswith(":"):  # a key with no value yet
            key_start = stripped[:-1].rstrip().rfind('"', 0, len(stripped[:-1].rstrip()) - 1)
            body = stripped[:key_start].rstrip().rstrip(",")
        elif stripped.endswith(","):
            body = stripped[:-1]
        elif (
            stripped
            and stripped[-1] not in '"}]'
            and not re.search(r"[\d.eE+-]|true|false|null$", stripped[-5:])
        ):
            body = text[: last_safe + 1]
            stack = safe_stack
    depth: list[str] = []
    for _, ch in _JsonScan().brackets(body):
        if ch in "{[":
            depth.append("}" if ch == "{" else "]")
        elif ch in "}]" and depth:
            depth.pop()
    return body + "".join(reversed(depth))


def parse_partial(text: str) -> list[dict[str, tuple[str, ...]]]:
    """The variants visible in a reply still being streamed: field -> items so far."""
    completed = complete_partial_json(text)
    if completed is None:
        return []
    try:
        data = json.loads(completed)
    except ValueError:  # a value cut mid-token ("12."): show what came before it
        cut = complete_partial_json(text[: text.rfind(",")]) if "," in text else None
        try:
            data = json.loads(cut) if cut else None
        except ValueError:
            return []
    if isinstance(data, Mapping):
        variants = data.get("variants", [])
    elif isinstance(data, list):
        variants = data
    else:
        return []
    out: list[dict[str, tuple[str, ...]]] = []
    if not isinstance(variants, list):
        return out
    for v in variants:
        if not isinstance(v, Mapping):
            continue
        fields: dict[str, tuple[str, ...]] = {}
        for k, value in v.items():
            if isinstance(value, str):
                fields[str(k)] = (value,)
            elif isinstance(value, list):
                fields[str(k)] = tuple(str(x) for x in value if isinstance(x, str))
        out.append(fields)
    return out
