"""Policy questionnaires: questions as data, branching, and answers validated with pydantic.

A questionnaire (one per policy type, plus the company profile) is read from
``resources/policies/questionnaires/*.yaml`` by the service and built here with
:func:`questionnaire_from_data`. A question (or a whole section) opens only when its
``when`` condition holds: "sells physical goods" opens returns and shipping questions,
"sells to EU/UK consumers" the statutory withdrawal questions.

Answers are checked by a pydantic model built for exactly the questions that are open
(:func:`validate_answers`); every problem names the question in the user's words. Answers
to questions that are closed are kept (the user may open them again) but never used.

Pure: no files, no Qt, no database.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel


NOT_LEGAL_ADVICE = (
    "Policy Studio helps you write clear, consistent policies. It is not legal advice: "
    "have a qualified person check your policies before you publish them."
)

POLICY_TYPES: tuple[str, ...] = (
    "refund",
    "shipping",
    "terms",
    "warranty",
    "subscription",
    "privacy",
    "discount",
    "commission",
)

JURISDICTIONS: dict[str, str] = {
    "eu": "European Union",
    "uk": "United Kingdom",
    "us_ca": "US — California",
    "us": "US — general",
}


class QuestionType(enum.StrEnum):
    TEXT = "text"
    LONGTEXT = "longtext"
    EMAIL = "email"
    URL = "url"
    INT = "int"
    PERCENT = "percent"
    BOOL = "bool"
    CHOICE = "choice"
    MULTI = "multi"
    DATE = "date"
    LINES = "lines"
    TABLE = "table"


class QuestionnaireError(ValueError):
    """A questionnaire file is not valid; ``user_message`` says where and what to fix."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a ``table`` question (e.g. a commission tier's threshold and rate)."""

    id: str
    label: str
    type: QuestionType
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    label: str
    type: QuestionType
    required: bool = False
    default: Any = None
    help: str = ""
    example: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    columns: tuple[Column, ...] = ()
    when: Mapping[str, Any] = field(default_factory=dict)

    def choice_label(self, value: object) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    when: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str
    title: str
    description: str
    sections: tuple[Section, ...]
    requires: Mapping[str, Any] = field(default_factory=dict)  # when the type applies at all
    audience: str = "customers"  # "internal" for sales-team policies

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def defaults(self) -> dict[str, Any]:
        """Every question's default answer (questions without one are left out)."""
        return {q.id: q.default for q in self.questions() if q.default is not None}

    def open_questions(self, facts: Facts) -> list[Question]:
        """The questions that apply, given the answers so far (in order)."""
        shown: list[Question] = []
        for section in self.sections:
            if not matches(section.when, facts):
                continue
            shown.extend(q for q in section.questions if matches(q.when, facts))
        return shown

    def open_sections(self, facts: Facts) -> list[tuple[Section, list[Question]]]:
        result = []
        for section in self.sections:
            if not matches(section.when, facts):
                continue
            questions = [q for q in section.questions if matches(q.when, facts)]
            if questions:
                result.append((section, questions))
        return result


# -- facts and conditions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What a condition can look at: this policy's answers, the company profile and the
    jurisdictions the policy is written for."""

    answers: Mapping[str, Any]
    profile: Mapping[str, Any] = field(default_factory=dict)
    jurisdictions: frozenset[str] = frozenset()

    def get(self, key: str) -> Any:
        if key == "jurisdictions":
            return sorted(self.jurisdictions)
        if key.startswith("profile."):
            return self.profile.get(key.removeprefix("profile."))
        return self.answers.get(key)


_COMPARISONS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "ne": lambda a, b: a != b,
    "eq": lambda a, b: a == b,
}


def _holds(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Mapping):
        for op, operand in expected.items():
            compare = _COMPARISONS.get(str(op))
            if compare is None:
                raise QuestionnaireError(f"Unknown comparison {op!r} in a condition.")
            if actual is None or isinstance(actual, list):
                return False
            try:
                if not compare(actual, operand):
                    return False
            except TypeError:
                return False
        return True
    options = expected if isinstance(expected, list) else [expected]
    if isinstance(actual, list | tuple | set | frozenset):  # a multi answer: any overlap
        return any(o in actual for o in options)
    return actual in options


def matches(condition: Mapping[str, Any], facts: Facts) -> bool:
    """Whether a ``when`` condition holds. Keys are question ids, ``profile.<field>`` or
    ``jurisdictions``; a list value means "any of"; a mapping compares (``lt``, ``ge``...);
    the key ``any`` holds a list of conditions of which one must hold."""
    for key, expected in condition.items():
        if key == "any":
            if not any(matches(c, facts) for c in expected):
                return False
            continue
        if not _holds(facts.get(key), expected):
            return False
    return True


# -- reading questionnaires ----------------------------------------------------------

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QuestionnaireError(f"{where}: expected a number, got {value!r}.")
    return float(value)


def _question(data: Mapping[str, Any], where: str) -> Question:
    qid = data.get("id")
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        raise QuestionnaireError(f"{where}: every question needs an id like 'return_window_days'.")
    where = f"{where}, question {qid}"
    try:
        qtype = QuestionType(data.get("type", "text"))
    except ValueError:
        known = ", ".join(t.value for t in QuestionType)
        raise QuestionnaireError(
            f"{where}: unknown type {data.get('type')!r}; use one of {known}."
        ) from None
    choices = tuple(
        Choice(str(c["value"]), str(c.get("label", c["value"]))) for c in data.get("choices", [])
    )
    if qtype in (QuestionType.CHOICE, QuestionType.MULTI) and not choices:
        raise QuestionnaireError(f"{where}: a {qtype} question needs choices.")
    columns = tuple(
        Column(
            str(c["id"]),
            str(c.get("label", c["id"])),
            QuestionType(c.get("type", "int")),
            _number(c.get("min"), where),
            _number(c.get("max"), where),
        )
        for c in data.get("columns", [])
    )
    if qtype is QuestionType.TABLE and not columns:
        raise QuestionnaireError(f"{where}: a table question needs columns.")
    low, high = _number(data.get("min"), where), _number(data.get("max"), where)
    if qtype is QuestionType.PERCENT:
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    return Question(
        id=qid,
        label=str(data.get("label", qid)),
        type=qtype,
        required=bool(data.get("required", False)),
        default=data.get("default"),
        help=str(data.get("help", "")),
        example=str(data.get("example", "")),
        min=low,
        max=high,
        choices=choices,
        columns=columns,
        when=dict(data.get("when") or {}),
    )


def questionnaire_from_data(
    data: Mapping[str, Any], source: str = "questionnaire"
) -> Questionnaire:
    """Build a questionnaire from parsed YAML; raises :class:`QuestionnaireError` naming
    the file and question when something is wrong."""
    qid = data.get("id")
    if not isinstance(qid, str):
        raise QuestionnaireError(f"{source}: the questionnaire needs an id.")
    sections = []
    seen: set[str] = set()
    for raw in data.get("sections") or []:
        sid = str(raw.get("id", ""))
        questions = tuple(
            _question(q, f"{source}, section {sid}") for q in raw.get("questions", [])
        )
        for q in questions:
            if q.id in seen:
                raise QuestionnaireError(f"{source}: question id {q.id!r} is used twice.")
            seen.add(q.id)
        sections.append(
            Section(sid, str(raw.get("title", sid)), questions, dict(raw.get("when") or {}))
        )
    if not sections:
        raise QuestionnaireError(f"{source}: the questionnaire has no sections.")
    return Questionnaire(
        id=qid,
        title=str(data.get("title", qid)),
        description=str(data.get("description", "")),
        sections=tuple(sections),
        requires=dict(data.get("requires") or {}),
        audience=str(data.get("audience", "customers")),
    )


# -- validating answers --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """One thing wrong with an answer, said to the user."""

    question_id: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


_EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_URL_RE = r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$"


@functools.cache
def _strict() -> type[BaseModel]:
    """The base of every answers model. Built on first use: pydantic costs tens of
    milliseconds to import, which the app's start-up does not pay."""
    from pydantic import BaseModel, ConfigDict

    class Strict(BaseModel):
        model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    return Strict


def _annotation(q: Question | Column, choices: Sequence[Choice] = ()) -> tuple[Any, Any]:
    """The pydantic type and Field of one question (or table column)."""
    from pydantic import Field

    low = q.min
    high = q.max
    kind = q.type
    if kind in (QuestionType.INT,):
        return int, Field(ge=low, le=high, strict=False)
    if kind is QuestionType.PERCENT:
        return float, Field(ge=low if low is not None else 0, le=high if high is not None else 100)
    if kind is QuestionType.BOOL:
        return bool, Field()
    if kind is QuestionType.DATE:
        return date, Field()
    if kind is QuestionType.EMAIL:
        return str, Field(pattern=_EMAIL_RE)
    if kind is QuestionType.URL:
        return str, Field(pattern=_URL_RE)
    if kind is QuestionType.CHOICE:
        return Literal[tuple(c.value for c in choices)], Field()
    if kind is QuestionType.MULTI:
        return list[Literal[tuple(c.value for c in choices)]], Field()  # type: ignore[misc]
    if kind is QuestionType.LINES:
        return list[str], Field()
    return str, Field(max_length=20_000)


def _clean(q: Question, value: Any) -> Any:
    """Normalise what a form or a YAML file gives before pydantic checks it."""
    if q.type is QuestionType.LINES and isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, str) and q.type in (QuestionType.INT, QuestionType.PERCENT):
        return value.strip().rstrip("%").strip() or None
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not value)


def _message(error: Mapping[str, Any], q: Question) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {_fmt(ctx.get('ge', ctx.get('gt')))}."
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {_fmt(ctx.get('le', ctx.get('lt')))}."
    if kind.startswith("int_") or kind.startswith("float_"):
        return "enter a whole number." if q.type is QuestionType.INT else "enter a number."
    if kind == "string_pattern_mismatch":
        if q.type is QuestionType.EMAIL:
            return "enter an email address like help@example.com."
        return "enter a web address like https://example.com."
    if kind == "literal_error":
        options = ", ".join(c.label for c in q.choices)
        return f"choose one of: {options}."
    if kind.startswith("date"):
        return "enter a date as YYYY-MM-DD."
    if kind.startswith("bool"):
        return "answer yes or no."
    if kind == "string_too_long":
        return "is too long; shorten it."
    return str(error.get("msg", "is not valid."))


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_MODELS: dict[str, type[BaseModel]] = {}
_MAX_MODELS = 256


def _model(name: str, fields: dict[str, Any]) -> type[BaseModel]:
    """A pydantic model with these fields, built once and reused: building one costs a few
    milliseconds, and every export and every keystroke in the questionnaire validates."""
    from pydantic import create_model

    key = name + repr(sorted((k, repr(v)) for k, v in fields.items()))
    model = _MODELS.get(key)
    if model is None:
        if len(_MODELS) >= _MAX_MODELS:
            _MODELS.clear()
        model = _MODELS[key] = create_model(name, __base__=_strict(), **fields)
    return model


def _table_model(q: Question) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for column in q.columns:
        fields[column.id] = _annotation(column)
    return _model(f"Row_{q.id}", fields)


def validate_answers(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    profile: Mapping[str, Any] | None = None,
    jurisdictions: Iterable[str] = (),
) -> tuple[dict[str, Any], list[AnswerProblem]]:
    """Check the answers to the open questions. Returns the cleaned answers (typed, with
    defaults filled in for open questions left unanswered) and the problems found.

    Answers to closed questions are passed through untouched: they are kept, not used."""
    from pydantic import ValidationError

    facts = Facts(dict(answers), dict(profile or {}), frozenset(jurisdictions))
    merged = {**questionnaire.defaults(), **{k: v for k, v in answers.items() if v is not None}}
    facts = Facts(merged, facts.profile, facts.jurisdictions)
    # Branching depends on answers (e.g. accepts_returns): settle them first.
    open_qs = questionnaire.open_questions(facts)
    problems: list[AnswerProblem] = []
    cleaned = dict(merged)
    fields: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for q in open_qs:
        value = _clean(q, merged.get(q.id))
        if _is_blank(value) or (isinstance(value, str) and not value.strip()):
            if q.required:
                problems.append(AnswerProblem(q.id, q.label, "needs an answer."))
            cleaned.pop(q.id, None)
            continue
        if q.type is QuestionType.TABLE:
            row_model = _table_model(q)
            rows: list[dict[str, Any]] = []
            if not isinstance(value, list):
                problems.append(AnswerProblem(q.id, q.label, "expected a list of rows."))
                continue
            for n, row in enumerate(value, start=1):
                try:
                    rows.append(row_model.model_validate(row).model_dump())
                except ValidationError as exc:
                    for error in exc.errors():
                        col = next(
                            (c for c in q.columns if c.id == (error["loc"] or ("",))[0]), None
                        )
                        where = f"row {n}, {col.label if col else 'row'}"
                        problems.append(
                            AnswerProblem(q.id, q.label, f"{where} {_message(error, q)}")
                        )
            cleaned[q.id] = rows
            continue
        fields[q.id] = _annotation(q, q.choices)
        values[q.id] = value
    model = _model(f"Answers_{questionnaire.id}", fields)
    try:
        checked = model.model_validate(values)
        cleaned.update(checked.model_dump())
    except ValidationError as exc:
        bad: set[str] = set()
        for error in exc.errors():
            qid = str(error["loc"][0]) if error["loc"] else ""
            q = questionnaire.question(qid)
            if qid in bad:
                continue
            bad.add(qid)
            problems.append(AnswerProblem(qid, q.label, _message(error, q)))
        good = {k: v for k, v in values.items() if k not in bad}
        partial = _model(
            f"Partial_{questionnaire.id}", {k: v for k, v in fields.items() if k not in bad}
        )
        cleaned.update(partial.model_validate(good).model_dump())
    for key, value in list(cleaned.items()):
        cleaned[key] = _plain(value)
    return cleaned, problems


def _plain(value: Any) -> Any:
    """Answers as plain JSON-ready values: dates as ISO text, 10.0 as 10."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def applicable_types(
    questionnaires: Mapping[str, Questionnaire], profile: Mapping[str, Any]
) -> list[str]:
    """The policy types that apply to this business (shipping only with physical goods...)."""
    facts = Facts({}, dict(profile), frozenset())
    return [t for t, q in questionnaires.items() if matches(q.requires, facts)]


def jurisdictions_for(profile: Mapping[str, Any]) -> list[str]:
    """The jurisdiction packs that follow from where the customers live."""
    markets = profile.get("markets") or []
    return [j for j in JURISDICTIONS if j in markets]
