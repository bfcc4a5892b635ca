"""App config for learning.progress."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "learning.progress"
    label = "progress"
    verbose_name = _("学习进度与学时")
