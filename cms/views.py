"""Site-wide views: the health endpoint and styled error pages."""

import hmac

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from cms.health import health_report

HEALTHZ_TOKEN_HEADER = "HTTP_X_HEALTHZ_TOKEN"


def _may_see_health_details(request) -> bool:
    """Staff, or a monitor presenting HEALTHZ_TOKEN in the X-Healthz-Token header."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.HEALTHZ_TOKEN
    given = request.META.get(HEALTHZ_TOKEN_HEADER, "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def healthz(request):
    """Liveness and readiness for load balancers: 200 while the site can serve, else 503.

    Anyone sees the overall status; which check failed (database vendor, queue backlog, periodic
    jobs) is for staff and for monitors holding HEALTHZ_TOKEN only.
    """
    report, healthy = health_report()
    if not _may_see_health_details(request):
        report = {"status": report["status"]}
    return JsonResponse(report, status=200 if healthy else 503)


def bad_request(request, exception=None):
    """400s raised by Django itself (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a
    bad Host): the API's JSON error format under /api/, and 413 for a body that is too big."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                {"detail": "请求内容过大。Request body too large."},
                status=413,
            )
        return JsonResponse({"detail": "请求无效。Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到。Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "服务器内部错误。Server error."}, status=500)
    # No request context: the error may come from the database or a context processor.
    return HttpResponseServerError(loader.get_template("500.html").render())
