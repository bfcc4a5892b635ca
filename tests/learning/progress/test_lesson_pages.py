"""The lesson-page contract: learning names the lesson page models only through
settings.LESSON_PAGE_MODELS and reads them only through learning.progress.lessons.LessonPage."""

import typing

import pytest
from django.apps import apps
from django.conf import settings
from wagtail.models import Page

from learning.classes.models import lesson_page_models, lesson_pages_q
from learning.progress.lessons import LessonPage, lesson_info

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("dotted", settings.LESSON_PAGE_MODELS)
def test_every_lesson_page_model_meets_the_contract(dotted):
    model = apps.get_model(dotted)
    missing = [name for name in typing.get_type_hints(LessonPage) if not hasattr(model, name)]
    assert missing == []
    if model().kind == "article":
        assert hasattr(model, "min_reading_seconds")


def test_lesson_info_reads_the_contract(video_lesson, article_lesson):
    video = lesson_info(video_lesson)
    article = lesson_info(article_lesson)
    assert (video.kind, article.kind) == ("video", "article")
    assert video.class_hours == video_lesson.effective_class_hours
    assert article.min_reading_seconds == article_lesson.min_reading_seconds


def test_the_lesson_models_come_from_the_setting(settings, video_lesson, article_lesson):
    assert set(Page.objects.filter(lesson_pages_q())) == {
        video_lesson.page_ptr,
        article_lesson.page_ptr,
    }
    settings.LESSON_PAGE_MODELS = ["pages.ArticleLessonPage"]
    assert lesson_page_models() == [("pages", "articlelessonpage")]
    assert list(Page.objects.filter(lesson_pages_q())) == [article_lesson.page_ptr]
