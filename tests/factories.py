"""Small builders for real objects used across the test suite (pages, users in roles)."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, PageViewRestriction

from cms.pages.models import ArticleLessonPage, CoursePage, HomePage, VideoLessonPage

_seq = itertools.count(1)


def home_page() -> HomePage:
    return HomePage.objects.first()


def publish(page: Page, user=None) -> Page:
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


def make_course(title: str = "", parent: Page | None = None, **fields) -> CoursePage:
    n = next(_seq)
    course = CoursePage(title=title or f"专题{n}", slug=f"course-{n}", **fields)
    (parent or home_page()).add_child(instance=course)
    return publish(course)


def make_article(course: CoursePage, title: str = "", *, live: bool = True, body=None, **fields):
    n = next(_seq)
    fields.setdefault("class_hours", Decimal("0.25"))
    fields.setdefault("min_reading_seconds", 60)
    lesson = ArticleLessonPage(
        title=title or f"图文课{n}",
        slug=f"article-{n}",
        body=body if body is not None else [{"type": "paragraph", "value": f"<p>正文{n}</p>"}],
        live=live,
        **fields,
    )
    course.add_child(instance=lesson)
    if live:
        return publish(lesson)
    lesson.save_revision()
    return lesson


def make_video_lesson(course: CoursePage, title: str = "", *, video=None, **fields):
    n = next(_seq)
    lesson = VideoLessonPage(title=title or f"视频课{n}", slug=f"video-{n}", video=video, **fields)
    course.add_child(instance=lesson)
    return publish(lesson)


def restrict_to_logged_in(page: Page) -> PageViewRestriction:
    return PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def make_user(
    username: str = "", *, role: str | None = None, password: str = "pw-Secret-123", **fields
):
    username = username or f"user{next(_seq)}"
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
