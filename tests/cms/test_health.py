"""/healthz reports the database, the task queue and the storage."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "storage"}


def test_storage_failure_is_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker  # a file where the media directory should be
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"


def test_database_queue_backlog_is_degraded_but_serving(client, settings):
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
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["waiting"] == 1


def test_redis_queue_unreachable_is_503(client, settings):
    settings.TASK_BACKEND = "redis"
    settings.RQ_QUEUES = {name: {"URL": "redis://127.0.0.1:1/0"} for name in settings.TASK_QUEUES}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["status"] == "error"
