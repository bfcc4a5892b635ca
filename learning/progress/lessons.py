"""Lesson pages as learning/ sees them: found through wagtailcore.Page and read through the
LessonPage contract, never via cms/."""

import threading
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Protocol

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


class LessonPage(Protocol):
    """What learning relies on of a lesson page (the models settings.LESSON_PAGE_MODELS names;
    cms/pages/models.py implements it). Read through lesson_info(), never by importing cms/."""

    pk: int
    title: str
    kind: str  # "article" or "video" (LESSON_KINDS)
    duration_seconds: float | None  # videos: the length of the video; articles: None
    effective_class_hours: Decimal | None  # the 学时 the lesson credits when completed
    # Articles also have min_reading_seconds (active reading time needed; None → the default).


@dataclass(frozen=True)
class LessonInfo:
    """What crediting needs to know about a lesson page."""

    id: int
    title: str
    kind: str
    duration_seconds: float
    min_reading_seconds: float
    class_hours: Decimal


def lesson_info(page: LessonPage) -> LessonInfo | None:
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
    access_memo_forget()


def visible_lessons(*, user, queryset=None):
    """Live lesson pages of the queryset (all lessons by default) that the user may see."""
    base = queryset if queryset is not None else Page.objects.all()
    visible = import_string(settings.PAGE_VISIBILITY_FILTER)
    return visible(user=user, queryset=base.filter(content_type_id__in=lesson_content_type_ids()))


# Progress reports ask "may this trainee see this lesson, and what is it?" every ~10 s per trainee.
# Each process remembers the answer per (trainee, lesson) for DANGKE["PROGRESS_ACCESS_MEMO_SECONDS"]. In this process
# any publish, unpublish, move or delete of a page, any change of a view restriction and any change
# of group membership forgets everything at once (apps.py); in other worker processes a lesson that
# was just unpublished or restricted may still take progress reports for at most this long. A report
# only credits what was played, so nothing is gained by it.
ACCESS_MEMO_MAX_ENTRIES = 50_000
_access_memo: dict[tuple[int, int], tuple[float, LessonInfo | None]] = {}
_access_memo_lock = threading.Lock()
_clock = time.monotonic


def access_memo_forget(*args, **kwargs) -> None:
    """Forget every remembered access decision of this process (also a signal receiver)."""
    with _access_memo_lock:
        _access_memo.clear()


def _access_memo_seconds() -> float:
    return float(settings.DANGKE.get("PROGRESS_ACCESS_MEMO_SECONDS", 30))


def lesson_for_user_uncached(*, user, lesson_id: int) -> LessonInfo | None:
    if not visible_lessons(user=user, queryset=Page.objects.filter(pk=lesson_id)).exists():
        return None
    return lesson_info_cached(lesson_id)


def lesson_for_user(*, user, lesson_id: int) -> LessonInfo | None:
    """The lesson with this id if the user may see it (else None: callers answer 404).

    Visibility (live, privacy) is decided by PAGE_VISIBILITY_FILTER and remembered briefly per
    process (see the note above), so a steady heartbeat costs no query here.
    """
    ttl = _access_memo_seconds()
    key = (user.pk, lesson_id)
    now = _clock()
    hit = _access_memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    info = lesson_for_user_uncached(user=user, lesson_id=lesson_id)
    if ttl > 0:
        with _access_memo_lock:
            if len(_access_memo) >= ACCESS_MEMO_MAX_ENTRIES:
                _access_memo.clear()
            _access_memo[key] = (now + ttl, info)
    return info
