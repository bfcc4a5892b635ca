"""Reads for the site search and the search API: visible pages matching a query, with highlights."""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.utils.html import escape, strip_tags
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from modelsearch.backends import get_search_backend
from wagtail.models import Page

from search.analysis import highlight_text, mark_all, query_terms

COURSE_KIND = "course"


@cache
def page_models() -> tuple:
    return tuple(apps.get_model(label) for label in settings.SEARCH_PAGE_MODELS)


def kind_of(model) -> str:
    return getattr(model, "kind", "") or COURSE_KIND


def kinds() -> list[str]:
    """The kinds a search can be narrowed to, in the order of settings.SEARCH_PAGE_MODELS."""
    return list(dict.fromkeys(kind_of(model) for model in page_models()))


def visible_pages(*, user, queryset: QuerySet) -> QuerySet:
    """Live pages the user may see (page privacy), by the project's filter named in settings."""
    return import_string(settings.PAGE_VISIBILITY_FILTER)(user=user, queryset=queryset)


def course_choices(*, user) -> list[Page]:
    model = apps.get_model(settings.SEARCH_COURSE_MODEL)
    return list(
        visible_pages(user=user, queryset=Page.objects.type(model))
        .order_by("path")
        .only("id", "title")
    )


def searchable_pages(*, user, kind: str = "", course: Page | None = None) -> QuerySet:
    models = [m for m in page_models() if not kind or kind_of(m) == kind]
    queryset = Page.objects.type(*models) if models else Page.objects.none()
    if course is not None:
        queryset = queryset.child_of(course)
    return visible_pages(user=user, queryset=queryset)


def find_course(*, user, course_id: int) -> Page | None:
    """A course the user may see, or None (an unknown or hidden course narrows to nothing)."""
    model = apps.get_model(settings.SEARCH_COURSE_MODEL)
    return visible_pages(user=user, queryset=Page.objects.type(model)).filter(pk=course_id).first()


def page_search(*, user, query: str, kind: str = "", course_id: int | None = None):
    """Search results (lazy, sliceable, countable) of the pages the user may see, best first.

    `course_id` narrows to that course's lessons; a course the user may not see matches nothing.
    """
    course = None
    if course_id:
        course = find_course(user=user, course_id=course_id)
        if course is None:
            return []
    queryset = searchable_pages(user=user, kind=kind, course=course)
    return get_search_backend().search(query, queryset, operator="and")


@dataclass
class Hit:
    page: Page
    kind: str
    url: str
    title_html: SafeString
    highlight: SafeString


def _page_text(page) -> str:
    """The page's searchable text other than its title, as plain text."""
    parts = []
    for field in type(page).get_searchable_search_fields():
        if field.field_name == "title":
            continue
        value = field.get_value(page)
        if isinstance(value, list | tuple):
            parts.extend(str(v) for v in value if v)
        elif value:
            parts.append(str(value))
    return " ".join(strip_tags(part) for part in parts)


def hits_for(*, pages, query: str, request=None) -> list[Hit]:
    """Specific pages of a page of results, with their kind, URL and highlighted snippet."""
    ids = [page.pk for page in pages]
    specific = {p.pk: p for p in Page.objects.filter(pk__in=ids).specific()}
    terms = query_terms(query)
    hits = []
    for pk in ids:
        page = specific.get(pk)
        if page is None:
            continue
        snippet = highlight_text(_page_text(page), terms)
        if not snippet:
            snippet = escape(getattr(page, "summary", "") or "")[:160]
        hits.append(
            Hit(
                page=page,
                kind=kind_of(type(page)),
                url=page.get_url(request=request) or "",
                title_html=mark_safe(mark_all(page.title, terms)),  # escaped by mark_all
                highlight=mark_safe(snippet),  # escaped by highlight_text
            )
        )
    return hits
