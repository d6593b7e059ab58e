"""The review of a policy version: draft -> in review -> changes requested or approved.

::

    draft ──submit──> in review ──approve──────────> approved (frozen)
      ^                 │  │
      └───withdraw──────┘  └──request changes──> changes requested ──submit──> in review

Only a draft (or a version with changes requested) can be edited. An approved version is
frozen: editing it starts a new draft version (the service does that). Approval needs a
named reviewer who is not the author, every checklist item ticked, no unfilled
placeholder and no broken jurisdiction rule; asking for changes needs a comment saying
what to change.

Pure: no files, no Qt, no database.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {
            ReviewState.DRAFT: "Draft",
            ReviewState.IN_REVIEW: "In review",
            ReviewState.CHANGES_REQUESTED: "Changes requested",
            ReviewState.APPROVED: "Approved",
        }[self]


class ReviewAction(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"


TRANSITIONS: dict[tuple[ReviewState, ReviewAction], ReviewState] = {
    (ReviewState.DRAFT, ReviewAction.SUBMIT): ReviewState.IN_REVIEW,
    (ReviewState.CHANGES_REQUESTED, ReviewAction.SUBMIT): ReviewState.IN_REVIEW,
    (ReviewState.IN_REVIEW, ReviewAction.WITHDRAW): ReviewState.DRAFT,
    (ReviewState.IN_REVIEW, ReviewAction.REQUEST_CHANGES): ReviewState.CHANGES_REQUESTED,
    (ReviewState.IN_REVIEW, ReviewAction.APPROVE): ReviewState.APPROVED,
}

_ACTION_WORDS = {
    ReviewAction.SUBMIT: "sent for review",
    ReviewAction.WITHDRAW: "taken back from review",
    ReviewAction.REQUEST_CHANGES: "sent back with changes requested",
    ReviewAction.APPROVE: "approved",
}


class ReviewError(Exception):
    """A review step that is not allowed now; ``user_message`` says why and what to do."""

    def __init__(self, user_message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.problems = tuple(problems)


def next_state(state: ReviewState, action: ReviewAction) -> ReviewState:
    """The state after ``action``, or :class:`ReviewError` if it is not allowed now."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        hint = {
            ReviewState.APPROVED: (
                "This version is approved and frozen; edit it to start a new draft."
            ),
            ReviewState.IN_REVIEW: "It is in review: approve it, ask for changes, or take it back.",
            ReviewState.DRAFT: "It is a draft: send it for review first.",
            ReviewState.CHANGES_REQUESTED: (
                "Changes were requested: edit it and send it for review again."
            ),
        }[state]
        raise ReviewError(
            f"A {state.label.lower()} version cannot be {_ACTION_WORDS[action]}. {hint}"
        )
    return target


def can_edit(state: ReviewState) -> bool:
    """Whether the text and answers of a version in this state may change in place."""
    return state in (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)


@dataclass(frozen=True, slots=True)
class ApprovalCheck:
    """What an approval is checked against (gathered by the service)."""

    reviewer: str
    author: str
    unchecked_items: Sequence[str] = ()
    placeholders: Sequence[str] = ()
    rule_violations: Sequence[str] = ()
    has_effective_date: bool = True


def approval_blockers(check: ApprovalCheck) -> list[str]:
    """Everything that stops an approval, each said so the user can fix it."""
    problems: list[str] = []
    if not check.reviewer.strip():
        problems.append("Enter the reviewer's name: an approval is signed by a person.")
    elif (
        check.author.strip()
        and check.reviewer.strip().casefold() == check.author.strip().casefold()
    ):
        problems.append(
            f"{check.reviewer} wrote this version; a colleague must review it (four eyes)."
        )
    if not check.has_effective_date:
        problems.append("Set the effective date before approving.")
    problems += [f"Checklist not ticked: {item}" for item in check.unchecked_items]
    problems += [f"Unfilled placeholder: {p}" for p in check.placeholders]
    problems += [f"Jurisdiction rule broken: {v}" for v in check.rule_violations]
    return problems


def require(action: ReviewAction, state: ReviewState, blockers: Sequence[str]) -> ReviewState:
    """``next_state`` that also refuses when there are blockers (listed for the user)."""
    target = next_state(state, action)
    if blockers:
        what = "approved" if action is ReviewAction.APPROVE else _ACTION_WORDS[action]
        raise ReviewError(
            f"This version cannot be {what} yet ({len(blockers)} thing"
            f"{'s' if len(blockers) != 1 else ''} to fix):\n- " + "\n- ".join(blockers),
            blockers,
        )
    return target
