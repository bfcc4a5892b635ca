"""The Django project package as an app: management commands, templates tags, translations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("站点")

    def ready(self):
        from cms import security  # noqa: F401  (connects the login-failure signal receivers)
