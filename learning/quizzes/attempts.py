"""The attempt lifecycle: starting (or resuming), saving answers, handing in, and closing attempts
whose time is up. Who may start is in eligibility.py; the page left too often (切屏) in
focus_loss.py."""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hot_sql import db_datetime, db_json, hot_cursor, insert_row, postgresql
from learning.quizzes import grading
from learning.quizzes.drawing import quiz_draw
from learning.quizzes.eligibility import makeup_check_open, quiz_check_may_start
from learning.quizzes.exceptions import AttemptClosed, InvalidAnswer, NotAllowed, QuizNotAvailable
from learning.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    AttemptStep,
    Quiz,
)
from learning.quizzes.scoring import (
    GRADE_FIELDS,
    attempt_grade_save,
    attempt_transition,
    locked_attempt,
    snapshot_question,
)
from learning.quizzes.selectors import quiz_for_start
from learning.quizzes.signals import attempt_started

logger = logging.getLogger(__name__)

# What handing in changes on an attempt.
SUBMIT_FIELDS = [*GRADE_FIELDS, "submitted_at", "closed_by_deadline", "closed_by_focus_loss"]

# ---------------------------------------------------------------------------------------------
# Starting, answering, submitting.


def _start_read(quiz: Quiz, user) -> Quiz:
    """The quiz with what a start reads (selectors.quiz_for_start), read now unless it was read
    for this user; NotAllowed if it is gone."""
    if getattr(quiz, "start_user", None) == user.pk:
        return quiz
    read = quiz_for_start(quiz_id=quiz.pk, user=user)
    if read is None:
        raise NotAllowed()
    return read


def _deadline(*, quiz: Quiz, started_at: datetime) -> datetime | None:
    candidates = []
    if quiz.time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=quiz.time_limit_minutes))
    if quiz.closes_at:
        candidates.append(quiz.closes_at)
    return min(candidates) if candidates else None


def attempt_overdue(attempt: Attempt, now: datetime) -> bool:
    """Still in progress past its deadline: to be closed with the answers saved by then."""
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and now >= attempt.deadline
    )


def _previous_attempts(quiz: Quiz) -> list[Attempt]:
    """The user's attempts of the quiz as read with it (id, state, number, deadline), by number."""
    return sorted(
        (
            Attempt(
                id=item["id"],
                quiz_id=quiz.pk,
                state=item["state"],
                number=item["number"],
                deadline=db_datetime(item["deadline"]),
            )
            for item in quiz.start_previous or []
        ),
        key=lambda attempt: attempt.number,
    )


def attempt_start(*, quiz: Quiz, user, now: datetime | None = None) -> tuple[Attempt, bool]:
    """The user's attempt in progress, or a new one: (attempt, created). Overdue ones are closed first.

    Reads the quiz with the user's enrolment, their attempts so far and the draw plan in one
    statement (selectors.quiz_for_start; none when the caller read the quiz with it), then, for a
    new attempt, the chosen questions, and writes the attempt with its snapshot as one row.
    """
    now = now or timezone.now()
    if not user or not user.is_authenticated:
        raise NotAllowed()
    quiz = _start_read(quiz, user)
    quiz_check_may_start(quiz=quiz, user=user)
    previous = _previous_attempts(quiz)
    for attempt in previous:
        if attempt.state != AttemptState.IN_PROGRESS:
            continue
        if not attempt_overdue(attempt, now):
            return Attempt.objects.get(pk=attempt.pk), False
        attempt_submit(attempt_id=attempt.pk, now=now)
    if not quiz.is_open(now):
        raise QuizNotAvailable(_("本测验不在开放时间内。"))
    if quiz.makeup_of_id:
        makeup_check_open(quiz=quiz, user=user, now=now)
    if quiz.attempts_allowed and len(previous) >= quiz.attempts_allowed:
        raise QuizNotAvailable(_("作答次数已用完。"))
    questions = quiz_draw(quiz=quiz)
    if not questions:
        raise QuizNotAvailable(_("本测验还没有试题。"))
    attempt = Attempt(
        quiz=quiz,
        user=user,
        number=max((a.number for a in previous), default=0) + 1,
        started_at=now,
        deadline=_deadline(quiz=quiz, started_at=now),
        questions=questions,
        max_score=sum((Decimal(q["score"]) for q in questions), Decimal("0")),
        multiple_partial_credit=quiz.multiple_partial_credit,
    )
    try:
        with transaction.atomic():
            _attempt_insert(attempt)
            # tasks.py reacts: it schedules the closing after the deadline, in this transaction.
            attempt_started.send(sender=Attempt, attempt=attempt)
    except IntegrityError:
        # Another tab started the same attempt a moment ago: resume that one.
        existing = Attempt.objects.filter(
            quiz=quiz, user=user, state=AttemptState.IN_PROGRESS
        ).first()
        if existing is None:
            raise
        return existing, False
    return attempt, True


def _attempt_insert(attempt: Attempt) -> None:
    """Write a new attempt as one INSERT built once (hot_sql.insert_row), not the ORM's save():
    building that INSERT with its 40-question snapshot was a twentieth of a start's CPU. Attempt
    has no save() of its own, no post_save receiver and is out of Wagtail's reference index
    (tests/learning/quizzes/test_quiz_attempts.py checks all three)."""
    meta = Attempt._meta
    attempt.pk = insert_row(
        Attempt,
        **{
            f.attname: getattr(attempt, f.attname) for f in meta.concrete_fields if f is not meta.pk
        },
    )
    attempt._state.adding = False
    attempt._state.db = "default"


@dataclass
class SavedAnswer:
    question_id: int
    answer: object
    saved_at: datetime
    remaining_seconds: float | None


def attempt_answer_save(
    *, attempt_id: int, user, question_id: int, answer, now: datetime | None = None
) -> SavedAnswer:
    """Save one answer under a row lock; AttemptClosed once submitted or past the deadline.

    Saving is idempotent (an upsert of the same value at the same time), so a save cut off by a
    dropped database connection is tried once more on a fresh one: the trainee sees no error for
    a connection that a database restart or failover broke under the request.
    """
    now = now or timezone.now()
    try:
        closed_now, deadline, value = _answer_store(attempt_id, user, question_id, answer, now)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            # The caller's transaction went with the connection; only the caller can start over.
            raise
        logger.warning(
            "attempt %s: answer save lost its database connection; retrying once", attempt_id
        )
        connection.close()
        closed_now, deadline, value = _answer_store(attempt_id, user, question_id, answer, now)
    if closed_now:
        # Closed outside the failed save so the answers saved before the deadline are kept.
        attempt_submit(attempt_id=attempt_id, now=now)
        raise AttemptClosed(_("考试时间已到，已按截止前保存的答案自动交卷。"))
    remaining = (deadline - now).total_seconds() if deadline else None
    return SavedAnswer(
        question_id=question_id, answer=value, saved_at=now, remaining_seconds=remaining
    )


def _answer_store(attempt_id: int, user, question_id: int, answer, now: datetime):
    """Store one answer: (closed_now, deadline, saved value).

    The common case — the attempt is open, the question is in it, the answer is valid — is one
    unlocked read and one guarded write (_answer_save_guarded); everything else takes the locking
    transaction (_answer_upsert), which knows every error.
    """
    saved = _answer_save_guarded(attempt_id, user, question_id, answer, now)
    if saved is not None:
        return saved
    return _answer_upsert(attempt_id, user, question_id, answer, now)


def _answer_save_guarded(attempt_id: int, user, question_id: int, answer, now: datetime):
    """Save an answer with one unlocked read and a guarded write, or None to take the locking path.

    First an unlocked read of the attempt's state and deadline and of this one question of its
    snapshot (not the whole 40-question snapshot), so the answer is checked against the question
    before any lock is taken. If the attempt is open and the answer valid, the guarded write: the
    answer's upsert and the step's insert run only if the attempt is still the user's, in progress
    and before its deadline, checked again at the write, so the write is all or nothing and a save
    never lands in an attempt handed in meanwhile (handing in locks the same row).

    PostgreSQL: one statement, a WITH whose guard locks the attempt row (FOR UPDATE) and feeds the
    upsert and the insert; outside a transaction it is its own (no BEGIN, no COMMIT); both
    statements prepared once per connection. SQLite has no data-modifying WITH: the upsert selects
    from the guarded attempt row and the step follows, in one short BEGIN IMMEDIATE transaction
    (the database's single writer lock is held for two small INSERTs, not for reading and parsing
    the snapshot). Either way the commit is durable: an acknowledged "已保存" survives a crash of
    the server (docs/exams.md).
    """
    q = connection.ops.quote_name
    attempts_table = q(Attempt._meta.db_table)
    params = {
        "attempt": attempt_id,
        "user": user.pk,
        "question": question_id,
        "state": AttemptState.IN_PROGRESS.value,
        "now": connection.ops.adapt_datetimefield_value(now),
    }
    if postgresql():
        question_sql = (
            "jsonb_path_query_first(questions, '$[*] ? (@.id == $qid)',"
            " jsonb_build_object('qid', %(question)s::bigint))"
        )
    else:
        question_sql = (
            "(SELECT value FROM json_each(questions)"
            " WHERE json_extract(value, '$.id') = %(question)s)"
        )
    with hot_cursor() as cursor:
        cursor.execute(
            f"SELECT state, deadline, {question_sql} FROM {attempts_table}"
            " WHERE id = %(attempt)s AND user_id = %(user)s",
            params,
        )
        row = cursor.fetchone()
    if row is None or row[0] != AttemptState.IN_PROGRESS or row[2] is None:
        return None
    deadline = db_datetime(row[1])
    if deadline is not None and now >= deadline:
        return None
    try:
        value = grading.normalise_response(db_json(row[2]), answer)
    except grading.AnswerError as exc:
        raise InvalidAnswer(str(exc)) from exc
    # As JSONField saves it: None is SQL NULL (the answer cleared), anything else JSON.
    params["answer"] = None if value is None else json.dumps(value)
    answers_table = q(AttemptAnswer._meta.db_table)
    steps_table = q(AttemptStep._meta.db_table)
    guard = (
        f"SELECT id FROM {attempts_table}"
        " WHERE id = %(attempt)s AND user_id = %(user)s AND state = %(state)s"
        " AND (deadline IS NULL OR deadline > %(now)s)"
    )
    if postgresql():
        with hot_cursor() as cursor:
            cursor.execute(
                f"WITH guard AS ({guard} FOR UPDATE),"
                f" saved AS (INSERT INTO {answers_table}"
                " (attempt_id, question_id, answer, saved_at, comment)"
                " SELECT id, %(question)s, %(answer)s::jsonb, %(now)s, '' FROM guard"
                " ON CONFLICT (attempt_id, question_id)"
                " DO UPDATE SET answer = EXCLUDED.answer, saved_at = EXCLUDED.saved_at)"
                f" INSERT INTO {steps_table} (attempt_id, question_id, answer, created_at)"
                " SELECT id, %(question)s, %(answer)s::jsonb, %(now)s FROM guard",
                params,
            )
            if cursor.rowcount != 1:
                # Handed in, timed out or gone since the read: the locking path says which.
                return None
        return False, deadline, value
    with transaction.atomic(), hot_cursor() as cursor:
        # The WHERE also tells SQLite's parser that ON CONFLICT is the upsert's, not a join's.
        cursor.execute(
            f"INSERT INTO {answers_table} (attempt_id, question_id, answer, saved_at, comment)"
            f" SELECT id, %(question)s, %(answer)s, %(now)s, '' FROM ({guard}) AS guard"
            " WHERE true ON CONFLICT (attempt_id, question_id)"
            " DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at",
            params,
        )
        if cursor.rowcount != 1:
            return None
        # Under the write lock taken by the upsert: nothing can hand the attempt in before this.
        cursor.execute(
            f"INSERT INTO {steps_table} (attempt_id, question_id, answer, created_at)"
            " VALUES (%(attempt)s, %(question)s, %(answer)s, %(now)s)",
            params,
        )
    return False, deadline, value


def _answer_upsert(attempt_id: int, user, question_id: int, answer, now: datetime):
    """One transaction of attempt_answer_save: (closed_now, deadline, saved value)."""
    closed_now, value = False, None
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .only("id", "user_id", "state", "deadline", "questions")
            .get(pk=attempt_id, user=user)
        )
        if attempt.state != AttemptState.IN_PROGRESS:
            raise AttemptClosed()
        if attempt_overdue(attempt, now):
            closed_now = True
        else:
            question = snapshot_question(attempt, question_id)
            try:
                value = grading.normalise_response(question, answer)
            except grading.AnswerError as exc:
                raise InvalidAnswer(str(exc)) from exc
            AttemptAnswer.objects.bulk_create(
                [
                    AttemptAnswer(
                        attempt_id=attempt.pk, question_id=question_id, answer=value, saved_at=now
                    )
                ],
                update_conflicts=True,
                unique_fields=["attempt", "question_id"],
                update_fields=["answer", "saved_at"],
            )
            AttemptStep.objects.create(
                attempt_id=attempt.pk, question_id=question_id, answer=value, created_at=now
            )
    return closed_now, attempt.deadline, value


def attempt_submit(
    *, attempt_id: int, user=None, now: datetime | None = None, focus_loss: bool = False
) -> Attempt:
    """Hand in an attempt and grade it; submitting again returns the same result.

    `focus_loss`: handed in by the system because the page was left too often (the deadline,
    when already past, stays the reason).
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = locked_attempt(attempt_id=attempt_id, user=user)
        if attempt.state != AttemptState.IN_PROGRESS:
            return attempt
        if attempt.deadline is not None and now > attempt.deadline:
            attempt.closed_by_deadline = True
            attempt.submitted_at = attempt.deadline
        else:
            attempt.submitted_at = now
            attempt.closed_by_focus_loss = focus_loss
        attempt_transition(attempt=attempt, to=AttemptState.SUBMITTED)
        attempt_grade_save(attempt, now=now, update_fields=SUBMIT_FIELDS)
    return attempt


# ---------------------------------------------------------------------------------------------
# Closing attempts whose time is up (tasks.py: 5–15 s after the deadline, and every minute).


def attempt_close_if_overdue(*, attempt_id: int, now: datetime | None = None) -> bool:
    """Close the attempt if its time is up; True when it was closed now."""
    now = now or timezone.now()
    attempt = Attempt.objects.only("id", "state", "deadline").filter(pk=attempt_id).first()
    if attempt is None or not attempt_overdue(attempt, now):
        return False
    attempt_submit(attempt_id=attempt_id, now=now)
    return True


def attempts_close_overdue(*, now: datetime | None = None, quiz_id: int | None = None) -> int:
    """Close every attempt whose deadline has passed, with the answers saved by then.

    `quiz_id`: only that quiz's (the deadline task of a quiz and deadline window, tasks.py); the
    minute sweep closes every quiz's.
    """
    now = now or timezone.now()
    overdue = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lte=now)
    if quiz_id is not None:
        overdue = overdue.filter(quiz_id=quiz_id)
    ids = list(overdue.values_list("id", flat=True))
    closed = 0
    for attempt_id in ids:
        if attempt_close_if_overdue(attempt_id=attempt_id, now=now):
            closed += 1
    return closed
