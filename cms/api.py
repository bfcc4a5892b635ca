"""The one router that mounts every app's REST API under /api/v1/, plus auth, schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cms.auth_api import ObtainTokenView, PasswordChangeView
from cms.views import api_not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("v1/auth/password/", PasswordChangeView.as_view(), name="api-password"),
    # First the two bursts, since resolving a URL tries the patterns in order and every pattern
    # tried in vain costs (docs/performance.md): the exam (2,000 trainees starting and saving
    # answers; its routes start with quizzes/ and attempts/, no other app's do), then the QR
    # check-in (a hall of 300 at once; no other app's routes start with meetings/).
    path("v1/", include("learning.quizzes.api_urls")),
    path("v1/", include("party.meetings.api_urls")),
    path("v1/", include("cms.pages.api_urls")),
    path("v1/", include("learning.progress.api_urls")),
    path("v1/", include("learning.reports.api_urls")),
    path("v1/", include("party.organisation.api_urls")),
    path("v1/", include("party.members.api_urls")),
    path("v1/", include("party.appraisal.api_urls")),
    path("v1/", include("party.dues.api_urls")),
    path("v1/", include("party.stats.api_urls")),
    path("v1/", include("media_pipeline.api_urls")),
    path("v1/", include("search.api_urls")),
    # Last: no path under /api/ reaches the site's pages (a JSON 404, whatever the method).
    re_path(r"^", api_not_found),
]
