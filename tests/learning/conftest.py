"""Fixtures for learning tests: lessons, trainees, trainers and a training class."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from cms.pages.models import ArticleLessonPage, CoursePage, HomePage, VideoLessonPage
from cms.roles import TRAINERS
from learning.classes.models import Branch, College, Enrolment, TraineeProfile, TrainingClass
from media_pipeline.models import Video

# --- progress, ledger and classes fixtures -------------------------------------------------


@pytest.fixture
def course(db):
    home = HomePage.objects.first()
    page = CoursePage(title="党的基本知识", slug="basics")
    home.add_child(instance=page)
    return page


@pytest.fixture
def video(db):
    return Video.objects.create(
        title="党章学习", original="videos/original/x.mp4", status="ready", duration_seconds=600
    )


@pytest.fixture
def video_lesson(course, video):
    page = VideoLessonPage(
        title="学习党章", slug="dangzhang", video=video, class_hours=Decimal("0.5")
    )
    course.add_child(instance=page)
    return page


@pytest.fixture
def article_lesson(course):
    page = ArticleLessonPage(
        title="入党誓词", slug="oath", min_reading_seconds=60, class_hours=Decimal("0.25")
    )
    course.add_child(instance=page)
    return page


@pytest.fixture
def college(db):
    return College.objects.create(name="计算机学院")


@pytest.fixture
def branch(college):
    return Branch.objects.create(college=college, name="本科生第一党支部")


def make_trainee(username: str, branch: Branch, stage: str = "activist") -> User:
    user = User.objects.create_user(username=username, password="pw-123456-x")
    TraineeProfile.objects.create(
        user=user,
        name=f"学员{username}",
        student_no=f"S{username}",
        college=branch.college,
        branch=branch,
        stage=stage,
    )
    return user


@pytest.fixture
def trainee(branch):
    return make_trainee("trainee1", branch)


@pytest.fixture
def other_trainee(branch):
    return make_trainee("trainee2", branch)


def make_trainer(username: str) -> User:
    user = User.objects.create_user(username=username, password="pw-123456-x")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def trainer(db):
    return make_trainer("trainer")


@pytest.fixture
def trainer2(db):
    return make_trainer("trainer2")


@pytest.fixture
def training_class(trainee, trainer, video_lesson, article_lesson):
    tc = TrainingClass.objects.create(name="第一期入党积极分子培训班", intake="第 1 期")
    tc.required_lessons.add(video_lesson, article_lesson)
    tc.trainers.add(trainer)
    Enrolment.objects.create(training_class=tc, trainee=trainee.trainee_profile)
    return tc


@pytest.fixture
def trainee_api(trainee):
    client = APIClient()
    client.force_authenticate(trainee)
    return client


def rewind_playback(user, seconds: float) -> None:
    """Pretend `seconds` of wall time passed since the user's last accepted report."""
    from learning.progress.models import PlaybackSession

    for session in PlaybackSession.objects.filter(user=user, anchor_at__isnull=False):
        PlaybackSession.objects.filter(pk=session.pk).update(
            anchor_at=session.anchor_at - timedelta(seconds=seconds)
        )
