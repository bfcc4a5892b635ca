"""One row per periodic job: when it is next due (the claim) and how its last run went."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    class Outcome(models.TextChoices):
        # A run is claimed as RUNNING and finishes as OK or ERROR (cms/periodic/scheduler.py).
        RUNNING = "running", _("运行中")
        OK = "ok", _("成功")
        ERROR = "error", _("出错")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("下次运行"))
    last_started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    last_outcome = models.CharField(
        _("上次结果"), max_length=10, choices=Outcome.choices, blank=True
    )
    last_result = models.CharField(_("上次输出"), max_length=500, blank=True)
    last_error = models.TextField(_("上次错误"), blank=True)
    claimed_by = models.CharField(_("运行进程"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
