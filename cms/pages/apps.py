"""App config for cms.pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "cms.pages"
    label = "pages"
    verbose_name = _("页面")
