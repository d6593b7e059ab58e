"""The ``playbook-sync`` command: migrate, serve, prune, and account/team administration."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server.db import make_engine, make_sessionmaker
from sync_server.errors import ApiError
from sync_server.settings import Settings


class CommandError(Exception):
    """A problem the operator can fix; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook-sync",
        description="Playbook sync server. Settings come from PLAYBOOK_SYNC_* variables "
        "(PLAYBOOK_SYNC_DATABASE_URL, PLAYBOOK_SYNC_SECRET_KEY, ...).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database schema (run first)")
    serve = sub.add_parser("serve", help="run the HTTP server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("prune", help="apply the change-log retention (run daily)")

    user = sub.add_parser("user", help="accounts").add_subparsers(dest="action", required=True)
    create = user.add_parser("create", help="create an account")
    create.add_argument("email")
    create.add_argument("--name", default="")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )

    team = sub.add_parser("team", help="teams").add_subparsers(dest="action", required=True)
    tcreate = team.add_parser("create", help="create a team owned by an existing account")
    tcreate.add_argument("name")
    tcreate.add_argument("--owner", required=True, help="email of the owner")
    add = team.add_parser("add-member", help="add a member or change their role")
    add.add_argument("team_id")
    add.add_argument("email")
    add.add_argument("--role", choices=["owner", "editor", "viewer"], required=True)
    remove = team.add_parser("remove-member", help="remove a member")
    remove.add_argument("team_id")
    remove.add_argument("email")
    return parser


async def _in_transaction(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[str]]
) -> str:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            out = await work(session)
            await session.commit()
            return out
    finally:
        await engine.dispose()


async def _user_id(session: AsyncSession, email: str) -> object:
    from sync_server.models import User

    found = await session.execute(select(User.id).where(User.email == email.strip().lower()))
    user_id = found.scalar_one_or_none()
    if user_id is None:
        raise CommandError(f"No account for {email}; create it with: playbook-sync user create")
    return user_id


def _team_uuid(raw: str) -> object:
    import uuid

    try:
        return uuid.UUID(raw)
    except ValueError:
        raise CommandError(f"{raw!r} is not a team id (a UUID printed by 'team create').") from None


def _run(args: argparse.Namespace, settings: Settings) -> str:
    from sync_server import accounts, retention, teams

    if args.command == "migrate":
        from sync_server.migrate import upgrade

        upgrade(settings.async_database_url)
        return "database schema is current"
    if args.command == "prune":

        async def prune(session: AsyncSession) -> str:
            moved = await retention.prune(session, settings.retention_days, datetime.now(UTC))
            return f"pruned; {moved} scope horizon(s) moved"

        return asyncio.run(_in_transaction(settings, prune))
    if args.command == "user":
        password = (
            sys.stdin.readline().rstrip("\n")
            if args.password_stdin
            else getpass.getpass("Password: ")
        )
        if len(password) < 8:
            raise CommandError("The password needs at least 8 characters.")

        async def create_user(session: AsyncSession) -> str:
            user = await accounts.create_user(session, args.email, password, args.name)
            return str(user.id)

        return asyncio.run(_in_transaction(settings, create_user))
    if args.action == "create":

        async def create_team(session: AsyncSession) -> str:
            owner = await _user_id(session, args.owner)
            team = await teams.create_team(session, args.name, owner)  # type: ignore[arg-type]
            return str(team.id)

        return asyncio.run(_in_transaction(settings, create_team))
    team_id = _team_uuid(args.team_id)

    async def change(session: AsyncSession) -> str:
        from sync_server.models import Team

        if await session.get(Team, team_id) is None:
            raise CommandError(f"No team {args.team_id}.")
        user_id = await _user_id(session, args.email)
        if args.action == "add-member":
            await teams.set_member(session, team_id, user_id, args.role)  # type: ignore[arg-type]
            return f"{args.email} is now {args.role}"
        await teams.remove_member(session, team_id, user_id)  # type: ignore[arg-type]
        return f"{args.email} removed"

    return asyncio.run(_in_transaction(settings, change))


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from sync_server.logs import configure_logging

    if settings.secret_key is None:
        raise CommandError(
            "Set PLAYBOOK_SYNC_SECRET_KEY (the same random value for every worker), "
            "for example: export PLAYBOOK_SYNC_SECRET_KEY=$(openssl rand -hex 32)"
        )
    configure_logging(settings.log_level)
    from sync_server.nodelay import NoDelayH11Protocol

    uvicorn.run(
        "sync_server.asgi:app",
        http=NoDelayH11Protocol,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        access_log=False,
        timeout_keep_alive=settings.keep_alive_seconds,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    try:
        if args.command == "serve":
            _serve(args, settings)
            return 0
        print(_run(args, settings))
        return 0
    except CommandError as exc:
        print(f"playbook-sync: {exc}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"playbook-sync: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"playbook-sync: cannot reach the database ({exc}); check PLAYBOOK_SYNC_DATABASE_URL.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
