"""Login throttling: after repeated failures an account (and the address trying it) is locked for a while."""

import hashlib

from django.conf import settings
from django.contrib.auth import signals
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

LOCK_MESSAGE = _("登录失败次数过多，请 %(minutes)s 分钟后再试。")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")


def login_is_locked(*, username: str, request=None) -> bool:
    """True when this username, or the address it comes from, has failed too often recently."""
    limit = settings.LOGIN_FAILURE_LIMIT
    if cache.get(_key("user", username or ""), 0) >= limit:
        return True
    ip = _client_ip(request)
    return bool(ip) and cache.get(_key("ip", ip), 0) >= limit * settings.LOGIN_FAILURE_IP_FACTOR


def _incr(key: str) -> None:
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    if cache.add(key, 1, timeout):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout)


@receiver(signals.user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    _incr(_key("user", credentials.get("username") or ""))
    ip = _client_ip(request)
    if ip:
        _incr(_key("ip", ip))


@receiver(signals.user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    cache.delete(_key("user", user.get_username()))


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses every attempt while the account is locked, right password or not."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.get_user_model_username_field())
        if username and login_is_locked(username=username, request=request):
            raise PermissionDenied(LOCK_MESSAGE % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60})
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def get_user_model_username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, with a clear message while the account is locked."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and login_is_locked(username=username, request=self.request):
            raise ValidationError(
                LOCK_MESSAGE,
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        return super().clean()
