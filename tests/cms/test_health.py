"""/healthz reports the database, the task queue and the storage."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthy(monitor):
    response = monitor.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "storage"}


def test_storage_failure_is_503(monitor, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker  # a file where the media directory should be
    response = monitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"


def test_database_queue_backlog_is_degraded_but_serving(monitor, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASK_BACKEND = "database"
    DBTaskResult.objects.create(
        task_path="media_pipeline.tasks.encode",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="media",
        backend_name="default",
        run_after=timezone.now() - timedelta(hours=1),
        status="READY",
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    response = monitor.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["waiting"] == 1


def test_redis_queue_unreachable_is_503(monitor, settings):
    settings.TASK_BACKEND = "redis"
    settings.RQ_QUEUES = {name: {"URL": "redis://127.0.0.1:1/0"} for name in settings.TASK_QUEUES}
    response = monitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["status"] == "error"


def test_anonymous_callers_see_only_the_overall_status(client, settings):
    settings.HEALTHZ_TOKEN = "monitor-token"
    body = client.get("/healthz").json()
    assert body == {"status": "ok"}
    # A wrong token is an anonymous caller.
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="guess").json() == {"status": "ok"}


def test_anonymous_callers_see_failing_without_the_reason(client, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_staff_see_the_checks(client):
    from tests.factories import make_user

    staff = make_user("ops", is_staff=True)
    client.force_login(staff)
    body = client.get("/healthz").json()
    assert body["checks"]["database"]["status"] == "ok"


def test_an_unset_token_grants_nothing(client, settings):
    settings.HEALTHZ_TOKEN = ""
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="").json() == {"status": "ok"}
