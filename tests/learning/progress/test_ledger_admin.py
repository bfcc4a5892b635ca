"""The 学时 ledger in the Wagtail admin (学时记录): offline 学时 and corrections recorded, never
edited or deleted, scoped to the trainer's classes, names not usernames, newest first."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from learning.classes.models import TraineeProfile
from learning.progress.models import HoursLedgerEntry

pytestmark = pytest.mark.django_db


def test_ledger_admin_records_offline_hours_and_corrections(
    client, training_class, trainer, trainee
):
    client.force_login(trainer)
    response = client.post(
        "/admin/hours_ledger/new/",
        {
            "user": trainee.pk,
            "training_class": training_class.pk,
            "source": "offline_discussion",
            "days": "0.5",
            "occurred_on": timezone.localdate().isoformat(),
            "note": "支部讨论",
        },
    )
    assert response.status_code == 302
    entry = HoursLedgerEntry.objects.get(user=trainee)
    assert entry.amount == Decimal("4.00") and entry.granted_by == trainer
    response = client.post(
        "/admin/hours_ledger/new/",
        {"source": "correction", "corrects": entry.pk, "amount": "-1", "note": "迟到一小时"},
    )
    assert response.status_code == 302
    assert HoursLedgerEntry.objects.filter(corrects=entry, amount=Decimal("-1")).exists()


def test_ledger_admin_has_no_edit_or_delete(client, training_class, trainer, trainee):
    entry = HoursLedgerEntry.objects.create(
        user=trainee, source="offline_lecture", amount=2, training_class=training_class
    )
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    assert client.get(f"/admin/hours_ledger/edit/{entry.pk}/").status_code == 404
    assert client.get(f"/admin/hours_ledger/delete/{entry.pk}/").status_code == 404
    assert client.get(f"/admin/hours_ledger/inspect/{entry.pk}/").status_code == 200


def test_ledger_admin_scoping(client, training_class, trainer2, trainee):
    entry = HoursLedgerEntry.objects.create(
        user=trainee, source="offline_lecture", amount=2, training_class=training_class, note="秘"
    )
    client.force_login(trainer2)
    assert client.get(f"/admin/hours_ledger/inspect/{entry.pk}/").status_code == 404
    response = client.post(
        "/admin/hours_ledger/new/",
        {
            "user": trainee.pk,
            "training_class": training_class.pk,
            "source": "offline_lecture",
            "amount": "8",
            "note": "x",
        },
    )
    assert response.status_code == 200  # the form rejects a class outside their scope
    assert HoursLedgerEntry.objects.count() == 1


def test_ledger_list_shows_names_newest_first(client, training_class, trainer, trainee):
    """学时记录: the trainee's and the recorder's names, not usernames; newest first (issue 21)."""

    from django.utils import timezone

    profile = TraineeProfile.objects.filter(user=trainee).first()
    expected = profile.name if profile else (trainee.get_full_name() or trainee.username)
    trainer.first_name, trainer.last_name = "老师", "张"
    trainer.save()
    old = HoursLedgerEntry.objects.create(
        user=trainee,
        source="offline_lecture",
        amount=1,
        training_class=training_class,
        granted_by=trainer,
        note="较早",
        created_at=timezone.now() - timedelta(days=3),
    )
    new = HoursLedgerEntry.objects.create(
        user=trainee,
        source="offline_lecture",
        amount=2,
        training_class=training_class,
        granted_by=trainer,
        note="较晚",
    )
    client.force_login(trainer)
    html = client.get("/admin/hours_ledger/").content.decode()
    cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", html, flags=re.S)
    assert expected in cells
    assert trainer.get_full_name() in cells
    if expected != trainee.username:
        assert trainee.username not in cells
    assert trainer.username not in cells
    rows = re.findall(r"/admin/hours_ledger/inspect/(\d+)/", html)
    assert rows.index(str(new.pk)) < rows.index(str(old.pk))
