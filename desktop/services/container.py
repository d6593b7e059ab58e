"""The set of services the composition root hands to the UI.

The sections a learner does not open at start (Content and Policy Studio, the template
library, the account, team analytics) are built the first time something reads them, so
a learner's session never imports their modules: :func:`desktop.app.build_services`
gives those fields a :class:`Later` (how to build the service) instead of the service.
Reading the field builds it once and returns the service; callers, and tests that pass
ready services (or None) by keyword, see no difference.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

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

T = TypeVar("T")


class Later(Generic[T]):
    """A service built on first use: ``build`` gets the container (for the services it
    needs, themselves built on first use) and returns the service."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[Services], T]) -> None:
        self.build = build


class OnDemand(Generic[T]):
    """A field of :class:`Services` holding a service, None (not in this app), or a
    :class:`Later` that is built, once, when the field is first read."""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> None: ...

    @overload
    def __get__(self, obj: Services, owner: type[Any] | None = None) -> T | None: ...

    def __get__(self, obj: Services | None, owner: type[Any] | None = None) -> T | None:
        if obj is None:
            return None  # the field's default: dataclasses read it from the class
        value = obj.__dict__[self.name]
        if isinstance(value, Later):
            return obj._build(self.name)  # type: ignore[no-any-return]
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: Services, value: T | Later[T] | None) -> None:
        obj.__dict__[self.name] = value  # only __init__ sets fields (the class is frozen)


@dataclass(frozen=True, eq=False)
class Services:
    """The app's services. The optional ones may be given ready, as None (this app has
    none: some tests), or as a :class:`Later`, built when the field is first read."""

    library: CourseLibrary
    progress: ProgressService
    annotations: AnnotationService
    search: SearchService
    settings: SettingsStore
    # Desktop sync (issue 5); None where a test builds the app without them.
    templates: OnDemand[TemplateService] = OnDemand()
    sync: OnDemand[SyncService] = OnDemand()
    account: OnDemand[AccountService] = OnDemand()
    # Policy Studio (issue 7); None where a test builds the app without it.
    policies: OnDemand[PolicyService] = OnDemand()
    # Content Studio (issue 6); None where a test builds the app without it.
    content: OnDemand[ContentService] = OnDemand()
    # What IT locked on this machine (packaging issue); None: nothing read.
    managed: OnDemand[ManagedSettings] = OnDemand()
    # Personal analytics (issue 10); None where a test builds the app without it.
    analytics: OnDemand[AnalyticsService] = OnDemand()
    # Team analytics for owners, from the sync server (issue 10); None likewise.
    team_analytics: OnDemand[TeamAnalyticsService] = OnDemand()
    # Builds run one at a time (a worker thread may ask too); a build may read others.
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _when_built: dict[str, list[Callable[[Any], None]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _building: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __repr__(self) -> str:  # without building anything
        shown = ", ".join(f"{f.name}={self.__dict__[f.name]!r}" for f in fields(self) if f.init)
        return f"Services({shown})"

    def is_built(self, name: str) -> bool:
        """The field ``name`` holds its service (or None) and not a :class:`Later`."""
        return not isinstance(self.__dict__[name], Later)

    def when_templates_built(self, callback: Callable[[TemplateService], None]) -> None:
        """Call ``callback`` with the template library now if it is built, else as soon
        as it is (before anyone can use it); never if this app has none."""
        self._call_when_built("templates", callback)

    def _call_when_built(self, name: str, callback: Callable[[Any], None]) -> None:
        with self._lock:
            value = self._building.get(name, self.__dict__[name])
            if isinstance(value, Later):
                self._when_built.setdefault(name, []).append(callback)
                return
        if value is not None:
            callback(value)

    def _build(self, name: str) -> Any:
        with self._lock:
            value = self.__dict__[name]
            if not isinstance(value, Later):  # built meanwhile by another thread
                return value
            if name in self._building:  # read by one of its own when_built callbacks
                return self._building[name]
            service = self._building[name] = value.build(self)
            try:  # those waiting for it hear of it before anyone else can use it
                for callback in self._when_built.pop(name, []):
                    callback(service)
            finally:
                self.__dict__[name] = service
                del self._building[name]
            return service
