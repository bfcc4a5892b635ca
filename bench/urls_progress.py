"""Bench-only URLconf: the site's URLs plus /bench/noop/, an authenticated no-op JSON endpoint."""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.urls import urlpatterns as site_urlpatterns


class NoopView(APIView):
    """Same stack as the progress endpoint (DRF, token auth, JSON parse), no work."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response({"ok": bool(request.data)})


urlpatterns = [path("bench/noop/", NoopView.as_view()), *site_urlpatterns]
