"""Who may start a quiz: a practice on a lesson the user may see, an exam of the user's class, a
补考 only for those who failed or missed the 结业考试. attempts.attempt_start asks these first."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail.models import Page

from learning.quizzes.exceptions import NotAllowed
from learning.quizzes.models import Attempt, AttemptState, Quiz, QuizKind
from learning.quizzes.selectors import user_enrolments


def _lesson_visible(*, user, lesson_id: int) -> bool:
    visible = import_string(settings.PAGE_VISIBILITY_FILTER)
    return visible(user=user, queryset=Page.objects.filter(pk=lesson_id)).exists()


def quiz_check_may_start(*, quiz: Quiz, user) -> None:
    """Raise NotAllowed unless the user may take this quiz at all."""
    if not user or not user.is_authenticated:
        raise NotAllowed()
    if quiz.kind == QuizKind.PRACTICE:
        if quiz.lesson_id is None or not _lesson_visible(user=user, lesson_id=quiz.lesson_id):
            raise NotAllowed()
        return
    if quiz.training_class_id is None:
        enrolled = False
    elif getattr(quiz, "start_user", None) == user.pk:
        enrolled = quiz.start_enrolled
    else:
        enrolled = (
            user_enrolments(user.pk).filter(training_class_id=quiz.training_class_id).exists()
        )
    if not enrolled:
        raise NotAllowed(_("只有本培训班的学员可以参加该考试。"))


def makeup_check_open(*, quiz: Quiz, user, now: datetime | None = None) -> None:
    """A 补考 is open to those who failed the 结业考试 (no attempt left, or it closed) or missed
    it (it closed without an attempt); NotAllowed with the reason otherwise."""
    now = now or timezone.now()
    final = quiz.makeup_of
    attempts = list(Attempt.objects.filter(quiz=final, user=user).only("state", "passed"))
    if any(a.state == AttemptState.GRADED and a.passed for a in attempts):
        raise NotAllowed(_("您已通过结业考试，无需补考。"))
    if any(a.state != AttemptState.GRADED for a in attempts):
        raise NotAllowed(_("结业考试的成绩尚未评定，暂不能参加补考。"))
    used_up = bool(final.attempts_allowed) and len(attempts) >= final.attempts_allowed
    if not (used_up or final.is_closed(now)):
        raise NotAllowed(
            _(
                "补考只对结业考试未通过（作答次数已用完）或结业考试结束时未参加的学员开放；"
                "请先参加结业考试。"
            )
        )
