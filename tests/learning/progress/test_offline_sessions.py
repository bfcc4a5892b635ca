"""记录线下培训: one session credits every attendee in the 学时 ledger, all or nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.classes.models import OfflineSession
from learning.progress.exceptions import InvalidRecord
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.offline_sessions import offline_session_add_attendees, offline_session_record
from learning.progress.selectors import class_sessions, session_entries
from learning.progress.services import ledger_correction_add
from learning.reports.selectors import report_row

pytestmark = pytest.mark.django_db


def _record(tc, trainer, trainees, **kwargs):
    fields = {
        "training_class": tc,
        "source": LedgerSource.OFFLINE_LECTURE,
        "occurred_on": timezone.localdate(),
        "topic": "党的基本理论",
        "amount": Decimal("3"),
        "trainee_ids": [p.pk for p in trainees],
        "recorded_by": trainer,
        **kwargs,
    }
    return offline_session_record(**fields)


def test_session_credits_each_attendee_and_shows_in_the_report(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    attendees = report_factory.trainees(tc, 3)
    absent = report_factory.trainees(tc, 1)[0]
    day = timezone.localdate() - timedelta(days=1)

    session = _record(tc, trainer, attendees, occurred_on=day, location="图书馆报告厅")

    assert session.attendee_count == 3
    entries = HoursLedgerEntry.objects.filter(reference=f"offline-session:{session.pk}")
    assert sorted(e.user_id for e in entries) == sorted(p.user_id for p in attendees)
    for entry in entries:
        assert entry.source == LedgerSource.OFFLINE_LECTURE
        assert entry.amount == Decimal("3.00")
        assert entry.occurred_on == day
        assert entry.granted_by == trainer
        assert entry.training_class == tc
        assert entry.note == "党的基本理论（图书馆报告厅）"
    assert report_row(training_class=tc, trainee=attendees[0]).earned_hours == Decimal("3.00")
    assert report_row(training_class=tc, trainee=absent).earned_hours == Decimal("0")
    listed = class_sessions(training_class=tc).get()
    assert listed.attendee_count == 3
    assert session_entries(session=session).count() == 3


def test_days_count_eight_hours_each(report_factory, trainer, settings):
    assert settings.DANGKE["DAY_CLASS_HOURS"] == Decimal("8")
    tc = report_factory.klass(trainers=[trainer])
    profiles = report_factory.trainees(tc, 2)
    session = _record(tc, trainer, profiles, amount=None, days=Decimal("2"))
    assert session.amount == Decimal("16.00")
    assert {e.amount for e in HoursLedgerEntry.objects.filter(training_class=tc)} == {
        Decimal("16.00")
    }


def test_a_trainee_not_enrolled_refuses_everything(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    other = report_factory.klass(trainers=[trainer])
    enrolled = report_factory.trainees(tc, 2)
    outsider = report_factory.trainees(other, 1)[0]
    with pytest.raises(InvalidRecord) as exc:
        _record(tc, trainer, [*enrolled, outsider])
    assert outsider.name in exc.value.message_dict["trainees"][0]
    assert not OfflineSession.objects.exists()
    assert not HoursLedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"occurred_on": timezone.localdate() + timedelta(days=1)}, "occurred_on"),
        ({"occurred_on": None}, "occurred_on"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": Decimal("24.5")}, "amount"),
        ({"amount": None, "days": Decimal("4")}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": Decimal("8"), "days": Decimal("1")}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"topic": "  "}, "topic"),
        ({"source": LedgerSource.EXAM}, "source"),
        ({"source": LedgerSource.CORRECTION}, "source"),
        ({"trainee_ids": []}, "trainees"),
        ({"trainee_ids": ["x"]}, "trainees"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(report_factory, trainer, fields, field):
    tc = report_factory.klass(trainers=[trainer])
    profiles = report_factory.trainees(tc, 2)
    with pytest.raises(InvalidRecord) as exc:
        _record(tc, trainer, profiles, **fields)
    assert field in exc.value.message_dict
    assert not OfflineSession.objects.exists()
    assert not HoursLedgerEntry.objects.exists()


def test_late_sign_in_adds_only_the_new_ones_and_never_twice(report_factory, trainer, trainer2):
    tc = report_factory.klass(trainers=[trainer, trainer2])
    first, late = report_factory.trainees(tc, 2), report_factory.trainees(tc, 2)
    session = _record(tc, trainer, first)

    result = offline_session_add_attendees(
        session=session, trainee_ids=[p.pk for p in [*first, *late]], recorded_by=trainer2
    )
    assert (result.added, result.skipped) == (2, 2)
    again = offline_session_add_attendees(
        session=session, trainee_ids=[late[0].pk], recorded_by=trainer2
    )
    assert (again.added, again.skipped) == (0, 1)
    entries = HoursLedgerEntry.objects.filter(reference=session.reference)
    assert entries.count() == 4
    assert {e.granted_by for e in entries if e.user_id == late[0].user_id} == {trainer2}


def test_late_sign_in_refuses_a_trainee_of_another_class(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    other = report_factory.klass(trainers=[trainer])
    session = _record(tc, trainer, report_factory.trainees(tc, 1))
    outsider = report_factory.trainees(other, 1)[0]
    with pytest.raises(InvalidRecord):
        offline_session_add_attendees(
            session=session, trainee_ids=[outsider.pk], recorded_by=trainer
        )
    assert HoursLedgerEntry.objects.filter(reference=session.reference).count() == 1


def test_a_wrongly_ticked_attendee_is_removed_by_a_correction(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    profiles = report_factory.trainees(tc, 2)
    session = _record(tc, trainer, profiles)
    entry = HoursLedgerEntry.objects.get(reference=session.reference, user=profiles[0].user)
    ledger_correction_add(entry=entry, amount=Decimal("-3"), granted_by=trainer, note="未到场")
    rows = {e.user_id: e for e in session_entries(session=session)}
    assert rows[profiles[0].user_id].corrected == Decimal("-3")
    assert report_row(training_class=tc, trainee=profiles[0]).earned_hours == Decimal("0")
    # The removed trainee stays on the record, so a late sign-in cannot credit them again.
    result = offline_session_add_attendees(
        session=session, trainee_ids=[profiles[0].pk], recorded_by=trainer
    )
    assert result.added == 0


@pytest.mark.parametrize("size", [5, 50])
def test_query_count_does_not_grow_with_attendees(
    report_factory, trainer, size, django_assert_num_queries
):
    tc = report_factory.klass(trainers=[trainer])
    profiles = report_factory.trainees(tc, size)
    # enrolments read, savepoint, session insert, bulk insert, release.
    with django_assert_num_queries(5):
        _record(tc, trainer, profiles)
    assert HoursLedgerEntry.objects.filter(training_class=tc).count() == size


@pytest.mark.parametrize("size", [5, 50])
def test_late_sign_in_query_count_does_not_grow(
    report_factory, trainer, size, django_assert_num_queries
):
    tc = report_factory.klass(trainers=[trainer])
    session = _record(tc, trainer, report_factory.trainees(tc, 1))
    late = report_factory.trainees(tc, size)
    # savepoint, session lock, enrolments read, 请假 read (issue 14: none on leave), credited
    # read, bulk insert, release.
    with django_assert_num_queries(7):
        offline_session_add_attendees(
            session=session, trainee_ids=[p.pk for p in late], recorded_by=trainer
        )
    assert HoursLedgerEntry.objects.filter(training_class=tc).count() == size + 1


def test_a_300_trainee_class_is_one_insert_on_postgresql(
    report_factory, trainer, django_assert_num_queries
):
    from django.db import connection

    tc = report_factory.klass(trainers=[trainer])
    profiles = report_factory.trainees(tc, 300)
    # SQLite allows 999 parameters a statement, so Django splits the insert into batches of 76
    # rows there; PostgreSQL takes all 300 rows in one.
    inserts = 1 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(4 + inserts):
        _record(tc, trainer, profiles)
    assert HoursLedgerEntry.objects.filter(training_class=tc).count() == 300
