"""The set of services the composition root hands to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.config import SettingsStore
from desktop.services.annotations import AnnotationService
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService

if TYPE_CHECKING:
    from desktop.policy import ManagedSettings
    from desktop.services.account import AccountService
    from desktop.services.analytics import AnalyticsService
    from desktop.services.content import ContentService
    from desktop.services.policies import PolicyService
    from desktop.services.sync import SyncService
    from desktop.services.team_analytics import TeamAnalyticsService
    from desktop.services.templates import TemplateService


@dataclass(frozen=True, slots=True)
class Services:
    library: CourseLibrary
    progress: ProgressService
    annotations: AnnotationService
    search: SearchService
    settings: SettingsStore
    # Desktop sync (issue 5); None where a test builds the app without them.
    templates: TemplateService | None = None
    sync: SyncService | None = None
    account: AccountService | None = None
    # Policy Studio (issue 7); None where a test builds the app without it.
    policies: PolicyService | None = None
    # Content Studio (issue 6); None where a test builds the app without it.
    content: ContentService | None = None
    # What IT locked on this machine (packaging issue); None: nothing read.
    managed: ManagedSettings | None = None
    # Personal analytics (issue 10); None where a test builds the app without it.
    analytics: AnalyticsService | None = None
    # Team analytics for owners, from the sync server (issue 10); None likewise.
    team_analytics: TeamAnalyticsService | None = None
