"""Root URLconf: the site, the Wagtail admin, the REST API, and Wagtail's page serving last."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views
from cms.pages.review import workflow_action
from cms.security import ThrottledAuthenticationForm

urlpatterns = [
    # Wagtail's view, then a message saying what the review step did (cms/pages/review.py); before
    # Wagtail's own route, which it shadows (the URL name stays Wagtail's for reverse()).
    path(
        "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        workflow_action,
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("cms.api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("learning.classes.urls")),
    path("", include("learning.progress.urls")),
    path("", include("learning.quizzes.urls")),
    path("", include("learning.reports.urls")),
    path("", include("learning.reports.me_urls")),
    path("", include("party.members.urls")),
    path("", include("party.meetings.urls")),
    path("", include("party.appraisal.urls")),
    path("", include("party.stats.urls")),
    path("", include("party.dues.urls")),
    path("", include("media_pipeline.urls")),
    path("", include("search.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Anything not matched above is a Wagtail page.
    path("", include(wagtail_urls)),
]

handler400 = "cms.views.bad_request"
handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
