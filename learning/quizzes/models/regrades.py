"""The record of every regrade of a quiz's attempts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.quizzes.models.quizzes import Quiz


class RegradeKind(models.TextChoices):
    REKEY = "rekey", _("按题库当前答案重新评分")
    REGRADE = "regrade", _("重新评分全部答卷")


class RegradeLog(models.Model):
    """Who regraded a quiz's attempts, when, with which key and pass mark, and what changed."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("测验/考试"), on_delete=models.CASCADE, related_name="regrade_logs"
    )
    kind = models.CharField(_("操作"), max_length=16, choices=RegradeKind.choices)
    # The bank question whose key was copied into the attempts; empty for a plain regrade.
    question_id = models.BigIntegerField(_("试题"), null=True, blank=True)
    # Keys in the bank's own option letters: what the attempts had, and what they have now.
    old_keys = models.JSONField(_("原答案"), default=list, blank=True)
    new_key = models.JSONField(_("新答案"), null=True, blank=True)
    pass_mark = models.DecimalField(_("及格线（百分制）"), max_digits=5, decimal_places=2)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("操作时间"), default=timezone.now)
    attempts_rekeyed = models.PositiveIntegerField(_("改答案的答卷数"), default=0)
    attempts_changed = models.PositiveIntegerField(_("成绩变化的答卷数"), default=0)
    # Changed attempts, 学时 removed or credited, certificates to review: the full result.
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("重新评分记录")
        verbose_name_plural = _("重新评分记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
