"""Personal analytics (issue 10, offline): learning, content and policy figures from the
local database, for the Analytics section and the Home dashboard.

Aggregation happens in SQL (:mod:`desktop.storage.analytics`); the rules live in
:mod:`desktop.domain.analytics`. Course progress is *not* recomputed by a rule of its
own: the per-lesson roll-up from SQL is turned into the smallest event set that
:func:`desktop.domain.progress.summarize` judges exactly like the full history (one event
per viewed slide, per question with its best score and whether it was ever right, per
kind with the summed seconds and latest time), and ``summarize`` decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo

from desktop.domain.analytics import (
    DASHBOARD_WEEKS,
    MAX_FINDINGS,
    MAX_WEEKS,
    POLICY_STATES,
    AnalyticsFilter,
    ContentFigures,
    ContentWeekFigures,
    CountFigures,
    CourseFigures,
    Dashboard,
    DayFigures,
    FindingFigures,
    LearningFigures,
    LearningTotals,
    ModuleFigures,
    ObjectiveFigures,
    PolicyFigures,
    PolicyReviewDue,
    ResumeAt,
    ReviewStatus,
    StateCount,
    local_day,
    mean,
    median,
    next_steps,
    objective_is_weak,
    offset_spans,
    rate,
    review_date,
    review_status,
    streak,
    weakest_first,
    week_start,
    weeks_between,
)
from desktop.domain.course import Course
from desktop.domain.progress import CourseProgress, EventKind, summarize_tallies
from desktop.services.progress import tallies
from desktop.storage import analytics as store
from desktop.storage.database import Database

# One question's attempts in the range: (attempts, correct attempts, best score).
_Quiz = tuple[int, int, float | None]


class AnalyticsService:
    """Read-only figures over the local database. ``type_labels`` names content types
    for the charts (called only when content figures are made); without it the stored
    ids are shown."""

    def __init__(
        self, db: Database, type_labels: Callable[[], Mapping[str, str]] | None = None
    ) -> None:
        self._db = db
        self._type_labels = type_labels

    # -- learning ----------------------------------------------------------------------

    def learning(
        self,
        courses: Sequence[Course],
        filter: AnalyticsFilter | None = None,
        today: date | None = None,
    ) -> LearningFigures:
        """Progress per course and module, time per week and day, scores per objective
        (weakest first), the streak and what to do next. ``today`` (a local day; default:
        now in the filter's zone) anchors the streak and the weeks of an open range."""
        flt = filter if filter is not None else AnalyticsFilter()
        zone = flt.tz()
        today = today if today is not None else local_day(datetime.now(zone), zone)
        shown = [c for c in courses if flt.course_id in (None, c.id)]
        start, end = flt.start_utc(), flt.end_utc()
        with self._db.read_session() as conn:
            rollup = store.lesson_rollup(conn, end, flt.course_id)
            if start is None:  # attempts up to the end: the roll-up has them already
                quiz = [
                    (r.course_id, r.lesson_id, r.question_id, r.events, r.correct, r.best_score)
                    for r in rollup
                    if r.kind == EventKind.QUIZ_ATTEMPT and r.question_id
                ]
            else:
                quiz = store.quiz_attempts(conn, start, end, flt.course_id)
            if start is None:  # time up to the end: the roll-up has it already
                seconds: dict[tuple[str, str], float] = {}
                for r in rollup:
                    key = (r.course_id, r.lesson_id)
                    seconds[key] = seconds.get(key, 0.0) + r.seconds
            else:
                seconds = store.lesson_seconds(conn, start, end, flt.course_id)
            extent = store.activity_extent(conn, end, flt.course_id)
            day_totals = (
                store.activity_days(conn, _spans(zone, *extent), flt.course_id)
                if extent is not None
                else {}
            )
            last = store.last_slide_viewed(conn, None, flt.course_id)

        by_course: dict[str, list[store.LessonRollup]] = {}
        for row in rollup:
            by_course.setdefault(row.course_id, []).append(row)
        quiz_by_course: dict[str, dict[tuple[str, str], _Quiz]] = {}
        for course_id, lesson_id, question_id, tries, right, best in quiz:
            # A question answered on two slides (the lesson was rearranged) has two rows.
            per_question = quiz_by_course.setdefault(course_id, {})
            before = per_question.get((lesson_id, question_id))
            if before is not None:
                tries, right = tries + before[0], right + before[1]
                best = max((b for b in (best, before[2]) if b is not None), default=None)
            per_question[(lesson_id, question_id)] = (tries, right, best)

        progress: list[tuple[Course, CourseProgress]] = []
        figures: list[CourseFigures] = []
        objectives: list[ObjectiveFigures] = []
        attempts = correct = 0
        for course in shown:
            cp = summarize_tallies(course, tallies(by_course.get(course.id, ())))
            progress.append((course, cp))
            figures.append(_course_figures(course, cp, seconds))
            course_quiz = quiz_by_course.get(course.id, {})
            objectives.extend(_objective_figures(course, course_quiz))
            for tries, right, _ in course_quiz.values():
                attempts += tries
                correct += right

        last_day = flt.until if flt.until is not None else today
        first_day = flt.since
        active = sorted(d for d, (_, n) in day_totals.items() if n > 0)
        if first_day is None:
            in_range = [d for d in active if d <= last_day]
            earliest = last_day - timedelta(weeks=MAX_WEEKS - 1)
            first_day = max(in_range[0], earliest) if in_range else last_day
        days = tuple(
            DayFigures(d, s, n)
            for d, (s, n) in sorted(day_totals.items())
            if first_day <= d <= last_day
        )
        weeks = weeks_between(
            first_day, last_day, {d.day: d.seconds for d in days}, (d.day for d in days)
        )
        ordered_objectives = weakest_first(objectives)
        resume = ResumeAt(*last) if last is not None else None
        learning_streak = streak(active, min(today, last_day))
        totals = LearningTotals(
            seconds=sum(f.seconds for f in figures) if shown else 0.0,
            active_days=len(days),
            completed_lessons=sum(f.completed_lessons for f in figures),
            total_lessons=sum(f.total_lessons for f in figures),
            completed_courses=sum(1 for f in figures if f.completed),
            attempts=attempts,
            correct_rate=rate(correct, attempts),
        )
        return LearningFigures(
            filter=flt,
            courses=tuple(figures),
            weeks=weeks,
            days=days,
            objectives=ordered_objectives,
            streak=learning_streak,
            next_steps=next_steps(progress, resume, ordered_objectives),
            totals=totals,
        )

    # -- content -----------------------------------------------------------------------

    def content(self, filter: AnalyticsFilter | None = None) -> ContentFigures:
        """Generations per content type and provider, acceptance (favourited or exported),
        the quality findings hit most, latency, tokens, cost and cache hits."""
        flt = filter if filter is not None else AnalyticsFilter()
        zone = flt.tz()
        start, end = flt.start_utc(), flt.end_utc()
        with self._db.read_session() as conn:
            groups = store.generation_groups(conn, start, end)
            findings = store.finding_counts(conn, start, end, MAX_FINDINGS)
            extent = store.generation_extent(conn, start, end)
            per_day = store.generation_days(conn, _spans(zone, *extent)) if extent else {}
        labels = dict(self._type_labels()) if self._type_labels is not None and groups else {}
        total = sum(g.generations for g in groups)
        done = sum(g.done for g in groups)
        variants = sum(g.variants for g in groups)
        accepted = sum(g.accepted for g in groups)
        cost_count = sum(g.cost_count for g in groups)

        weeks: tuple[ContentWeekFigures, ...] = ()
        if per_day or flt.since is not None:
            first = flt.since if flt.since is not None else min(per_day)
            last = flt.until if flt.until is not None else max([*per_day, first])
            weeks = tuple(
                ContentWeekFigures(w.start, int(w.seconds))
                for w in weeks_between(first, last, {d: float(n) for d, n in per_day.items()})
            )
        return ContentFigures(
            filter=flt,
            generations=total,
            failed=sum(g.failed for g in groups),
            by_type=_counts(groups, lambda g: g.content_type, labels, total),
            by_provider=_counts(groups, lambda g: g.provider, {}, total),
            variants=variants,
            favourited=sum(g.favourited for g in groups),
            exported=sum(g.exported for g in groups),
            accepted=accepted,
            acceptance_rate=rate(accepted, variants),
            findings=tuple(FindingFigures(*f) for f in findings),
            average_latency_ms=mean(
                sum(g.latency_ms_total for g in groups), sum(g.latency_count for g in groups)
            ),
            average_prompt_tokens=mean(sum(g.prompt_tokens for g in groups), done),
            average_completion_tokens=mean(sum(g.completion_tokens for g in groups), done),
            average_cost_usd=mean(sum(g.cost_usd_total for g in groups), cost_count),
            total_cost_usd=sum(g.cost_usd_total for g in groups),
            cache_hits=sum(g.cached for g in groups),
            cache_hit_rate=rate(sum(g.cached for g in groups), done),
            weeks=weeks,
        )

    # -- policies ----------------------------------------------------------------------

    def policies(
        self, filter: AnalyticsFilter | None = None, today: date | None = None
    ) -> PolicyFigures:
        """Documents by state (their latest version's), time from draft to approval for
        versions approved in the range, and approved policies due for review (the rule:
        :func:`desktop.domain.analytics.review_status`)."""
        flt = filter if filter is not None else AnalyticsFilter()
        zone = flt.tz()
        today = today if today is not None else local_day(datetime.now(zone), zone)
        with self._db.read_session() as conn:
            documents = store.policy_documents(conn)
            durations = store.approval_durations(conn, flt.start_utc(), flt.end_utc())
        return _policy_figures(flt, today, documents, durations)

    # -- home --------------------------------------------------------------------------

    def dashboard(
        self, courses: Sequence[Course], today: date | None = None, zone: tzinfo | None = None
    ) -> Dashboard:
        """What Home shows: every course's progress, the last DASHBOARD_WEEKS weeks of
        time, the streak, the next steps (weak objectives judged on those weeks), and
        all-time content and policy headlines. One read session, a few grouped queries.
        ``zone``: whose days count (default: the machine's)."""
        flt = AnalyticsFilter(zone=zone if zone is not None else AnalyticsFilter().tz())
        zone = flt.tz()
        today = today if today is not None else local_day(datetime.now(zone), zone)
        since = week_start(today) - timedelta(weeks=DASHBOARD_WEEKS - 1)
        with self._db.read_session() as conn:  # one snapshot for all the figures below
            learning = self.learning(courses, flt, today)
            generations, variants, accepted = store.acceptance_totals(conn)
            policy = self.policies(flt, today)
        weeks = weeks_between(
            since,
            today,
            {d.day: d.seconds for d in learning.days},
            (d.day for d in learning.days),
        )
        return Dashboard(
            today=today,
            courses=learning.courses,
            weeks=weeks,
            streak=learning.streak,
            next_step=learning.next_steps[0] if learning.next_steps else None,
            next_steps=learning.next_steps,
            seconds_this_week=weeks[-1].seconds if weeks else 0.0,
            generations=generations,
            acceptance_rate=rate(accepted, variants),
            policies=policy.documents,
            policy_states=policy.by_state,
            reviews_due_soon=policy.due_soon,
            reviews_overdue=policy.overdue,
        )


# -- helpers -----------------------------------------------------------------------------


def _spans(zone: tzinfo, start: datetime, end: datetime) -> list[store.DaySpan]:
    return [(s.start, s.end, s.offset_minutes) for s in offset_spans(zone, start, end)]


def _course_figures(
    course: Course, cp: CourseProgress, seconds: Mapping[tuple[str, str], float]
) -> CourseFigures:
    seconds_by_lesson = {
        lesson: secs for (course_id, lesson), secs in seconds.items() if course_id == course.id
    }
    modules = []
    for module in course.modules:
        ids = [i for i in module.lesson_ids if i in cp.lessons]
        done = sum(1 for i in ids if cp.lessons[i].completed)
        modules.append(
            ModuleFigures(
                module.id,
                module.title,
                done,
                len(ids),
                done / len(ids) if ids else 0.0,
                sum(seconds_by_lesson.get(i, 0.0) for i in ids),
            )
        )
    return CourseFigures(
        course_id=course.id,
        title=course.title,
        completed_lessons=cp.completed_lessons,
        total_lessons=cp.total_lessons,
        progress=cp.completed_lessons / cp.total_lessons if cp.total_lessons else 0.0,
        completed=cp.completed,
        started=cp.started,
        seconds=sum(seconds_by_lesson.values()),
        score=rate(cp.best_score_total, cp.max_score_total),
        last_activity=cp.last_activity,
        modules=tuple(modules),
    )


def _objective_figures(
    course: Course, quiz: Mapping[tuple[str, str], _Quiz]
) -> list[ObjectiveFigures]:
    lessons_of: dict[str, list[str]] = {}
    for lesson_id in _lesson_order(course):
        for text in course.lessons[lesson_id].objectives:
            lessons_of.setdefault(text, [])
            if lesson_id not in lessons_of[text]:
                lessons_of[text].append(lesson_id)
    result = []
    for text, lesson_ids in lessons_of.items():
        questions = answered = tries = right = 0
        best = points = 0.0
        for lesson_id in lesson_ids:
            for question in course.lessons[lesson_id].questions:
                questions += 1
                hit = quiz.get((lesson_id, question.id))
                if hit is None or hit[0] == 0:
                    continue
                answered += 1
                tries += hit[0]
                right += hit[1]
                points += question.points
                best += min(hit[2] or 0.0, float(question.points))
        score = rate(best, points) if answered else None
        result.append(
            ObjectiveFigures(
                course_id=course.id,
                course_title=course.title,
                objective=text,
                lesson_ids=tuple(lesson_ids),
                questions=questions,
                answered_questions=answered,
                attempts=tries,
                correct_attempts=right,
                score=score,
                correct_rate=rate(right, tries),
                weak=objective_is_weak(score, answered, right),
            )
        )
    return result


def _lesson_order(course: Course) -> list[str]:
    ordered: dict[str, None] = {}
    for module in course.modules:
        for lesson_id in module.lesson_ids:
            if lesson_id in course.lessons:
                ordered.setdefault(lesson_id, None)
    return list(ordered) if ordered else list(course.lessons)


def _counts(
    groups: Sequence[store.GenerationGroup],
    key: Callable[[store.GenerationGroup], str],
    labels: Mapping[str, str],
    total: int,
) -> tuple[CountFigures, ...]:
    merged: dict[str, list[int]] = {}
    for g in groups:
        figures = merged.setdefault(key(g), [0, 0, 0])
        figures[0] += g.generations
        figures[1] += g.variants
        figures[2] += g.accepted
    return tuple(
        CountFigures(k, labels.get(k, k), n, n / total if total else 0.0, v, a, rate(a, v))
        for k, (n, v, a) in sorted(merged.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )


def _policy_figures(
    flt: AnalyticsFilter,
    today: date,
    documents: Sequence[store.PolicyDocumentState],
    durations: Sequence[float],
) -> PolicyFigures:
    counts = {state: 0 for state, _ in POLICY_STATES}
    reviews: list[PolicyReviewDue] = []
    undated = 0
    for doc in documents:
        if doc.latest_state in counts:
            counts[doc.latest_state] += 1
        if doc.approved_number is None:
            continue
        if not doc.approved_effective:
            undated += 1
            continue
        try:
            effective = date.fromisoformat(doc.approved_effective)
        except ValueError:  # not a date: cannot be scheduled, like an undated one
            undated += 1
            continue
        status = review_status(effective, today)
        if status is ReviewStatus.OK:
            continue
        due = review_date(effective)
        reviews.append(
            PolicyReviewDue(
                doc.document_id,
                doc.title,
                doc.policy_type,
                doc.approved_number,
                effective,
                due,
                (due - today).days,
                status,
            )
        )
    reviews.sort(key=lambda r: (r.days_left, r.title))
    return PolicyFigures(
        filter=flt,
        today=today,
        documents=len(documents),
        by_state=tuple(StateCount(s, label, counts[s]) for s, label in POLICY_STATES),
        approvals=len(durations),
        average_seconds_to_approval=mean(sum(durations), len(durations)),
        median_seconds_to_approval=median(durations),
        reviews=tuple(reviews),
        due_soon=sum(1 for r in reviews if r.status is ReviewStatus.DUE_SOON),
        overdue=sum(1 for r in reviews if r.status is ReviewStatus.OVERDUE),
        approved_without_date=undated,
    )
