"""Reads of published content that respect page privacy (view restrictions)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from wagtail.models import Page, PageViewRestriction

from cms.pages.models import LESSON_MODELS, CoursePage


def _hidden_paths(*, user) -> list[str]:
    """Paths of restricted subtrees this user may not see (login, group and password restrictions)."""
    user = user or AnonymousUser()
    if user.is_authenticated and user.is_superuser:
        return []
    restrictions = list(PageViewRestriction.objects.select_related("page").prefetch_related("groups"))
    if not restrictions:
        return []
    group_ids = set(user.groups.values_list("id", flat=True)) if user.is_authenticated else set()
    hidden = []
    for restriction in restrictions:
        kind = restriction.restriction_type
        if kind == PageViewRestriction.LOGIN and user.is_authenticated:
            continue
        if kind == PageViewRestriction.GROUPS and group_ids & {g.id for g in restriction.groups.all()}:
            continue
        hidden.append(restriction.page.path)
    return hidden


def visible_pages(*, user, queryset: QuerySet | None = None) -> QuerySet:
    """Live pages the user may see: restricted subtrees are left out unless the user qualifies."""
    qs = (queryset if queryset is not None else Page.objects.all()).live()
    hidden = _hidden_paths(user=user)
    if hidden:
        condition = Q()
        for path in hidden:
            condition |= Q(path__startswith=path)
        qs = qs.exclude(condition)
    return qs


def lessons_queryset(*, user) -> QuerySet:
    return visible_pages(user=user, queryset=Page.objects.type(*LESSON_MODELS))


def course_list(*, user) -> list[CoursePage]:
    courses = list(
        visible_pages(user=user, queryset=CoursePage.objects.all())
        .select_related("cover_image")
        .order_by("path")
    )
    _attach_lesson_counts(courses=courses, user=user)
    return courses


def _attach_lesson_counts(*, courses: list[CoursePage], user) -> None:
    if not courses:
        return
    counts: dict[str, int] = {}
    for path in lessons_queryset(user=user).values_list("path", flat=True):
        counts[path[:-Page.steplen]] = counts.get(path[:-Page.steplen], 0) + 1
    for course in courses:
        course.lesson_count = counts.get(course.path, 0)


def attach_courses(*, lessons: list) -> list:
    """Set `lesson.course_page` on each lesson with one query for all their courses."""
    parent_paths = {lesson.path[: -Page.steplen] for lesson in lessons}
    courses = {c.path: c for c in CoursePage.objects.filter(path__in=parent_paths)}
    for lesson in lessons:
        lesson.course_page = courses.get(lesson.path[: -Page.steplen])
    return lessons


def latest_lessons(*, user, limit: int = 8) -> list:
    lessons = list(
        lessons_queryset(user=user).order_by("-first_published_at", "-id").specific()[:limit]
    )
    return attach_courses(lessons=lessons)


def course_lessons(*, course: CoursePage, user) -> list:
    """The course's lessons in order (the editor's order of the child pages)."""
    lessons = list(
        visible_pages(user=user, queryset=course.get_children().type(*LESSON_MODELS))
        .order_by("path")
        .specific()
    )
    for lesson in lessons:
        lesson.course_page = course
    return lessons


def lesson_course(*, lesson) -> CoursePage | None:
    return CoursePage.objects.filter(path=lesson.path[: -Page.steplen]).first()


def lesson_neighbours(*, lesson, user) -> dict:
    """The previous and next lesson in the course, for the lesson page's navigation."""
    siblings = list(
        visible_pages(user=user, queryset=lesson.get_siblings().type(*LESSON_MODELS))
        .order_by("path")
        .only("id", "title", "url_path", "path")
    )
    ids = [s.id for s in siblings]
    index = ids.index(lesson.id) if lesson.id in ids else -1
    return {
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if 0 <= index < len(siblings) - 1 else None,
        "position": index + 1,
        "total": len(siblings),
    }
