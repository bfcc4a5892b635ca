"""App config for learning.classes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "learning.classes"
    label = "classes"
    verbose_name = _("培训班")
