"""Realistic local data for the analytics benchmarks: a learner's year of progress
events, a marketer's generations and a handful of policies, written through the app's
own repositories (the same rows the app writes), in a few transactions.

``seed(db, courses, events=100_000, generations=10_000)`` is used by
``tests/bench/analytics_service_bench.py`` (the service) and
``tests/bench/dashboard_bench.py`` (the Home page).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from desktop.domain.course import Course, Lesson
from desktop.storage import content as content_store
from desktop.storage import policies as policy_store
from desktop.storage import progress_events as events_store
from desktop.storage.database import Database

CONTENT_TYPES = ("search-ad", "social-post", "email-subject", "landing-hero", "product-blurb")
PROVIDERS = ("ollama-llama3", "openai-gpt-4o-mini", "template")
FINDINGS = (
    ("error", "over_limit", "Headline 2 is 34 characters; the limit is 30."),
    ("warning", "banned_word", "“guaranteed” is on the brand kit's banned list."),
    ("warning", "duplicate", "Two headlines say the same thing."),
    ("info", "readability", "Grade 11 reading level; aim for 8 or lower."),
    ("warning", "missing_cta", "No call to action."),
    ("info", "no_keyword", "The keyword does not appear in any headline."),
)
POLICY_TYPES = ("refund", "shipping", "terms", "warranty", "privacy", "discount")


@dataclass(frozen=True)
class Seeded:
    events: int
    generations: int
    variants: int
    policies: int
    first_day: date
    last_day: date


def seed(
    db: Database,
    courses: Sequence[Course],
    events: int = 100_000,
    generations: int = 10_000,
    policies: int = 30,
    *,
    now: datetime | None = None,
    days: int = 365,
    seed: int = 11,
) -> Seeded:
    """Write ``events`` progress events spread over the last ``days`` days in study
    sessions (open a lesson, view its slides, answer its questions, time ticks every
    minute) over ``courses``, ``generations`` generations with 3 variants each (findings,
    some favourited or exported, some cached or failed) and ``policies`` documents with
    1-3 versions in every review state."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    start = now - timedelta(days=days)
    lessons = [
        (course, course.lessons[lid])
        for course in courses
        for module in course.modules
        for lid in module.lesson_ids
        if lid in course.lessons
    ]
    if not lessons:
        raise ValueError("seed needs at least one course with lessons")

    # The learner has reached about two thirds of the lessons: the rest is still ahead.
    reached = max(1, len(lessons) * 2 // 3)
    rows: list[events_store.EventRow] = []
    day_offsets = sorted(rng.sample(range(days), k=min(days, int(days * 0.7))))
    position = 0
    for n, offset in enumerate(day_offsets):
        # Spread what is left over the days left (give or take a quarter): exactly
        # ``events`` in all.
        per_day = max(1, (events - len(rows)) // (len(day_offsets) - n))
        at = start + timedelta(days=offset, hours=rng.randint(6, 20), minutes=rng.randint(0, 59))
        budget = per_day + rng.randint(-per_day // 4, per_day // 4)
        if n == len(day_offsets) - 1:
            budget = events - len(rows)
        while budget > 0:
            course, lesson = lessons[position % reached]
            if rng.random() < 0.8:
                position += 1  # mostly forward through the courses, sometimes a revisit
            batch = _session(rng, course, lesson, at)
            rows.extend(batch[:budget])
            budget -= len(batch)
            at += timedelta(minutes=len(batch))
    with db.session() as conn:
        written = events_store.append_events(conn, rows[:events], db.device_id)

    variants = 0
    with db.session() as conn:
        brief_id = uuid.uuid4()
        for n in range(generations):
            at = start + timedelta(seconds=rng.uniform(0, days * 86400))
            ct = CONTENT_TYPES[n % len(CONTENT_TYPES)]
            provider = rng.choice(PROVIDERS)
            if n % 10 == 0:
                brief_id = uuid.uuid4()
                content_store.save_brief(conn, brief_id, ct, {"product": f"Item {n}"}, at)
            failed = rng.random() < 0.04
            cached = not failed and rng.random() < 0.15
            gen_id = uuid.uuid4()
            content_store.add_generation(
                conn,
                content_store.GenerationRecord(
                    gen_id,
                    brief_id,
                    ct,
                    provider,
                    "model-1",
                    "json_schema",
                    {"temperature": 0.7, "variants": 3},
                    "Write three variants for the brief.",
                    "" if failed else '{"variants": []}',
                    "failed" if failed else "done",
                    "timeout" if failed else None,
                    None if failed else (5.0 if cached else rng.uniform(300, 4000)),
                    None,
                    0 if failed else rng.randint(300, 900),
                    0 if failed else rng.randint(100, 400),
                    None if provider == "template" or failed else rng.uniform(0.0001, 0.01),
                    None if failed else f"{n:064x}",
                    cached,
                    at,
                ),
            )
            if failed:
                continue
            exported = []
            for position in range(3):
                vid = uuid.uuid4()
                findings = [
                    {"severity": s, "code": c, "message": m, "explanation": "", "field": ""}
                    for s, c, m in rng.sample(FINDINGS, k=rng.choice((0, 0, 1, 1, 2, 3)))
                ]
                content_store.add_variant(
                    conn,
                    content_store.VariantRecord(
                        vid,
                        gen_id,
                        position,
                        {"fields": {"headline": [f"Headline {n}.{position}"]}},
                        findings,
                        rng.random() < 0.12,
                        rng.random() < 0.1,
                        at,
                    ),
                )
                if rng.random() < 0.08:
                    exported.append(vid)
                variants += 1
            content_store.mark_exported(conn, exported)

    with db.session() as conn:
        for n in range(policies):
            doc = uuid.uuid4()
            # Some approved long enough ago to be due for review (12 months after).
            created = now - timedelta(days=rng.uniform(30, 420))
            policy_store.insert_document(
                conn, doc, POLICY_TYPES[n % len(POLICY_TYPES)], f"Policy {n:02d}", ["eu"], created
            )
            for number in range(1, rng.randint(1, 3) + 1):
                vid = uuid.uuid4()
                made = created + timedelta(days=20 * (number - 1))
                effective = (made + timedelta(days=rng.randint(5, 40))).date().isoformat()
                policy_store.insert_version(
                    conn, vid, doc, number, {}, "# Policy\n", effective, "Ann", made
                )
                state = rng.choice(("draft", "in_review", "changes_requested", "approved"))
                if state == "approved":
                    approved = made + timedelta(days=rng.uniform(0.5, 15))
                    policy_store.update_version(
                        conn,
                        vid,
                        approved,
                        state="approved",
                        reviewer="Bob",
                        approved_at=approved,
                        frozen_hash="0" * 64,
                    )
                elif state != "draft":
                    policy_store.update_version(conn, vid, made, state=state)
    return Seeded(written, generations, variants, policies, start.date(), now.date())


def _session(
    rng: random.Random, course: Course, lesson: Lesson, at: datetime
) -> list[events_store.EventRow]:
    out = [_event("lesson_opened", course.id, lesson.id, at)]
    for i, slide in enumerate(lesson.slides):
        moment = at + timedelta(seconds=30 * (i + 1))
        out.append(_event("slide_viewed", course.id, lesson.id, moment, slide_id=slide.id))
        out.append(_event("time_spent", course.id, lesson.id, moment, seconds=30.0))
        for question in slide.questions:
            for _ in range(rng.choice((1, 1, 2, 3))):
                right = rng.random() < 0.65
                out.append(
                    _event(
                        "quiz_attempt",
                        course.id,
                        lesson.id,
                        moment,
                        slide_id=slide.id,
                        question_id=question.id,
                        correct=right,
                        score=float(question.points) if right else 0.0,
                    )
                )
    return out


def _event(
    kind: str,
    course_id: str,
    lesson_id: str,
    at: datetime,
    *,
    slide_id: str | None = None,
    question_id: str | None = None,
    correct: bool | None = None,
    score: float | None = None,
    seconds: float = 0.0,
) -> events_store.EventRow:
    return events_store.EventRow(
        uuid.uuid4(), kind, course_id, lesson_id, slide_id, question_id, correct, score, seconds, at
    )
