"""Grading an attempt from its snapshot and saving the result: the one place where an attempt's
state moves, and where a passed exam credits its 学时 (once per class, after commit)."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from learning.progress.services import ledger_exam_credit_add
from learning.quizzes import grading
from learning.quizzes.exceptions import UnknownQuestion
from learning.quizzes.models import (
    ATTEMPT_TRANSITIONS,
    Attempt,
    AttemptAnswer,
    AttemptState,
    QuestionType,
)

# What grading changes on an attempt.
GRADE_FIELDS = ["state", "graded_at", "score", "passed"]


def attempt_transition(*, attempt: Attempt, to: str) -> None:
    if to not in ATTEMPT_TRANSITIONS.get(attempt.state, set()):
        raise ValueError(f"Attempt {attempt.pk}: {attempt.state} → {to} is not allowed")
    attempt.state = to


def locked_attempt(*, attempt_id: int, user=None) -> Attempt:
    """The attempt with its quiz, its row locked until the transaction ends; only the user's own
    when `user` is given (DoesNotExist otherwise)."""
    qs = Attempt.objects.select_for_update(of=("self",)).select_related("quiz")
    if user is not None:
        qs = qs.filter(user=user)
    return qs.get(pk=attempt_id)


def snapshot_question(attempt: Attempt, question_id: int) -> dict:
    for item in attempt.questions:
        if item["id"] == question_id:
            return item
    raise UnknownQuestion()


def _percent(score: Decimal, max_score: Decimal) -> Decimal:
    if not max_score:
        return Decimal("0")
    return score * 100 / max_score


def attempt_grade(
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


def attempt_grade_save(attempt: Attempt, *, now: datetime, update_fields=GRADE_FIELDS) -> None:
    """Grade a locked attempt from its saved answers and save it; a passed exam credits 学时."""
    changed = attempt_grade(attempt, list(attempt.answers.all()), now)
    if changed:
        AttemptAnswer.objects.bulk_update(changed, ["awarded"])
    attempt.save(update_fields=update_fields)
    if attempt.state == AttemptState.GRADED:
        after_graded(attempt)


def after_graded(attempt: Attempt) -> None:
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
