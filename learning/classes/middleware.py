"""Send trainees whose account still has its initial password to the password change page first."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_FLAG = "dangke_must_change_password"
# What the API answers (403) to an account that still has its initial password, whatever the
# authentication (session here, token in cms.authentication); the change: POST /api/v1/auth/password/.
PASSWORD_CHANGE_CODE = "password_change_required"
PASSWORD_CHANGE_MESSAGE = _("请先修改初始密码，再继续使用。")
# Paths a user with an initial password may still reach: changing it, leaving, and assets.
ALLOWED_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/", "/healthz")


def must_change_password(user) -> bool:
    """Costs no query when the profile was loaded with the user (select_related)."""
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
            allowed = (change_url, reverse("api-password"), reverse("api-token"))
            if path not in allowed and not path.startswith(ALLOWED_PREFIXES):
                if path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": str(PASSWORD_CHANGE_MESSAGE), "code": PASSWORD_CHANGE_CODE},
                        status=403,
                    )
                return redirect(f"{change_url}?next={request.get_full_path()}")
        return self.get_response(request)
