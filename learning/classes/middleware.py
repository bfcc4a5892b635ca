"""Send trainees whose account still has its initial password to the password change page first."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_FLAG = "dangke_must_change_password"
# Paths a user with an initial password may still reach: changing it, leaving, and assets.
ALLOWED_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/", "/healthz")


def must_change_password(user) -> bool:
    profile = getattr(user, "trainee_profile", None) if user.is_authenticated else None
    return bool(profile and profile.must_change_password)


class ForcePasswordChangeMiddleware:
    """The flag is read once at login (into the session) so ordinary requests cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_FLAG) and request.user.is_authenticated:
            change_url = reverse("password_change")
            path = request.path
            if path != change_url and not path.startswith(ALLOWED_PREFIXES):
                if path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("请先修改初始密码。Please change your initial password.")},
                        status=403,
                    )
                return redirect(f"{change_url}?next={request.get_full_path()}")
        return self.get_response(request)
