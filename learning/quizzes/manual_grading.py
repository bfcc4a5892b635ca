"""Manual grading (阅卷): a trainer grades a 简答 answer; the attempt is graded once none waits."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.quizzes.exceptions import AttemptClosed, InvalidAnswer
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptState, QuestionType
from learning.quizzes.scoring import attempt_grade_save, locked_attempt, snapshot_question


def answer_grade(
    *, attempt_id: int, question_id: int, grader, awarded: Decimal, comment: str = ""
) -> Attempt:
    """A trainer's grade for one 简答 answer; the attempt is graded once no answer waits."""
    now = timezone.now()
    with transaction.atomic():
        attempt = locked_attempt(attempt_id=attempt_id)
        if attempt.state not in (AttemptState.NEEDS_GRADING, AttemptState.GRADED):
            raise AttemptClosed(_("该作答尚未交卷，不能阅卷。"))
        question = snapshot_question(attempt, question_id)
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
        attempt_grade_save(attempt, now=now)
    return attempt
