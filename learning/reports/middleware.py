"""The dashboard's search box for those who search classes and trainees, not pages (issue 21)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from wagtail.admin.auth import user_has_any_page_permission

from learning.reports.admin_search import may_search_training


class TrainerSearchMiddleware:
    """Wagtail's dashboard sends its search box to the page explorer (/admin/pages/?q=), which a
    trainer may not open ("对不起，你没有权限访问。"). A user with no page permission who trains a
    class is sent to the training search with the same words instead; anyone else passes."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._explore_root = None

    def __call__(self, request):
        if self._explore_root is None:
            self._explore_root = reverse("wagtailadmin_explore_root")
        if (
            request.path == self._explore_root
            and "q" in request.GET
            and request.user.is_authenticated
            and not user_has_any_page_permission(request.user)
            and may_search_training(request.user)
        ):
            query = urlencode({"q": request.GET["q"]})
            return redirect(f"{reverse('reports_admin:search')}?{query}")
        return self.get_response(request)
