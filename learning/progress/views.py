"""Trainee pages: 我的学习 (/me/) and 学习档案 (/me/records/)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import render
from wagtail.models import Page

from learning.classes.selectors import required_lesson_ids
from learning.progress import selectors
from learning.progress.lessons import visible_lessons
from learning.progress.models import LessonProgress
from learning.reports.selectors import my_class_standings

NEXT_LESSONS = 6


def _lessons_to_do(*, user) -> list:
    """Required lessons of my classes not yet completed, in course order (all lessons if none)."""
    ids = required_lesson_ids(user=user)
    queryset = Page.objects.filter(pk__in=ids) if ids else Page.objects.all()
    done = set(
        LessonProgress.objects.filter(user=user, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    pages = [
        p
        for p in visible_lessons(user=user, queryset=queryset).order_by("path")
        if p.pk not in done
    ]
    return pages[:NEXT_LESSONS]


@login_required
def my_learning(request):
    user = request.user
    unfinished = selectors.recent_unfinished(user=user, limit=3)
    visible_ids = set(
        visible_lessons(
            user=user, queryset=Page.objects.filter(pk__in=[p.lesson_id for p in unfinished])
        ).values_list("pk", flat=True)
    )
    context = {
        "profile": getattr(user, "trainee_profile", None),
        "classes": my_class_standings(user=user),
        "resume": [p for p in unfinished if p.lesson_id in visible_ids],
        "next_lessons": _lessons_to_do(user=user),
    }
    return render(request, "progress/my_learning.html", context)


@login_required
def my_records(request):
    entries = selectors.hours_ledger(user=request.user)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    total = entries.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return render(
        request,
        "progress/my_records.html",
        {"page_obj": page, "entries": page.object_list, "total": total},
    )
