"""Grading an attempt from its snapshot and saving the result: the one place where an attempt's
state moves, and where a passed exam credits its 学时 (once per class, after commit)."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

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
GRADE_FIELDS = ["state", "graded_at", "score", "percent", "passed"]


def attempt_transition(*, attempt: Attempt, to: str) -> None:
    if to not in ATTEMPT_TRANSITIONS.get(attempt.state, set()):
        raise ValueError(f"Attempt {attempt.pk}: {attempt.state} → {to} is not allowed")
    attempt.state = to


def locked_attempt(*, attempt_id: int, user=None) -> Attempt:
    """The attempt with its quiz, its row locked until the transaction ends; only the user's own
    when `user` is given (DoesNotExist otherwise)."""
    qs = Attempt.objects.select_for_update(of=("self",)).select_related("quiz__training_class")
    if user is not None:
        qs = qs.filter(user=user)
    return qs.get(pk=attempt_id)


def snapshot_question(attempt: Attempt, question_id: int) -> dict:
    for item in attempt.questions:
        if item["id"] == question_id:
            return item
    raise UnknownQuestion()


TWO = Decimal("0.01")


def percent(score: Decimal | None, max_score: Decimal | None) -> Decimal | None:
    """A score on the 100-point scale the pass mark uses (百分制), to two places, half up.

    The one implementation (issue 14): grading stores it on the attempt (Attempt.percent), the
    report sorts and shows the stored value, pages and the API call this.
    """
    if score is None or not max_score:
        return None
    return (Decimal(score) * 100 / Decimal(max_score)).quantize(TWO, rounding=ROUND_HALF_UP)


def pass_mark_for(quiz) -> Decimal:
    """The pass mark that decides an attempt of this quiz; the one authority (issue 14).

    A class's 结业考试 and its 补考 pass at the class's 及格分 (the class decides 结业); any other
    quiz at its own pass mark.
    """
    if quiz.training_class_id and (quiz.is_final_exam or quiz.makeup_of_id):
        return quiz.training_class.pass_mark
    return quiz.pass_mark


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
    attempt.percent = percent(total, attempt.max_score)
    attempt.graded_at = now
    if pending:
        attempt.passed = None
        target = AttemptState.NEEDS_GRADING
    else:
        attempt.passed = (attempt.percent or Decimal("0")) >= pass_mark_for(attempt.quiz)
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
