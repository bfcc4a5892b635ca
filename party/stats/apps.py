"""App config for party.stats (党员数据统计: figures as of a date, year-end tables, dashboard)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "party.stats"
    label = "party_stats"
    verbose_name = _("党员数据统计")
