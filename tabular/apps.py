"""App config for tabular."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TabularConfig(AppConfig):
    name = "tabular"
    label = "tabular"
    verbose_name = _("表格导入")
    default_auto_field = "django.db.models.BigAutoField"
