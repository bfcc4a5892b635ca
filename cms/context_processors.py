"""Template context shared by every site page: the home page and the course list for navigation."""

from django.utils.functional import SimpleLazyObject


def _home(request):
    from wagtail.models import Site

    site = Site.find_for_request(request)
    return site.root_page.specific if site else None


def site_navigation(request):
    return {"site_home": SimpleLazyObject(lambda: _home(request))}
