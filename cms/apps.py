"""The Django project package as an app: management commands, templates tags, translations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("站点")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from cms import admin_display
        from cms.authentication import revoke_tokens_on_password_change

        admin_display.register()

        post_save.connect(
            revoke_tokens_on_password_change,
            sender=get_user_model(),
            dispatch_uid="cms_revoke_tokens_on_password_change",
        )
