"""Policy Studio: sales policies from a questionnaire to a reviewed, versioned export.

The use cases the UI and the CLI call:

- the company profile, answered once and shared by every policy;
- documents (one per policy) with versions; each version keeps its answers, its
  Markdown + Jinja2 source (starting from the bundled template, or a policy template
  of the team library — see :mod:`desktop.services.policies_templates` — whose id and
  version the version records), the effective date, the author and, once reviewed, the
  reviewer;
- answers are validated (pydantic) and checked against the jurisdiction rules; answers
  that undercut a rule are refused with the reason and the legal basis;
- review: draft -> in review -> changes requested / approved, with comments per section
  and a checklist per jurisdiction; an approved version is frozen and editing it starts
  a new draft version;
- history: diffs between versions, the changelog, a customer-facing "what changed"
  notice;
- export to PDF, HTML and Markdown — refused while any placeholder is unfilled.

Not legal advice (:data:`desktop.domain.policy.NOT_LEGAL_ADVICE`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain.policy import (
    AnswerProblem,
    Questionnaire,
    applicable_types,
    jurisdictions_for,
    validate_answers,
)
from desktop.domain.policy_review import (
    ApprovalCheck,
    ReviewAction,
    ReviewError,
    ReviewState,
    approval_blockers,
    can_edit,
    require,
)
from desktop.domain.policy_rules import (
    ChecklistItem,
    Disagreement,
    RuleViolation,
    check_rules,
    checklist_for,
    cross_check,
)
from desktop.domain.policy_text import (
    MISSING_RE,
    AnswerChange,
    SectionChange,
    answer_changes,
    change_summary,
    section_changes,
    sections,
    unified_diff,
    what_changed_notice,
)
from desktop.services.policies_catalog import GENERAL_CHECKLIST, PolicyCatalog
from desktop.services.policies_templates import (
    PolicyTemplateProblem,
    TemplateChoice,
    TemplateOrigin,
    choices,
    current_seq,
    library_template,
    template_draft,
    version_number,
    where_label,
)
from desktop.storage import policies as repo
from desktop.storage.database import Database
from desktop.storage.policies import (
    ChecklistRecord,
    CommentRecord,
    DocumentRecord,
    EventRecord,
    FrozenVersion,
    VersionRecord,
)

if TYPE_CHECKING:
    from desktop.domain.templates import Template
    from desktop.services.policies_render import DocumentMeta, Rendering
    from desktop.services.templates import TemplateService
    from desktop.storage.sync import TeamRecord

# The renderer (Jinja2, Markdown, nh3) is imported on first use, not at start-up.
EXPORT_FORMATS = ("pdf", "html", "md")
PdfRenderer = Callable[[str], bytes]


class AnswersRefused(Exception):  # noqa: N818 (a state the user meets)
    """Answers that are invalid or undercut a jurisdiction rule; nothing was saved."""

    def __init__(self, problems: Sequence[AnswerProblem], violations: Sequence[RuleViolation]):
        self.problems = tuple(problems)
        self.violations = tuple(violations)
        lines = [str(p) for p in self.problems] + [str(v) for v in self.violations]
        self.user_message = "These answers were not saved:\n- " + "\n- ".join(lines)
        super().__init__(self.user_message)


class PolicyNotFound(LookupError):  # noqa: N818 (a state the user meets)
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.user_message = f"{what} no longer exists; it may have been deleted."


def _pdf_default(html: str) -> bytes:
    from desktop.integrations.pdf import render_pdf

    return render_pdf(html)


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    """Answers as cleaned and checked: what is wrong, and which rules they undercut."""

    answers: dict[str, Any]
    problems: tuple[AnswerProblem, ...]
    violations: tuple[RuleViolation, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.violations


@dataclass(frozen=True, slots=True)
class Profile:
    answers: dict[str, Any]
    logo_path: str | None

    @property
    def complete(self) -> bool:
        return bool(self.answers.get("company_name"))

    @property
    def company(self) -> str:
        return str(self.answers.get("company_name") or "Your company")


@dataclass(frozen=True, slots=True)
class VersionDiff:
    old: VersionRecord
    new: VersionRecord
    answers: tuple[AnswerChange, ...]
    sections: tuple[SectionChange, ...]
    unified: str


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    number: int
    state: str
    effective_date: str | None
    summary: str
    author: str
    reviewer: str | None
    approved_at: datetime | None


@dataclass(frozen=True, slots=True)
class Preview:
    rendering: Rendering
    html: str  # the preview HTML (variables highlighted)


def _now() -> datetime:
    return datetime.now(UTC)


def frozen_hash(version: VersionRecord) -> str:
    """What an approval signs: the text, the answers and the effective date."""
    payload = json.dumps(
        {"source": version.source, "answers": version.answers, "date": version.effective_date},
        sort_keys=True,
    )
    import hashlib  # not at the top: it loads OpenSSL, and a learner never approves

    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class PolicyService:
    def __init__(
        self,
        db: Database,
        catalog: PolicyCatalog | None = None,
        pdf: PdfRenderer | None = None,
        *,
        templates: TemplateService | None = None,
    ) -> None:
        self._db = db
        self.catalog = catalog or PolicyCatalog.bundled()
        self._pdf = pdf or _pdf_default
        self._library = templates

    # -- the team's template library -----------------------------------------------------

    def set_template_library(self, library: TemplateService | None) -> None:
        """The Templates section's library: its policy templates (``extra["policy_type"]``
        naming a type) can be chosen for new policies, and texts saved to it."""
        self._library = library

    @property
    def has_template_library(self) -> bool:
        return self._library is not None

    def template_choices(self, policy_type: str) -> list[TemplateChoice]:
        """What a new policy of ``policy_type`` can start from: Built-in first, then the
        library's personal and team templates for that type."""
        self.catalog.questionnaire(policy_type)  # a clear error for an unknown type
        return choices(self._library, policy_type)

    def template_teams(self) -> list[TeamRecord]:
        """Teams the user may add templates to (editor or owner)."""
        if self._library is None:
            return []
        return [t for t in self._library.teams() if t.writable]

    def template_origin(self, version: VersionRecord) -> TemplateOrigin | None:
        """The library template a version's text came from (None: the bundled one)."""
        if version.template_id is None:
            return None
        template = self._library.get(version.template_id) if self._library else None
        if template is None or template.deleted:
            return TemplateOrigin("a library template", "", version.template_version, False)
        library = self._library
        assert library is not None
        return TemplateOrigin(
            template.name,
            where_label(library, template),
            version.template_version,
            True,
            version_number(library, template.id, version.template_version),
        )

    def _checked_template(
        self,
        template: Template,
        policy_type: str,
        answers: Mapping[str, Any],
        profile: Mapping[str, Any],
        jurisdictions: Sequence[str],
        number: int = 1,
        effective_date: str | None = None,
    ) -> None:
        """Render a library template in the sandbox with the context the bundled one gets;
        raise :class:`PolicyTemplateProblem` with the sandbox's reason if it cannot be."""
        from desktop.services.policies_render import build_context, render_source

        context = build_context(
            self.catalog.questionnaire(policy_type),
            answers,
            profile,
            jurisdictions,
            effective_date=effective_date,
            version=number,
        )
        rendering = render_source(template.body, context)
        if rendering.problem:
            where = f" (line {rendering.problem_line})" if rendering.problem_line else ""
            reason = rendering.problem.rstrip(".") + "."
            raise PolicyTemplateProblem(
                f"The template “{template.name}” cannot be used{where}: {reason}\n"
                "Nothing was created and your choices are kept. Fix the template in "
                "Templates, ask its author to, or choose Built-in."
            )

    def save_as_template(
        self,
        version_id: uuid.UUID,
        name: str,
        team_id: uuid.UUID | None = None,
        *,
        description: str = "",
        source: str | None = None,
    ) -> Template:
        """Save a policy's text (``source``, or the version's stored text) as a policy
        template of the library: personal, or for a team the user can edit (teammates get
        it with the next sync). Raises :class:`PolicyTemplateProblem` /
        :class:`~desktop.domain.templates.TemplateProblem` saying what to fix."""
        if self._library is None:
            raise PolicyTemplateProblem(
                "The template library is not available here, so the text cannot be saved "
                "as a template."
            )
        if not name.strip():
            raise PolicyTemplateProblem("Give the template a name.")
        version = self.version(version_id)
        doc = self.document(version.document_id)
        body = version.source if source is None else source
        if not body.strip():
            raise PolicyTemplateProblem("The text is empty; write the policy text first.")
        draft = template_draft(
            name, doc.policy_type, body, description or f"{doc.title} — saved from Policies"
        )
        return self._library.create(draft, team_id)

    # -- the company profile ------------------------------------------------------------

    def profile(self) -> Profile:
        with self._db.read_session() as conn:
            record = repo.profile(conn)
        return Profile(record.answers, record.logo_path)

    def check_profile(self, answers: Mapping[str, Any]) -> AnswerCheck:
        cleaned, problems = validate_answers(self.catalog.profile_questionnaire, answers)
        return AnswerCheck(cleaned, tuple(problems), ())

    def save_profile(self, answers: Mapping[str, Any], logo_path: str | None = None) -> Profile:
        """Save the profile; invalid answers raise :class:`AnswersRefused` (nothing saved).
        A logo must be a PNG, JPEG or GIF under 2 MB."""
        from desktop.services.policies_render import check_logo

        check = self.check_profile(answers)
        if not check.ok:
            raise AnswersRefused(check.problems, ())
        if logo_path:
            check_logo(Path(logo_path))
        with self._db.session() as conn:
            repo.save_profile(conn, check.answers, logo_path or None, _now())
        return Profile(check.answers, logo_path or None)

    def applicable_types(self) -> list[str]:
        return applicable_types(self.catalog.questionnaires, self.profile().answers)

    # -- documents -----------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        with self._db.read_session() as conn:
            return repo.documents(conn)

    def document(self, document_id: uuid.UUID) -> DocumentRecord:
        with self._db.read_session() as conn:
            record = repo.document(conn, document_id)
        if record is None:
            raise PolicyNotFound("This policy")
        return record

    def create_document(
        self,
        policy_type: str,
        *,
        author: str = "",
        jurisdictions: Sequence[str] | None = None,
        title: str | None = None,
        answers: Mapping[str, Any] | None = None,
        template_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """A new policy of ``policy_type`` with a first draft: the bundled template (or the
        library template ``template_id``) and every default answer, for the jurisdictions
        of the company's markets. A library template that cannot be rendered in the
        sandbox raises :class:`PolicyTemplateProblem` and nothing is created."""
        questionnaire = self.catalog.questionnaire(policy_type)
        profile = self.profile()
        chosen = (
            list(jurisdictions) if jurisdictions is not None else jurisdictions_for(profile.answers)
        )
        start = {**questionnaire.defaults(), **dict(answers or {})}
        cleaned, _problems = validate_answers(
            questionnaire, start, profile=profile.answers, jurisdictions=chosen
        )
        source = self.catalog.template(policy_type)
        template_version: int | None = None
        if template_id is not None:
            template = library_template(self._library, template_id, policy_type)
            self._checked_template(template, policy_type, cleaned, profile.answers, chosen)
            source = template.body
            template_version = current_seq(self._library, template_id) if self._library else None
        doc_id, version_id, now = uuid.uuid4(), uuid.uuid4(), _now()
        with self._db.session() as conn:
            repo.insert_document(
                conn, doc_id, policy_type, title or questionnaire.title, chosen, now
            )
            repo.insert_version(
                conn,
                version_id,
                doc_id,
                1,
                cleaned,
                source,
                None,
                author,
                now,
                changelog="First version.",
                template_id=template_id,
                template_version=template_version,
            )
            self._sync_checklist(conn, version_id, chosen)
        return doc_id

    def rename(self, document_id: uuid.UUID, title: str) -> None:
        clean = title.strip()
        if not clean:
            raise ValueError("A policy needs a title.")
        with self._db.session() as conn:
            repo.update_document(conn, document_id, _now(), title=clean[:200])

    def delete_document(self, document_id: uuid.UUID) -> None:
        """Hide a policy (its versions are kept, so :meth:`restore_document` undoes it)."""
        with self._db.session() as conn:
            repo.delete_document(conn, document_id, True, _now())

    def restore_document(self, document_id: uuid.UUID) -> None:
        with self._db.session() as conn:
            repo.delete_document(conn, document_id, False, _now())

    def set_jurisdictions(self, document_id: uuid.UUID, jurisdictions: Sequence[str]) -> None:
        """Change what a policy is written for; the open draft's checklist follows."""
        with self._db.session() as conn:
            repo.update_document(conn, document_id, _now(), jurisdictions=list(jurisdictions))
            latest = repo.versions(conn, document_id)
            if latest and can_edit(ReviewState(latest[0].state)):
                self._sync_checklist(conn, latest[0].id, jurisdictions)

    # -- versions ------------------------------------------------------------------------

    def versions(self, document_id: uuid.UUID) -> list[VersionRecord]:
        """Every version, newest first."""
        with self._db.read_session() as conn:
            return repo.versions(conn, document_id)

    def version(self, version_id: uuid.UUID) -> VersionRecord:
        with self._db.read_session() as conn:
            record = repo.version(conn, version_id)
        if record is None:
            raise PolicyNotFound("This version")
        return record

    def latest(self, document_id: uuid.UUID) -> VersionRecord:
        found = self.versions(document_id)
        if not found:
            raise PolicyNotFound("This policy")
        return found[0]

    def questionnaire_for(self, document_id: uuid.UUID) -> Questionnaire:
        return self.catalog.questionnaire(self.document(document_id).policy_type)

    def check_answers(self, document_id: uuid.UUID, answers: Mapping[str, Any]) -> AnswerCheck:
        """Validate answers and check them against the policy's jurisdiction rules."""
        doc = self.document(document_id)
        return self._check(doc.policy_type, answers, doc.jurisdictions, self.profile().answers)

    def _check(
        self,
        policy_type: str,
        answers: Mapping[str, Any],
        jurisdictions: Sequence[str],
        profile: Mapping[str, Any],
    ) -> AnswerCheck:
        questionnaire = self.catalog.questionnaire(policy_type)
        cleaned, problems = validate_answers(
            questionnaire, answers, profile=profile, jurisdictions=jurisdictions
        )
        violations = check_rules(
            questionnaire,
            cleaned,
            self.catalog.packs,
            profile=profile,
            jurisdictions=jurisdictions,
        )
        return AnswerCheck(cleaned, tuple(problems), tuple(violations))

    def save_answers(self, version_id: uuid.UUID, answers: Mapping[str, Any]) -> AnswerCheck:
        """Save a draft's answers. Invalid answers, or answers that undercut a
        jurisdiction rule, raise :class:`AnswersRefused` and nothing is saved."""
        version = self._editable(version_id)
        check = self.check_answers(version.document_id, answers)
        if not check.ok:
            raise AnswersRefused(check.problems, check.violations)
        with self._db.session() as conn:
            repo.update_version(conn, version_id, _now(), answers=check.answers)
        return check

    def save_source(self, version_id: uuid.UUID, source: str) -> None:
        self._editable(version_id)
        with self._db.session() as conn:
            repo.update_version(conn, version_id, _now(), source=source)

    def template_source(self, version_id: uuid.UUID) -> str:
        """The text of the template a version started from: its library template's current
        text while it is still in the library, else the bundled template."""
        version = self.version(version_id)
        policy_type = self.document(version.document_id).policy_type
        if version.template_id is not None and self._library is not None:
            template = self._library.get(version.template_id)
            if template is not None and not template.deleted:
                return template.body
        return self.catalog.template(policy_type)

    def reset_source(self, version_id: uuid.UUID) -> str:
        """Put the template back as the draft's text (returns it): the library template
        the policy started from, or the bundled one."""
        self._editable(version_id)
        source = self.template_source(version_id)
        self.save_source(version_id, source)
        return source

    def set_effective_date(self, version_id: uuid.UUID, effective: date | None) -> None:
        self._editable(version_id)
        with self._db.session() as conn:
            repo.update_version(
                conn,
                version_id,
                _now(),
                effective_date=effective.isoformat() if effective else None,
            )

    def set_author(self, version_id: uuid.UUID, author: str) -> None:
        self._editable(version_id)
        with self._db.session() as conn:
            repo.update_version(conn, version_id, _now(), author=author.strip())

    def set_changelog(self, version_id: uuid.UUID, text: str) -> None:
        self._editable(version_id)
        with self._db.session() as conn:
            repo.update_version(conn, version_id, _now(), changelog=text.strip())

    def edit(self, version_id: uuid.UUID, author: str = "") -> VersionRecord:
        """The version to edit: itself if it is a draft (or has changes requested);
        for an approved or in-review version, a new draft copied from the newest one."""
        version = self.version(version_id)
        if can_edit(ReviewState(version.state)):
            return version
        if version.state == ReviewState.IN_REVIEW:
            raise ReviewError(
                "This version is in review. Take it back from review first, or wait for "
                "the reviewer."
            )
        latest = self.latest(version.document_id)
        if latest.id != version.id and can_edit(ReviewState(latest.state)):
            return latest  # a newer draft already exists: edit that one
        if latest.state == ReviewState.IN_REVIEW:
            raise ReviewError(
                f"Version {latest.number} of this policy is in review; edit that one once "
                "the review is done."
            )
        new_id, now = uuid.uuid4(), _now()
        doc = self.document(version.document_id)
        with self._db.session() as conn:
            repo.insert_version(
                conn,
                new_id,
                version.document_id,
                latest.number + 1,
                latest.answers,
                latest.source,
                None,
                author or latest.author,
                now,
                template_id=latest.template_id,
                template_version=latest.template_version,
            )
            self._sync_checklist(conn, new_id, doc.jurisdictions)
        return self.version(new_id)

    def _editable(self, version_id: uuid.UUID) -> VersionRecord:
        version = self.version(version_id)
        state = ReviewState(version.state)
        if not can_edit(state):
            if state is ReviewState.APPROVED:
                raise FrozenVersion()
            raise ReviewError(
                "This version is in review and cannot change. Take it back from review to edit it."
            )
        return version

    # -- rendering -----------------------------------------------------------------------

    def _context(
        self, version: VersionRecord, doc: DocumentRecord, profile: Profile
    ) -> dict[str, Any]:
        from desktop.services.policies_render import build_context

        return build_context(
            self.catalog.questionnaire(doc.policy_type),
            version.answers,
            profile.answers,
            doc.jurisdictions,
            effective_date=version.effective_date,
            version=version.number,
        )

    def render(self, version_id: uuid.UUID, source: str | None = None) -> Rendering:
        """The version's text with its answers in (or ``source`` instead of the stored
        text, for the editor's live preview), and its unfilled placeholders."""
        from desktop.services.policies_render import render_source

        version = self.version(version_id)
        doc = self.document(version.document_id)
        context = self._context(version, doc, self.profile())
        return render_source(version.source if source is None else source, context)

    def preview(self, version_id: uuid.UUID, source: str | None = None) -> Preview:
        """The live preview: the rendering (placeholders found on the plain source) and
        HTML with the values from answers highlighted."""
        from desktop.services.policies_render import mark_variables, preview_html, render_source

        version = self.version(version_id)
        doc = self.document(version.document_id)
        context = self._context(version, doc, self.profile())
        text = version.source if source is None else source
        rendering = render_source(text, context)
        if rendering.problem:
            return Preview(rendering, "")
        marked = render_source(mark_variables(text), context)
        return Preview(rendering, preview_html(marked.markdown or rendering.markdown))

    def variables(self, version_id: uuid.UUID) -> dict[str, Any]:
        """The values a policy's template can use (for the editor's variable list)."""
        version = self.version(version_id)
        doc = self.document(version.document_id)
        return self._context(version, doc, self.profile())

    # -- review --------------------------------------------------------------------------

    def checklist(self, version_id: uuid.UUID) -> list[ChecklistRecord]:
        with self._db.read_session() as conn:
            return repo.checklist(conn, version_id)

    def _sync_checklist(
        self, conn: Any, version_id: uuid.UUID, jurisdictions: Sequence[str]
    ) -> None:
        items: list[ChecklistItem] = [
            *GENERAL_CHECKLIST,
            *checklist_for(self.catalog.packs, jurisdictions),
        ]
        repo.replace_checklist(conn, version_id, [(i.id, i.jurisdiction, i.text) for i in items])

    def set_checked(self, version_id: uuid.UUID, item_id: str, checked: bool, by: str) -> None:
        with self._db.session() as conn:
            repo.set_checked(conn, version_id, item_id, checked, by.strip() or None, _now())

    def comments(self, version_id: uuid.UUID) -> list[CommentRecord]:
        with self._db.read_session() as conn:
            return repo.comments(conn, version_id)

    def add_comment(
        self, version_id: uuid.UUID, section_key: str, author: str, text: str
    ) -> CommentRecord:
        """A reviewer's comment on one section of a version."""
        if not text.strip():
            raise ReviewError("Write the comment first.")
        if not author.strip():
            raise ReviewError("Enter your name so the author knows who commented.")
        version = self.version(version_id)
        titles = {
            s.key: s.title for s in sections(self.render(version.id).markdown or version.source)
        }
        title = titles.get(section_key, "Whole policy" if section_key == "" else section_key)
        comment_id = uuid.uuid4()
        with self._db.session() as conn:
            repo.add_comment(
                conn,
                comment_id,
                version_id,
                section_key,
                title,
                author.strip(),
                text.strip(),
                _now(),
            )
        return next(c for c in self.comments(version_id) if c.id == comment_id)

    def resolve_comment(self, comment_id: uuid.UUID, resolved: bool = True) -> None:
        with self._db.session() as conn:
            repo.set_comment_resolved(conn, comment_id, resolved)

    def events(self, version_id: uuid.UUID) -> list[EventRecord]:
        with self._db.read_session() as conn:
            return repo.events(conn, version_id)

    def submit(self, version_id: uuid.UUID, author: str, note: str = "") -> VersionRecord:
        """Send a draft for review. Needs the author's name, and an export-ready text."""
        version = self.version(version_id)
        blockers: list[str] = []
        if not author.strip():
            blockers.append("Enter your name as the author.")
        blockers += self.export_blockers(version_id)
        target = require(ReviewAction.SUBMIT, ReviewState(version.state), blockers)
        summary = note.strip() or self._auto_changelog(version)
        with self._db.session() as conn:
            repo.update_version(
                conn,
                version_id,
                _now(),
                state=target.value,
                author=author.strip(),
                changelog=summary,
            )
            repo.add_event(
                conn, version_id, ReviewAction.SUBMIT.value, author.strip(), note, _now()
            )
        return self.version(version_id)

    def withdraw(self, version_id: uuid.UUID, actor: str = "") -> VersionRecord:
        version = self.version(version_id)
        target = require(ReviewAction.WITHDRAW, ReviewState(version.state), [])
        with self._db.session() as conn:
            repo.update_version(conn, version_id, _now(), state=target.value)
            repo.add_event(
                conn, version_id, ReviewAction.WITHDRAW.value, actor or version.author, "", _now()
            )
        return self.version(version_id)

    def request_changes(
        self, version_id: uuid.UUID, reviewer: str, note: str = ""
    ) -> VersionRecord:
        """Send back to the author. Needs the reviewer's name and a comment (on a section,
        or ``note``) saying what to change."""
        version = self.version(version_id)
        blockers = []
        if not reviewer.strip():
            blockers.append("Enter the reviewer's name.")
        open_comments = [c for c in self.comments(version_id) if not c.resolved]
        if not open_comments and not note.strip():
            blockers.append("Add a comment saying what should change.")
        target = require(ReviewAction.REQUEST_CHANGES, ReviewState(version.state), blockers)
        with self._db.session() as conn:
            repo.update_version(
                conn, version_id, _now(), state=target.value, reviewer=reviewer.strip()
            )
            repo.add_event(
                conn,
                version_id,
                ReviewAction.REQUEST_CHANGES.value,
                reviewer.strip(),
                note.strip(),
                _now(),
            )
        return self.version(version_id)

    def approval_problems(self, version_id: uuid.UUID, reviewer: str) -> list[str]:
        version = self.version(version_id)
        doc = self.document(version.document_id)
        check = self._check(
            doc.policy_type, version.answers, doc.jurisdictions, self.profile().answers
        )
        rendering = self.render(version_id)
        return approval_blockers(
            ApprovalCheck(
                reviewer=reviewer,
                author=version.author,
                unchecked_items=[i.text for i in self.checklist(version_id) if not i.checked],
                placeholders=[str(p) for p in rendering.placeholders]
                + ([rendering.problem] if rendering.problem else []),
                rule_violations=[str(v) for v in check.violations]
                + [str(p) for p in check.problems],
                has_effective_date=version.effective_date is not None,
            )
        )

    def approve(self, version_id: uuid.UUID, reviewer: str, note: str = "") -> VersionRecord:
        """Approve and freeze the version. Refused, with everything to fix, unless the
        reviewer is named and is not the author, every checklist item is ticked, the
        effective date is set, and no placeholder or jurisdiction rule is open."""
        version = self.version(version_id)
        blockers = self.approval_problems(version_id, reviewer)
        target = require(ReviewAction.APPROVE, ReviewState(version.state), blockers)
        notice = self._notice(version)
        now = _now()
        with self._db.session() as conn:
            repo.update_version(
                conn,
                version_id,
                now,
                state=target.value,
                reviewer=reviewer.strip(),
                frozen_hash=frozen_hash(version),
                approved_at=now,
                notice=notice,
            )
            repo.add_event(
                conn, version_id, ReviewAction.APPROVE.value, reviewer.strip(), note.strip(), now
            )
        return self.version(version_id)

    # -- history -------------------------------------------------------------------------

    def diff(self, old_id: uuid.UUID, new_id: uuid.UUID) -> VersionDiff:
        """What changed between two versions: answers, sections (rendered text) and a
        unified diff of the rendered Markdown."""
        old, new = self.version(old_id), self.version(new_id)
        questionnaire = self.questionnaire_for(new.document_id)
        labels = {q.id: q.label for q in questionnaire.questions()}
        old_text = self._text_for_diff(old)
        new_text = self._text_for_diff(new)
        return VersionDiff(
            old,
            new,
            tuple(answer_changes(old.answers, new.answers, labels)),
            tuple(section_changes(old_text, new_text)),
            unified_diff(old_text, new_text, f"version {old.number}", f"version {new.number}"),
        )

    def _text_for_diff(self, version: VersionRecord) -> str:
        rendering = self.render(version.id)
        if rendering.problem:
            return version.source
        return MISSING_RE.sub(lambda m: f"[{m.group(1)}: not filled in yet]", rendering.markdown)

    def _previous_approved(self, version: VersionRecord) -> VersionRecord | None:
        for other in self.versions(version.document_id):
            if other.number < version.number and other.state == ReviewState.APPROVED:
                return other
        return None

    def _auto_changelog(self, version: VersionRecord) -> str:
        previous = self._previous_approved(version)
        if previous is None:
            return version.changelog or "First version."
        d = self.diff(previous.id, version.id)
        return change_summary(d.answers, d.sections)

    def _notice(self, version: VersionRecord) -> str:
        previous = self._previous_approved(version)
        if previous is None or not version.effective_date:
            return ""
        d = self.diff(previous.id, version.id)
        doc = self.document(version.document_id)
        profile = self.profile()
        return what_changed_notice(
            company=profile.company,
            policy_title=doc.title,
            effective=date.fromisoformat(version.effective_date),
            answer_diff=d.answers,
            text_diff=d.sections,
            contact=str(profile.answers.get("email") or ""),
        )

    def notice(self, version_id: uuid.UUID) -> str:
        """The customer-facing "what changed" notice of a version against the previous
        approved one ("" for a first version). Stored at approval; drafts get it fresh."""
        version = self.version(version_id)
        if version.state == ReviewState.APPROVED and version.notice:
            return version.notice
        return self._notice(version)

    def changelog(self, document_id: uuid.UUID) -> list[ChangelogEntry]:
        return [
            ChangelogEntry(
                v.number,
                v.state,
                v.effective_date,
                v.changelog,
                v.author,
                v.reviewer,
                v.approved_at,
            )
            for v in self.versions(document_id)
        ]

    # -- across documents -----------------------------------------------------------------

    def cross_document_problems(self) -> list[Disagreement]:
        """Facts that disagree between the newest versions of the user's policies."""
        answers: dict[str, dict[str, Any]] = {}
        profile = self.profile().answers
        for doc in self.documents():
            if doc.policy_type in answers:
                continue
            version = self.latest(doc.id)
            questionnaire = self.catalog.questionnaire(doc.policy_type)
            from desktop.domain.policy import Facts

            facts = Facts(version.answers, profile, frozenset(doc.jurisdictions))
            open_ids = {q.id for q in questionnaire.open_questions(facts)}
            answers[doc.policy_type] = {k: v for k, v in version.answers.items() if k in open_ids}
        return cross_check(self.catalog.cross_checks, answers)

    # -- export --------------------------------------------------------------------------

    def export_blockers(self, version_id: uuid.UUID) -> list[str]:
        """Why this version cannot be exported now ([] when it can)."""
        version = self.version(version_id)
        doc = self.document(version.document_id)
        problems = self.render(version_id).blockers()
        check = self._check(
            doc.policy_type, version.answers, doc.jurisdictions, self.profile().answers
        )
        problems += [str(p) for p in check.problems] + [str(v) for v in check.violations]
        if not version.effective_date:
            problems.append("Set the effective date.")
        return problems

    def export(self, version_id: uuid.UUID, fmt: str) -> bytes:
        """The version as PDF, HTML or Markdown bytes. Refused with
        :class:`ExportBlocked` while anything is unfilled or against the rules."""
        from desktop.services.policies_render import DocumentMeta, ExportBlocked, check_logo

        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}.")
        blockers = self.export_blockers(version_id)
        if blockers:
            raise ExportBlocked(blockers)
        version = self.version(version_id)
        doc = self.document(version.document_id)
        profile = self.profile()
        rendering = self.render(version_id)
        logo = check_logo(Path(profile.logo_path)) if profile.logo_path else None
        meta = DocumentMeta(
            doc.title,
            profile.company,
            version.number,
            version.effective_date,
            version.state == ReviewState.APPROVED,
            logo,
        )
        return export_rendered(rendering.markdown, meta, fmt, self.catalog, self._pdf)

    def export_to(self, version_id: uuid.UUID, fmt: str, path: Path) -> Path:
        """Write the export to ``path`` (atomically: a failed export leaves no half file)."""
        data = self.export(version_id, fmt)
        write_atomically(path, data)
        return path


def export_rendered(
    rendered: str,
    meta: DocumentMeta,
    fmt: str,
    catalog: PolicyCatalog,
    pdf: PdfRenderer,
) -> bytes:
    from desktop.services.policies_render import html_document, markdown_document, strip_sentinels

    text = strip_sentinels(rendered)
    if fmt == "md":
        return markdown_document(text, meta).encode("utf-8")
    document = html_document(text, meta, catalog.stylesheet)
    if fmt == "html":
        return document.encode("utf-8")
    return pdf(document)


def write_atomically(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


# -- headless export (the CLI) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeadlessExport:
    data: bytes
    rendering: Rendering


def export_from_answers(
    policy_type: str,
    data: Mapping[str, Any],
    jurisdictions: Sequence[str],
    fmt: str,
    *,
    base: Path | None = None,
    catalog: PolicyCatalog | None = None,
    pdf: PdfRenderer | None = None,
) -> HeadlessExport:
    """Export a policy straight from an answers file (``playbook policy export``).

    ``data`` holds ``company`` (the profile), ``answers``, and optionally
    ``effective_date``, ``version``, ``title``, ``logo`` (relative to ``base``) and
    ``template`` (a path to a custom template, relative to ``base``). Invalid answers,
    broken jurisdiction rules and unfilled placeholders raise with every problem."""
    from desktop.services.policies_render import (
        DocumentMeta,
        ExportBlocked,
        build_context,
        check_logo,
        render_source,
    )

    catalog = catalog or PolicyCatalog.bundled()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}.")
    questionnaire = catalog.questionnaire(policy_type)
    profile_in = dict(data.get("company") or data.get("profile") or {})
    profile, profile_problems = validate_answers(catalog.profile_questionnaire, profile_in)
    answers_in = {**questionnaire.defaults(), **dict(data.get("answers") or {})}
    answers, problems = validate_answers(
        questionnaire, answers_in, profile=profile, jurisdictions=jurisdictions
    )
    violations = check_rules(
        questionnaire, answers, catalog.packs, profile=profile, jurisdictions=jurisdictions
    )
    effective = data.get("effective_date")
    if isinstance(effective, date):
        effective = effective.isoformat()
    blockers = [f"Company profile — {p}" for p in profile_problems]
    blockers += [str(p) for p in problems] + [str(v) for v in violations]
    if effective is not None:
        try:
            date.fromisoformat(str(effective))
        except ValueError:
            blockers.append(f"effective_date {effective!r} is not a date; write it as YYYY-MM-DD.")
            effective = None
    template_ref = data.get("template")
    if template_ref:
        template_path = (base or Path.cwd()) / str(template_ref)
        source = template_path.read_text(encoding="utf-8")
    else:
        source = catalog.template(policy_type)
    version = int(data.get("version") or 1)
    context = build_context(
        questionnaire,
        answers,
        profile,
        jurisdictions,
        effective_date=str(effective) if effective else None,
        version=version,
    )
    rendering = render_source(source, context)
    blockers += rendering.blockers()
    if blockers:
        raise ExportBlocked(blockers)
    logo = None
    if data.get("logo"):
        logo = check_logo((base or Path.cwd()) / str(data["logo"]))
    meta = DocumentMeta(
        str(data.get("title") or questionnaire.title),
        str(profile.get("company_name") or ""),
        version,
        str(effective) if effective else None,
        bool(data.get("approved", True)),
        logo,
    )
    return HeadlessExport(
        export_rendered(rendering.markdown, meta, fmt, catalog, pdf or _pdf_default), rendering
    )
