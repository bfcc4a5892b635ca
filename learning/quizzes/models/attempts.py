"""Attempts: one sitting of a quiz, with its saved answers, their steps and the times the exam
page was left (切屏)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.quizzes.models.quizzes import Quiz


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("作答中")
    SUBMITTED = "submitted", _("已交卷")
    NEEDS_GRADING = "needs_grading", _("待阅卷")
    GRADED = "graded", _("已评分")


# The only allowed state changes; services.attempt_transition() enforces them.
ATTEMPT_TRANSITIONS: dict[str, set[str]] = {
    AttemptState.IN_PROGRESS: {AttemptState.SUBMITTED},
    AttemptState.SUBMITTED: {AttemptState.GRADED, AttemptState.NEEDS_GRADING},
    AttemptState.NEEDS_GRADING: {AttemptState.GRADED},
    # Regrading (a revised manual grade, a changed setting) may reopen manual grading.
    AttemptState.GRADED: {AttemptState.NEEDS_GRADING},
}


class Attempt(models.Model):
    """One sitting of a quiz by a user; `questions` is the snapshot taken when it started."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("测验/考试"), on_delete=models.CASCADE, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    number = models.PositiveIntegerField(_("第几次"), default=1)
    state = models.CharField(
        _("状态"), max_length=16, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    graded_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    # Snapshot: [{id, type, stem, options [{key, text}], perm, answer, explanation, score}], with
    # options in the order this trainee sees them and `answer` in the keys this trainee sees.
    questions = models.JSONField(_("试题快照"), default=list)
    multiple_partial_credit = models.BooleanField(default=False)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    # scoring.percent(score, max_score), stored when graded: the report sorts and shows it.
    percent = models.DecimalField(
        _("得分（百分制）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("是否通过"), null=True, blank=True)
    closed_by_deadline = models.BooleanField(_("超时自动交卷"), default=False)
    # 切屏检测: how often the exam page was hidden (AttemptFocusLoss rows, counted once each).
    focus_losses = models.PositiveIntegerField(_("离开考试页面次数"), default=0)
    closed_by_focus_loss = models.BooleanField(_("离开页面超限自动交卷"), default=False)

    class Meta:
        verbose_name = _("作答记录")
        verbose_name_plural = _("作答记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="attempt_number_unique"
            ),
            # At most one open attempt per user and quiz, even if two tabs start at once.
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=models.Q(state="in_progress"),
                name="attempt_one_in_progress",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "state"])]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user} · #{self.number}"


class AttemptAnswer(models.Model):
    """The latest saved answer to one question of an attempt, with its grade."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.BigIntegerField(_("试题"))
    answer = models.JSONField(_("作答"), null=True, blank=True)
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)
    awarded = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅卷人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("阅卷时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_id"], name="attempt_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class AttemptStep(models.Model):
    """Every answer as it was saved, in order (Moodle's steps): the audit trail of an attempt."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="steps")
    question_id = models.BigIntegerField()
    answer = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("作答步骤")
        verbose_name_plural = _("作答步骤")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id} @ {self.created_at:%H:%M:%S}"


class AttemptFocusLoss(models.Model):
    """One time the exam page was hidden (another app or tab, screen locked, page left), as reported
    by the page; `event_id` is the page's own id of the event, so a retried report counts once."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="focus_loss_events")
    event_id = models.CharField(_("事件编号"), max_length=64)
    # The page's clock when it was hidden (reports queued offline arrive later), and ours.
    hidden_at = models.DateTimeField(_("离开时间（学员设备）"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("离开考试页面记录")
        verbose_name_plural = _("离开考试页面记录")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "event_id"], name="attempt_focus_loss_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.event_id} @ {self.created_at:%H:%M:%S}"
