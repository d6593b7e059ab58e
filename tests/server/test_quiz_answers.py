"""A push stores each quiz attempt that names its question as a typed row for analytics,
and odd ``detail`` values never break a push."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.server.conftest import new_user, sign_in

pytestmark = pytest.mark.anyio


def _event(scope: str, detail: dict[str, Any], type_: str = "attempt") -> dict[str, Any]:
    return {
        "kind": "progress_event",
        "mutation_id": str(uuid.uuid4()),
        "scope": scope,
        "event_id": str(uuid.uuid4()),
        "course_id": "email-subject-lines",
        "lesson_id": "first-impressions",
        "type": type_,
        "score": 1.0,
        "seconds": 12.0,
        "occurred_at": "2026-11-02T10:00:00+00:00",
        "detail": detail,
    }


async def test_a_push_writes_quiz_answers_with_their_events(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "learner@example.com")
    device = await sign_in(client, "learner@example.com")
    events = {
        "plain": _event(device.scope, {"question_id": "q2", "correct": False}),
        "odd": _event(device.scope, {"question_id": 7, "correct": "yes"}),
        "long": _event(device.scope, {"question_id": "x" * 500}),
        "none": _event(device.scope, {"slide_id": "s1"}),
        "session": _event(device.scope, {"question_id": "q9"}, type_="session"),
    }
    results = await device.push(*events.values())
    assert {r["status"] for r in results} == {"applied"}
    again = await device.push(events["plain"])  # a retry stores nothing twice
    assert again[0]["status"] == "applied"

    async with app.state.sessions() as session:
        rows = await session.execute(
            text("SELECT event_id, question_id, correct FROM quiz_answers")
        )
        answers = {str(r.event_id): (r.question_id, r.correct) for r in rows}
    assert answers == {
        events["plain"]["event_id"]: ("q2", False),
        events["odd"]["event_id"]: ("7", None),  # not a boolean: unknown, never an error
        events["long"]["event_id"]: ("x" * 200, None),
    }
