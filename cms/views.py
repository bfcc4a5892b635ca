"""Site-wide views: the health endpoint and styled error pages (JSON under /api/)."""

import hmac
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from cms.api_support import (
    DATABASE_UNAVAILABLE_DETAIL,
    RETRY_AFTER_SECONDS,
    database_unavailable,
)
from cms.health import health_report

HEALTHZ_TOKEN_HEADER = "HTTP_X_HEALTHZ_TOKEN"


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


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
    if _is_api(request):
        return JsonResponse({"detail": "未找到。Not found."}, status=404)
    return render(request, "404.html", status=404)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that no API route matches, whatever the method: a JSON 404.

    Without it a POST to e.g. /api/v1/attempts/AAA/submit/ fell through to Wagtail's page
    serving and got Django's HTML CSRF-failure page.
    """
    return page_not_found(request)


def service_unavailable(request):
    """503 with Retry-After while the database is unreachable (JSON under /api/)."""
    if _is_api(request):
        response = JsonResponse({"detail": str(DATABASE_UNAVAILABLE_DETAIL)}, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # Called while the exception is being handled, so it is still in sys.exc_info(): one that
    # means the database went away is a 503 the client may retry, not a 500.
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": "服务器内部错误。Server error."}, status=500)
    # No request context: the error may come from the database or a context processor.
    return HttpResponseServerError(loader.get_template("500.html").render())
