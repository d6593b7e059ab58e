"""The sections a learner does not use at start (Content and Policy Studio, the template
library, the account, team analytics) are built the first time the app asks for them, so
a learner's session does not load them; built then, they are wired exactly as before."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import build_services
from desktop.config import SettingsStore
from desktop.domain.templates import TemplateDraft, TemplateKind
from desktop.services.annotations import AnnotationService
from desktop.services.container import Later, Services
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService
from desktop.services.templates import TemplateService
from desktop.storage.database import Database, SqlFolderStore
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.views.content_studio import ContentStudio

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "courses"
ON_DEMAND = ("templates", "account", "policies", "content", "team_analytics")
AT_START = ("sync", "managed", "analytics")
REASON = "Acme IT policy 7"


@pytest.fixture(autouse=True)
def _no_managed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing IT locked, whatever this machine has (a test may write the file)."""
    monkeypatch.setenv("PLAYBOOK_MANAGED_SETTINGS", str(tmp_path / "managed.toml"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def db(data_dir: Path) -> Iterator[Database]:
    database = Database.open(data_dir / "playbook.sqlite3")
    yield database
    database.close()


@pytest.fixture
def services(db: Database, data_dir: Path) -> Services:
    """What the app builds at start."""
    return build_services(db, data_dir, courses_dir=BUNDLED)


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[[Services], MainWindow]:
    """Show a MainWindow and wait until its courses are read and indexed."""

    def open_(services: Services) -> MainWindow:
        window = MainWindow(services)
        qtbot.addWidget(
            window,
            before_close_func=lambda w: qtbot.waitUntil(lambda: not w.runner.busy, timeout=20_000),
        )
        with qtbot.waitSignal(window.search_ready, timeout=20_000):
            window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: not window.runner.busy)
        return window

    return open_


def built(services: Services) -> dict[str, bool]:
    return {name: services.is_built(name) for name in (*ON_DEMAND, *AT_START)}


def test_a_learners_start_and_lesson_build_none_of_the_studios(
    qtbot: QtBot, services: Services, open_window: Callable[[Services], MainWindow]
) -> None:
    window = open_window(services)
    assert window.sync_controller is not None  # the sync line is there, as before
    assert window.home.dashboard is not None  # Home's dashboard reads analytics at start
    course = next(e.course for e in services.library.entries() if e.course is not None)
    assert window.open_lesson(course.id, course.ordered_lessons()[0].id)
    window.show_section(Section.HOME)
    window.show_section(Section.COURSES)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert built(services) == {
        **dict.fromkeys(ON_DEMAND, False),
        **dict.fromkeys(AT_START, True),
    }
    assert "Services(" in repr(services)  # showing it builds nothing either
    assert not any(services.is_built(name) for name in ON_DEMAND)


def test_the_studios_modules_are_imported_only_when_first_used(data_dir: Path) -> None:
    """Memory: a learner's process never imports them (checked in a fresh interpreter)."""
    script = """
import json, sys
from pathlib import Path
from desktop.app import build_services
from desktop.storage.database import Database
MODULES = ["desktop.services.content", "desktop.services.policies",
           "desktop.services.templates", "desktop.services.account",
           "desktop.services.team_analytics", "desktop.domain.policy_rules",
           "desktop.domain.content_quality"]
data = Path(sys.argv[1])
db = Database.open(data / "playbook.sqlite3")
services = build_services(db, data)
at_start = [m for m in MODULES if m in sys.modules]
services.content
after_content = [m for m in MODULES if m in sys.modules]
services.policies
services.account
services.team_analytics
everything = [m for m in MODULES if m in sys.modules]
db.close()
print(json.dumps([at_start, after_content, everything]))
"""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    ).stdout
    at_start, after_content, everything = json.loads(out.strip().splitlines()[-1])
    assert at_start == []
    # Content Studio brings the template library it reads prompt templates from.
    assert set(after_content) == {
        "desktop.services.content",
        "desktop.services.templates",
        "desktop.domain.content_quality",
    }
    assert len(everything) == 7


def test_content_studio_built_on_first_use_offers_the_librarys_prompt_templates(
    qtbot: QtBot,
    db: Database,
    services: Services,
    open_window: Callable[[Services], MainWindow],
) -> None:
    # Saved on this computer before the app started (another session, or sync).
    TemplateService(db).create(
        TemplateDraft(TemplateKind.CONTENT, "Launch email", "Hi {{ topic }}")
    )
    window = open_window(services)
    assert not services.is_built("content")
    window.show_section(Section.STUDIO)
    studio = window.studio
    assert isinstance(studio, ContentStudio)
    assert services.is_built("content")
    assert services.is_built("templates")
    qtbot.waitUntil(lambda: studio.prompt.count() > 0)
    offered = [studio.prompt.itemText(i) for i in range(studio.prompt.count())]
    assert offered == ["Built-in prompt", "Launch email"]
    # Saved in the library now, offered by the studio: it reads the same library.
    services.templates.create(TemplateDraft(TemplateKind.CONTENT, "Webinar invite", "Join"))  # type: ignore[union-attr]
    assert services.content is not None
    assert services.content.prompt_templates()[1:] == ["Launch email", "Webinar invite"]


def test_policy_studio_built_on_first_use_offers_the_librarys_policy_templates(
    db: Database, services: Services
) -> None:
    TemplateService(db).create(
        TemplateDraft(
            TemplateKind.POLICY, "Our refunds", "# Refunds\n", extra={"policy_type": "refund"}
        )
    )
    assert not services.is_built("policies")
    policies = services.policies
    assert policies is not None
    assert policies.has_template_library
    assert [c.name for c in policies.template_choices("refund")] == ["Built-in", "Our refunds"]
    # The library it uses is the app's one, not a copy.
    assert services.is_built("templates")
    assert services.policies is policies


def test_a_template_saved_in_a_section_opened_later_still_wakes_the_sync_line(
    qtbot: QtBot, services: Services, open_window: Callable[[Services], MainWindow]
) -> None:
    window = open_window(services)
    controller = window.sync_controller
    assert controller is not None
    assert not services.is_built("templates")
    library = services.templates  # first use, after the window is up
    assert library is not None
    with qtbot.waitSignal(controller._change_from_worker, timeout=5_000):
        library.create(TemplateDraft(TemplateKind.CONTENT, "Launch email", "Hi"))

    # Saved from a worker thread (as the studios do): heard too.
    def save() -> None:
        library.create(TemplateDraft(TemplateKind.CONTENT, "Webinar", "Join"))

    with qtbot.waitSignal(controller._change_from_worker, timeout=5_000):
        worker = threading.Thread(target=save)
        worker.start()
        worker.join()


def test_what_it_locked_applies_to_services_built_on_first_use(
    tmp_path: Path, db: Database, data_dir: Path
) -> None:
    (tmp_path / "managed.toml").write_text(
        f'reason = "{REASON}"\n[sync]\nserver_url = "https://pb.acme.example"\n'
        '[ai]\nproviders = "local"\n',
        encoding="utf-8",
    )
    services = build_services(db, data_dir, courses_dir=BUNDLED)
    assert services.managed is not None
    assert services.managed.any_locked
    assert not services.is_built("account")
    assert not services.is_built("content")
    assert services.account is not None
    assert services.account.server_lock == ("https://pb.acme.example", REASON)
    assert services.content is not None
    assert all(p.is_local for p in services.content.providers())


def _plain(db: Database, data_dir: Path, **more: object) -> Services:
    return Services(
        library=CourseLibrary(bundled_root=BUNDLED, folders=SqlFolderStore(db)),
        progress=ProgressService(db),
        annotations=AnnotationService(db),
        search=SearchService(db),
        settings=SettingsStore(data_dir / "settings.toml"),
        **more,  # type: ignore[arg-type]
    )


def test_a_service_is_built_once_even_when_two_threads_ask_at_once(
    db: Database, data_dir: Path
) -> None:
    builds: list[TemplateService] = []
    start = threading.Barrier(4)

    def build(_: Services) -> TemplateService:
        builds.append(TemplateService(db))
        return builds[-1]

    services = _plain(db, data_dir, templates=Later(build))
    seen: list[object] = []

    def ask() -> None:
        start.wait()
        seen.append(services.templates)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1
    assert seen == [builds[0]] * 4


def test_ready_services_or_none_passed_by_keyword_work_as_before(
    db: Database, data_dir: Path
) -> None:
    library = TemplateService(db)
    services = _plain(db, data_dir, templates=library)
    assert services.templates is library
    assert services.content is None
    assert services.is_built("templates")
    assert services.is_built("content")
    heard: list[TemplateService] = []
    services.when_templates_built(heard.append)  # built already: at once
    assert heard == [library]
    _plain(db, data_dir).when_templates_built(heard.append)  # none in this app: never
    assert heard == [library]
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.templates = None  # type: ignore[misc]
    # Tests swap one service for another; the rest are kept (built if they were not).
    lazy = _plain(db, data_dir, templates=Later(lambda _: library), content=None)
    swapped = dataclasses.replace(lazy, content=None, policies=None)
    assert swapped.templates is library
    assert swapped.library is lazy.library
    # Listening before it is built: told once, as it is built, before anyone uses it.
    later = _plain(db, data_dir, templates=Later(lambda _: library))
    later.when_templates_built(heard.append)
    assert heard == [library]
    assert later.templates is library
    assert later.templates is library  # read again: not built again
    assert heard == [library, library]
    # A listener that reads the service while it is being built gets that one.
    builds: list[TemplateService] = []

    def build(_: Services) -> TemplateService:
        builds.append(TemplateService(db))
        return builds[-1]

    again = _plain(db, data_dir, templates=Later(build))
    read: list[TemplateService | None] = []
    again.when_templates_built(lambda _t: read.append(again.templates))
    first = again.templates
    assert read == [first]
    assert builds == [first]


def test_a_first_start_keeps_outlines_once_the_index_has_read_the_courses(
    qtbot: QtBot, services: Services, open_window: Callable[[Services], MainWindow]
) -> None:
    """On a first start the index lacks every course, so the library reads them with their
    text for it (once, not twice). Once they are indexed, only outlines stay in memory;
    lessons and search work as before."""
    window = open_window(services)
    courses = [e.course for e in services.library.entries() if e.course is not None]
    assert courses
    assert all(lesson.outline for course in courses for lesson in course.lessons.values())
    course = courses[0]
    first = course.ordered_lessons()[0]
    assert window.open_lesson(course.id, first.id)
    assert window.player.lesson is not None
    assert window.player.lesson.slides[0].body  # read from its file again
    assert window.run_search("subject line") > 0
