"""Small builders for real objects used across the test suite (pages, users in roles, units of
the Party tree and trainees who are members of them)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
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


# --- the Party tree and trainees (issue 15) ----------------------------------------------------

UNIVERSITY_NAME = "示范大学党委"


def make_branch_unit(college: str = "计算机学院党委", branch: str = "本科生第一党支部"):
    """The 党支部 `branch` under the 院系党委 `college` (under the 校党委), created if missing and
    returned; its 院系党委 is `.get_parent()`. `college=None` makes a 直属党支部 of the 校党委."""
    from party.organisation.models import Unit, UnitKind
    from party.organisation.services import unit_create

    root = Unit.get_root_nodes().filter(kind=UnitKind.UNIVERSITY).first() or unit_create(
        kind=UnitKind.UNIVERSITY, name=UNIVERSITY_NAME
    )
    parent = root
    if college is not None:
        parent = root.get_children().filter(kind=UnitKind.COLLEGE, name=college).first()
        parent = parent or unit_create(kind=UnitKind.COLLEGE, name=college, parent=root)
    unit = parent.get_children().filter(kind=UnitKind.BRANCH, name=branch).first()
    return unit or unit_create(kind=UnitKind.BRANCH, name=branch, parent=parent)


def make_trainee_profile(
    *,
    user=None,
    name: str = "",
    student_no: str = "",
    branch=None,
    stage: str = "activist",
    since: date | None = None,
    **fields,
):
    """A trainee linked to their member record in `branch` (a 党支部 Unit, make_branch_unit() if
    None) with a documented history (档案补录) reaching `stage` on `since` (today if None), each
    earlier stage of the path one year before the next unless a date is given (applied_on=,
    activist_on=, candidate_on=, probationary_on=, full_member_on=). No legacy College/Branch."""
    from learning.classes.membership import PATH, trainee_member_link
    from learning.classes.models import TraineeProfile

    n = next(_seq)
    user = user or make_user(f"trainee{n}")
    name = name or f"学员{n:04d}"
    student_no = student_no or f"T{n:07d}"
    branch = branch or make_branch_unit()
    since = since or timezone.localdate()
    last = next(i for i, (value, _field) in enumerate(PATH) if value == stage)
    dates = {
        field: fields.pop(field, since - timedelta(days=365 * (last - i)))
        for i, (_value, field) in enumerate(PATH[: last + 1])
    }
    member = trainee_member_link(
        user=user,
        name=name,
        student_no=student_no,
        phone=fields.get("phone", ""),
        unit=branch,
        stage=stage,
        dates=dates,
    )
    return TraineeProfile.objects.create(
        user=user, member=member, name=name, student_no=student_no, **fields
    )


def advance_trainee(profile, stage: str, *, on: date | None = None):
    """Record `stage` in the trainee's member history on `on` (today), as a documented decision
    entered later (档案补录): tests move trainees along without the gates of the registry."""
    from party.members.models import DecidingBody, StageChange

    return StageChange.objects.create(
        member=profile.member,
        stage=stage,
        decided_on=on or timezone.localdate(),
        decided_by=DecidingBody.RECORDS,
    )
