"""Health checks for /healthz: the database, the task queue (and periodic jobs), the media storage."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from cms.periodic.scheduler import jobs_status

# A task waiting longer than this means no worker is taking jobs.
QUEUE_STALL_AFTER = timedelta(minutes=10)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "vendor": connection.vendor}


def check_queue() -> dict:
    backend = settings.TASK_BACKEND
    if backend == "immediate":
        return {"status": "ok", "backend": "immediate"}
    result = _check_redis_queue() if backend == "redis" else _check_database_queue()
    # The workers run the periodic jobs too (cms/periodic): one far overdue, or whose last run
    # failed, makes the queue degraded — the site still serves.
    result["periodic"] = jobs_status()
    if result["periodic"]["status"] != "ok" and result["status"] == "ok":
        result["status"] = "degraded"
    return result


def _check_redis_queue() -> dict:
    import django_rq

    django_rq.get_connection("default").ping()
    waiting = sum(django_rq.get_queue(name).count for name in settings.TASK_QUEUES)
    return {"status": "ok", "backend": "redis", "waiting": waiting}


def _check_database_queue() -> dict:
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    result = {"status": "ok", "backend": "database", "waiting": waiting.count()}
    if oldest and timezone.now() - oldest > QUEUE_STALL_AFTER:
        # Degraded, not failed: the site still serves; the operator should start a worker.
        result.update(
            status="degraded", oldest_waiting_seconds=int((timezone.now() - oldest).total_seconds())
        )
    return result


def check_storage() -> dict:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            ok = handle.read() == b"ok"
    finally:
        default_storage.delete(name)
    return {"status": "ok" if ok else "error"}


CHECKS = {"database": check_database, "queue": check_queue, "storage": check_storage}


def health_report() -> tuple[dict, bool]:
    """Run every check; a check that raises is reported as an error, never as a crash."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 — a health check reports any failure
            checks[name] = {"status": "error", "error": exc.__class__.__name__}
    healthy = all(c["status"] != "error" for c in checks.values())
    overall = (
        "ok"
        if all(c["status"] == "ok" for c in checks.values())
        else ("degraded" if healthy else "error")
    )
    return {"status": overall, "checks": checks}, healthy
