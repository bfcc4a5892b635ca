"""Issue 14, 学时 and completion: online credits count inside the class (the report and the
progress selector agree), and 结业 needs the required lessons as well as the 学时 and the exam.
Offline entries' dates and days → 学时: tests/learning/progress/test_offline_hours.py; the
class's credits_since: tests/learning/classes/test_class_rules.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.progress.models import HoursLedgerEntry, LedgerSource, LessonProgress
from learning.progress.selectors import class_earned_hours
from learning.reports.class_report import report_row
from learning.reports.exceptions import CertificateRefused
from learning.reports.services import certificate_issue
from learning.reports.status import ReportStatus

pytestmark = pytest.mark.django_db


def _online(profile, lesson, amount, on):
    return HoursLedgerEntry.objects.create(
        user=profile.user,
        source=LedgerSource.ONLINE_LESSON,
        amount=Decimal(amount),
        lesson=lesson,
        occurred_on=on,
    )


def test_online_credits_count_inside_the_class_window(report_factory, video_lesson, article_lesson):
    today = timezone.localdate()
    tc = report_factory.klass(
        required_hours="1",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=10),
    )
    tc.required_lessons.add(video_lesson, article_lesson)
    (a,) = report_factory.trainees(tc, 1)
    # Finished a year ago as 入党积极分子: does not fill this class.
    _online(a, video_lesson, "0.5", today - timedelta(days=365))
    _online(a, article_lesson, "0.25", today - timedelta(days=2))
    assert report_row(training_class=tc, trainee=a).earned_hours == Decimal("0.25")
    assert class_earned_hours(training_class=tc, user=a.user) == Decimal("0.25")
    # The class counts credits from an earlier date.
    tc.credits_since = today - timedelta(days=400)
    tc.save()
    assert report_row(training_class=tc, trainee=a).earned_hours == Decimal("0.75")
    assert class_earned_hours(training_class=tc, user=a.user) == Decimal("0.75")
    # Nor after the class ended.
    tc.credits_since = None
    tc.end_date = today - timedelta(days=3)
    tc.save()
    assert report_row(training_class=tc, trainee=a).earned_hours == Decimal("0.00")
    assert class_earned_hours(training_class=tc, user=a.user) == Decimal("0.00")


def test_required_lessons_are_required_for_completion_and_certificate(
    report_factory, trainer, video_lesson
):
    tc = report_factory.klass(required_hours="8", trainers=[trainer])
    tc.required_lessons.add(video_lesson)
    exam = report_factory.exam(tc)
    (a,) = report_factory.trainees(tc, 1)
    report_factory.hours(a, tc, 8)  # an offline day
    report_factory.attempt(exam, a, 90)
    row = report_row(training_class=tc, trainee=a)
    assert row.status == ReportStatus.HOURS_MET and row.missing == ["lessons"]
    assert row.missing_labels == ["必修课未完成"]
    with pytest.raises(CertificateRefused):
        certificate_issue(training_class=tc, trainee=a, issued_by=trainer)
    LessonProgress.objects.create(user=a.user, lesson=video_lesson, completed_at=timezone.now())
    row = report_row(training_class=tc, trainee=a)
    assert row.status == ReportStatus.COMPLETED and row.missing == []
    assert certificate_issue(training_class=tc, trainee=a, issued_by=trainer).number


def test_the_report_names_every_missing_condition(report_factory, video_lesson):
    tc = report_factory.klass(required_hours="8")
    tc.required_lessons.add(video_lesson)
    exam = report_factory.exam(tc)
    (a,) = report_factory.trainees(tc, 1)
    report_factory.attempt(exam, a, 10)
    assert report_row(training_class=tc, trainee=a).missing == ["hours", "lessons", "exam"]
