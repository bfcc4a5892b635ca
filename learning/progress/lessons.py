"""Lesson pages as learning/ sees them: found through wagtailcore.Page and duck-typed, never via cms/."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from wagtail.models import Page

from learning.classes.models import lesson_content_type_ids

LESSON_KINDS = ("article", "video")
# Heartbeats are the hottest path, so what crediting needs of a lesson is cached briefly; a
# publish clears it at once (signals.py), other changes (e.g. a re-encoded video's duration)
# show within this many seconds.
LESSON_INFO_TTL = 60
CACHE_PREFIX = "dangke:lesson-info:"


@dataclass(frozen=True)
class LessonInfo:
    """What crediting needs to know about a lesson page."""

    id: int
    title: str
    kind: str
    duration_seconds: float
    min_reading_seconds: float
    class_hours: Decimal


def lesson_info(page) -> LessonInfo | None:
    """Read the duck-typed lesson attributes of a specific page; None if it is not a lesson."""
    kind = getattr(page, "kind", "")
    if kind not in LESSON_KINDS:
        return None
    duration = getattr(page, "duration_seconds", None) if kind == "video" else None
    min_reading = getattr(page, "min_reading_seconds", None) if kind == "article" else None
    hours = getattr(page, "effective_class_hours", None)
    return LessonInfo(
        id=page.pk,
        title=page.title,
        kind=kind,
        duration_seconds=float(duration or 0),
        min_reading_seconds=float(min_reading or settings.DANGKE["ARTICLE_MIN_READING_SECONDS"]),
        class_hours=Decimal(hours or 0).quantize(Decimal("0.01")),
    )


def lesson_info_cached(lesson_id: int) -> LessonInfo | None:
    key = f"{CACHE_PREFIX}{lesson_id}"
    data = cache.get(key)
    if data is not None:
        return LessonInfo(**data) if data else None
    page = Page.objects.filter(pk=lesson_id).first()
    info = lesson_info(page.specific) if page is not None else None
    cache.set(key, asdict(info) if info else {}, LESSON_INFO_TTL)
    return info


def lesson_info_forget(lesson_id: int) -> None:
    cache.delete(f"{CACHE_PREFIX}{lesson_id}")


def visible_lessons(*, user, queryset=None):
    """Live lesson pages of the queryset (all lessons by default) that the user may see."""
    base = queryset if queryset is not None else Page.objects.all()
    visible = import_string(settings.PAGE_VISIBILITY_FILTER)
    return visible(user=user, queryset=base.filter(content_type_id__in=lesson_content_type_ids()))


def lesson_for_user(*, user, lesson_id: int) -> LessonInfo | None:
    """The lesson with this id if the user may see it (else None: callers answer 404).

    Visibility (live, privacy) is checked on every call; only the lesson's facts are cached.
    """
    if not visible_lessons(user=user, queryset=Page.objects.filter(pk=lesson_id)).exists():
        return None
    return lesson_info_cached(lesson_id)
