"""Two desktop clients, each with its own data folder, against the real sync server
(uvicorn on 127.0.0.1) and the real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from desktop.domain.progress import EventKind, ProgressEvent
from desktop.domain.templates import TemplateDraft, TemplateKind
from desktop.integrations.sync_client import ServerUnreachable, SignInRequired, Tokens
from desktop.services.annotations import AnnotationService
from desktop.services.course_library import load_course
from desktop.services.progress import ProgressService
from tests.e2e.conftest import PASSWORD, Admin, Client, ForwardingTransport, LiveServer, run

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "courses" / "sample-course"


def draft(name: str, body: str, kind: TemplateKind = TemplateKind.CONTENT) -> TemplateDraft:
    return TemplateDraft(kind=kind, name=name, body=body, tags=("email",))


def team_pair(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> tuple[uuid.UUID, Client, Client]:
    alice = admin.user("alice@example.com")
    bob = admin.user("bob@example.com")
    team = admin.team(alice, {bob: "editor"})
    a, b = make_client("alice-laptop"), make_client("bob-laptop")
    a.sign_in(server, "alice@example.com")
    b.sign_in(server, "bob@example.com")
    return team, a, b


def bodies(client: Client) -> dict[str, str]:
    return {t.name: t.body for t in client.templates.list()}


def test_offline_edits_on_two_laptops_merge_cleanly_or_keep_both_texts_as_a_conflict(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    team, a, b = team_pair(server, admin, make_client)
    lines = a.templates.create(draft("Launch email", "Hello {{ name }}\nOur offer\nBye\n"), team)
    pricing = a.templates.create(draft("Pricing", "Refunds within 14 days.\n"), team)
    a.sync_now()
    b.sync_now()
    assert bodies(b) == bodies(a)

    # Offline on both laptops: different lines of one template, the same line of another.
    a.templates.update(lines.id, draft("Launch email", "Hi {{ name }}\nOur offer\nBye\n"))
    b.templates.update(lines.id, draft("Launch email", "Hello {{ name }}\nOur offer\nCheers\n"))
    a.templates.update(pricing.id, draft("Pricing", "Refunds within 30 days.\n"))
    b.templates.update(pricing.id, draft("Pricing", "No refunds after 7 days.\n"))
    assert a.sync.status().pending == 2

    a.sync_now()
    report = b.sync_now()
    a.sync_now()

    merged = "Hi {{ name }}\nOur offer\nCheers\n"
    assert bodies(a)["Launch email"] == bodies(b)["Launch email"] == merged
    # The same line changed on both: the team keeps Alice's (first to arrive), Bob's text
    # is kept in a conflict on his laptop, nothing discarded until he chooses.
    assert report.conflicts == 1
    assert bodies(b)["Pricing"] == "Refunds within 30 days.\n"
    (conflict,) = b.templates.conflicts(pricing.id)
    assert conflict.mine.body == "No refunds after 7 days.\n"
    assert conflict.theirs.body == "Refunds within 30 days.\n"
    assert b.templates.get(pricing.id).conflicted  # type: ignore[union-attr]
    assert a.templates.conflicts() == []
    assert a.sync.status().pending == b.sync.status().pending == 0


def test_server_killed_mid_sync_and_restarted_loses_nothing_and_duplicates_nothing(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client], database_url: str
) -> None:
    admin.user("dana@example.com")
    pushes = 0

    class KillAfterSecondPush(ForwardingTransport):
        """Forwards to the real server; after the second push has been committed
        there, kills the server so the answer never arrives."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal pushes
            response = await self.forward(request)
            if request.url.path.endswith("/sync/push"):
                pushes += 1
                if pushes == 2:
                    server.kill()
                    raise httpx.ReadError("connection reset by peer", request=request)
            return response

    laptop = make_client("laptop", KillAfterSecondPush())
    laptop.sync.page_size = 100
    laptop.sign_in(server, "dana@example.com")
    progress = ProgressService(laptop.db)
    events = [
        ProgressEvent.new(EventKind.TIME_SPENT, "course", f"lesson-{n % 7}", seconds=n % 50 + 1)
        for n in range(450)
    ]
    progress.import_events(events)
    notes = AnnotationService(laptop.db)
    notes.set_note("course", "lesson-1", "slide-2", "Ask about the budget")

    with pytest.raises(ServerUnreachable) as failure:
        laptop.sync_now()
    assert failure.value.action == "check_server"
    status = laptop.sync.status()
    assert status.online is False
    assert "cannot reach" in status.problem
    assert status.pending == 451 - 100  # the first batch was answered; nothing else is lost

    server.start()  # the same address, a fresh process
    laptop.sync_now()
    assert laptop.sync.status().pending == 0
    assert laptop.sync.status().problem == ""

    async def server_counts() -> tuple[int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            events_n = await conn.fetchval("SELECT count(*) FROM progress_events")
            changes_n = await conn.fetchval(
                "SELECT count(*) FROM changes WHERE kind = 'progress_event'"
            )
            return int(events_n), int(changes_n)
        finally:
            await conn.close()

    assert run(server_counts()) == (450, 450)  # the retried batch was applied once

    # A second device pulls it all, in pages, and the server dies in the middle of that.
    pulls = 0

    class KillOnFourthPull(ForwardingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal pulls
            if request.url.path.endswith("/sync/pull"):
                pulls += 1
                if pulls == 4:
                    server.kill()
            return await self.forward(request)

    desktop = make_client("desktop", KillOnFourthPull())
    desktop.sync.page_size = 100
    desktop.sign_in(server, "dana@example.com", "desktop")
    with pytest.raises(ServerUnreachable):
        desktop.sync_now()
    assert len(ProgressService(desktop.db).events()) == 300  # three whole pages, no part-page
    server.start()
    desktop.sync_now()
    mine = {e.id: e for e in ProgressService(laptop.db).events()}
    theirs = {e.id: e for e in ProgressService(desktop.db).events()}
    assert theirs == mine
    assert AnnotationService(desktop.db).note("course", "lesson-1", "slide-2") == (
        "Ask about the budget"
    )


def test_an_expired_access_token_is_refreshed_silently_and_a_revoked_device_signs_in_again(
    make_server: Callable[..., LiveServer], admin: Admin, make_client: Callable[..., Client]
) -> None:
    server = make_server(access_token_seconds=1)
    admin.user("erin@example.com")
    laptop = make_client("laptop")
    laptop.sign_in(server, "erin@example.com")
    first = laptop.sync.load_tokens()
    assert first is not None

    async def wait_until_expired(tokens: Tokens) -> None:
        async with httpx.AsyncClient(base_url=server.url) as http:
            while True:
                r = await http.get(
                    "/v1/me",
                    headers={
                        "Authorization": f"Bearer {tokens.access_token}",
                        "X-Playbook-Protocol": "1",
                    },
                )
                if r.status_code == 401:
                    assert r.json()["code"] == "token_expired"
                    return
                await asyncio.sleep(0.05)

    run(wait_until_expired(first))
    # Pretend the laptop's clock says the token is still good: the server's 401 is what
    # triggers the refresh, and the sync goes on without the user noticing.
    laptop.sync.save_tokens(Tokens(first.access_token, first.refresh_token, 4e9))
    laptop.templates.create(draft("Follow-up", "Thanks for your time.\n"))
    laptop.sync_now()
    rotated = laptop.sync.load_tokens()
    assert rotated is not None
    assert rotated.refresh_token != first.refresh_token
    assert laptop.sync.status().problem == ""

    # The laptop is lost: the user revokes it from their other computer.
    other = make_client("desktop")
    other.sign_in(server, "erin@example.com", "desktop")

    async def revoke() -> None:
        async with other.sync.client(server.url, other.sync.load_tokens()) as client:
            devices = await client.devices()
            (lost,) = [d for d in devices if d.name == "laptop"]
            await client.revoke_device(lost.id)

    run(revoke())
    ProgressService(laptop.db).import_events(
        [ProgressEvent.new(EventKind.LESSON_OPENED, "course", "lesson-1")]
    )
    with pytest.raises(SignInRequired) as failure:
        laptop.sync_now()
    assert failure.value.action == "sign_in"
    status = laptop.sync.status()
    assert status.action == "sign_in"
    assert "Sign in again" in status.problem
    assert status.pending == 1  # kept, waiting

    laptop.sign_in(server, "erin@example.com", "laptop again")
    laptop.sync_now()
    assert laptop.sync.status().pending == 0
    other.sync_now()
    assert [e.kind for e in ProgressService(other.db).events()] == [EventKind.LESSON_OPENED]


def test_a_member_removed_from_a_team_loses_its_templates_and_keeps_personal_ones(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    team, a, b = team_pair(server, admin, make_client)
    shared = a.templates.create(draft("Brand voice", "Warm, direct, short.\n"), team)
    a.templates.create(draft("Refund policy", "30 days.\n", TemplateKind.POLICY), team)
    a.sync_now()
    b.sync_now()
    assert set(bodies(b)) == {"Brand voice", "Refund policy"}
    b.templates.create(draft("My own prompt", "Write like me.\n"))
    b.templates.update(shared.id, draft("Brand voice", "Warm, direct, short. No jargon.\n"))

    bob_id = b.sync.account().user_id  # type: ignore[union-attr]
    admin.remove(team, bob_id)
    report = b.sync_now()

    assert report.removed_teams == [str(team)]
    names = {t.name: t for t in b.templates.list()}
    # The team's templates are gone; his personal one stays, and so does his unsynced
    # edit of a team template (as a personal template: nothing he typed is lost).
    assert set(names) == {"My own prompt", "Brand voice"}
    assert names["Brand voice"].team_id is None
    assert names["Brand voice"].body == "Warm, direct, short. No jargon.\n"
    assert b.sync.teams() == []
    assert b.sync.status().pending == 0
    b.sync_now()  # and the next sync is clean
    a.sync_now()
    assert bodies(a)["Brand voice"] == "Warm, direct, short.\n"


def test_progress_made_on_two_devices_of_one_user_ends_up_identical_on_both(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    admin.user("fay@example.com")
    laptop, desktop = make_client("laptop"), make_client("desktop")
    laptop.sign_in(server, "fay@example.com", "laptop")
    desktop.sign_in(server, "fay@example.com", "desktop")
    course = load_course(SAMPLE)
    lesson = next(iter(course.lessons.values()))
    slides = [s.id for s in lesson.slides]

    for client, picked in ((laptop, slides[:2]), (desktop, slides[1:])):
        progress = ProgressService(client.db)
        progress.lesson_opened(course, lesson.id)
        for slide in picked:
            progress.slide_viewed(course, lesson.id, slide)
        progress.add_time(course, lesson.id, 42.5)
    AnnotationService(laptop.db).toggle_bookmark(course.id, lesson.id, slides[0])
    AnnotationService(desktop.db).set_note(course.id, lesson.id, slides[-1], "Use in Q3 deck")

    laptop.sync_now()
    desktop.sync_now()
    laptop.sync_now()

    a, b = ProgressService(laptop.db), ProgressService(desktop.db)
    assert {e.id: e for e in a.events()} == {e.id: e for e in b.events()}
    assert a.course_progress(course) == b.course_progress(course)
    assert a.lesson_progress(course, lesson.id).completed
    assert a.resume_point(course.id) is not None
    for service in (AnnotationService(laptop.db), AnnotationService(desktop.db)):
        assert [x.slide_id for x in service.bookmarks(course.id)] == [slides[0]]
        assert service.note(course.id, lesson.id, slides[-1]) == "Use in Q3 deck"
    assert laptop.sync.status().pending == desktop.sync.status().pending == 0
    assert PASSWORD  # the shared test password signed both devices in


def test_a_cursor_older_than_retention_redownloads_and_keeps_unsynced_local_rows(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    team, a, b = team_pair(server, admin, make_client)
    keep = a.templates.create(draft("Keep", "v1\n"), team)
    doomed = a.templates.create(draft("Doomed", "bye\n"), team)
    a.sync_now()
    b.sync_now()
    assert set(bodies(b)) == {"Keep", "Doomed"}

    # While Bob is away: Alice edits one template and deletes the other; the server then
    # prunes what Bob never saw. Bob meanwhile wrote a template of his own, offline.
    a.templates.update(keep.id, draft("Keep", "v2\n"))
    a.templates.update(keep.id, draft("Keep", "v3\n"))
    a.templates.delete(doomed.id)
    a.sync_now()
    admin.prune()
    mine = b.templates.create(draft("Bob's offline idea", "draft\n"), team)

    b.sync_now()  # resync_required for the team scope: downloaded again from the start
    assert bodies(b) == {"Keep": "v3\n", "Bob's offline idea": "draft\n"}
    # Its deletion was pruned from the log: only the re-download's sweep can remove it.
    assert b.templates.get(doomed.id) is None
    a.sync_now()
    assert bodies(a)["Bob's offline idea"] == "draft\n"
    assert b.sync.status().pending == 0
    assert mine.id in {t.id for t in a.templates.list()}


def test_a_newcomer_gets_the_whole_team_history_of_a_template_and_restores_an_old_version(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    team, a, b = team_pair(server, admin, make_client)
    t = a.templates.create(draft("Tagline", "First words\n"), team)
    a.sync_now()
    a.templates.update(t.id, draft("Tagline", "Second words\n"))
    a.sync_now()
    a.templates.update(t.id, draft("Tagline", "Third words\n"))
    a.sync_now()
    admin.prune()  # months later, the server's log keeps only the latest text
    b.sync_now()  # Bob's first sync
    before = [v.number for v in b.templates.history(t.id)]
    assert before == [3]
    count = run(b.sync.fetch_history(t.id, team))
    history = b.templates.history(t.id)
    assert count == 3
    assert [v.number for v in history] == [1, 2, 3]
    assert len(before) < len(history)
    first = history[0]
    assert first.draft is not None
    assert first.draft.body == "First words\n"
    b.templates.restore(t.id, first.seq)
    b.sync_now()
    a.sync_now()
    assert bodies(a)["Tagline"] == "First words\n"


def test_tokens_live_only_in_the_keyring_never_in_the_database_files_or_the_log(
    server: LiveServer,
    admin: Admin,
    make_client: Callable[..., Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    admin.user("jo@example.com")
    client = make_client("jo")
    client.sign_in(server, "jo@example.com")
    client.templates.create(draft("Secretless", "text\n"))
    client.sync_now()
    tokens = client.sync.load_tokens()
    assert tokens is not None
    secrets = [tokens.refresh_token, tokens.access_token, PASSWORD]
    files = [p for p in client.data_dir.rglob("*") if p.is_file()]
    assert files  # the database and its WAL
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, path.name
    for secret in secrets:
        assert secret not in caplog.text
