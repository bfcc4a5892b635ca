"""Issue 14, the absence allowance: 学时 of offline sessions missed with recorded 请假 count toward
结业 up to the class's share of its required 学时 (default 0, at most 25 %: missing more than a
quarter of the 学时 means no certificate), never beyond. One implementation
(learning/reports/status.py); report, 我的学习, /me/ and certificate issuing read it. Recording 请假
(with a reason, once, for the absent) is tested in tests/learning/progress/test_offline_leave.py."""

from decimal import Decimal

import pytest

from learning.classes.models import OfflineLeave
from learning.progress.exceptions import LeaveAlreadyWithdrawn
from learning.progress.offline_sessions import offline_leave_record, offline_leave_withdraw
from learning.progress.selectors import class_sessions
from learning.reports.class_report import report_row
from learning.reports.exceptions import CertificateRefused
from learning.reports.services import certificate_issue
from learning.reports.status import ReportStatus
from learning.reports.trainee_record import completion_steps
from tests.learning.progress.test_offline_leave import leave_class, leave_setup

pytestmark = pytest.mark.django_db


def test_exactly_a_quarter_excused_completes(report_factory, trainer):
    # 8 required, 25 % → 2 学时 may be excused: 6 earned + a 2-学时 session missed with 请假.
    tc, absent, _session = leave_setup(
        report_factory, trainer, percent="25", earned="6", missed="2"
    )
    row = report_row(training_class=tc, trainee=absent)
    assert (row.earned_hours, row.leave_hours, row.excused_hours) == (
        Decimal("6.00"),
        Decimal("2.00"),
        Decimal("2.00"),
    )
    assert row.status == ReportStatus.COMPLETED
    assert row.missing == []
    certificate = certificate_issue(training_class=tc, trainee=absent, issued_by=trainer)
    # The certificate states the 学时 actually earned; the 请假 only let the rule be met.
    assert certificate.earned_hours == Decimal("6.00")


def test_just_over_the_allowance_is_short_and_says_so(report_factory, trainer):
    # 5.75 earned + 2.25 on leave = 8, but only 2 may be excused: 7.75 counted.
    tc, absent, _session = leave_setup(
        report_factory, trainer, percent="25", earned="5.75", missed="2.25"
    )
    row = report_row(training_class=tc, trainee=absent)
    assert row.excused_hours == Decimal("2.00")
    assert row.status != ReportStatus.COMPLETED
    assert row.missing == ["hours", "leave_allowance"]
    assert "请假超出本班可请假比例" in row.missing_labels
    with pytest.raises(CertificateRefused, match="尚缺：学时未修满、请假超出本班可请假比例"):
        certificate_issue(training_class=tc, trainee=absent, issued_by=trainer)
    steps = completion_steps(user=absent.user, training_class_id=tc.pk)
    assert steps.hours_missing == Decimal("0.25")


def test_default_allowance_is_zero(report_factory, trainer):
    tc, absent, _session = leave_setup(report_factory, trainer, percent="0", earned="6", missed="2")
    assert tc.leave_allowance_percent == Decimal("0")
    row = report_row(training_class=tc, trainee=absent)
    assert row.leave_hours == Decimal("2.00") and row.excused_hours == Decimal("0.00")
    assert row.status == ReportStatus.IN_PROGRESS
    assert row.missing == ["hours", "leave_allowance"]


def test_short_hours_without_enough_leave_are_not_the_allowance(report_factory, trainer):
    tc, absent, _session = leave_setup(
        report_factory, trainer, percent="25", earned="4", missed="2"
    )
    row = report_row(training_class=tc, trainee=absent)
    assert row.counted_hours == Decimal("6.00")
    assert row.missing == ["hours"]


def test_a_withdrawn_leave_is_kept_and_no_longer_counts(report_factory, trainer, trainer2):
    """撤销请假 keeps the row with who withdrew it and when; only leaves in force count toward the
    allowance and 请假人数; a new leave may then be recorded beside the withdrawn one."""
    tc, absent, session = leave_setup(report_factory, trainer, percent="25", earned="6", missed="2")
    leave = OfflineLeave.objects.get()
    assert report_row(training_class=tc, trainee=absent).status == ReportStatus.COMPLETED
    offline_leave_withdraw(leave=leave, withdrawn_by=trainer2)
    leave.refresh_from_db()
    assert (leave.withdrawn_by, leave.reason, leave.recorded_by) == (
        trainer2,
        "参加学院迎新工作",
        trainer,
    )
    assert leave.withdrawn_at is not None and not leave.is_active
    row = report_row(training_class=tc, trainee=absent)
    assert (row.leave_hours, row.excused_hours) == (Decimal("0.00"), Decimal("0.00"))
    assert row.status == ReportStatus.IN_PROGRESS and row.missing == ["hours"]
    assert class_sessions(training_class=tc).get(pk=session.pk).leave_count == 0
    with pytest.raises(CertificateRefused):
        certificate_issue(training_class=tc, trainee=absent, issued_by=trainer)
    # Withdrawing it again is refused, and changes nothing.
    with pytest.raises(LeaveAlreadyWithdrawn, match="已经撤销过了"):
        offline_leave_withdraw(leave=leave, withdrawn_by=trainer)
    leave.refresh_from_db()
    assert leave.withdrawn_by == trainer2
    # The trainee may be given 请假 again: two rows, one in force, and it counts once more.
    again = offline_leave_record(
        session=session, trainee_id=absent.pk, reason="病假（有医院证明）", recorded_by=trainer
    )
    assert OfflineLeave.objects.count() == 2
    assert list(OfflineLeave.objects.active()) == [again]
    assert report_row(training_class=tc, trainee=absent).status == ReportStatus.COMPLETED
    assert class_sessions(training_class=tc).get(pk=session.pk).leave_count == 1


def test_leave_in_another_class_does_not_count(report_factory, trainer):
    tc, absent, _session = leave_setup(
        report_factory, trainer, percent="25", earned="6", missed="2"
    )
    second = leave_class(report_factory, trainer, percent="25")
    from learning.classes.models import Enrolment

    Enrolment.objects.create(training_class=second, trainee=absent)
    row = report_row(training_class=second, trainee=absent)
    assert row.leave_hours == Decimal("0.00")


def test_me_api_and_my_learning_read_the_same_rule(report_factory, trainer, client):
    tc, absent, _session = leave_setup(
        report_factory, trainer, percent="25", earned="5.75", missed="2.25"
    )
    client.force_login(absent.user)
    data = client.get("/api/v1/me/").json()
    (item,) = [c for c in data["classes"] if c["id"] == tc.pk]
    assert item["missing"] == ["hours", "leave_allowance"]
    assert (item["leave_hours"], item["excused_hours"], item["leave_allowance_percent"]) == (
        "2.25",
        "2.00",
        "25.00",
    )


def test_the_allowance_does_not_repeat_the_ledger_sum_in_the_report_sql(report_factory, trainer):
    """The per-row ledger sum is the report's dominant cost, and every reference to an
    annotation repeats its whole subquery in the SQL: the row's earned_hours, 学时已修满 twice in
    the status (rules 1 and 7) and 学习中 once (rule 8) — 4. counted_hours (earned + excused
    请假) is an alias, so neither the report's rows nor the annotated enrolments themselves
    evaluate it a fifth time (they did when it was a selected annotation)."""
    from learning.progress.models import HoursLedgerEntry
    from learning.reports.class_report import class_report
    from learning.reports.status import class_enrolments

    tc, absent, _session = leave_setup(
        report_factory, trainer, percent="25", earned="6", missed="2"
    )
    ledger = f'FROM "{HoursLedgerEntry._meta.db_table}"'
    counts = [
        str(qs.query).count(ledger)
        for qs in (class_report(training_class=tc), class_enrolments(tc))
    ]
    assert counts == [4, 4]
    # The alias still decides the status.
    assert class_enrolments(tc).get(trainee=absent).status == ReportStatus.COMPLETED
