"""Analytics: per-learner totals kept up to date by triggers, so a team's answer does not
re-read every event.

A team's analytics without a date range read every event its members ever pushed: for
200 members and 100,000 events that statement alone took 200-350 ms. These four tables
hold the same figures already summed, one row per learner and lesson, per learner,
course and week, and per learner and question; the endpoint reads them (tens of
thousands of rows instead of hundreds of thousands) whenever the request has no
``since``/``until``. With a date range it still reads the events, which the range
narrows: ``ix_progress_events_user_course_at`` finds one member's events of one course in
a time range.

* ``analytics_lessons``: (user, course, lesson): events, completions, quiz attempts, best
  score, seconds (negative ones as 0), first and last event time.
* ``analytics_weeks``: (user, course, week): events, completions, attempts, seconds; a
  week starts on Monday 00:00 UTC, the event's time is ``COALESCE(occurred_at,
  received_at)`` as everywhere in analytics.
* ``analytics_questions``: (user, course, lesson, question) from ``quiz_answers``:
  attempts, correct attempts, best score.
* ``analytics_quizzes``: (user, course, lesson) from ``analytics_questions``: questions
  answered, answered right at least once, correct attempts, the sum and count of the
  questions' best scores (a quiz score is their mean); recomputed for the lessons whose
  questions changed (one learner's pushes run one at a time, under their scope's lock).

Statement-level triggers keep them: an insert adds its rows' sums (an upsert, so
concurrent pushes add up, and ``ON CONFLICT DO NOTHING`` duplicates, absent from the
transition table, count once); an update or delete recomputes the touched keys from what
is left; a truncate empties them (with DELETE: a TRUNCATE ... CASCADE from ``users``
has already truncated them in the same statement, and a second TRUNCATE is refused).
Deleting an account deletes its rows (foreign key).
Existing events are summed when the migration runs.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_AT = "COALESCE(e.occurred_at, e.received_at)"
_WEEK = f"(date_trunc('week', {_AT} AT TIME ZONE 'UTC'))::date"

# The sums of the events in ``{source} e``, grouped by each table's key.
_LESSON_SUMS = f"""
    SELECT e.user_id, e.course_id, e.lesson_id,
           count(*) AS events,
           count(*) FILTER (WHERE e.type = 'completion') AS completions,
           count(*) FILTER (WHERE e.type = 'attempt') AS attempts,
           max(e.score) AS best,
           sum(GREATEST(e.seconds, 0)) AS seconds,
           min({_AT}) AS first_at,
           max({_AT}) AS last_at
    FROM {{source}} e {{where}}
    GROUP BY e.user_id, e.course_id, e.lesson_id
"""
_WEEK_SUMS = f"""
    SELECT e.user_id, e.course_id, {_WEEK} AS week,
           count(*) AS events,
           count(*) FILTER (WHERE e.type = 'completion') AS completions,
           count(*) FILTER (WHERE e.type = 'attempt') AS attempts,
           sum(GREATEST(e.seconds, 0)) AS seconds
    FROM {{source}} e {{where}}
    GROUP BY e.user_id, e.course_id, {_WEEK}
"""
_QUESTION_SUMS = """
    SELECT e.user_id, e.course_id, e.lesson_id, e.question_id,
           count(*) AS attempts,
           count(*) FILTER (WHERE e.correct) AS correct,
           max(e.score) AS best
    FROM {source} e {where}
    GROUP BY e.user_id, e.course_id, e.lesson_id, e.question_id
"""

_ADD_LESSONS = (
    "INSERT INTO analytics_lessons AS a"
    " (user_id, course_id, lesson_id, events, completions, attempts, best, seconds,"
    " first_at, last_at)"
    + _LESSON_SUMS.format(source="new_events", where="")
    + """ ON CONFLICT (user_id, course_id, lesson_id) DO UPDATE SET
        events = a.events + excluded.events,
        completions = a.completions + excluded.completions,
        attempts = a.attempts + excluded.attempts,
        best = GREATEST(a.best, excluded.best),
        seconds = a.seconds + excluded.seconds,
        first_at = LEAST(a.first_at, excluded.first_at),
        last_at = GREATEST(a.last_at, excluded.last_at)"""
)
_ADD_WEEKS = (
    "INSERT INTO analytics_weeks AS a"
    " (user_id, course_id, week, events, completions, attempts, seconds)"
    + _WEEK_SUMS.format(source="new_events", where="")
    + """ ON CONFLICT (user_id, course_id, week) DO UPDATE SET
        events = a.events + excluded.events,
        completions = a.completions + excluded.completions,
        attempts = a.attempts + excluded.attempts,
        seconds = a.seconds + excluded.seconds"""
)
_ADD_QUESTIONS = (
    "INSERT INTO analytics_questions AS a"
    " (user_id, course_id, lesson_id, question_id, attempts, correct, best)"
    + _QUESTION_SUMS.format(source="new_answers", where="")
    + """ ON CONFLICT (user_id, course_id, lesson_id, question_id) DO UPDATE SET
        attempts = a.attempts + excluded.attempts,
        correct = a.correct + excluded.correct,
        best = GREATEST(a.best, excluded.best)"""
)

# A learner's quiz in one lesson, summed from ``analytics_questions``: recomputed for the
# lessons whose questions changed (a handful of rows each); ``touched``: a FROM item with
# the changed rows' user_id, course_id, lesson_id.
_QUIZ_SUMS = """
    SELECT q.user_id, q.course_id, q.lesson_id,
           count(*) AS questions,
           count(*) FILTER (WHERE q.correct > 0) AS questions_correct,
           sum(q.correct) AS correct,
           sum(q.best) AS quiz_sum,
           count(q.best) AS quiz_n
    FROM analytics_questions q {where}
    GROUP BY q.user_id, q.course_id, q.lesson_id
"""
_QUIZ_COLUMNS = (
    "(user_id, course_id, lesson_id, questions, questions_correct, correct, quiz_sum, quiz_n)"
)


def _redo_quizzes(touched: str) -> str:
    keys = f"(SELECT DISTINCT user_id, course_id, lesson_id FROM {touched} x)"
    return f"""
    DELETE FROM analytics_quizzes a USING {keys} t
    WHERE (a.user_id, a.course_id, a.lesson_id) = (t.user_id, t.course_id, t.lesson_id);
    INSERT INTO analytics_quizzes {_QUIZ_COLUMNS}
    {
        _QUIZ_SUMS.format(
            where=f"WHERE (q.user_id, q.course_id, q.lesson_id) IN {keys}",
        )
    };
    """


# Recomputing the keys an update or delete touched (``TOUCHED``: the old and new rows).
_REDO_EVENTS = f"""
    DELETE FROM analytics_lessons a USING (SELECT DISTINCT user_id, course_id, lesson_id
        FROM TOUCHED x) t
    WHERE (a.user_id, a.course_id, a.lesson_id) = (t.user_id, t.course_id, t.lesson_id);
    INSERT INTO analytics_lessons
        (user_id, course_id, lesson_id, events, completions, attempts, best, seconds,
         first_at, last_at)
    {
    _LESSON_SUMS.format(
        source="progress_events",
        where="WHERE (e.user_id, e.course_id, e.lesson_id) IN "
        "(SELECT user_id, course_id, lesson_id FROM TOUCHED x)",
    )
};
    DELETE FROM analytics_weeks a USING (SELECT DISTINCT e.user_id, e.course_id,
        {_WEEK} AS week FROM TOUCHED e) t
    WHERE (a.user_id, a.course_id, a.week) = (t.user_id, t.course_id, t.week);
    INSERT INTO analytics_weeks (user_id, course_id, week, events, completions, attempts,
        seconds)
    {
    _WEEK_SUMS.format(
        source="progress_events",
        where=f"WHERE (e.user_id, e.course_id, {_WEEK}) IN "
        f"(SELECT e.user_id, e.course_id, {_WEEK} FROM TOUCHED e)",
    )
};
"""
_REDO_ANSWERS = f"""
    DELETE FROM analytics_questions a USING (SELECT DISTINCT user_id, course_id, lesson_id,
        question_id FROM TOUCHED x) t
    WHERE (a.user_id, a.course_id, a.lesson_id, a.question_id)
        = (t.user_id, t.course_id, t.lesson_id, t.question_id);
    INSERT INTO analytics_questions
        (user_id, course_id, lesson_id, question_id, attempts, correct, best)
    {
    _QUESTION_SUMS.format(
        source="quiz_answers",
        where="WHERE (e.user_id, e.course_id, e.lesson_id, e.question_id) IN "
        "(SELECT user_id, course_id, lesson_id, question_id FROM TOUCHED x)",
    )
};
""" + _redo_quizzes("TOUCHED")


def _function(name: str, body: str) -> str:
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {body}
        RETURN NULL;
    END $$
    """


_FUNCTIONS = {
    "analytics_events_inserted": f"{_ADD_LESSONS}; {_ADD_WEEKS};",
    "analytics_answers_inserted": f"{_ADD_QUESTIONS}; {_redo_quizzes('new_answers')}",
}
# (function, table, event, transition tables, touched rows, recompute)
_REDO = [
    (
        "analytics_events_deleted",
        "progress_events",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT * FROM old_rows",
        _REDO_EVENTS,
    ),
    (
        "analytics_events_updated",
        "progress_events",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows",
        _REDO_EVENTS,
    ),
    (
        "analytics_answers_deleted",
        "quiz_answers",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT * FROM old_rows",
        _REDO_ANSWERS,
    ),
    (
        "analytics_answers_updated",
        "quiz_answers",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows",
        _REDO_ANSWERS,
    ),
]


def _redo_body(rows: str, redo: str) -> str:
    """Every statement of ``redo`` reads the transition tables itself."""
    return redo.replace("TOUCHED", f"({rows})")


def upgrade() -> None:
    def user_fk(table: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        )

    op.create_table(
        "analytics_lessons",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("best", sa.Float(), nullable=True),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        user_fk("analytics_lessons"),
        sa.PrimaryKeyConstraint(
            "user_id", "course_id", "lesson_id", name=op.f("pk_analytics_lessons")
        ),
    )
    op.create_table(
        "analytics_weeks",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        user_fk("analytics_weeks"),
        sa.PrimaryKeyConstraint("user_id", "course_id", "week", name=op.f("pk_analytics_weeks")),
    )
    op.create_table(
        "analytics_questions",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("question_id", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("best", sa.Float(), nullable=True),
        user_fk("analytics_questions"),
        sa.PrimaryKeyConstraint(
            "user_id",
            "course_id",
            "lesson_id",
            "question_id",
            name=op.f("pk_analytics_questions"),
        ),
    )
    op.create_table(
        "analytics_quizzes",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("questions_correct", sa.Integer(), nullable=False),
        sa.Column("correct", sa.BigInteger(), nullable=False),
        sa.Column("quiz_sum", sa.Float(), nullable=True),
        sa.Column("quiz_n", sa.Integer(), nullable=False),
        user_fk("analytics_quizzes"),
        sa.PrimaryKeyConstraint(
            "user_id", "course_id", "lesson_id", name=op.f("pk_analytics_quizzes")
        ),
    )
    for name, body in _FUNCTIONS.items():
        op.execute(_function(name, body))
    op.execute(
        "CREATE TRIGGER analytics_events_inserted AFTER INSERT ON progress_events"
        " REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT"
        " EXECUTE FUNCTION analytics_events_inserted()"
    )
    op.execute(
        "CREATE TRIGGER analytics_answers_inserted AFTER INSERT ON quiz_answers"
        " REFERENCING NEW TABLE AS new_answers FOR EACH STATEMENT"
        " EXECUTE FUNCTION analytics_answers_inserted()"
    )
    for name, table, event, transition, rows, redo in _REDO:
        op.execute(_function(name, _redo_body(rows, redo)))
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    op.execute(
        _function(
            "analytics_events_truncated",
            "DELETE FROM analytics_lessons; DELETE FROM analytics_weeks;",
        )
    )
    op.execute(
        _function(
            "analytics_answers_truncated",
            "DELETE FROM analytics_questions; DELETE FROM analytics_quizzes;",
        )
    )
    for table, name in (
        ("progress_events", "analytics_events_truncated"),
        ("quiz_answers", "analytics_answers_truncated"),
    ):
        op.execute(
            f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    # With a date range the events are read: per member, one course, a time range.
    op.execute(
        "CREATE INDEX ix_progress_events_user_course_at ON progress_events"
        " (user_id, course_id, (COALESCE(occurred_at, received_at)))"
        " INCLUDE (lesson_id, type, score, seconds)"
    )
    # The events already stored.
    op.execute(
        "INSERT INTO analytics_lessons (user_id, course_id, lesson_id, events, completions,"
        " attempts, best, seconds, first_at, last_at)"
        + _LESSON_SUMS.format(source="progress_events", where="")
    )
    op.execute(
        "INSERT INTO analytics_weeks (user_id, course_id, week, events, completions,"
        " attempts, seconds)" + _WEEK_SUMS.format(source="progress_events", where="")
    )
    op.execute(
        "INSERT INTO analytics_questions (user_id, course_id, lesson_id, question_id,"
        " attempts, correct, best)" + _QUESTION_SUMS.format(source="quiz_answers", where="")
    )
    op.execute(f"INSERT INTO analytics_quizzes {_QUIZ_COLUMNS}" + _QUIZ_SUMS.format(where=""))


def downgrade() -> None:
    op.drop_index("ix_progress_events_user_course_at", table_name="progress_events")
    names = [
        ("progress_events", "analytics_events_inserted"),
        ("quiz_answers", "analytics_answers_inserted"),
        ("progress_events", "analytics_events_truncated"),
        ("quiz_answers", "analytics_answers_truncated"),
    ] + [(table, name) for name, table, *_ in _REDO]
    for table, name in names:
        op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("analytics_quizzes")
    op.drop_table("analytics_questions")
    op.drop_table("analytics_weeks")
    op.drop_table("analytics_lessons")
