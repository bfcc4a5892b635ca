"""Lesson pages as learning/ sees them: found through wagtailcore.Page and duck-typed, never via cms/."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string
from wagtail.models import Page

from learning.classes.models import lesson_pages_q

LESSON_KINDS = ("article", "video")


@dataclass(frozen=True)
class LessonInfo:
    """What crediting needs to know about a lesson page."""

    page: Page
    kind: str
    duration_seconds: float
    min_reading_seconds: float
    class_hours: Decimal

    @property
    def id(self) -> int:
        return self.page.pk

    @property
    def title(self) -> str:
        return self.page.title


def lesson_info(page) -> LessonInfo | None:
    """Read the duck-typed lesson attributes of a specific page; None if it is not a lesson."""
    kind = getattr(page, "kind", "")
    if kind not in LESSON_KINDS:
        return None
    duration = getattr(page, "duration_seconds", None) if kind == "video" else None
    min_reading = getattr(page, "min_reading_seconds", None) if kind == "article" else None
    hours = getattr(page, "effective_class_hours", None)
    return LessonInfo(
        page=page,
        kind=kind,
        duration_seconds=float(duration or 0),
        min_reading_seconds=float(min_reading or settings.DANGKE["ARTICLE_MIN_READING_SECONDS"]),
        class_hours=Decimal(hours or 0).quantize(Decimal("0.01")),
    )


def visible_lessons(*, user, queryset=None):
    """Live lesson pages of the queryset (all lessons by default) that the user may see."""
    base = queryset if queryset is not None else Page.objects.all()
    visible = import_string(settings.PAGE_VISIBILITY_FILTER)
    return visible(user=user, queryset=base.filter(lesson_pages_q()))


def lesson_for_user(*, user, lesson_id: int) -> LessonInfo | None:
    """The lesson with this id if the user may see it (else None: callers answer 404)."""
    page = visible_lessons(user=user, queryset=Page.objects.filter(pk=lesson_id)).first()
    if page is None:
        return None
    return lesson_info(page.specific)
