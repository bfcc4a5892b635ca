"""学时 of video lessons follow the online-crediting rule when the editor sets none."""

from decimal import Decimal

import pytest

from cms.pages.credit import class_hours_for_duration, class_hours_supported, rule_text
from cms.pages.models import ArticleLessonPage, VideoLessonPage
from media_pipeline.models import Video


@pytest.mark.parametrize(
    ("seconds", "hours"),
    [
        # Below the floor (5 minutes) a lesson earns nothing by itself: no 0.25 for a 9 s clip.
        (None, "0"),
        (9, "0"),
        (299, "0"),
        (300, "0.25"),
        (899, "0.25"),
        (900, "0.5"),
        (1799, "0.5"),
        (1800, "1"),
        (5400, "1"),
    ],
)
def test_tiers(seconds, hours):
    assert class_hours_for_duration(seconds) == Decimal(hours)


@pytest.mark.django_db
def test_explicit_class_hours_win():
    video = Video(title="v", duration_seconds=3600)
    assert VideoLessonPage(
        video=video, class_hours=Decimal("2.00")
    ).effective_class_hours == Decimal("2.00")
    assert VideoLessonPage(video=video).effective_class_hours == Decimal("1")


def test_tiers_are_configurable(settings):
    settings.DANGKE = {
        **settings.DANGKE,
        "ONLINE_CLASS_HOUR_TIERS": [(600, Decimal("0.4")), (0, Decimal("0.1"))],
    }
    assert class_hours_for_duration(700) == Decimal("0.4")


@pytest.mark.parametrize(
    ("seconds", "hours"),
    [
        (299, "0"),
        (300, "0"),
        (675, "0.25"),
        (1349, "0.25"),
        (1350, "0.5"),
        (2700, "1"),
        (5400, "2"),
    ],
)
def test_proportional_rule(settings, seconds, hours):
    """Minutes ÷ CLASS_HOUR_MINUTES (45), rounded down to 0.25, above the floor."""
    settings.DANGKE = {**settings.DANGKE, "ONLINE_CREDIT_RULE": "proportional"}
    assert class_hours_for_duration(seconds) == Decimal(hours)
    assert "÷ 45" in rule_text()


def test_floor_is_a_setting(settings):
    settings.DANGKE = {**settings.DANGKE, "ONLINE_CREDIT_FLOOR_MINUTES": 0}
    assert class_hours_for_duration(9) == Decimal("0.25")


@pytest.mark.django_db
def test_an_article_may_not_claim_more_than_its_reading_time_earns(settings):
    from django.core.exceptions import ValidationError

    article = ArticleLessonPage(
        title="长文", slug="long", class_hours=Decimal("100"), min_reading_seconds=10
    )
    with pytest.raises(ValidationError) as exc:
        article.clean()
    assert "最多计 0.25 学时" in exc.value.message_dict["class_hours"][0]
    article.class_hours = Decimal("0.25")
    article.clean()  # what 10 s earn under the tiers; the floor does not bind an editor
    assert class_hours_supported(10) == Decimal("0.25")
    settings.DANGKE = {**settings.DANGKE, "ONLINE_CREDIT_RULE": "proportional"}
    article.min_reading_seconds = 2700  # 45 minutes: one class period
    article.class_hours = Decimal("1")
    article.clean()
    article.class_hours = Decimal("1.25")
    with pytest.raises(ValidationError):
        article.clean()


@pytest.mark.django_db
def test_the_admin_shows_the_rule_beside_the_field(admin_client, settings):
    from tests.factories import make_course

    course = make_course("党的基本知识")
    settings.DANGKE = {**settings.DANGKE, "ONLINE_CREDIT_RULE": "proportional"}
    for model in ("videolessonpage", "articlelessonpage"):
        html = admin_client.get(f"/admin/pages/add/pages/{model}/{course.pk}/").content.decode()
        assert "时长（分钟）÷ 45（一个学时）后向下取到 0.25 学时" in html, model
