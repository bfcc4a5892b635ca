"""Offline 学时 (issue 14): an entry is dated inside its class, days → 学时 is one rule
(DAY_CLASS_HOURS) with the per-session maximum of learning/progress/offline_hours.py, and the
ledger form states it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.progress.exceptions import InvalidRecord
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.offline_sessions import offline_session_record
from learning.progress.services import ledger_offline_add

pytestmark = pytest.mark.django_db


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
