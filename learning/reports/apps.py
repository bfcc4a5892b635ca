"""App config for learning.reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "learning.reports"
    label = "reports"
    verbose_name = _("报表与证书")
