"""App config for party.organisation (units, posts, 组织员 assignments)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "party.organisation"
    label = "organisation"
    verbose_name = _("党组织")
