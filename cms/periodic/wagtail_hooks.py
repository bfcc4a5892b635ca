"""Admin wiring of cms.periodic: the periodic jobs report, under Reports, for those who may view it."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.periodic.views import PeriodicJobsView


@hooks.register("register_admin_urls")
def register_periodic_jobs_urls():
    return [
        path("periodic-jobs/", PeriodicJobsView.as_view(), name="periodic_jobs"),
        path(
            "periodic-jobs/results/",
            PeriodicJobsView.as_view(results_only=True),
            name="periodic_jobs_results",
        ),
    ]


class PeriodicJobsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("periodic.view_periodicjob")


@hooks.register("register_reports_menu_item")
def register_periodic_jobs_menu_item():
    return PeriodicJobsMenuItem(
        _("定时任务"), reverse("periodic_jobs"), name="periodic-jobs", icon_name="time", order=900
    )
