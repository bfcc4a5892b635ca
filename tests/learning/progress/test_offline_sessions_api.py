"""The offline sessions API: /api/v1/classes/{id}/offline-sessions/ and its late sign-ins."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from learning.classes.models import OfflineSession
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.reports.selectors import report_row

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def klass(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    tc.profiles = report_factory.trainees(tc, 4)
    return tc


def _payload(tc, **fields):
    return {
        "source": LedgerSource.OFFLINE_DISCUSSION,
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "topic": "学习党章分组讨论",
        "location": "会议室 302",
        "hours": "2",
        "trainees": [p.pk for p in tc.profiles[:3]],
        **fields,
    }


def _url(tc) -> str:
    return f"/api/v1/classes/{tc.pk}/offline-sessions/"


def test_create_then_list(klass, trainer):
    client = api(trainer)
    response = client.post(_url(klass), _payload(klass), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["attendee_count"] == 3
    assert body["hours"] == "2.00"
    assert body["source"] == LedgerSource.OFFLINE_DISCUSSION
    assert body["recorded_by"] == trainer.username
    session = OfflineSession.objects.get(pk=body["id"])
    assert HoursLedgerEntry.objects.filter(reference=session.reference).count() == 3
    row = report_row(training_class=klass, trainee=klass.profiles[0])
    assert row.earned_hours == Decimal("2.00")

    listing = client.get(_url(klass)).json()
    assert listing["count"] == 1
    assert listing["results"][0]["id"] == session.pk
    assert listing["results"][0]["attendee_count"] == 3


def test_days_are_converted_to_hours(klass, trainer):
    response = api(trainer).post(
        _url(klass), _payload(klass, hours=None, days="1.5"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["hours"] == "12.00"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": None}, "hours"),
        ({"topic": ""}, "topic"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"trainees": []}, "trainees"),
        ({"source": "exam"}, "source"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_nothing_written(klass, trainer, fields, field):
    response = api(trainer).post(_url(klass), _payload(klass, **fields), format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"], body
    assert body["detail"]
    assert not OfflineSession.objects.exists()
    assert not HoursLedgerEntry.objects.exists()


def test_a_trainee_of_another_class_refuses_all(klass, trainer, report_factory):
    other = report_factory.klass(trainers=[trainer])
    outsider = report_factory.trainees(other, 1)[0]
    payload = _payload(klass, trainees=[klass.profiles[0].pk, outsider.pk])
    response = api(trainer).post(_url(klass), payload, format="json")
    assert response.status_code == 400
    assert outsider.name in response.json()["errors"]["trainees"][0]
    assert not HoursLedgerEntry.objects.exists()


def test_late_sign_ins(klass, trainer):
    client = api(trainer)
    session_id = client.post(_url(klass), _payload(klass), format="json").json()["id"]
    url = f"{_url(klass)}{session_id}/attendees/"
    everyone = [p.pk for p in klass.profiles]
    response = client.post(url, {"trainees": everyone}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["added"] == 1
    assert response.json()["skipped"] == 3
    assert response.json()["session"]["attendee_count"] == 4
    again = client.post(url, {"trainees": everyone}, format="json").json()
    assert again["added"] == 0
    assert HoursLedgerEntry.objects.count() == 4
    assert client.post(url, {"trainees": []}, format="json").status_code == 400


def test_another_trainer_and_a_trainee_get_404(klass, trainer, trainer2):
    session_id = api(trainer).post(_url(klass), _payload(klass), format="json").json()["id"]
    trainee = klass.profiles[0].user
    for user in (trainer2, trainee):
        client = api(user)
        assert client.get(_url(klass)).status_code == 404
        assert client.post(_url(klass), _payload(klass), format="json").status_code == 404
        attendees = f"{_url(klass)}{session_id}/attendees/"
        assert client.post(attendees, {"trainees": [1]}, format="json").status_code == 404
    assert OfflineSession.objects.count() == 1
    assert HoursLedgerEntry.objects.count() == 3


def test_session_of_another_class_is_404_under_this_class(klass, trainer, report_factory):
    other = report_factory.klass(trainers=[trainer])
    other.profiles = report_factory.trainees(other, 1)
    session_id = api(trainer).post(_url(other), _payload(other), format="json").json()["id"]
    url = f"{_url(klass)}{session_id}/attendees/"
    assert api(trainer).post(url, {"trainees": [1]}, format="json").status_code == 404


def test_anonymous_is_refused(klass):
    assert APIClient().get(_url(klass)).status_code in (401, 403)


def test_leave_api_records_lists_and_withdraws(klass, trainer):
    client = api(trainer)
    session = client.post(_url(klass), _payload(klass), format="json").json()
    leaves = f"{_url(klass)}{session['id']}/leaves/"
    absent = klass.profiles[3]
    refused = client.post(leaves, {"trainee": absent.pk, "reason": " "}, format="json")
    assert refused.status_code == 400
    attended = client.post(
        leaves, {"trainee": klass.profiles[0].pk, "reason": "病假"}, format="json"
    )
    assert attended.status_code == 400 and "trainee" in attended.json()["errors"]
    created = client.post(leaves, {"trainee": absent.pk, "reason": "病假"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["reason"] == "病假" and created.json()["trainee"] == absent.pk
    listed = client.get(leaves).json()
    assert [item["trainee"] for item in listed] == [absent.pk]
    (row,) = client.get(_url(klass)).json()["results"]
    assert (row["attendee_count"], row["leave_count"]) == (3, 1)
    assert [item["active"] for item in listed] == [True]
    assert listed[0]["withdrawn_at"] is None and listed[0]["withdrawn_by"] is None
    withdraw = f"{leaves}{created.json()['id']}/withdraw/"
    assert client.post(withdraw).status_code == 204
    # Kept, shown as withdrawn, and no longer counted.
    (kept,) = client.get(leaves).json()
    assert (kept["id"], kept["active"], kept["withdrawn_by"]) == (
        created.json()["id"],
        False,
        trainer.username,
    )
    assert kept["withdrawn_at"] and kept["reason"] == "病假"
    (row,) = client.get(_url(klass)).json()["results"]
    assert row["leave_count"] == 0
    again = client.post(withdraw)
    assert again.status_code == 409 and "已经撤销过了" in again.json()["detail"]
    # A new leave for the same trainee is recorded beside the withdrawn one.
    assert (
        client.post(leaves, {"trainee": absent.pk, "reason": "病假"}, format="json").status_code
        == 201
    )
    assert [item["active"] for item in client.get(leaves).json()] == [False, True]


def test_leave_api_of_another_trainers_class_is_404(klass, trainer, trainer2):
    session = api(trainer).post(_url(klass), _payload(klass), format="json").json()
    leaves = f"{_url(klass)}{session['id']}/leaves/"
    assert api(trainer2).get(leaves).status_code == 404
    body = {"trainee": klass.profiles[3].pk, "reason": "病假"}
    assert api(trainer2).post(leaves, body, format="json").status_code == 404
