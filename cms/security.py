"""Login throttling with django-axes, and the client's real address behind trusted proxies.

Failures are counted per (account, address) in the database (axes' AccessAttempt): LOGIN_FAILURE_LIMIT
wrong passwords for one account from one address within LOGIN_LOCKOUT_SECONDS stop further tries of
that account from that address until LOGIN_LOCKOUT_SECONDS after the last counted failure. Tries made
while locked are refused without being counted, so they do not extend the lock. The same account
from another address is not affected: an attacker cannot lock a user out, and behind a campus NAT
or the reverse proxy one guesser does not lock everyone out.

The site and admin login pages answer 429 with the message in the form; the token API answers 429
with `{"detail": …, "code": "login_throttled"}`. Both carry Retry-After (seconds left).
"""

import ipaddress
import math
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOCK_MESSAGE = _(
    "登录失败次数过多，该账号在此网络暂时无法登录，请 %(minutes)s 分钟后再试，或联系管理员。"
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The address the request came from.

    REMOTE_ADDR, unless it is one of settings.TRUSTED_PROXIES (addresses or networks of our own
    reverse proxies): then X-Forwarded-For is read from the right, skipping our proxies, and the
    first address not ours is the client. A client can put anything in the header, so only the part
    our proxies appended is believed; from an untrusted peer the header is ignored.
    """
    if request is None:
        return ""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    if not _is_trusted(remote):
        return remote
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a garbled header: fall back to the proxy itself
        if not _is_trusted(hop):
            return hop
    return hops[0] if hops else remote


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT."""
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME."""
    return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def lock_seconds_left(request, username: str) -> int:
    """Seconds until `username` may try again from this request's address (0: not locked)."""
    from axes.models import AccessAttempt

    last = (
        AccessAttempt.objects.filter(
            username=username,
            ip_address=getattr(request, "axes_ip_address", None) or client_ip(request),
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return 0
    left = last + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS) - timezone.now()
    return max(1, math.ceil(left.total_seconds()))


def lock_message(seconds: int) -> str:
    return str(LOCK_MESSAGE % {"minutes": max(1, math.ceil(seconds / 60))})


def is_locked_out(request) -> bool:
    """Axes flags the request it was handed when it refused (or just caused) a lock."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page as rendered (showing LOCK_MESSAGE), as 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    seconds = lock_seconds_left(request, username) or settings.LOGIN_LOCKOUT_SECONDS
    if original_response is None:
        from django.http import HttpResponse

        original_response = HttpResponse(lock_message(seconds))
    original_response.status_code = 429
    original_response.reason_phrase = "Too Many Requests"
    original_response["Retry-After"] = str(seconds)
    return original_response


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form (site and admin), telling a locked-out user so instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and is_locked_out(self.request):
                seconds = lock_seconds_left(self.request, self.cleaned_data.get("username", ""))
                raise ValidationError(lock_message(seconds), code="locked") from None
            raise
