"""The set of services the composition root hands to the UI."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.config import SettingsStore
from desktop.services.annotations import AnnotationService
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService


@dataclass(frozen=True, slots=True)
class Services:
    library: CourseLibrary
    progress: ProgressService
    annotations: AnnotationService
    search: SearchService
    settings: SettingsStore
