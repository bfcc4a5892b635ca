"""`load_demo` builds every user path's data, and running it twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, PageViewRestriction

from cms.demo import DEMO_ACCOUNTS, demo_password
from cms.pages.models import ArticleLessonPage, CoursePage, VideoLessonPage

pytestmark = pytest.mark.django_db


def _snapshot():
    from learning.classes.models import Enrolment, TrainingClass
    from learning.quizzes.models import Question, Quiz

    return {
        "users": get_user_model().objects.count(),
        "pages": Page.objects.count(),
        "revisions": sum(p.revisions.count() for p in Page.objects.all()),
        "classes": TrainingClass.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "questions": Question.objects.count(),
        "quizzes": Quiz.objects.count(),
    }


def test_load_demo_is_complete_and_idempotent(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    first = _snapshot()
    call_command("load_demo", "--no-video")
    assert _snapshot() == first

    assert CoursePage.objects.live().count() == 2
    assert ArticleLessonPage.objects.live().count() + VideoLessonPage.objects.live().count() >= 6
    assert PageViewRestriction.objects.count() == 1
    for account in DEMO_ACCOUNTS:
        user = get_user_model().objects.get(username=account.username)
        assert user.check_password("Demo-Pass-2026")
    assert first["classes"] == 2 and first["enrolments"] >= 2
    assert first["questions"] >= 40


def test_generated_demo_password_is_kept(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    settings.VAR_DIR = tmp_path
    password = demo_password()
    assert password.startswith("dk-") and len(password) > 10
    assert demo_password() == password
