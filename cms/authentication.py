"""API token authentication with expiry, and ending tokens when a password changes.

Kept apart from cms/auth_api.py (the login/logout views): DRF imports authentication classes
while it loads its own views, so this module must not import them.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy as drf_text  # DRF's own messages, its catalogue
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from learning.classes.middleware import (
    PASSWORD_CHANGE_CODE,
    PASSWORD_CHANGE_MESSAGE,
    must_change_password,
)


def token_expired(token: Token, *, now=None) -> bool:
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    return (now or timezone.now()) >= token.created + ttl


class PasswordChangeRequired(exceptions.PermissionDenied):
    """403 for a token of an account that still has its initial password (roster import)."""

    default_detail = PASSWORD_CHANGE_MESSAGE
    default_code = public_code = PASSWORD_CHANGE_CODE


# What a token of such an account may still do: change the password, log out.
PASSWORD_CHANGE_EXEMPT_URL_NAMES = {"api-password", "api-token"}


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, plus expiry and the forced first password change; costs no
    query more than DRF's own (the trainee profile is joined to the token's query)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and must_change_password(result[0]):
            match = getattr(request._request, "resolver_match", None)
            if match is None or match.url_name not in PASSWORD_CHANGE_EXEMPT_URL_NAMES:
                raise PasswordChangeRequired()
        return result

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__trainee_profile").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(drf_text("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(drf_text("User inactive or deleted."))
        user = token.user
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("登录已过期，请重新登录。Your login has expired; please log in again.")
            )
        return user, token


def revoke_tokens_on_password_change(sender, instance, **kwargs) -> None:
    """post_save of the user model: set_password() leaves `_password` set until after the save."""
    if getattr(instance, "_password", None) is not None:
        Token.objects.filter(user=instance).delete()
