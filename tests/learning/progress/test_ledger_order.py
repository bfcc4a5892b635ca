"""Ledger lists are ordered by the day studied, then by when recorded (issue 21): a session
recorded late sits at its own date, not at the top; lists that show 学习日期 read in date order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from learning.progress.models import HoursLedgerEntry
from learning.progress.selectors import hours_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(trainee, trainer, training_class):
    now, today = timezone.now(), timezone.localdate()

    def add(note, *, occurred, recorded):
        return HoursLedgerEntry.objects.create(
            user=trainee,
            source="offline_lecture",
            amount=1,
            training_class=training_class,
            granted_by=trainer,
            note=note,
            occurred_on=occurred,
            created_at=recorded,
        )

    return [
        # Recorded in this order; studied in another.
        add("五天前的集中授课，今天才补记", occurred=today - timedelta(days=5), recorded=now),
        add(
            "昨天的讨论，前天就记了",
            occurred=today - timedelta(days=1),
            recorded=now - timedelta(days=2),
        ),
        add("三天前记的，未填学习日期", occurred=None, recorded=now - timedelta(days=3)),
        add(
            "昨天的讨论，晚一些记",
            occurred=today - timedelta(days=1),
            recorded=now - timedelta(hours=1),
        ),
    ]


def _expected(entries):
    late, early_yesterday, undated, later_yesterday = entries
    # Yesterday (recorded later first), three days ago (its record day), five days ago.
    return [later_yesterday.pk, early_yesterday.pk, undated.pk, late.pk]


def test_hours_ledger_is_by_study_date_then_record_time(trainee, entries):
    assert [e.pk for e in hours_ledger(user=trainee)] == _expected(entries)


def test_ledger_admin_lists_by_study_date_and_shows_it(client, trainer, entries):
    client.force_login(trainer)
    html = client.get("/admin/hours_ledger/").content.decode()
    rows = [int(pk) for pk in re.findall(r"/admin/hours_ledger/inspect/(\d+)/", html)]
    assert list(dict.fromkeys(rows)) == _expected(entries)
    assert "学习日期" in html
    html = client.get("/admin/hours_ledger/", {"ordering": "study_date"}).content.decode()
    rows = [int(pk) for pk in re.findall(r"/admin/hours_ledger/inspect/(\d+)/", html)]
    assert list(dict.fromkeys(rows)) == list(reversed(_expected(entries)))


def test_trainee_record_ledger_dates_read_in_order(
    client, trainer, trainee, training_class, entries
):
    client.force_login(trainer)
    url = f"/admin/reports/classes/{training_class.pk}/trainees/{trainee.trainee_profile.pk}/"
    html = client.get(url).content.decode()
    notes = [e.note for e in entries]
    found = sorted(notes, key=html.index)
    assert found == [HoursLedgerEntry.objects.get(pk=pk).note for pk in _expected(entries)]
