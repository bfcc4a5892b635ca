"""Issue 14, 学时 and completion: online credits count inside the class, offline entries are dated
inside it, days → 学时 is one rule with the per-session maximum, and 结业 needs the required
lessons as well as the 学时 and the exam."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learning.progress.exceptions import InvalidRecord
from learning.progress.models import HoursLedgerEntry, LedgerSource, LessonProgress
from learning.progress.offline_sessions import offline_session_record
from learning.progress.selectors import class_earned_hours
from learning.progress.services import ledger_offline_add
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


def test_credits_since_may_not_be_after_the_start(report_factory):
    today = timezone.localdate()
    tc = report_factory.klass(start_date=today)
    tc.credits_since = today + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        tc.full_clean()
    assert "credits_since" in exc.value.message_dict


def test_offline_entries_are_dated_inside_the_class(report_factory, trainer):
    today = timezone.localdate()
    tc = report_factory.klass(
        start_date=today - timedelta(days=5), end_date=today + timedelta(days=5)
    )
    (a,) = report_factory.trainees(tc, 1)
    before = today - timedelta(days=6)
    with pytest.raises(InvalidRecord) as exc:
        ledger_offline_add(
            user=a.user,
            training_class=tc,
            source=LedgerSource.OFFLINE_LECTURE,
            granted_by=trainer,
            note="集中培训",
            amount=Decimal("4"),
            occurred_on=before,
        )
    assert "开班日期至结业日期之间" in exc.value.message_dict["occurred_on"][0]
    with pytest.raises(InvalidRecord) as exc:
        offline_session_record(
            training_class=tc,
            source=LedgerSource.OFFLINE_LECTURE,
            occurred_on=before,
            topic="党史专题",
            trainee_ids=[a.pk],
            recorded_by=trainer,
            amount=Decimal("4"),
        )
    assert "occurred_on" in exc.value.message_dict
    assert not HoursLedgerEntry.objects.filter(user=a.user).exists()
    ledger_offline_add(
        user=a.user,
        training_class=tc,
        source=LedgerSource.OFFLINE_LECTURE,
        granted_by=trainer,
        note="集中培训",
        amount=Decimal("4"),
        occurred_on=today,
    )


def test_days_to_hours_is_one_rule_with_the_maximum(report_factory, trainer, settings):
    tc = report_factory.klass()
    (a,) = report_factory.trainees(tc, 1)
    today = timezone.localdate()
    settings.DANGKE = {**settings.DANGKE, "DAY_CLASS_HOURS": Decimal("6")}
    entry = ledger_offline_add(
        user=a.user,
        training_class=tc,
        source=LedgerSource.OFFLINE_LECTURE,
        granted_by=trainer,
        note="集中培训",
        days=Decimal("2"),
        occurred_on=today,
    )
    assert entry.amount == Decimal("12.00")
    session = offline_session_record(
        training_class=tc,
        source=LedgerSource.OFFLINE_LECTURE,
        occurred_on=today,
        topic="集中授课",
        trainee_ids=[a.pk],
        recorded_by=trainer,
        days=Decimal("2"),
    )
    assert session.amount == Decimal("12.00")
    # The single entry now enforces the per-session maximum (24) as the session always did.
    with pytest.raises(InvalidRecord) as exc:
        ledger_offline_add(
            user=a.user,
            training_class=tc,
            source=LedgerSource.OFFLINE_LECTURE,
            granted_by=trainer,
            note="集中培训",
            days=Decimal("5"),
            occurred_on=today,
        )
    assert "最多记 24 学时" in exc.value.message_dict["amount"][0]


def test_ledger_form_states_the_day_rule_from_the_setting(trainer, settings):
    from learning.progress.viewsets import LedgerEntryForm

    settings.DANGKE = {**settings.DANGKE, "DAY_CLASS_HOURS": Decimal("6")}
    form = LedgerEntryForm(for_user=trainer)
    assert "一天计 6 学时" in str(form.fields["days"].help_text)
    assert "8 学时" not in str(form.fields["days"].help_text)


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
