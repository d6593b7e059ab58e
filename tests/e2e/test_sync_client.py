"""The sync client's typed problems, each from a real situation: a real server speaking
another protocol version, a closed port, a web server that is not Playbook's."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from desktop.integrations import sync_client
from desktop.integrations.sync_client import (
    ServerRefused,
    ServerUnreachable,
    SyncClient,
    UpdateRequired,
    normalise_server_url,
)
from sync_server import protocol as p
from tests.e2e.conftest import Admin, Client, LiveServer, free_port, run


class _Html(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html><body>Welcome to our intranet</body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815 (the name http.server looks up)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def intranet() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_speaking_another_protocol_version_says_update_the_app(
    server: LiveServer, admin: Admin
) -> None:
    admin.user("gus@example.com")

    async def login_as_an_old_app() -> None:
        async with SyncClient(server.url) as client:
            client._http.headers[p.PROTOCOL_HEADER] = "0"
            await client.login("gus@example.com", "whatever", "laptop")

    with pytest.raises(UpdateRequired) as problem:
        run(login_as_an_old_app())
    assert problem.value.action == "update_app"
    assert "update the app" in problem.value.user_message


def test_a_closed_port_is_unreachable_with_the_address_and_what_to_check() -> None:
    url = f"http://127.0.0.1:{free_port()}"

    async def attempt() -> None:
        async with SyncClient(url) as client:
            await client.login("a@example.com", "x", "laptop")

    with pytest.raises(ServerUnreachable) as problem:
        run(attempt())
    assert url in problem.value.user_message
    assert problem.value.action == "check_server"


def test_a_web_server_that_is_not_playbook_is_named_as_such(intranet: str) -> None:
    async def attempt() -> None:
        async with SyncClient(intranet) as client:
            await client.login("a@example.com", "x", "laptop")

    with pytest.raises(ServerRefused) as problem:
        run(attempt())
    assert "not like a Playbook sync server" in problem.value.user_message


def test_addresses_are_normalised_and_nonsense_is_refused_with_an_example() -> None:
    assert normalise_server_url(" sync.example.com/ ") == "https://sync.example.com"
    assert normalise_server_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    for bad in ("", "ftp://files.example.com", "https://"):
        with pytest.raises(ServerRefused, match=r"https://sync\.example\.com|Enter the address"):
            normalise_server_url(bad)


def test_signing_up_with_an_invitation_code_joins_the_team(
    server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    owner_id = admin.user("owner@example.com")
    team = admin.team(owner_id)
    owner = make_client("owner")
    owner.sign_in(server, "owner@example.com")
    invitation = run(owner.account.invite(team, "viewer"))
    newcomer = make_client("newcomer")
    run(
        newcomer.account.sign_up(
            server.url, invitation.code, "new@example.com", "a long password", "laptop", "Newcomer"
        )
    )
    account = newcomer.account.account()
    assert account is not None
    assert account.display_name == "Newcomer"
    assert [(t.team_id, t.role) for t in newcomer.account.teams()] == [(team, "viewer")]
    # The code works once.
    again = make_client("again")
    with pytest.raises(ServerRefused, match="already used"):
        run(
            again.account.sign_up(
                server.url, invitation.code, "other@example.com", "a long password", "laptop"
            )
        )


def test_clients_share_one_tls_setup_built_off_the_event_loop(
    server: LiveServer, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the CA bundle takes 50-100 ms: done on the event loop at every sync, it
    froze the window (the sync benchmark's stall went from 13 to 50 ms)."""
    admin.user("tls@example.com")
    built_on: list[int] = []
    real = ssl.create_default_context

    def recording(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built_on.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", recording)
    sync_client.tls_context.cache_clear()

    async def two_clients() -> int:
        for _ in range(2):
            async with SyncClient(server.url) as client:
                with pytest.raises(ServerRefused):  # a wrong password: a real round trip
                    await client.login("tls@example.com", "wrong password", "laptop")
        return threading.get_ident()

    loop_thread = run(two_clients())
    assert len(built_on) == 1
    assert built_on[0] != loop_thread
    sync_client.tls_context.cache_clear()
