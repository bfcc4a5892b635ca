"""Template tags of learning.progress: the lesson tracker's starting state."""

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
    if info is None or user is None or not user.is_authenticated:
        return {"show": False}
    progress = lesson_progress_map(user=user, lesson_ids=[info.id]).get(info.id)
    result = progress_result(progress=progress, lesson=info)
    return {
        "show": True,
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
