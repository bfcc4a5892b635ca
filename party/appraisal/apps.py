"""App config for party.appraisal (民主评议党员: the yearly appraisal with a secret ballot)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "party.appraisal"
    label = "appraisal"
    verbose_name = _("民主评议党员")
