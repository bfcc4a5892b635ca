"""请假 for an offline session (issue 14): recorded with a reason, for an enrolled trainee who was
absent, once; the database keeps one leave in force per session and trainee. How leave counts
toward 结业 is in tests/learning/reports/test_leave_allowance.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from learning.classes.models import OfflineLeave
from learning.progress.exceptions import InvalidRecord
from learning.progress.offline_sessions import (
    offline_leave_record,
    offline_leave_withdraw,
    offline_session_add_attendees,
    offline_session_record,
)

pytestmark = pytest.mark.django_db


def leave_class(report_factory, trainer, *, percent="0", required="8"):
    today = timezone.localdate()
    tc = report_factory.klass(
        trainers=[trainer],
        required_hours=required,
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=10),
        leave_allowance_percent=Decimal(percent),
    )
    return tc


def missed_session(tc, trainer, present, hours):
    """A session of `hours` that `present` attended (someone must)."""
    return offline_session_record(
        training_class=tc,
        source="offline_lecture",
        occurred_on=timezone.localdate(),
        topic="党的基本理论",
        trainee_ids=[present.pk],
        recorded_by=trainer,
        amount=Decimal(hours),
    )


def leave_setup(report_factory, trainer, *, percent, earned, missed):
    tc = leave_class(report_factory, trainer, percent=percent)
    absent, present = report_factory.trainees(tc, 2)
    report_factory.hours(absent, tc, earned)
    session = missed_session(tc, trainer, present, missed)
    offline_leave_record(
        session=session, trainee_id=absent.pk, reason="参加学院迎新工作", recorded_by=trainer
    )
    return tc, absent, session


def test_leave_without_a_reason_is_refused(report_factory, trainer):
    tc = leave_class(report_factory, trainer, percent="25")
    absent, present = report_factory.trainees(tc, 2)
    session = missed_session(tc, trainer, present, "2")
    for reason in ("", "   "):
        with pytest.raises(InvalidRecord) as exc:
            offline_leave_record(
                session=session, trainee_id=absent.pk, reason=reason, recorded_by=trainer
            )
        assert "请填写请假事由" in exc.value.message_dict["reason"][0]
    assert not OfflineLeave.objects.exists()
    # Nor can a row without one be written past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        OfflineLeave.objects.create(session=session, trainee=absent, reason="", recorded_by=trainer)


def test_leave_is_for_absent_enrolled_trainees_once(report_factory, trainer):
    tc = leave_class(report_factory, trainer, percent="25")
    absent, present = report_factory.trainees(tc, 2)
    other = leave_class(report_factory, trainer)
    (stranger,) = report_factory.trainees(other, 1)
    session = missed_session(tc, trainer, present, "2")
    with pytest.raises(InvalidRecord) as exc:
        offline_leave_record(
            session=session, trainee_id=present.pk, reason="病假", recorded_by=trainer
        )
    assert "已记入本次培训的学时" in exc.value.message_dict["trainee"][0]
    with pytest.raises(InvalidRecord) as exc:
        offline_leave_record(
            session=session, trainee_id=stranger.pk, reason="病假", recorded_by=trainer
        )
    assert "未编入本班" in exc.value.message_dict["trainee"][0]
    leave = offline_leave_record(
        session=session, trainee_id=absent.pk, reason=" 病假 ", recorded_by=trainer
    )
    assert leave.reason == "病假"
    with pytest.raises(InvalidRecord) as exc:
        offline_leave_record(
            session=session, trainee_id=absent.pk, reason="病假", recorded_by=trainer
        )
    assert "已经记录过" in exc.value.message_dict["trainee"][0]
    # A trainee on leave is not credited by a late sign-in until the leave is withdrawn.
    with pytest.raises(InvalidRecord) as exc:
        offline_session_add_attendees(session=session, trainee_ids=[absent.pk], recorded_by=trainer)
    assert absent.name in exc.value.message_dict["trainees"][0]
    offline_leave_withdraw(leave=leave, withdrawn_by=trainer)
    result = offline_session_add_attendees(
        session=session, trainee_ids=[absent.pk], recorded_by=trainer
    )
    assert result.added == 1


def test_the_database_keeps_one_leave_in_force_and_a_withdrawal_names_who(report_factory, trainer):
    tc, absent, session = leave_setup(report_factory, trainer, percent="25", earned="6", missed="2")
    with pytest.raises(IntegrityError), transaction.atomic():
        OfflineLeave.objects.create(
            session=session, trainee=absent, reason="重复", recorded_by=trainer
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        OfflineLeave.objects.update(withdrawn_at=timezone.now())
    # Withdrawn rows do not take the place of the one in force.
    OfflineLeave.objects.update(withdrawn_at=timezone.now(), withdrawn_by=trainer)
    OfflineLeave.objects.create(session=session, trainee=absent, reason="病假", recorded_by=trainer)
    OfflineLeave.objects.active().update(withdrawn_at=timezone.now(), withdrawn_by=trainer)
    OfflineLeave.objects.create(session=session, trainee=absent, reason="事假", recorded_by=trainer)
    assert OfflineLeave.objects.count() == 3 and OfflineLeave.objects.active().count() == 1
