"""App config for party.dues (党费 bases, ledger, arrears, reports and the payment seam)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "party.dues"
    label = "dues"
    verbose_name = _("党费")
