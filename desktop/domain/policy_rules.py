"""Jurisdiction rules that answers cannot undercut, and checks across documents.

A jurisdiction pack (``resources/policies/jurisdictions/<id>.yaml``) holds rules such as
"an EU consumer's withdrawal period is at least 14 days". Each rule names the policy
types it binds, the answer it checks, the check (``min``, ``max``, ``is_true``,
``subset``, ``equals``), and — for the user — the reason and the legal basis. An answer
that breaks a rule is refused with both (:func:`check_rules`), and the rule's own value is
offered as the fix.

Cross-document checks (``resources/policies/cross_checks.yaml``) compare answers between
policies, e.g. the return window in the terms of sale and in the refund policy.

Pure: no files, no Qt, no database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from desktop.domain.policy import Facts, Questionnaire, QuestionnaireError, matches

CHECKS = ("min", "max", "is_true", "subset", "equals")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    jurisdiction: str
    policies: tuple[str, ...]
    field: str
    check: str
    reason: str
    legal_basis: str
    value: Any = None
    when: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    jurisdiction: str
    text: str


@dataclass(frozen=True, slots=True)
class JurisdictionPack:
    id: str
    name: str
    summary: str
    rules: tuple[Rule, ...]
    checklist: tuple[ChecklistItem, ...]


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """An answer the law does not allow. ``fix`` is the answer the rule accepts, if one
    value does (the minimum, the maximum, "yes")."""

    rule: Rule
    question_id: str
    label: str
    given: Any
    fix: Any

    @property
    def message(self) -> str:
        return f"{self.label}: {self.requirement} {self.rule.reason}"

    @property
    def requirement(self) -> str:
        rule = self.rule
        if rule.check == "min":
            return f"must be at least {rule.value} (you answered {self.given})."
        if rule.check == "max":
            return f"must be at most {rule.value} (you answered {self.given})."
        if rule.check == "is_true":
            return "must be yes."
        if rule.check == "subset":
            extra = sorted(set(self.given or []) - set(rule.value))
            return f"{', '.join(extra)} cannot be excluded."
        return f"must be {rule.value}."

    def __str__(self) -> str:
        return f"{self.message} Legal basis: {self.rule.legal_basis}."


def pack_from_data(data: Mapping[str, Any], source: str = "jurisdiction pack") -> JurisdictionPack:
    """Build a pack from parsed YAML; :class:`QuestionnaireError` names what is wrong."""
    pid = data.get("id")
    if not isinstance(pid, str) or not pid:
        raise QuestionnaireError(f"{source}: the pack needs an id.")
    rules = []
    for raw in data.get("rules") or []:
        rid = str(raw.get("id", "?"))
        check = str(raw.get("check", ""))
        if check not in CHECKS:
            raise QuestionnaireError(
                f"{source}, rule {rid}: unknown check {check!r}; use one of {', '.join(CHECKS)}."
            )
        for key in ("field", "reason", "legal_basis"):
            if not raw.get(key):
                raise QuestionnaireError(f"{source}, rule {rid}: '{key}' is missing.")
        rules.append(
            Rule(
                id=rid,
                jurisdiction=pid,
                policies=tuple(str(p) for p in raw.get("policies") or []),
                field=str(raw["field"]),
                check=check,
                reason=" ".join(str(raw["reason"]).split()),
                legal_basis=str(raw["legal_basis"]),
                value=raw.get("value"),
                when=dict(raw.get("when") or {}),
            )
        )
    checklist = tuple(
        ChecklistItem(str(c["id"]), pid, " ".join(str(c["text"]).split()))
        for c in data.get("checklist") or []
    )
    return JurisdictionPack(
        pid, str(data.get("name", pid)), str(data.get("summary", "")), tuple(rules), checklist
    )


def _broken(rule: Rule, given: Any) -> tuple[bool, Any]:
    """Whether ``given`` breaks the rule, and the value that would satisfy it."""
    if rule.check == "min":
        return (given is None or given < rule.value), rule.value
    if rule.check == "max":
        return (given is None or given > rule.value), rule.value
    if rule.check == "is_true":
        return given is not True, True
    if rule.check == "subset":
        allowed = set(rule.value or [])
        chosen = list(given or [])
        return (not set(chosen) <= allowed), [c for c in chosen if c in allowed]
    return given != rule.value, rule.value


def check_rules(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    packs: Iterable[JurisdictionPack],
    *,
    profile: Mapping[str, Any] | None = None,
    jurisdictions: Iterable[str] = (),
) -> list[RuleViolation]:
    """Every rule of the chosen jurisdictions that these answers undercut.

    A rule binds only where its question is open (an EU rule on the withdrawal period
    does not bind a shop that sells only to businesses: that question is closed) and its
    own ``when`` holds."""
    chosen = frozenset(jurisdictions)
    facts = Facts(dict(answers), dict(profile or {}), chosen)
    open_ids = {q.id for q in questionnaire.open_questions(facts)}
    found: list[RuleViolation] = []
    for pack in packs:
        if pack.id not in chosen:
            continue
        for rule in pack.rules:
            if questionnaire.id not in rule.policies or rule.field not in open_ids:
                continue
            if not matches(rule.when, facts):
                continue
            given = answers.get(rule.field)
            broken, fix = _broken(rule, given)
            if broken:
                label = questionnaire.question(rule.field).label
                found.append(RuleViolation(rule, rule.field, label, given, fix))
    return found


def checklist_for(
    packs: Iterable[JurisdictionPack], jurisdictions: Iterable[str]
) -> list[ChecklistItem]:
    """The reviewer's checklist: every item of every chosen jurisdiction, pack by pack."""
    chosen = set(jurisdictions)
    return [item for pack in packs if pack.id in chosen for item in pack.checklist]


# -- across documents ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrossCheck:
    id: str
    label: str
    left: str  # "policy.question"
    right: str
    relation: str  # "equal" | "at_least"
    message: str


@dataclass(frozen=True, slots=True)
class Disagreement:
    check: CrossCheck
    left: Any
    right: Any

    @property
    def message(self) -> str:
        return self.check.message.format(left=self.left, right=self.right)

    @property
    def policies(self) -> tuple[str, str]:
        return self.check.left.split(".", 1)[0], self.check.right.split(".", 1)[0]

    def __str__(self) -> str:
        return self.message


def cross_checks_from_data(data: Mapping[str, Any]) -> list[CrossCheck]:
    checks = []
    for raw in data.get("checks") or []:
        relation = str(raw.get("relation", "equal"))
        if relation not in ("equal", "at_least"):
            raise QuestionnaireError(f"cross check {raw.get('id')}: unknown relation {relation!r}.")
        checks.append(
            CrossCheck(
                str(raw["id"]),
                str(raw.get("label", raw["id"])),
                str(raw["left"]),
                str(raw["right"]),
                relation,
                " ".join(str(raw["message"]).split()),
            )
        )
    return checks


def cross_check(
    checks: Iterable[CrossCheck], answers_by_policy: Mapping[str, Mapping[str, Any]]
) -> list[Disagreement]:
    """Facts that disagree between the documents given (policy type -> its answers in
    use). A check whose either side is missing (no such document, question closed) is
    skipped: there is nothing to disagree with."""

    def value(ref: str) -> Any:
        policy, question = ref.split(".", 1)
        return answers_by_policy.get(policy, {}).get(question)

    found = []
    for check in checks:
        left, right = value(check.left), value(check.right)
        if left is None or right is None:
            continue
        if (check.relation == "equal" and left != right) or (
            check.relation == "at_least" and left < right
        ):
            found.append(Disagreement(check, left, right))
    return found
