"""App config for party.members (member registry, stage history)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "party.members"
    label = "members"
    verbose_name = _("党员发展")
