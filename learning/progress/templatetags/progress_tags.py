"""Template tags of learning.progress: the lesson tracker's starting state."""

import math

from django import template
from django.conf import settings

from learning.progress.lessons import lesson_info
from learning.progress.selectors import lesson_progress_map
from learning.progress.services import progress_result

register = template.Library()


@register.inclusion_tag("progress/includes/lesson_tracker_body.html", takes_context=True)
def lesson_tracker(context, lesson):
    """Everything tracker.js needs: endpoint, rules, and where this trainee stands."""
    request = context.get("request")
    user = getattr(request, "user", None)
    info = lesson_info(lesson) if lesson is not None else None
    if info is None or user is None:
        return {"show": False}
    if getattr(request, "is_preview", False):
        # An editor's or reviewer's preview: nothing is tracked, and the page says so.
        return {"show": False, "preview": True, "lesson": info}
    if not user.is_authenticated:
        return {"show": False, "anonymous": True, "lesson": info, "request": request}
    progress = lesson_progress_map(user=user, lesson_ids=[info.id]).get(info.id)
    result = progress_result(progress=progress, lesson=info)
    remaining = 0
    if info.kind == "article" and not result.completed:
        remaining = max(0, math.ceil(info.min_reading_seconds - result.credited_seconds))
    return {
        "show": True,
        "remaining": remaining,
        "lesson": info,
        "result": result,
        "furthest": progress.furthest_position if progress else 0,
        "percent": int(result.watched_ratio * 100),
        "idle_seconds": settings.DANGKE["IDLE_PROMPT_SECONDS"],
        "complete_ratio": settings.DANGKE["VIDEO_COMPLETE_RATIO"],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss) for “上次看到 12:05”."""
    try:
        total = max(0, int(float(seconds)))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def minutes_seconds(seconds) -> str:
    """Seconds as “1 分 20 秒” (“1 min 20 s”) for “还需阅读 1 分 20 秒”."""
    from django.utils.translation import gettext

    try:
        total = max(0, math.ceil(float(seconds)))
    except (TypeError, ValueError):
        return ""
    minutes, secs = divmod(total, 60)
    if minutes:
        return gettext("%(m)s 分 %(s)s 秒") % {"m": minutes, "s": secs}
    return gettext("%(s)s 秒") % {"s": secs}
