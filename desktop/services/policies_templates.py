"""Policy templates from the team library (the Templates section, synced with the team).

A library template of kind ``policy`` whose ``extra["policy_type"]`` names a policy type
(``refund``, ``terms``…) can be chosen instead of the bundled template when a policy of
that type is created, and a policy's text can be saved back to the library as one.

Library templates are written by teammates or imported from files: they are untrusted.
They are rendered only through the sandbox (:func:`desktop.services.policies_render.
render_source` -> :func:`desktop.domain.sandbox.render_untrusted`), with exactly the
context the bundled template gets. A template that cannot be rendered (it reaches for
internals, loops for ever, names a variable the questionnaire does not have, has a
syntax error) is refused before anything is created, with the sandbox's reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.domain.templates import Template, TemplateDraft, TemplateKind

if TYPE_CHECKING:
    from desktop.services.templates import TemplateService

POLICY_TYPE_FIELD = "policy_type"  # the library template's extra field naming the type
BUILT_IN = "Built-in"


class PolicyTemplateProblem(ValueError):  # noqa: N818 (a state the user meets)
    """A library template that cannot be used or saved; ``user_message`` says what to do."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """One template a new policy can start from."""

    template_id: uuid.UUID | None  # None: the bundled template
    name: str
    where: str  # "Built-in", "Personal" or "Team: <name>"
    version: int | None = None  # the library's version seq of the current text
    description: str = ""
    number: int | None = None  # which version of this template that is (1, 2, ...)

    @property
    def built_in(self) -> bool:
        return self.template_id is None

    @property
    def label(self) -> str:
        return self.name if self.built_in else f"{self.name} — {self.where}"


@dataclass(frozen=True, slots=True)
class TemplateOrigin:
    """Where a version's text came from, for the editor's "From template" line."""

    name: str
    where: str
    version: int | None  # the library's version seq recorded with the policy version
    available: bool  # False: deleted from the library since
    number: int | None = None  # which version of the template that was (1, 2, ...)


def policy_type_of(template: Template) -> str:
    return template.draft.extra.get(POLICY_TYPE_FIELD, "").strip()


def where_label(library: TemplateService, template: Template) -> str:
    if template.team_id is None:
        return "Personal"
    names = {t.team_id: t.name for t in library.teams()}
    return f"Team: {names.get(template.team_id, 'your team')}"


def current_seq(library: TemplateService, template_id: uuid.UUID) -> int | None:
    """The library's version seq of a template's current text (None if it has none)."""
    versions = library.history(template_id)
    return versions[-1].seq if versions else None


def version_number(library: TemplateService, template_id: uuid.UUID, seq: int | None) -> int | None:
    """Which version of the template (1 = its first text) the library seq ``seq`` is."""
    if seq is None:
        return None
    for number, version in enumerate(library.history(template_id), 1):
        if version.seq == seq:
            return number
    return None


def choices(library: TemplateService | None, policy_type: str) -> list[TemplateChoice]:
    """The bundled template first, then the library's policy templates of this type."""
    found = [
        TemplateChoice(None, BUILT_IN, BUILT_IN, None, "The template that comes with Playbook")
    ]
    if library is None:
        return found
    teams = {t.team_id: t.name for t in library.teams()}
    for template in library.list(kind=TemplateKind.POLICY):
        if policy_type_of(template) != policy_type:
            continue
        where = (
            "Personal"
            if template.team_id is None
            else f"Team: {teams.get(template.team_id, 'your team')}"
        )
        history = library.history(template.id)
        found.append(
            TemplateChoice(
                template.id,
                template.name,
                where,
                history[-1].seq if history else None,
                template.draft.description,
                len(history) or None,
            )
        )
    return found


def library_template(
    library: TemplateService | None, template_id: uuid.UUID, policy_type: str
) -> Template:
    """The library template to start a policy of ``policy_type`` from; raises
    :class:`PolicyTemplateProblem` when it is gone or is not for this type."""
    template = library.get(template_id) if library is not None else None
    if template is None or template.deleted:
        raise PolicyTemplateProblem(
            "That template is no longer in the library (it may have been deleted or not "
            "synced yet). Choose another template, or Built-in."
        )
    if template.kind is not TemplateKind.POLICY or policy_type_of(template) != policy_type:
        raise PolicyTemplateProblem(
            f"“{template.name}” is not a template for this type of policy. Choose another "
            "template, or set its policy type in Templates."
        )
    return template


def template_draft(
    name: str, policy_type: str, body: str, description: str = "", tags: tuple[str, ...] = ()
) -> TemplateDraft:
    return TemplateDraft(
        kind=TemplateKind.POLICY,
        name=name.strip(),
        body=body,
        description=description.strip(),
        tags=tags,
        extra={POLICY_TYPE_FIELD: policy_type},
    )
