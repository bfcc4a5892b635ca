"""App config for cms.periodic: the table that lets several workers share the periodic jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodicConfig(AppConfig):
    name = "cms.periodic"
    label = "periodic"
    verbose_name = _("定时任务")
