"""The template library: content templates (prompts for the Content Studio) and policy
templates (for the Policy Studio), personal or shared with a team.

This is the API other parts of the app use::

    templates.list(kind=TemplateKind.CONTENT, query="launch", tag="email")
    templates.create(TemplateDraft(TemplateKind.POLICY, "Refunds", body=...), team_id=None)
    templates.update(template_id, draft)          # raises TemplateProblem / ReadOnlyTemplate
    templates.get(template_id)

Personal templates stay on this computer; team templates sync with the team (see
:mod:`desktop.services.sync`). Every save is a version (history, diff, one-click
restore). A conflict from the server is kept with both texts until the user resolves it.
Listeners hear about every local change (the sync controller syncs shortly after).
"""

from __future__ import annotations

import builtins
import logging
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.templates import (
    EXPORT_SUFFIX,
    ConflictChoice,
    Editability,
    Template,
    TemplateConflict,
    TemplateDraft,
    TemplateKind,
    TemplateProblem,
    TemplateVersion,
    export_json,
    import_json,
)
from desktop.storage import sync as sync_repo
from desktop.storage import templates as repo
from desktop.storage.database import Database
from desktop.storage.values import db_time

log = logging.getLogger(__name__)


class ReadOnlyTemplate(TemplateProblem):
    """The user's role does not allow changing this team template."""


class TemplateService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._listeners: list[Callable[[], None]] = []

    # -- listening ------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Called after every local change (on the thread that made it)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("a template listener failed")

    # -- reading ----------------------------------------------------------------------------

    def list(
        self,
        kind: TemplateKind | None = None,
        query: str = "",
        tag: str | None = None,
        team_id: uuid.UUID | None = None,
    ) -> builtins.list[Template]:
        """Live templates by name; every word of ``query`` must appear in some field."""
        with self._db.read_session() as conn:
            return repo.search(conn, kind, query, tag, team_id)

    def get(self, template_id: uuid.UUID) -> Template | None:
        with self._db.read_session() as conn:
            return repo.get(conn, template_id)

    def tags(self) -> builtins.list[str]:
        with self._db.read_session() as conn:
            return repo.all_tags(conn)

    def teams(self) -> builtins.list[sync_repo.TeamRecord]:
        with self._db.read_session() as conn:
            return sync_repo.teams(conn)

    def editability(self, template: Template) -> Editability:
        """Whether this user may change ``template`` here, and why not."""
        if template.team_id is None:
            return Editability(True)
        with self._db.read_session() as conn:
            teams = {t.team_id: t for t in sync_repo.teams(conn)}
        team = teams.get(template.team_id)
        if team is None or team.writable:
            return Editability(True)
        return Editability(
            False,
            f"You are a viewer in {team.name}: you can read and copy its templates, but only "
            "editors and owners can change them. Duplicate it to get a personal copy you can "
            "edit, or ask a team owner to make you an editor.",
        )

    def can_share_with(self, team_id: uuid.UUID) -> bool:
        with self._db.read_session() as conn:
            return any(t.team_id == team_id and t.writable for t in sync_repo.teams(conn))

    # -- writing ----------------------------------------------------------------------------

    def create(
        self, draft: TemplateDraft, team_id: uuid.UUID | None = None, *, source: str = "create"
    ) -> Template:
        """A new template (personal when ``team_id`` is None)."""
        draft = draft.checked()
        if team_id is not None and not self._team_writable(team_id):
            raise ReadOnlyTemplate(
                "Only editors and owners can add templates to this team. Save it as a "
                "personal template instead."
            )
        template_id = uuid.uuid4()
        now = datetime.now(UTC)
        with self._db.session() as conn:
            repo.insert(conn, template_id, draft, team_id, now)
            repo.add_version(conn, template_id, draft.fields(), source=source, now=now)
            template = repo.get(conn, template_id)
        assert template is not None
        self._changed()
        return template

    def update(
        self,
        template_id: uuid.UUID,
        draft: TemplateDraft,
        *,
        source: str = "edit",
        based_on: TemplateDraft | None = None,
    ) -> Template:
        """Save a new text. Unchanged text writes nothing (and is not a change to sync).

        ``based_on``: the text the editor started from. If a sync brought another team
        text meanwhile, the edit does not silently replace it: both are kept as a
        conflict for the user to resolve (the template stays at the team's text)."""
        draft = draft.checked()
        now = datetime.now(UTC)
        with self._db.session() as conn:
            current = self._editable(conn, template_id)
            if current.draft == draft and not current.deleted:
                return current
            if (
                based_on is not None
                and current.team_id is not None
                and current.draft != based_on.checked()
            ):
                repo.add_conflict(
                    conn,
                    uuid.uuid4(),
                    template_id,
                    base_version=current.server_version,
                    head_version=current.server_version or 0,
                    mine=draft.fields(),
                    theirs=current.draft.fields(),
                    conflicting_fields=sorted(
                        k
                        for k in set(draft.fields()) | set(current.draft.fields())
                        if draft.fields().get(k) != current.draft.fields().get(k)
                    ),
                    now=now,
                )
                template = repo.get(conn, template_id)
                assert template is not None
                return template
            repo.update(conn, template_id, draft, now)
            repo.add_version(conn, template_id, draft.fields(), source=source, now=now)
            template = repo.get(conn, template_id)
        assert template is not None
        self._changed()
        return template

    def duplicate(self, template_id: uuid.UUID, team_id: uuid.UUID | None = None) -> Template:
        """A copy named "… (copy)": personal unless ``team_id`` is given."""
        original = self._require(template_id)
        name = f"{original.name} (copy)"[:200]
        return self.create(replace(original.draft, name=name), team_id)

    def share(self, template_id: uuid.UUID, team_id: uuid.UUID | None) -> Template:
        """Move a personal template to a team (or a team copy back to personal, as a
        copy: the team keeps its own)."""
        original = self._require(template_id)
        if team_id is None:
            return self.create(original.draft, None)
        if original.team_id is not None:
            return self.duplicate(template_id, team_id)
        if not self._team_writable(team_id):
            raise ReadOnlyTemplate("Only editors and owners can add templates to this team.")
        now = datetime.now(UTC)
        with self._db.session() as conn:
            conn.execute(
                "UPDATE templates SET team_id = ?, server_version = NULL, updated_at = ?,"
                " change_counter = change_counter + 1 WHERE id = ?",
                (team_id.hex, db_time(now), template_id.hex),
            )
            template = repo.get(conn, template_id)
        assert template is not None
        self._changed()
        return template

    def delete(self, template_id: uuid.UUID) -> Template:
        """Delete (a tombstone, so the team hears of it; :meth:`undelete` brings it back)."""
        now = datetime.now(UTC)
        with self._db.session() as conn:
            current = self._editable(conn, template_id)
            repo.set_deleted(conn, template_id, True, now)
            repo.add_version(
                conn, template_id, current.draft.fields(), source="edit", now=now, deleted=True
            )
            template = repo.get(conn, template_id)
        assert template is not None
        self._changed()
        return template

    def undelete(self, template_id: uuid.UUID) -> Template:
        now = datetime.now(UTC)
        with self._db.session() as conn:
            current = self._editable(conn, template_id)
            repo.set_deleted(conn, template_id, False, now)
            repo.add_version(conn, template_id, current.draft.fields(), source="restore", now=now)
            template = repo.get(conn, template_id)
        assert template is not None
        self._changed()
        return template

    # -- history ----------------------------------------------------------------------------

    def history(self, template_id: uuid.UUID) -> builtins.list[TemplateVersion]:
        """Every text this template had here or on the team's server, oldest first."""
        with self._db.read_session() as conn:
            return repo.versions(conn, template_id)

    def restore(self, template_id: uuid.UUID, version_seq: int) -> Template:
        """Make an old version the current text again (a new version; nothing is lost)."""
        with self._db.read_session() as conn:
            version = repo.version(conn, version_seq)
        if version is None or version.template_id != template_id or version.draft is None:
            raise TemplateProblem("That version is no longer available; pick another one.")
        return self.update(template_id, version.draft, source="restore")

    # -- conflicts --------------------------------------------------------------------------

    def conflicts(self, template_id: uuid.UUID | None = None) -> builtins.list[TemplateConflict]:
        with self._db.read_session() as conn:
            return repo.conflicts(conn, template_id)

    def resolve(
        self,
        conflict_id: uuid.UUID,
        choice: ConflictChoice,
        merged: TemplateDraft | None = None,
    ) -> Template:
        """Settle a conflict: keep mine, keep the team's, or save a merged text. Only now
        is the other text let go (it stays in the version history)."""
        now = datetime.now(UTC)
        with self._db.session() as conn:
            found = [c for c in repo.conflicts(conn) if c.id == conflict_id]
            if not found:
                raise TemplateProblem("That conflict was already resolved.")
            conflict = found[0]
            self._editable(conn, conflict.template_id)
            if choice is ConflictChoice.KEEP_MINE:
                text: TemplateDraft | None = conflict.mine
            elif choice is ConflictChoice.MERGED:
                if merged is None:
                    raise TemplateProblem("Write the merged text first.")
                text = merged.checked()
            else:
                text = None
            if text is not None:
                repo.update(conn, conflict.template_id, text, now)
                repo.add_version(conn, conflict.template_id, text.fields(), source="merge", now=now)
            repo.delete_conflict(conn, conflict_id)
            template = repo.get(conn, conflict.template_id)
        assert template is not None
        self._changed()
        return template

    # -- files ------------------------------------------------------------------------------

    def export_to(self, template_id: uuid.UUID, path: Path) -> Path:
        """Write the template to a file (``.playbook-template.json``)."""
        template = self._require(template_id)
        if not path.name.endswith(EXPORT_SUFFIX):
            path = path.with_name(path.name.removesuffix(".json") + EXPORT_SUFFIX)
        tmp = path.with_name(path.name + ".part")
        try:
            tmp.write_text(export_json(template.draft), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            raise TemplateProblem(
                f"Could not write {path} ({exc.strerror}). Choose a folder you can write to."
            ) from exc
        return path

    def import_from(self, path: Path, team_id: uuid.UUID | None = None) -> Template:
        """Add a template from an exported file (personal unless ``team_id``)."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise TemplateProblem(f"Could not read {path.name} ({reason}).") from exc
        draft = import_json(text, path.name)
        existing = {t.name for t in self.list(draft.kind)}
        if draft.name in existing:
            draft = replace(draft, name=f"{draft.name} (imported)"[:200])
        return self.create(draft, team_id, source="import")

    # -- internals --------------------------------------------------------------------------

    def _require(self, template_id: uuid.UUID) -> Template:
        template = self.get(template_id)
        if template is None:
            raise TemplateProblem("That template no longer exists; it may have been deleted.")
        return template

    def _editable(self, conn: sqlite3.Connection, template_id: uuid.UUID) -> Template:
        template = repo.get(conn, template_id)
        if template is None:
            raise TemplateProblem("That template no longer exists; it may have been deleted.")
        if template.team_id is not None:
            teams = {t.team_id: t for t in sync_repo.teams(conn)}
            team = teams.get(template.team_id)
            if team is not None and not team.writable:
                raise ReadOnlyTemplate(self.editability(template).reason)
        return template

    def _team_writable(self, team_id: uuid.UUID) -> bool:
        with self._db.read_session() as conn:
            teams = {t.team_id: t for t in sync_repo.teams(conn)}
        team = teams.get(team_id)
        return team is None or team.writable
