"""Two trainers adding the same late sign-ins at once: the session row lock credits each once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.offline_sessions import offline_session_add_attendees, offline_session_record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_racing_late_sign_ins_credit_each_trainee_once(report_factory, trainer, trainer2):
    tc = report_factory.klass(trainers=[trainer, trainer2])
    first = report_factory.trainees(tc, 1)
    late = report_factory.trainees(tc, 3)
    session = offline_session_record(
        training_class=tc,
        source=LedgerSource.OFFLINE_DISCUSSION,
        occurred_on=timezone.localdate(),
        topic="专题讨论",
        amount=Decimal("2"),
        trainee_ids=[p.pk for p in first],
        recorded_by=trainer,
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def add(user):
        try:
            barrier.wait(timeout=10)
            results.append(
                offline_session_add_attendees(
                    session=session, trainee_ids=[p.pk for p in late], recorded_by=user
                )
            )
        except Exception as exc:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=add, args=(u,)) for u in (trainer, trainer2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(r.added for r in results) == [0, 3]
    entries = HoursLedgerEntry.objects.filter(reference=session.reference)
    assert entries.count() == 4
    assert len({e.user_id for e in entries}) == 4
