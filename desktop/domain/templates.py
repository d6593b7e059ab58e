"""Templates of the library: content (prompt templates for the Content Studio) and policy
templates (for the Policy Studio), personal or shared with a team.

A template travels to the server as a flat map of text fields (the sync protocol merges
each field line by line), so this module owns that mapping: the core fields ``kind``,
``name``, ``description``, ``tags`` (one per line, so two people adding tags merge
cleanly) and ``body``, plus kind-specific fields in ``extra`` (stored as ``x_<name>``),
e.g. a content template's ``channel`` or a policy template's ``questions``.
"""

from __future__ import annotations

import enum
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

MAX_NAME = 200
MAX_FIELD = 200_000
MAX_EXTRA_FIELDS = 24
MAX_TAGS = 20
EXTRA_PREFIX = "x_"
_EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
EXPORT_FORMAT = "playbook-template"
EXPORT_VERSION = 1
EXPORT_SUFFIX = ".playbook-template.json"


class TemplateKind(enum.StrEnum):
    CONTENT = "content"
    POLICY = "policy"

    @property
    def label(self) -> str:
        return "Content template" if self is TemplateKind.CONTENT else "Policy template"


class TemplateProblem(ValueError):  # noqa: N818 (the shared name for user-facing problems)
    """A template that cannot be saved or read as it is; ``user_message`` says how to fix."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


def normalise_tags(tags: str | Iterable[str]) -> tuple[str, ...]:
    """Tags as typed (comma- or line-separated) -> trimmed, lower-case, unique, sorted."""
    items = re.split(r"[,\n]", tags) if isinstance(tags, str) else list(tags)
    cleaned = {re.sub(r"\s+", " ", t).strip().lower().lstrip("#") for t in items}
    return tuple(sorted(t for t in cleaned if t))


@dataclass(frozen=True, slots=True)
class TemplateDraft:
    """What a user (or another studio) writes: everything but identity and sync state."""

    kind: TemplateKind
    name: str
    body: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def problems(self) -> list[str]:
        """Everything wrong with the draft, each with what to do ([] = fine to save)."""
        found: list[str] = []
        if not self.name.strip():
            found.append("Give the template a name.")
        elif len(self.name) > MAX_NAME:
            found.append(f"Shorten the name to at most {MAX_NAME} characters.")
        for label, text in (("body", self.body), ("description", self.description)):
            if len(text) > MAX_FIELD:
                found.append(f"The {label} is too long: keep it under {MAX_FIELD:,} characters.")
            if "\x00" in text:
                found.append(f"The {label} contains a NUL character; remove it.")
        if len(self.tags) > MAX_TAGS:
            found.append(f"Use at most {MAX_TAGS} tags.")
        if len(self.extra) > MAX_EXTRA_FIELDS:
            found.append(f"At most {MAX_EXTRA_FIELDS} extra fields fit in a template.")
        for key, value in self.extra.items():
            if not _EXTRA_NAME.match(key):
                found.append(
                    f"Extra field “{key}”: use lower-case letters, digits and _ only, "
                    "starting with a letter."
                )
            if len(value) > MAX_FIELD:
                found.append(f"Extra field “{key}” is too long.")
        return found

    def checked(self) -> TemplateDraft:
        """The draft with tags normalised and the name trimmed; raises TemplateProblem."""
        draft = TemplateDraft(
            kind=TemplateKind(self.kind),
            name=self.name.strip(),
            body=self.body,
            description=self.description,
            tags=normalise_tags(self.tags),
            extra=MappingProxyType(dict(self.extra)),
        )
        problems = draft.problems()
        if problems:
            raise TemplateProblem(" ".join(problems))
        return draft

    def fields(self) -> dict[str, str]:
        """The fields as they travel to the team's server."""
        out = {
            "kind": self.kind.value,
            "name": self.name,
            "description": self.description,
            "tags": "\n".join(self.tags),
            "body": self.body,
        }
        for key, value in self.extra.items():
            out[EXTRA_PREFIX + key] = value
        return out


def draft_from_fields(fields: Mapping[str, str]) -> TemplateDraft | None:
    """A draft from the fields pulled from the server; None for a kind this app does not
    know (written by a newer Playbook: kept on the server, not shown here)."""
    try:
        kind = TemplateKind(fields.get("kind", TemplateKind.CONTENT.value))
    except ValueError:
        return None
    extra = {k[len(EXTRA_PREFIX) :]: v for k, v in fields.items() if k.startswith(EXTRA_PREFIX)}
    return TemplateDraft(
        kind=kind,
        name=fields.get("name", "") or "Untitled template",
        body=fields.get("body", ""),
        description=fields.get("description", ""),
        tags=normalise_tags(fields.get("tags", "")),
        extra=MappingProxyType(extra),
    )


@dataclass(frozen=True, slots=True)
class Template:
    """A template as stored in the library."""

    id: uuid.UUID
    draft: TemplateDraft
    team_id: uuid.UUID | None
    server_version: int | None
    created_at: datetime
    updated_at: datetime
    deleted: bool = False
    dirty: bool = False  # local changes not yet on the team's server
    conflicted: bool = False  # a conflict waits for the user's choice

    @property
    def kind(self) -> TemplateKind:
        return self.draft.kind

    @property
    def name(self) -> str:
        return self.draft.name

    @property
    def body(self) -> str:
        return self.draft.body

    @property
    def tags(self) -> tuple[str, ...]:
        return self.draft.tags

    @property
    def shared(self) -> bool:
        return self.team_id is not None

    @property
    def scope(self) -> str | None:
        return f"team:{self.team_id}" if self.team_id is not None else None


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    """One text a template had. ``number`` is the team's version when it came from (or
    reached) the server, else None (a personal template's local save)."""

    seq: int
    template_id: uuid.UUID
    number: int | None
    draft: TemplateDraft | None
    deleted: bool
    source: str  # edit | team | restore | import | merge
    created_at: datetime

    @property
    def label(self) -> str:
        what = {
            "edit": "Saved here",
            "team": "From the team",
            "restore": "Restored",
            "import": "Imported",
            "merge": "Merged",
            "create": "Created",
        }.get(self.source, self.source.capitalize())
        if self.deleted:
            what = "Deleted"
        return f"v{self.number} · {what}" if self.number is not None else what


@dataclass(frozen=True, slots=True)
class TemplateConflict:
    """Both texts, kept until the user chooses."""

    id: uuid.UUID
    template_id: uuid.UUID
    head_version: int
    mine: TemplateDraft
    theirs: TemplateDraft
    conflicting_fields: tuple[str, ...]
    created_at: datetime


class ConflictChoice(enum.StrEnum):
    KEEP_MINE = "mine"
    KEEP_THEIRS = "theirs"
    MERGED = "merged"


@dataclass(frozen=True, slots=True)
class Editability:
    """Whether the user may change a template here, and if not, why (for the UI)."""

    can_edit: bool
    reason: str = ""


# -- files ----------------------------------------------------------------------------


def export_json(draft: TemplateDraft) -> str:
    """A template as a file a person can send to someone outside the team."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "kind": draft.kind.value,
        "name": draft.name,
        "description": draft.description,
        "tags": list(draft.tags),
        "body": draft.body,
    }
    if draft.extra:
        data["extra"] = dict(draft.extra)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def import_json(text: str, source: str = "the file") -> TemplateDraft:
    """Read an exported template; raises TemplateProblem saying what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateProblem(
            f"{source} is not a Playbook template (line {exc.lineno}: {exc.msg}). "
            "Export the template from Playbook again."
        ) from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise TemplateProblem(
            f"{source} is not a Playbook template file. Choose a file ending in "
            f"{EXPORT_SUFFIX} exported from Playbook."
        )
    version = data.get("version")
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise TemplateProblem(
            f"{source} was exported by a newer Playbook (format {version}). Update Playbook "
            "to import it."
        )
    try:
        kind = TemplateKind(str(data.get("kind")))
    except ValueError:
        raise TemplateProblem(
            f"{source}: “kind” must be “content” or “policy”, not “{data.get('kind')}”."
        ) from None
    tags = data.get("tags", [])
    extra = data.get("extra", {})
    strings = (data.get("name"), data.get("body", ""), data.get("description", ""))
    if (
        not all(isinstance(s, str) for s in strings)
        or not isinstance(tags, list)
        or not all(isinstance(t, str) for t in tags)
        or not isinstance(extra, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items())
    ):
        raise TemplateProblem(
            f"{source}: name, body, description and tags must be text. Export it again."
        )
    return TemplateDraft(
        kind=kind,
        name=str(data["name"]),
        body=str(data.get("body", "")),
        description=str(data.get("description", "")),
        tags=normalise_tags(tags),
        extra=MappingProxyType(extra),
    ).checked()
