"""API token authentication with expiry, and ending tokens when a password changes.

Kept apart from cms/auth_api.py (the login/logout views): DRF imports authentication classes
while it loads its own views, so this module must not import them.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_lazy as drf_text  # DRF's own messages, its catalogue
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from hot_sql import PreparedRead
from learning.classes.middleware import (
    PASSWORD_CHANGE_CODE,
    PASSWORD_CHANGE_MESSAGE,
    must_change_password,
)
from learning.classes.models import TraineeProfile


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
    query more than DRF's own (the trainee profile is joined to the token's query, compiled once:
    token_with_user)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and must_change_password(result[0]):
            match = getattr(request._request, "resolver_match", None)
            if match is None or match.url_name not in PASSWORD_CHANGE_EXEMPT_URL_NAMES:
                raise PasswordChangeRequired()
        return result

    def authenticate_credentials(self, key):
        token = token_with_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed(drf_text("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(drf_text("User inactive or deleted."))
        user = token.user
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("登录已过期，请重新登录。Your login has expired; please log in again.")
            )
        return user, token


# --- the token's row, its user's and the user's trainee profile in one statement ----------------
# Every API request authenticates with a token (each save of an exam answer, each heartbeat, each
# check-in). Building and compiling `Token.objects.select_related("user", "user__trainee_profile")
# .get(key=…)` cost the ORM about a millisecond of CPU per request, more than the lookup itself
# (bench/exam_calls' no-op, issue 20). The same columns are read by a queryset compiled once per
# database (hot_sql.PreparedRead: on PostgreSQL also planned once per connection) and run with the
# request's key; its rows become model instances as select_related would build them. The queryset
# stays the one definition; only its compilation is reused.
_LOADED = (Token, get_user_model(), TraineeProfile)
_PREFIXES = ("", "user__", "user__trainee_profile__")


def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


_token_read = PreparedRead(
    lambda *, key: Token.objects.filter(key=key).values_list(
        *(p + name for m, p in zip(_LOADED, _PREFIXES, strict=True) for name in _attnames(m))
    ),
    strs=("key",),
)


def token_with_user(key: str) -> Token | None:
    """The token `key` with its user and the user's trainee profile (None when it has none)
    loaded, as `Token.objects.select_related("user", "user__trainee_profile").get(key=key)`
    returns it; None when no such token. One statement."""
    alias = router.db_for_read(Token)
    rows = _token_read.rows(key=key, using=alias)
    if not rows:
        return None
    row = rows[0]
    instances, start = [], 0
    for model in _LOADED:
        names = _attnames(model)
        values = row[start : start + len(names)]
        start += len(names)
        pk = values[names.index(model._meta.pk.attname)]
        instances.append(None if pk is None else model.from_db(alias, names, values))
    token, user, profile = instances
    token_user = Token._meta.get_field("user")
    token_user.set_cached_value(token, user)
    token_user.remote_field.set_cached_value(user, token)
    profile_user = TraineeProfile._meta.get_field("user")
    profile_user.remote_field.set_cached_value(user, profile)
    if profile is not None:
        profile_user.set_cached_value(profile, user)
    return token


def revoke_tokens_on_password_change(sender, instance, **kwargs) -> None:
    """post_save of the user model: set_password() leaves `_password` set until after the save."""
    if getattr(instance, "_password", None) is not None:
        Token.objects.filter(user=instance).delete()
