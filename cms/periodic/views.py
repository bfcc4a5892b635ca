"""A read-only admin report of the periodic jobs: last run, outcome, next run, last error."""

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.periodic.jobs import JOBS
from cms.periodic.models import PeriodicJob
from cms.periodic.scheduler import jobs_status


def _last_error_line(job: PeriodicJob) -> str:
    lines = job.last_error.strip().splitlines()
    return lines[-1] if lines else ""


class PeriodicJobsView(ReportView):
    page_title = _("定时任务")
    header_icon = "time"
    model = PeriodicJob
    permission_policy = ModelPermissionPolicy(PeriodicJob)
    permission_required = "view"
    index_url_name = "periodic_jobs"
    index_results_url_name = "periodic_jobs_results"
    paginate_by = None
    list_export = [
        "name",
        "last_outcome",
        "last_started_at",
        "last_finished_at",
        "next_run_at",
        "claimed_by",
        "last_result",
        "last_error",
    ]

    @cached_property
    def _health(self) -> dict:
        return jobs_status(now=timezone.now())["jobs"]

    @cached_property
    def columns(self):
        return [
            Column("name", label=_("名称")),
            Column(
                "health",
                label=_("状态"),
                accessor=lambda job: (
                    _("正常")
                    if self._health.get(job.name, {}).get("status") == "ok"
                    else _("需要处理")
                ),
            ),
            Column("last_outcome", label=_("上次结果"), accessor="get_last_outcome_display"),
            DateColumn("last_started_at", label=_("上次开始")),
            DateColumn("last_finished_at", label=_("上次结束")),
            DateColumn("next_run_at", label=_("下次运行")),
            Column("claimed_by", label=_("运行进程")),
            Column("last_result", label=_("上次输出")),
            Column("last_error", label=_("上次错误"), accessor=_last_error_line),
        ]

    def get_queryset(self):
        return PeriodicJob.objects.filter(name__in=[spec.name for spec in JOBS])
