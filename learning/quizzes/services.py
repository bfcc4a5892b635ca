"""Writes of the quiz engine: start an attempt, save answers, submit, close overdue attempts, grade."""

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail.models import Page

from learning.classes.models import Enrolment, TraineeProfile
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.services import ledger_correction_add, ledger_exam_credit_add
from learning.quizzes import grading
from learning.quizzes.exceptions import (
    AttemptClosed,
    InvalidAnswer,
    NotAllowed,
    QuizNotAvailable,
    UnknownQuestion,
)
from learning.quizzes.models import (
    ATTEMPT_TRANSITIONS,
    CHOICE_TYPES,
    OPTION_KEYS,
    Attempt,
    AttemptAnswer,
    AttemptFocusLoss,
    AttemptState,
    AttemptStep,
    Question,
    QuestionType,
    Quiz,
    QuizKind,
    RegradeKind,
    RegradeLog,
)
from learning.quizzes.signals import quiz_regraded

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# State changes: the one place where an attempt's state moves.


def attempt_transition(*, attempt: Attempt, to: str) -> None:
    if to not in ATTEMPT_TRANSITIONS.get(attempt.state, set()):
        raise ValueError(f"Attempt {attempt.pk}: {attempt.state} → {to} is not allowed")
    attempt.state = to


# ---------------------------------------------------------------------------------------------
# Who may start.


def _lesson_visible(*, user, lesson_id: int) -> bool:
    visible = import_string(settings.PAGE_VISIBILITY_FILTER)
    return visible(user=user, queryset=Page.objects.filter(pk=lesson_id)).exists()


def _enrolled(*, user, training_class_id: int) -> bool:
    return Enrolment.objects.filter(
        training_class_id=training_class_id, trainee__user=user
    ).exists()


def quiz_check_may_start(*, quiz: Quiz, user) -> None:
    """Raise NotAllowed unless the user may take this quiz at all."""
    if not user or not user.is_authenticated:
        raise NotAllowed()
    if quiz.kind == QuizKind.PRACTICE:
        if quiz.lesson_id is None or not _lesson_visible(user=user, lesson_id=quiz.lesson_id):
            raise NotAllowed()
        return
    if quiz.training_class_id is None or not _enrolled(
        user=user, training_class_id=quiz.training_class_id
    ):
        raise NotAllowed(_("只有本培训班的学员可以参加该考试。"))


# ---------------------------------------------------------------------------------------------
# Drawing questions and the per-attempt snapshot.


def key_as_shown(type_: str, key, perm: list[int]):
    """A bank key (the bank's option letters) in the letters of an attempt whose order is `perm`."""
    if type_ not in CHOICE_TYPES:
        return key
    # Original letter → position in this attempt's order → the letter the trainee sees.
    to_shown = {OPTION_KEYS[orig]: OPTION_KEYS[pos] for pos, orig in enumerate(perm)}
    if type_ == QuestionType.SINGLE:
        return to_shown[key]
    return sorted(to_shown[k] for k in key)


def key_as_bank(type_: str, key, perm: list[int]):
    """The inverse of key_as_shown: a snapshot key back in the bank's option letters."""
    if type_ not in CHOICE_TYPES or key is None:
        return key
    to_bank = {OPTION_KEYS[pos]: OPTION_KEYS[orig] for pos, orig in enumerate(perm)}
    if type_ == QuestionType.SINGLE:
        return to_bank.get(key, key)
    return sorted(to_bank.get(k, k) for k in key)


def _snapshot_perm(item: dict) -> list[int]:
    return list(item.get("perm") or range(len(item.get("options") or [])))


def corrected_key(question: Question, item: dict):
    """The bank question's current key as the attempt with snapshot `item` must hold it.

    None when it cannot be mapped safely: the type changed, or a choice question's number of
    options changed since the attempt started (its `perm` no longer fits the bank's options).
    """
    if question.type != item["type"] or question.type == QuestionType.SHORT:
        return None
    if question.answer is None:
        return None
    perm = _snapshot_perm(item)
    if question.type in CHOICE_TYPES:
        if len(question.options or []) != len(perm):
            return None
        try:
            return key_as_shown(question.type, question.answer, perm)
        except KeyError:
            return None
    return question.answer


def _snapshot_question(
    question: Question, *, score: Decimal, rng: random.Random, shuffle: bool
) -> dict:
    """The question as this attempt sees it; options permuted and the key mapped to the shown letters."""
    options = list(question.options or [])
    perm = list(range(len(options)))
    if shuffle and question.type in CHOICE_TYPES:
        rng.shuffle(perm)
    shown = [{"key": OPTION_KEYS[pos], "text": options[orig]} for pos, orig in enumerate(perm)]
    answer = key_as_shown(question.type, question.answer, perm)
    item = {
        "id": question.pk,
        "type": question.type,
        "stem": question.stem,
        "options": shown,
        "perm": perm,
        "answer": answer,
        "explanation": question.explanation,
        "score": str(score),
    }
    if question.type == QuestionType.FILL:
        item["blanks"] = len(answer or []) or 1
    return item


def quiz_draw(*, quiz: Quiz, rng: random.Random | None = None) -> list[dict]:
    """The questions of a new attempt: fixed ones plus a random draw per rule, none twice.

    A constant number of queries whatever the rules: fixed questions, rules, the candidate ids of
    all rules at once, then the chosen rows.
    """
    rng = rng or random.Random(secrets.randbits(64))
    fixed = list(quiz.fixed_questions.select_related("question").order_by("sort_order", "id"))
    chosen: list[tuple[int, Decimal]] = []
    seen: set[int] = set()
    rows: dict[int, Question] = {}
    for item in fixed:
        if item.question_id in seen:
            continue
        seen.add(item.question_id)
        rows[item.question_id] = item.question
        chosen.append(
            (item.question_id, item.score if item.score is not None else item.question.score)
        )
    rules = list(quiz.draw_rules.all().order_by("sort_order", "id"))
    if rules:
        banks = {rule.bank_id for rule in rules}
        candidates = list(
            Question.objects.filter(bank_id__in=banks)
            .order_by("id")
            .values_list("id", "bank_id", "type", "category", "difficulty")
        )
        for rule in rules:
            pool = [
                qid
                for qid, bank_id, type_, category, difficulty in candidates
                if bank_id == rule.bank_id
                and type_ == rule.type
                and (not rule.category or category == rule.category)
                and (not rule.difficulty or difficulty == rule.difficulty)
                and qid not in seen
            ]
            if len(pool) < rule.count:
                raise QuizNotAvailable(
                    _(
                        "题库中符合抽题规则（%(rule)s）的试题不足：需要 %(need)s 道，只有 %(have)s 道。"
                    )
                    % {"rule": str(rule), "need": rule.count, "have": len(pool)}
                )
            for qid in rng.sample(pool, rule.count):
                seen.add(qid)
                chosen.append((qid, rule.score))
        missing = [qid for qid, _score in chosen if qid not in rows]
        rows.update(Question.objects.in_bulk(missing))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return [
        _snapshot_question(rows[qid], score=Decimal(score), rng=rng, shuffle=quiz.shuffle_options)
        for qid, score in chosen
    ]


def quiz_problems(*, quiz: Quiz) -> list[str]:
    """Why a quiz could not be started now (empty, rules the banks cannot satisfy); [] when fine."""
    try:
        questions = quiz_draw(quiz=quiz, rng=random.Random(0))
    except QuizNotAvailable as exc:
        return [str(exc.message)]
    if not questions:
        return [_("没有试题：请添加固定试题或抽题规则。")]
    return []


# ---------------------------------------------------------------------------------------------
# Starting, answering, submitting.


def _deadline(*, quiz: Quiz, started_at: datetime) -> datetime | None:
    candidates = []
    if quiz.time_limit_minutes:
        candidates.append(started_at + timedelta(minutes=quiz.time_limit_minutes))
    if quiz.closes_at:
        candidates.append(quiz.closes_at)
    return min(candidates) if candidates else None


def _overdue(attempt: Attempt, now: datetime) -> bool:
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.deadline is not None
        and now >= attempt.deadline
    )


def attempt_start(*, quiz: Quiz, user, now: datetime | None = None) -> tuple[Attempt, bool]:
    """The user's attempt in progress, or a new one: (attempt, created). Overdue ones are closed first."""
    now = now or timezone.now()
    quiz_check_may_start(quiz=quiz, user=user)
    previous = list(
        Attempt.objects.filter(quiz=quiz, user=user).only(
            "id", "state", "number", "deadline", "quiz_id"
        )
    )
    for attempt in previous:
        if attempt.state != AttemptState.IN_PROGRESS:
            continue
        if not _overdue(attempt, now):
            return Attempt.objects.get(pk=attempt.pk), False
        attempt_submit(attempt_id=attempt.pk, now=now)
    if not quiz.is_open(now):
        raise QuizNotAvailable(_("本测验不在开放时间内。"))
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
            attempt.save()
            if attempt.deadline is not None:
                _schedule_close(attempt)
    except IntegrityError:
        # Another tab started the same attempt a moment ago: resume that one.
        existing = Attempt.objects.filter(
            quiz=quiz, user=user, state=AttemptState.IN_PROGRESS
        ).first()
        if existing is None:
            raise
        return existing, False
    return attempt, True


def _schedule_close(attempt: Attempt) -> None:
    """Ask the task backend to close the attempt at its deadline, when it can run tasks later."""
    from django_tasks import default_task_backend

    from learning.quizzes.tasks import attempt_close_overdue_task

    if not default_task_backend.supports_defer:
        return
    # Enqueued inside the attempt's transaction: with the database backend it is one commit, and
    # a task whose attempt was rolled back finds nothing to close.
    run_after = attempt.deadline + timedelta(seconds=5)
    attempt_close_overdue_task.using(run_after=run_after).enqueue(attempt_id=attempt.pk)


def _question(attempt: Attempt, question_id: int) -> dict:
    for item in attempt.questions:
        if item["id"] == question_id:
            return item
    raise UnknownQuestion()


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
        closed_now, attempt, value = _answer_upsert(attempt_id, user, question_id, answer, now)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            # The caller's transaction went with the connection; only the caller can start over.
            raise
        logger.warning(
            "attempt %s: answer save lost its database connection; retrying once", attempt_id
        )
        connection.close()
        closed_now, attempt, value = _answer_upsert(attempt_id, user, question_id, answer, now)
    if closed_now:
        # Closed outside the failed save so the answers saved before the deadline are kept.
        attempt_submit(attempt_id=attempt_id, now=now)
        raise AttemptClosed(_("考试时间已到，已按截止前保存的答案自动交卷。"))
    remaining = (attempt.deadline - now).total_seconds() if attempt.deadline else None
    return SavedAnswer(
        question_id=question_id, answer=value, saved_at=now, remaining_seconds=remaining
    )


def _answer_upsert(attempt_id: int, user, question_id: int, answer, now: datetime):
    """One transaction of attempt_answer_save: (closed_now, attempt, saved value)."""
    closed_now, value = False, None
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .only("id", "user_id", "state", "deadline", "questions")
            .get(pk=attempt_id, user=user)
        )
        if attempt.state != AttemptState.IN_PROGRESS:
            raise AttemptClosed()
        if _overdue(attempt, now):
            closed_now = True
        else:
            question = _question(attempt, question_id)
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
    return closed_now, attempt, value


def _percent(score: Decimal, max_score: Decimal) -> Decimal:
    if not max_score:
        return Decimal("0")
    return score * 100 / max_score


def _grade_attempt(
    attempt: Attempt, answers: list[AttemptAnswer], now: datetime
) -> list[AttemptAnswer]:
    """Score every answer from the snapshot; sets the attempt's score, state and passed."""
    by_question = {a.question_id: a for a in answers}
    total = Decimal("0")
    pending = False
    changed = []
    for question in attempt.questions:
        row = by_question.get(question["id"])
        if question["type"] == QuestionType.SHORT:
            if row is None or not (row.answer or "").strip():
                if row is not None and row.awarded is None:
                    row.awarded = Decimal("0.00")
                    changed.append(row)
                continue
            if row.awarded is None:
                pending = True
            else:
                total += row.awarded
            continue
        awarded = grading.grade(
            question,
            row.answer if row else None,
            partial_credit=attempt.multiple_partial_credit,
        )
        if row is not None and row.awarded != awarded:
            row.awarded = awarded
            changed.append(row)
        total += awarded
    attempt.score = total
    attempt.graded_at = now
    if pending:
        attempt.passed = None
        target = AttemptState.NEEDS_GRADING
    else:
        attempt.passed = _percent(total, attempt.max_score) >= attempt.quiz.pass_mark
        target = AttemptState.GRADED
    if attempt.state != target:
        attempt_transition(attempt=attempt, to=target)
    return changed


def attempt_submit(
    *, attempt_id: int, user=None, now: datetime | None = None, focus_loss: bool = False
) -> Attempt:
    """Hand in an attempt and grade it; submitting again returns the same result.

    `focus_loss`: handed in by the system because the page was left too often (the deadline,
    when already past, stays the reason).
    """
    now = now or timezone.now()
    with transaction.atomic():
        qs = Attempt.objects.select_for_update(of=("self",)).select_related("quiz")
        if user is not None:
            qs = qs.filter(user=user)
        attempt = qs.get(pk=attempt_id)
        if attempt.state != AttemptState.IN_PROGRESS:
            return attempt
        if attempt.deadline is not None and now > attempt.deadline:
            attempt.closed_by_deadline = True
            attempt.submitted_at = attempt.deadline
        else:
            attempt.submitted_at = now
            attempt.closed_by_focus_loss = focus_loss
        attempt_transition(attempt=attempt, to=AttemptState.SUBMITTED)
        answers = list(attempt.answers.all())
        changed = _grade_attempt(attempt, answers, now)
        if changed:
            AttemptAnswer.objects.bulk_update(changed, ["awarded"])
        attempt.save(
            update_fields=[
                "state",
                "submitted_at",
                "graded_at",
                "score",
                "passed",
                "closed_by_deadline",
                "closed_by_focus_loss",
            ]
        )
        if attempt.state == AttemptState.GRADED:
            _after_graded(attempt)
    return attempt


@dataclass
class FocusLoss:
    """The attempt after a reported focus loss: its count, its limit and whether it is still open."""

    attempt_id: int
    state: str
    focus_losses: int
    max_focus_losses: int
    closed_by_focus_loss: bool
    # False when this event id had been recorded before (a retried report): nothing counted.
    recorded: bool


def attempt_focus_lost(
    *,
    attempt_id: int,
    user,
    event_id: str,
    hidden_at: datetime | None = None,
    now: datetime | None = None,
) -> FocusLoss:
    """Record that the exam page was hidden; hand the attempt in once the quiz's limit is exceeded.

    Idempotent per `event_id`: a report the page retries after a network drop counts once, and a
    retry of the report that closed the attempt answers with the closed attempt. A new report on
    a closed attempt raises AttemptClosed; one past the deadline closes the attempt by deadline.
    A constant number of queries while the limit is not exceeded: the locked attempt with its
    quiz's limit, the event lookup, the insert and the counter update.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .only(
                "id",
                "user_id",
                "state",
                "deadline",
                "focus_losses",
                "closed_by_focus_loss",
                "quiz__id",
                "quiz__max_focus_losses",
            )
            .get(pk=attempt_id, user=user)
        )
        limit = attempt.quiz.max_focus_losses
        # Under the attempt's row lock, so two copies of one report cannot both miss each other.
        seen = AttemptFocusLoss.objects.filter(attempt_id=attempt.pk, event_id=event_id).exists()

        def result(recorded: bool) -> FocusLoss:
            return FocusLoss(
                attempt_id=attempt.pk,
                state=attempt.state,
                focus_losses=attempt.focus_losses,
                max_focus_losses=limit,
                closed_by_focus_loss=attempt.closed_by_focus_loss,
                recorded=recorded,
            )

        if seen:
            return result(False)
        if attempt.state != AttemptState.IN_PROGRESS:
            raise AttemptClosed()
        if not _overdue(attempt, now):
            AttemptFocusLoss.objects.create(
                attempt_id=attempt.pk, event_id=event_id, hidden_at=hidden_at, created_at=now
            )
            attempt.focus_losses += 1
            Attempt.objects.filter(pk=attempt.pk).update(focus_losses=attempt.focus_losses)
            if limit and attempt.focus_losses > limit:
                # In the same transaction: the event, the count and the hand-in go together.
                closed = attempt_submit(attempt_id=attempt.pk, now=now, focus_loss=True)
                attempt.state = closed.state
                attempt.closed_by_focus_loss = closed.closed_by_focus_loss
            return result(True)
    # Past the deadline: closed like a late answer, with the answers saved before it.
    attempt_submit(attempt_id=attempt_id, now=now)
    raise AttemptClosed(_("考试时间已到，已按截止前保存的答案自动交卷。"))


def attempt_close_if_overdue(*, attempt_id: int, now: datetime | None = None) -> bool:
    """Close the attempt if its time is up; True when it was closed now."""
    now = now or timezone.now()
    attempt = Attempt.objects.only("id", "state", "deadline").filter(pk=attempt_id).first()
    if attempt is None or not _overdue(attempt, now):
        return False
    attempt_submit(attempt_id=attempt_id, now=now)
    return True


def attempts_close_overdue(*, now: datetime | None = None) -> int:
    """Close every attempt whose deadline has passed, with the answers saved by then."""
    now = now or timezone.now()
    ids = list(
        Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lte=now).values_list(
            "id", flat=True
        )
    )
    closed = 0
    for attempt_id in ids:
        if attempt_close_if_overdue(attempt_id=attempt_id, now=now):
            closed += 1
    return closed


# ---------------------------------------------------------------------------------------------
# Manual grading and regrading.


def answer_grade(
    *, attempt_id: int, question_id: int, grader, awarded: Decimal, comment: str = ""
) -> Attempt:
    """A trainer's grade for one 简答 answer; the attempt is graded once no answer waits."""
    now = timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt_id)
        )
        if attempt.state not in (AttemptState.NEEDS_GRADING, AttemptState.GRADED):
            raise AttemptClosed(_("该作答尚未交卷，不能阅卷。"))
        question = _question(attempt, question_id)
        if question["type"] != QuestionType.SHORT:
            raise InvalidAnswer(_("只有简答题需要人工阅卷。"))
        maximum = Decimal(question["score"])
        if awarded < 0 or awarded > maximum:
            raise InvalidAnswer(_("得分应在 0 到 %(max)s 之间。") % {"max": maximum})
        row, _created = AttemptAnswer.objects.get_or_create(
            attempt=attempt, question_id=question_id, defaults={"answer": None}
        )
        row.awarded = awarded
        row.comment = comment
        row.grader = grader
        row.graded_at = now
        row.save(update_fields=["awarded", "comment", "grader", "graded_at"])
        changed = _grade_attempt(attempt, list(attempt.answers.all()), now)
        if changed:
            AttemptAnswer.objects.bulk_update(changed, ["awarded"])
        attempt.save(update_fields=["state", "graded_at", "score", "passed"])
        if attempt.state == AttemptState.GRADED:
            _after_graded(attempt)
    return attempt


def attempt_regrade(*, attempt_id: int) -> Attempt:
    """Replay grading of a finished attempt from its snapshot (e.g. after a changed setting)."""
    now = timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt_id)
        )
        if attempt.state == AttemptState.IN_PROGRESS:
            return attempt
        changed = _grade_attempt(attempt, list(attempt.answers.all()), now)
        if changed:
            AttemptAnswer.objects.bulk_update(changed, ["awarded"])
        attempt.save(update_fields=["state", "graded_at", "score", "passed"])
        if attempt.state == AttemptState.GRADED:
            _after_graded(attempt)
    return attempt


def _after_graded(attempt: Attempt) -> None:
    """A passed exam with a 学时 credit adds it to the trainee's ledger (once per class)."""
    quiz = attempt.quiz
    if not (attempt.passed and quiz.class_hours_credit and quiz.training_class_id):
        return
    attempt_id = attempt.pk
    transaction.on_commit(lambda: _credit_exam_hours(attempt_id=attempt_id))


def _credit_exam_hours(*, attempt_id: int) -> None:
    attempt = Attempt.objects.select_related("user", "quiz__training_class").get(pk=attempt_id)
    ledger_exam_credit_add(
        user=attempt.user,
        training_class=attempt.quiz.training_class,
        amount=attempt.quiz.class_hours_credit,
        reference=f"quiz-attempt:{attempt_id}",
        note=_("通过考试：%(quiz)s") % {"quiz": attempt.quiz.title},
    )


# ---------------------------------------------------------------------------------------------
# Regrading a quiz's attempts (Moodle's "regrade after fixing a question").


@dataclass
class RegradeChange:
    """One attempt whose score, state or result a regrade changes."""

    attempt_id: int
    user_id: int
    trainee: str
    number: int
    old_score: Decimal | None
    new_score: Decimal | None
    max_score: Decimal
    old_passed: bool | None
    new_passed: bool | None

    @property
    def pass_to_fail(self) -> bool:
        return self.old_passed is True and self.new_passed is not True

    @property
    def fail_to_pass(self) -> bool:
        return self.old_passed is not True and self.new_passed is True


@dataclass
class RegradeSummary:
    """What a regrade changed (or, for a dry run, would change)."""

    quiz_id: int
    question_id: int | None
    dry_run: bool
    attempts_checked: int = 0
    attempts_rekeyed: int = 0
    in_progress_rekeyed: int = 0
    # Attempts whose snapshot cannot take the new key (type or number of options changed).
    unmappable: list[int] | None = None
    changes: list[RegradeChange] | None = None
    hours_removed: list[dict] | None = None
    hours_credited: list[dict] | None = None
    certificates_to_review: list[dict] | None = None
    old_keys: list | None = None
    new_key: object = None
    log_id: int | None = None

    def __post_init__(self):
        for name in (
            "unmappable",
            "changes",
            "hours_removed",
            "hours_credited",
            "certificates_to_review",
            "old_keys",
        ):
            if getattr(self, name) is None:
                setattr(self, name, [])

    @property
    def score_changed(self) -> list[RegradeChange]:
        return [c for c in self.changes if c.old_score != c.new_score]

    @property
    def pass_to_fail(self) -> list[RegradeChange]:
        return [c for c in self.changes if c.pass_to_fail]

    @property
    def fail_to_pass(self) -> list[RegradeChange]:
        return [c for c in self.changes if c.fail_to_pass]

    def as_dict(self) -> dict:
        """Plain JSON for the audit log."""
        return {
            "attempts_checked": self.attempts_checked,
            "attempts_rekeyed": self.attempts_rekeyed,
            "in_progress_rekeyed": self.in_progress_rekeyed,
            "unmappable": self.unmappable,
            "changes": [
                {
                    "attempt": c.attempt_id,
                    "user": c.user_id,
                    "trainee": c.trainee,
                    "number": c.number,
                    "old_score": None if c.old_score is None else str(c.old_score),
                    "new_score": None if c.new_score is None else str(c.new_score),
                    "max_score": str(c.max_score),
                    "old_passed": c.old_passed,
                    "new_passed": c.new_passed,
                }
                for c in self.changes
            ],
            "hours_removed": self.hours_removed,
            "hours_credited": self.hours_credited,
            "certificates_to_review": self.certificates_to_review,
        }


def _trainee_names(user_ids) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    names = dict(TraineeProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))
    for user in get_user_model().objects.filter(pk__in=set(user_ids) - set(names)):
        names[user.pk] = user.get_full_name() or user.get_username()
    return names


def _exam_credit_entries(*, quiz: Quiz, user_ids) -> dict[int, tuple]:
    """Per user: (their exam-credit entry of the quiz's class, its net amount after corrections)."""
    from django.db.models import Sum

    if not quiz.training_class_id or not user_ids:
        return {}
    entries = HoursLedgerEntry.objects.filter(
        training_class_id=quiz.training_class_id, source=LedgerSource.EXAM, user_id__in=user_ids
    ).annotate(corrected=Sum("corrections__amount"))
    return {e.user_id: (e, e.amount + (e.corrected or Decimal("0"))) for e in entries}


def _credit_from_this_quiz(entry, attempt_ids: set[int]) -> bool:
    """Whether an exam credit was granted for an attempt of this quiz (not another exam of the class)."""
    prefix, _sep, number = (entry.reference or "").partition(":")
    return prefix == "quiz-attempt" and number.isdigit() and int(number) in attempt_ids


def _regrade_consequences(
    *, quiz: Quiz, by, attempts: list[Attempt], summary: RegradeSummary, names: dict[int, str]
) -> None:
    """学时 of the trainees whose result a regrade flips.

    A trainee keeps the exam's 学时 while any graded attempt of the quiz still passes (the credit
    is granted by any passed attempt). Certificates are the reports layer's concern: it reacts to
    quizzes.signals.quiz_regraded.
    """
    lost = {c.user_id for c in summary.pass_to_fail}
    gained = {c.user_id for c in summary.fail_to_pass}
    if not (lost or gained) or not quiz.training_class_id:
        return
    by_user: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_user.setdefault(attempt.user_id, []).append(attempt)
    attempt_ids = {a.pk for a in attempts}
    credits = _exam_credit_entries(quiz=quiz, user_ids=lost | gained)
    for user_id in sorted(lost | gained):
        mine = by_user.get(user_id, [])
        passes = any(a.state == AttemptState.GRADED and a.passed for a in mine)
        entry, net = credits.get(user_id, (None, Decimal("0")))
        credited_here = entry is not None and _credit_from_this_quiz(entry, attempt_ids)
        if user_id in lost and not passes and credited_here and net > 0:
            summary.hours_removed.append(
                {"user": user_id, "trainee": names.get(user_id, ""), "amount": str(net)}
            )
            if not summary.dry_run:
                ledger_correction_add(
                    entry=entry,
                    amount=-net,
                    granted_by=by,
                    note=_("重新评分后未通过考试「%(quiz)s」，扣除该考试计入的学时。")
                    % {"quiz": quiz.title},
                )
        if user_id in gained and passes and quiz.class_hours_credit:
            if entry is None:
                # Credited after commit by the usual once-per-class path (_after_graded).
                summary.hours_credited.append(
                    {
                        "user": user_id,
                        "trainee": names.get(user_id, ""),
                        "amount": str(quiz.class_hours_credit),
                    }
                )
            elif net <= 0 and _credit_from_this_quiz(entry, attempt_ids):
                # An earlier regrade took the credit away; the ledger only grows, so restore it
                # with a correction of the original entry.
                summary.hours_credited.append(
                    {
                        "user": user_id,
                        "trainee": names.get(user_id, ""),
                        "amount": str(-net + entry.amount),
                    }
                )
                if not summary.dry_run:
                    ledger_correction_add(
                        entry=entry,
                        amount=entry.amount - net,
                        granted_by=by,
                        note=_("重新评分后通过考试「%(quiz)s」，恢复该考试计入的学时。")
                        % {"quiz": quiz.title},
                    )


def _regrade(*, quiz: Quiz, by, dry_run: bool, question: Question | None) -> RegradeSummary:
    now = timezone.now()
    summary = RegradeSummary(
        quiz_id=quiz.pk, question_id=question.pk if question else None, dry_run=dry_run
    )
    if question is not None:
        summary.new_key = question.answer
    with transaction.atomic():
        qs = Attempt.objects.filter(quiz_id=quiz.pk).order_by("id")
        if not dry_run:
            # Every attempt of the quiz, in id order: answer saves and submits lock one attempt
            # each, so they wait for the regrade instead of grading against a half-updated key.
            qs = qs.select_for_update(of=("self",))
        attempts = list(qs)
        quiz = Quiz.objects.get(pk=quiz.pk)  # the pass mark as it is now
        answers: dict[int, list[AttemptAnswer]] = {}
        for row in AttemptAnswer.objects.filter(attempt__quiz_id=quiz.pk):
            answers.setdefault(row.attempt_id, []).append(row)
        names = _trainee_names({a.user_id for a in attempts})
        old_keys: list = []
        old_texts: list[str] = []
        for attempt in attempts:
            attempt.quiz = quiz
            rekeyed = False
            if question is not None:
                for item in attempt.questions:
                    if item["id"] != question.pk:
                        continue
                    old = key_as_bank(item["type"], item.get("answer"), _snapshot_perm(item))
                    if old not in old_keys:
                        old_keys.append(old)
                        old_texts.append(
                            grading.display_answer({"type": item["type"], "answer": old})
                        )
                    new = corrected_key(question, item)
                    if new is None:
                        summary.unmappable.append(attempt.pk)
                    elif new != item.get("answer"):
                        item["answer"] = new
                        if item["type"] == QuestionType.FILL:
                            item["blanks"] = len(new or []) or 1
                        rekeyed = True
            if attempt.state == AttemptState.IN_PROGRESS:
                # Graded later from its own snapshot: give it the corrected key now.
                if rekeyed:
                    summary.in_progress_rekeyed += 1
                    if not dry_run:
                        attempt.save(update_fields=["questions"])
                continue
            summary.attempts_checked += 1
            summary.attempts_rekeyed += int(rekeyed)
            before = (attempt.score, attempt.passed, attempt.state)
            changed_rows = _grade_attempt(attempt, answers.get(attempt.pk, []), now)
            after = (attempt.score, attempt.passed, attempt.state)
            if before != after:
                summary.changes.append(
                    RegradeChange(
                        attempt_id=attempt.pk,
                        user_id=attempt.user_id,
                        trainee=names.get(attempt.user_id, ""),
                        number=attempt.number,
                        old_score=before[0],
                        new_score=after[0],
                        max_score=attempt.max_score,
                        old_passed=before[1],
                        new_passed=after[1],
                    )
                )
            if dry_run or not (rekeyed or changed_rows or before != after):
                continue
            if changed_rows:
                AttemptAnswer.objects.bulk_update(changed_rows, ["awarded"])
            attempt.save(update_fields=["questions", "state", "graded_at", "score", "passed"])
            if attempt.state == AttemptState.GRADED and attempt.passed and not before[1]:
                _after_graded(attempt)
        summary.old_keys = old_keys
        _regrade_consequences(quiz=quiz, by=by, attempts=attempts, summary=summary, names=names)
        quiz_regraded.send(sender=Quiz, quiz=quiz, by=by, attempts=attempts, summary=summary)
        if not dry_run:
            log = RegradeLog.objects.create(
                quiz=quiz,
                kind=RegradeKind.REKEY if question is not None else RegradeKind.REGRADE,
                question_id=summary.question_id,
                old_keys=old_keys,
                new_key=summary.new_key,
                pass_mark=quiz.pass_mark,
                by=by,
                created_at=now,
                attempts_rekeyed=summary.attempts_rekeyed + summary.in_progress_rekeyed,
                attempts_changed=len(summary.changes),
                details={
                    **summary.as_dict(),
                    # As a person reads them (A、C / 正确), for the log on the analysis page.
                    "old_keys_text": old_texts,
                    "new_key_text": grading.display_answer(
                        {"type": question.type, "answer": question.answer}
                    )
                    if question is not None
                    else "",
                },
            )
            summary.log_id = log.pk
    return summary


def quiz_regrade(*, quiz: Quiz, by, dry_run: bool = False) -> RegradeSummary:
    """Regrade every finished attempt of a quiz from its snapshot with today's pass mark."""
    return _regrade(quiz=quiz, by=by, dry_run=dry_run, question=None)


def quiz_question_rekey(
    *, quiz: Quiz, question_id: int, by, dry_run: bool = False
) -> RegradeSummary:
    """Copy a bank question's corrected key into every attempt of the quiz, then regrade.

    Finished attempts are regraded at once; attempts in progress get the key in their snapshot
    and are graded with it when handed in. Only the key changes: stems, options and scores stay
    as the trainee saw them.
    """
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        raise UnknownQuestion(_("题库中已没有这道题。"))
    if question.type == QuestionType.SHORT:
        raise InvalidAnswer(_("简答题由人工阅卷，不能按答案重新评分。"))
    return _regrade(quiz=quiz, by=by, dry_run=dry_run, question=question)
