"""Sync: the outbox goes up, then the server's changes come down.

One run (:meth:`SyncService.sync_once`):

1. ``GET /me``: which teams this account is in and its role in each. A team it left
   (or was removed from) takes its templates with it — except unsynced edits, which stay
   as personal templates; a team where it became a viewer turns its unsynced edits into
   personal copies.
2. Every local change not yet queued goes into the outbox (``sync_outbox``), each with a
   mutation id it keeps until the server answers, so a retry after a lost answer (the
   server died mid-push) is recognised by the server and applied once.
3. Push the outbox in batches; each batch's answers are applied in one transaction.
4. Pull pages until there are no more; each page and its cursors are applied in one
   SQLite transaction. ``resync_required`` re-downloads that scope from the start,
   keeping the rows with unsynced local changes.

Network I/O runs on the caller's asyncio loop (qasync in the app); SQLite work runs in a
worker thread (``asyncio.to_thread``), so the UI never waits for the database either.
Typed problems from :mod:`desktop.integrations.sync_client` are recorded for the status
bar (with the action that helps) and raised.
"""

from __future__ import annotations

import importlib
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from desktop.integrations.secrets import KeyringUnavailable, SecretStore
from desktop.integrations.sync_types import (
    ServerUnreachable,
    SignInRequired,
    SyncProblem,
    Tokens,
)
from desktop.storage import sync as repo
from desktop.storage.database import Database
from desktop.storage.values import db_time, py_time

if TYPE_CHECKING:  # httpx and pydantic load with the first sync, not at start-up
    import httpx

    from desktop.integrations.sync_client import SyncClient
    from sync_server import protocol as p

log = logging.getLogger(__name__)

PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Account:
    """Who this computer syncs as (never a secret: tokens are in the keyring)."""

    server_url: str
    email: str
    user_id: uuid.UUID
    device_id: uuid.UUID  # the server's id of this device
    device_name: str
    display_name: str

    @property
    def user_scope(self) -> str:
        return f"user:{self.user_id}"


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Everything the status bar shows."""

    signed_in: bool
    account: Account | None
    online: bool | None  # None: not tried yet
    syncing: bool
    last_sync_at: datetime | None
    pending: int
    refused: int  # changes the server refused (shown with their reason)
    problem: str  # the last error, in the user's words ("" when the last run worked)
    action: str  # check_server | sign_in | update_app | "" (see SyncProblem)
    keyring_problem: str


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: list[str] = field(default_factory=list)
    removed_teams: list[str] = field(default_factory=list)
    kept_as_personal: int = 0
    skipped: bool = False  # another run was in progress

    def summary(self) -> str:
        if self.skipped:
            return "A sync is already running."
        parts = [f"sent {self.pushed}", f"received {self.pulled}"]
        if self.conflicts:
            parts.append(
                f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} to resolve"
            )
        return "Synced: " + ", ".join(parts) + "."


T = TypeVar("T")


async def _off_loop(work: Callable[..., T], *args: object) -> T:
    """Run blocking (SQLite) work in a worker thread. asyncio is imported here, with the
    first sync, not when the app starts."""
    import asyncio

    return await asyncio.to_thread(work, *args)


def default_device_name() -> str:
    try:
        return socket.gethostname() or "This computer"
    except OSError:
        return "This computer"


class SyncService:
    """Signs this computer's data in and out of one sync server (see the module doc)."""

    def __init__(
        self,
        db: Database,
        secrets: SecretStore,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._db = db
        self.secrets = secrets
        self.transport = transport  # tests: an in-process ASGI app; None: the network
        self.page_size = page_size
        self._running = threading.Lock()
        self._syncing = False
        self._online: bool | None = None
        self._listeners: list[Callable[[SyncStatus], None]] = []

    # -- account state ------------------------------------------------------------------

    @property
    def session_key(self) -> str:
        return f"sync-session:{self._db.device_id}"

    def account(self) -> Account | None:
        with self._db.read_session() as conn:
            state = repo.all_state(conn)
        return _account(state)

    def load_tokens(self) -> Tokens | None:
        raw = self.secrets.get(self.session_key)
        if not raw:
            return None
        try:
            return Tokens.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable sync session in the keyring")
            return None

    def save_tokens(self, tokens: Tokens) -> None:
        self.secrets.set(self.session_key, json.dumps(tokens.to_json()))

    def forget_tokens(self) -> None:
        self.secrets.delete(self.session_key)

    def client(self, server_url: str, tokens: Tokens | None = None) -> SyncClient:
        """A client on ``server_url`` that stores rotated tokens in the keyring at once."""
        from desktop.integrations.sync_client import SyncClient

        return SyncClient(server_url, tokens, on_tokens=self.save_tokens, transport=self.transport)

    async def open_client(self, server_url: str, tokens: Tokens | None = None) -> SyncClient:
        """:meth:`client`, with the HTTP stack imported off the event loop the first time
        (httpx and pydantic take ~200 ms to import; the window must not wait for them)."""
        await _off_loop(importlib.import_module, "desktop.integrations.sync_client")
        return self.client(server_url, tokens)

    def teams(self) -> list[repo.TeamRecord]:
        with self._db.read_session() as conn:
            return repo.teams(conn)

    # -- status -------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[SyncStatus], None]) -> None:
        """Called (from the thread that ran the change) whenever the status changes."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[SyncStatus], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def status(self) -> SyncStatus:
        with self._db.read_session() as conn:
            state = repo.all_state(conn)
            pending = repo.pending_count(conn)
            refused = repo.refused(conn)
        account = _account(state)
        last = state.get("last_sync_at")
        return SyncStatus(
            signed_in=account is not None,
            account=account,
            online=self._online,
            syncing=self._syncing,
            last_sync_at=py_time(last) if last else None,
            pending=pending,
            refused=refused,
            problem=state.get("last_error", ""),
            action=state.get("last_error_action", ""),
            # Signed out, the keyring matters only once the user tries to sign in (the
            # account form looks); finding it costs tens of MB a learner never needs.
            keyring_problem=self.secrets.problem if account else self.secrets.known_problem,
        )

    def notify(self) -> None:
        if not self._listeners:
            return
        try:
            status = self.status()
        except Exception:  # the database closed under us (shutting down)
            log.debug("sync status unavailable", exc_info=True)
            return
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:
                log.exception("a sync status listener failed")

    def record_problem(self, problem: SyncProblem | KeyringUnavailable | None) -> None:
        with self._db.session() as conn:
            if problem is None:
                repo.set_state(conn, "last_error", None)
                repo.set_state(conn, "last_error_action", None)
            else:
                repo.set_state(conn, "last_error", problem.user_message)
                action = getattr(problem, "action", "") or ""
                repo.set_state(conn, "last_error_action", action or None)

    # -- one run ------------------------------------------------------------------------

    async def sync_once(self) -> SyncReport:
        """Push, then pull, once. Raises a :class:`SyncProblem` (recorded for the status
        bar) when it cannot finish; whatever was applied before that stays applied."""
        if not self._running.acquire(blocking=False):
            return SyncReport(skipped=True)
        self._syncing = True
        self.notify()
        try:
            report = await self._run()
        except (SyncProblem, KeyringUnavailable) as problem:
            if isinstance(problem, ServerUnreachable):
                self._online = False
            elif isinstance(problem, SyncProblem) and problem.status is not None:
                self._online = True
            await _off_loop(self.record_problem, problem)
            raise
        else:
            self._online = True
            await _off_loop(self._finish, report)
            return report
        finally:
            self._syncing = False
            self._running.release()
            self.notify()

    async def _run(self) -> SyncReport:
        account = await _off_loop(self.account)
        if account is None:
            raise SignInRequired(
                "Sign in to sync: Settings → Account. Everything keeps working offline.",
                code="not_signed_in",
            )
        if self.secrets.problem:
            raise KeyringUnavailable(self.secrets.problem)
        tokens = self.load_tokens()
        if tokens is None:
            raise SignInRequired(
                "Sign in again to sync (Settings → Account): this computer has no saved "
                "sign-in. Nothing on this computer was lost.",
                code="no_session",
            )
        report = SyncReport()
        async with await self.open_client(account.server_url, tokens) as client:
            me = await client.me()
            await _off_loop(self._adopt_me, account, me, report)
            writable = [account.user_scope] + [
                t.scope for t in me.teams if t.role in ("owner", "editor")
            ]
            readable = [account.user_scope] + [t.scope for t in me.teams]
            await self._push(client, account, writable, report)
            await self._pull(client, account, readable, report)
        return report

    def _adopt_me(self, account: Account, me: p.MeOut, report: SyncReport) -> None:
        now = datetime.now(UTC)
        records = [repo.TeamRecord(t.id, t.name, t.role) for t in me.teams]
        with self._db.session() as conn:
            repo.replace_teams(conn, records)
            repo.set_state(conn, "display_name", me.display_name)
            current = {t.team_id for t in records}
            known = {
                uuid.UUID(hex=tid)
                for (tid,) in conn.execute(
                    "SELECT DISTINCT team_id FROM templates WHERE team_id IS NOT NULL"
                )
            } | {
                uuid.UUID(scope.partition(":")[2])
                for scope in repo.cursors(conn)
                if scope.startswith("team:")
            }
            for team_id in sorted(known - current):
                removed, kept = repo.forget_team(conn, team_id, now)
                report.removed_teams.append(str(team_id))
                report.kept_as_personal += kept
                log.info("left team %s: %d templates removed, %d kept", team_id, removed, kept)
            for team in records:
                if not team.writable:
                    report.kept_as_personal += repo.detach_unwritable_edits(conn, team.team_id, now)

    async def _push(
        self, client: SyncClient, account: Account, writable: list[str], report: SyncReport
    ) -> None:
        def fill() -> None:
            teams = [uuid.UUID(s.partition(":")[2]) for s in writable if s.startswith("team:")]
            with self._db.session() as conn:
                repo.fill_outbox(conn, account.user_id, teams, datetime.now(UTC))

        await _off_loop(fill)
        refused: list[uuid.UUID] = []
        while True:

            def batch(skip: list[uuid.UUID] = refused) -> list[repo.OutboxEntry]:
                with self._db.read_session() as conn:
                    return repo.outbox_batch(conn, writable, limit=self.page_size, skip=skip)

            entries = await _off_loop(batch)
            if not entries:
                return
            response = await client.push(account.device_id, [e.payload for e in entries])

            def apply(
                entries: list[repo.OutboxEntry] = entries, response: p.PushResponse = response
            ) -> repo.ApplyReport:
                with self._db.session() as conn:
                    return repo.ack(conn, entries, response.results, datetime.now(UTC))

            applied = await _off_loop(apply)
            rejected = {r.mutation_id for r in response.results if r.status == "rejected"}
            refused.extend(rejected)
            report.pushed += len(entries) - len(rejected)
            report.conflicts += applied.conflicts
            report.rejected.extend(applied.rejected)
            self.notify()

    async def _pull(
        self, client: SyncClient, account: Account, readable: list[str], report: SyncReport
    ) -> None:
        while True:

            def read() -> dict[str, int]:
                with self._db.read_session() as conn:
                    return repo.cursors(conn)

            stored = await _off_loop(read)
            cursors = {scope: stored.get(scope, 0) for scope in readable}
            page = await client.pull(cursors, limit=self.page_size)

            def apply(page: p.PullResponse = page) -> repo.ApplyReport:
                with self._db.session() as conn:
                    applied = repo.apply_page(conn, page, account.user_id, datetime.now(UTC))
                    for scope in page.resync_required:
                        log.warning("sync: %s must be downloaded again (resync_required)", scope)
                        repo.start_resync(conn, scope)
                    return applied

            applied = await _off_loop(apply)
            report.pulled += len(page.changes)
            report.conflicts += applied.conflicts
            if not page.more and not page.resync_required:
                return

    def _finish(self, report: SyncReport) -> None:
        with self._db.session() as conn:
            repo.finish_resync(conn)
            repo.set_state(conn, "last_sync_at", db_time(datetime.now(UTC)))
            repo.set_state(conn, "last_error", None)
            repo.set_state(conn, "last_error_action", None)
            if report.rejected:
                repo.set_state(
                    conn,
                    "last_error",
                    "The server refused some changes: "
                    + "; ".join(sorted(set(report.rejected))[:3]),
                )

    async def fetch_history(self, template_id: uuid.UUID, team_id: uuid.UUID) -> int:
        """Every revision the team's server keeps of a template (also those from before
        this computer joined), added to the local history. Returns how many it has."""
        account = await _off_loop(self.account)
        tokens = self.load_tokens()
        if account is None or tokens is None:
            raise SignInRequired("Sign in to see the team's history.", code="not_signed_in")
        async with await self.open_client(account.server_url, tokens) as client:
            revisions = await client.revisions(team_id, template_id)

        def store() -> None:
            from desktop.storage import templates as template_repo

            with self._db.session() as conn:
                for r in revisions:
                    template_repo.add_version(
                        conn,
                        template_id,
                        r.fields,
                        source="restore" if r.restored_from else "team",
                        now=r.created_at,
                        server_version=r.version,
                        deleted=r.deleted,
                    )

        await _off_loop(store)
        return len(revisions)

    # -- helpers for the account service -------------------------------------------------

    def write_account(self, account: Account, teams: list[repo.TeamRecord]) -> None:
        with self._db.session() as conn:
            previous = _account(repo.all_state(conn))
            if previous is not None and (
                previous.user_id != account.user_id or previous.server_url != account.server_url
            ):
                # Another account or server: its cursors mean nothing here.
                repo.clear_account(conn)
            for key, value in (
                ("server_url", account.server_url),
                ("email", account.email),
                ("user_id", str(account.user_id)),
                ("device_id", str(account.device_id)),
                ("device_name", account.device_name),
                ("display_name", account.display_name),
            ):
                repo.set_state(conn, key, value)
            repo.set_state(conn, "last_error", None)
            repo.set_state(conn, "last_error_action", None)
            repo.replace_teams(conn, teams)
        self.notify()

    def forget_account(self) -> None:
        """Signed out: keep the server address and email (to sign in again quickly), drop
        the ids, teams and cursors. Local data stays."""
        with self._db.session() as conn:
            state = repo.all_state(conn)
            repo.clear_account(conn)
            for key in ("server_url", "email", "device_name"):
                if key in state:
                    repo.set_state(conn, key, state[key])
        self.forget_tokens()
        self._online = None
        self.notify()

    def remembered(self) -> dict[str, str]:
        """Server address, email and device name from the last sign-in (for the form)."""
        with self._db.read_session() as conn:
            state = repo.all_state(conn)
        return {k: state[k] for k in ("server_url", "email", "device_name") if k in state}

    def set_state(self, key: str, value: str | None) -> None:
        with self._db.session() as conn:
            repo.set_state(conn, key, value)

    def get_state(self, key: str) -> str | None:
        with self._db.read_session() as conn:
            return repo.get_state(conn, key)


def _account(state: dict[str, Any]) -> Account | None:
    try:
        return Account(
            server_url=state["server_url"],
            email=state["email"],
            user_id=uuid.UUID(state["user_id"]),
            device_id=uuid.UUID(state["device_id"]),
            device_name=state.get("device_name", ""),
            display_name=state.get("display_name", ""),
        )
    except (KeyError, ValueError):
        return None
