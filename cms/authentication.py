"""API token authentication with expiry, and ending tokens when a password changes.

Kept apart from cms/auth_api.py (the login/logout views): DRF imports authentication classes
while it loads its own views, so this module must not import them.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expired(token: Token, *, now=None) -> bool:
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    return (now or timezone.now()) >= token.created + ttl


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, plus expiry; costs no query more than DRF's own."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("登录已过期，请重新登录。Your login has expired; please log in again.")
            )
        return user, token


def revoke_tokens_on_password_change(sender, instance, **kwargs) -> None:
    """post_save of the user model: set_password() leaves `_password` set until after the save."""
    if getattr(instance, "_password", None) is not None:
        Token.objects.filter(user=instance).delete()
