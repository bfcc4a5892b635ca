"""App config for learning.classes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "learning.classes"
    label = "classes"
    verbose_name = _("培训班")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from learning.classes.signals import flag_initial_password

        user_logged_in.connect(flag_initial_password, dispatch_uid="classes_initial_password")
