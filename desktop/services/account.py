"""The account and its teams: sign in, create an account with an invitation, sign out;
members, roles and invitations (owners act from the app).

Tokens go to the OS keyring before anything else is written; without a keyring, signing
in stops with :class:`KeyringUnavailable` (a plain sentence) and the app stays offline.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from desktop.integrations.secrets import KeyringUnavailable
from desktop.integrations.sync_types import ServerRefused, SignInRequired, SyncProblem
from desktop.services.sync import Account, SyncService
from desktop.storage.sync import TeamRecord

if TYPE_CHECKING:  # httpx and pydantic load with the first network call
    from desktop.integrations.sync_client import SyncClient
    from sync_server import protocol as p


def normalise_server_url(url: str) -> str:
    """The server address as stored (raises ServerRefused saying what to type)."""
    from desktop.integrations.sync_client import normalise_server_url as normalise

    return normalise(url)


log = logging.getLogger(__name__)

ROLE_LABELS = {"owner": "Owner", "editor": "Editor", "viewer": "Viewer"}
ROLE_HELP = {
    "owner": "manages members and invitations, edits team templates",
    "editor": "edits team templates",
    "viewer": "reads and copies team templates",
}


class AccountService:
    def __init__(self, sync: SyncService, server_lock: tuple[str, str] | None = None) -> None:
        """``server_lock``: (URL, IT's reason) when a managed-settings file locks the server
        address; URL "" means IT turned sync off."""
        self._sync = sync
        self.server_lock = server_lock

    # -- who ------------------------------------------------------------------------------

    def account(self) -> Account | None:
        return self._sync.account()

    def remembered(self) -> dict[str, str]:
        return self._sync.remembered()

    def session_problem(self) -> str:
        """Why this computer must sign in again ("" when its session is fine): the
        device was revoked, the session ended, or the keyring lost the sign-in."""
        if self._sync.account() is None:
            return ""
        if self._sync.get_state("last_error_action") == "sign_in":
            return self._sync.get_state("last_error") or "Sign in again to keep syncing."
        if not self._sync.secrets.problem and self._sync.load_tokens() is None:
            return "This computer has no saved sign-in any more. Sign in again to keep syncing."
        return ""

    @property
    def keyring_problem(self) -> str:
        return self._sync.secrets.problem

    def teams(self) -> list[TeamRecord]:
        return self._sync.teams()

    def active_team(self) -> TeamRecord | None:
        """The team chosen in the Team view (default: the first one)."""
        teams = self.teams()
        chosen = self._sync.get_state("active_team")
        for team in teams:
            if str(team.team_id) == chosen:
                return team
        return teams[0] if teams else None

    def set_active_team(self, team_id: uuid.UUID) -> None:
        self._sync.set_state("active_team", str(team_id))

    # -- signing in and out -----------------------------------------------------------------

    def _check_allowed(self, url: str) -> None:
        if self.server_lock is None:
            return
        locked, reason = self.server_lock
        if not locked:
            raise ServerRefused(
                f"Sync is turned off on this computer by your organisation. {reason}".strip(),
                code="locked",
            )
        if normalise_server_url(locked) != url:
            message = f"Your organisation set the sync server to {locked}; sign in there. {reason}"
            raise ServerRefused(message.strip(), code="locked")

    def _check_keyring(self) -> None:
        problem = self._sync.secrets.problem
        if problem:
            raise KeyringUnavailable(problem)

    async def sign_in(
        self, server_url: str, email: str, password: str, device_name: str
    ) -> Account:
        """Sign this computer in. Raises SyncProblem / KeyringUnavailable with the reason."""
        self._check_keyring()
        url = normalise_server_url(server_url)
        self._check_allowed(url)
        if not email.strip() or not password:
            raise ServerRefused("Enter your email and password.", code="missing")
        previous = self._sync.account()
        device_id = (
            previous.device_id
            if previous is not None
            and previous.server_url == url
            and previous.email == email.strip().lower()
            else None
        )
        async with await self._sync.open_client(url) as client:
            pair = await client.login(email, password, device_name.strip() or "Laptop", device_id)
            me = await client.me()
        return self._adopt(url, pair, me, device_name)

    async def sign_up(
        self,
        server_url: str,
        invite_code: str,
        email: str,
        password: str,
        device_name: str,
        display_name: str = "",
    ) -> Account:
        """Create an account with a team invitation code and sign this computer in."""
        self._check_keyring()
        from sync_server.protocol import MIN_PASSWORD_LENGTH

        url = normalise_server_url(server_url)
        self._check_allowed(url)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ServerRefused(
                f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.",
                code="password_too_short",
            )
        if not invite_code.strip():
            raise ServerRefused(
                "Enter the invitation code a team owner gave you.", code="missing_code"
            )
        async with await self._sync.open_client(url) as client:
            pair = await client.signup(
                invite_code, email, password, device_name.strip() or "Laptop", display_name
            )
            me = await client.me()
        return self._adopt(url, pair, me, device_name)

    def _adopt(self, url: str, pair: p.TokenPair, me: p.MeOut, device_name: str) -> Account:
        account = Account(
            server_url=url,
            email=me.email,
            user_id=pair.user_id,
            device_id=pair.device_id,
            device_name=device_name.strip() or "Laptop",
            display_name=me.display_name,
        )
        teams = [TeamRecord(t.id, t.name, t.role) for t in me.teams]
        self._sync.write_account(account, teams)
        return account

    async def sign_out(self) -> None:
        """End this computer's session (on the server too, when it can be reached) and
        forget the tokens. Everything on this computer stays."""
        account = self._sync.account()
        tokens = self._sync.load_tokens()
        if account is not None and tokens is not None:
            try:
                async with await self._sync.open_client(account.server_url, tokens) as client:
                    await client.logout()
            except SyncProblem as exc:  # offline or already signed out: forget it here
                log.info("sign-out: the server was not told (%s)", exc.code)
        self._sync.forget_account()

    # -- teams ------------------------------------------------------------------------------

    async def _client(self) -> SyncClient:
        account = self._sync.account()
        tokens = self._sync.load_tokens()
        if account is None or tokens is None:
            raise SignInRequired("Sign in first: Settings → Account.", code="not_signed_in")
        return await self._sync.open_client(account.server_url, tokens)

    async def refresh_teams(self) -> list[TeamRecord]:
        async with await self._client() as client:
            me = await client.me()
        account = self._sync.account()
        teams = [TeamRecord(t.id, t.name, t.role) for t in me.teams]
        if account is not None:
            self._sync.write_account(account, teams)
        return teams

    async def members(self, team_id: uuid.UUID) -> list[p.MemberOut]:
        async with await self._client() as client:
            return await client.members(team_id)

    async def set_role(self, team_id: uuid.UUID, user_id: uuid.UUID, role: str) -> p.MemberOut:
        async with await self._client() as client:
            return await client.set_role(team_id, user_id, role)

    async def remove_member(self, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
        async with await self._client() as client:
            await client.remove_member(team_id, user_id)

    async def invite(self, team_id: uuid.UUID, role: str, hours: int = 72) -> p.InvitationOut:
        async with await self._client() as client:
            return await client.invite(team_id, role, hours)

    async def accept_invitation(self, code: str) -> p.TeamOut:
        async with await self._client() as client:
            team = await client.accept_invitation(code)
        await self.refresh_teams()
        return team

    async def create_team(self, name: str) -> p.TeamOut:
        if not name.strip():
            raise ServerRefused("Give the team a name.", code="missing")
        async with await self._client() as client:
            team = await client.create_team(name.strip())
        await self.refresh_teams()
        return team
