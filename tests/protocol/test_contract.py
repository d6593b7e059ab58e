"""The wire contract stands alone: clients import it without the server."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from sync_server import protocol as p

PROTOCOL_DIR = Path(p.__file__).parent


def test_protocol_package_imports_only_pydantic_and_itself() -> None:
    for path in PROTOCOL_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in {"__future__", "pydantic", "uuid", "datetime", "typing"} or (
                    name.startswith("sync_server.protocol")
                ), f"{path.name} imports {name}"


def test_mutations_are_told_apart_by_kind() -> None:
    body = p.PushRequest.model_validate(
        {
            "device_id": str(uuid.uuid4()),
            "mutations": [
                {
                    "kind": "template_delete",
                    "mutation_id": str(uuid.uuid4()),
                    "scope": f"team:{uuid.uuid4()}",
                    "template_id": str(uuid.uuid4()),
                    "base_version": 3,
                }
            ],
        }
    )
    assert isinstance(body.mutations[0], p.TemplateDeleteMutation)


def test_a_scope_key_must_be_well_formed() -> None:
    with pytest.raises(ValidationError):
        p.PullRequest.model_validate({"cursors": {"everything": 0}})


def test_version_range_is_consistent() -> None:
    assert p.MIN_PROTOCOL <= p.PROTOCOL_VERSION <= p.MAX_PROTOCOL
    assert f"/v{p.PROTOCOL_VERSION}" == p.API_PREFIX


def test_a_body_with_a_nul_character_is_refused_before_it_reaches_the_database() -> None:
    import pydantic
    import pytest

    from sync_server.protocol import v1

    with pytest.raises(pydantic.ValidationError, match="NUL character"):
        v1.LoginRequest.model_validate(
            {"email": "a@example.com", "password": "pass\x00word", "device_name": "laptop"}
        )


def test_signup_needs_an_invitation_code_and_names_the_password_policy() -> None:
    body = {"email": "a@example.com", "password": "long enough", "device_name": "laptop"}
    with pytest.raises(ValidationError):
        p.SignupRequest.model_validate(body)
    signup = p.SignupRequest.model_validate({**body, "invite_code": "abc"})
    assert signup.invite_code == "abc"
    assert p.MIN_PASSWORD_LENGTH >= 8
