"""App config for party.meetings (三会一课 and other organisation life, attendance, notices)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "party.meetings"
    label = "meetings"
    verbose_name = _("组织生活")
