"""Site-wide views: the health endpoint and styled error pages."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from cms.health import health_report


def healthz(request):
    """Liveness and readiness for load balancers: 200 while the site can serve, else 503."""
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到。Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "服务器内部错误。Server error."}, status=500)
    # No request context: the error may come from the database or a context processor.
    return HttpResponseServerError(loader.get_template("500.html").render())
