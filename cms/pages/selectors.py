"""Reads of published content that respect page privacy (view restrictions)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from wagtail.models import Page, PageViewRestriction
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.pages.models import LESSON_MODELS, CoursePage, VideoLessonPage


def _hidden_paths(*, user) -> list[str]:
    """Paths of restricted subtrees this user may not see (login, group and password restrictions).

    One query in the common case (no group restrictions); this runs on every progress heartbeat.
    """
    user = user or AnonymousUser()
    if user.is_authenticated and user.is_superuser:
        return []
    restrictions = list(
        PageViewRestriction.objects.values_list("id", "restriction_type", "page__path")
    )
    if not restrictions:
        return []
    allowed_by_group: set[int] = set()
    group_restricted = [rid for rid, kind, _ in restrictions if kind == PageViewRestriction.GROUPS]
    if group_restricted and user.is_authenticated:
        allowed_by_group = set(
            PageViewRestriction.groups.through.objects.filter(
                pageviewrestriction_id__in=group_restricted, group__user=user
            ).values_list("pageviewrestriction_id", flat=True)
        )
    hidden = []
    for rid, kind, path in restrictions:
        if kind == PageViewRestriction.LOGIN and user.is_authenticated:
            continue
        if kind == PageViewRestriction.GROUPS and rid in allowed_by_group:
            continue
        hidden.append(path)
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
        counts[path[: -Page.steplen]] = counts.get(path[: -Page.steplen], 0) + 1
    for course in courses:
        course.lesson_count = counts.get(course.path, 0)


def attach_videos(*, lessons: list) -> list:
    """Load the videos of video lessons with one query (their length decides default 学时)."""
    from media_pipeline.models import Video

    video_ids = {getattr(lesson, "video_id", None) for lesson in lessons} - {None}
    videos = Video.objects.in_bulk(video_ids) if video_ids else {}
    for lesson in lessons:
        if getattr(lesson, "video_id", None):
            lesson.video = videos.get(lesson.video_id)
    return lessons


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
    attach_videos(lessons=lessons)
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
    attach_completion(lessons=lessons, user=user)
    return attach_videos(lessons=lessons)


def attach_completion(*, lessons: list, user) -> list:
    """Set `lesson.completed` (a tick on the course page) for the signed-in trainee; one query."""
    from learning.progress.selectors import lesson_progress_map

    progress = lesson_progress_map(user=user, lesson_ids=[lesson.pk for lesson in lessons])
    for lesson in lessons:
        found = progress.get(lesson.pk)
        lesson.completed = bool(found and found.completed_at)
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


def course_get(*, user, course_id: int) -> CoursePage | None:
    return (
        visible_pages(user=user, queryset=CoursePage.objects.filter(pk=course_id))
        .select_related("cover_image")
        .first()
    )


def lesson_ids(*, user, kind: str | None = None, course_id: int | None = None) -> QuerySet:
    """Ids of the lessons a user may see, newest first (paginate these, then load the page)."""
    models = [m for m in LESSON_MODELS if kind in (None, m.kind)]
    qs = visible_pages(user=user, queryset=Page.objects.type(*models))
    if course_id is not None:
        course = CoursePage.objects.filter(pk=course_id).only("path", "depth").first()
        if course is None:
            return qs.none().values_list("id", flat=True)
        qs = qs.child_of(course)
    return qs.order_by("-first_published_at", "-id").values_list("id", flat=True)


def lessons_by_ids(*, ids: list[int]) -> list:
    by_id = Page.objects.filter(pk__in=ids).specific().in_bulk()
    lessons = [by_id[i] for i in ids if i in by_id]
    attach_videos(lessons=lessons)
    return attach_courses(lessons=lessons)


def lesson_get(*, user, lesson_id: int):
    page = lessons_queryset(user=user).filter(pk=lesson_id).specific().first()
    if page is None:
        return None
    attach_videos(lessons=[page])
    attach_courses(lessons=[page])
    return page


def lesson_extras(*, lesson, user) -> dict:
    """What the lesson API adds beyond the page: video playback URLs, the quiz, the user's progress."""
    from learning.progress.lessons import lesson_info
    from learning.progress.selectors import lesson_progress_map
    from learning.progress.services import progress_result
    from learning.quizzes.selectors import lesson_quiz
    from media_pipeline import api as media

    extras: dict = {"video": None, "quiz": None, "progress": None}
    if lesson.kind == "video" and getattr(lesson, "video", None):
        # Signed URLs: an app's native player sends neither the session cookie nor the token.
        extras["video"] = media.video_playback(video=lesson.video, signed_for=user)
    quiz = lesson_quiz(lesson_id=lesson.pk)
    extras["quiz"] = quiz.pk if quiz else None
    if user.is_authenticated:
        info = lesson_info(lesson)
        if info is not None:
            progress = lesson_progress_map(user=user, lesson_ids=[lesson.pk]).get(lesson.pk)
            result = progress_result(progress=progress, lesson=info)
            extras["progress"] = {
                "credited_seconds": result.credited_seconds,
                "watched_ratio": result.watched_ratio,
                "completed": result.completed,
                "class_hours": str(result.class_hours),
                "last_position": result.last_position,
            }
    return extras


def video_lessons_without_captions(*, user) -> QuerySet:
    """视频微党课 whose video has no 字幕, among the pages this user may edit in the admin (add,
    change or publish rights, as Wagtail's own page reports scope them), newest change first.
    Each row carries `course_title` (its parent's title) and `video_title`: one query for a page."""
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(
        user, ["add", "change", "publish"]
    )
    parent = Page.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    )
    return (
        VideoLessonPage.objects.filter(video__isnull=False, video__captions="")
        .filter(pk__in=editable.values("pk"))
        .annotate(course_title=Subquery(parent.values("title")[:1]), video_title=F("video__title"))
        .order_by(F("latest_revision_created_at").desc(nulls_last=True), "path")
    )
