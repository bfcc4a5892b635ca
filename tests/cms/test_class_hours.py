"""学时 of video lessons follow the online-crediting rule when the editor sets none."""

from decimal import Decimal

import pytest

from cms.pages.models import VideoLessonPage, class_hours_for_duration
from media_pipeline.models import Video


@pytest.mark.parametrize(
    ("seconds", "hours"),
    [
        (None, "0.25"),
        (60, "0.25"),
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
