"""TASK_BACKEND=redis: the encoding job really goes through Redis and an RQ worker (burst mode)."""

from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings

from media_pipeline.models import EncodingJob, Video

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

# A database of its own on the shared Redis so other suites' queues are never touched.
TEST_REDIS_DB = 13


def _test_redis_url() -> str:
    parts = urlsplit(django_settings.REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))


@pytest.fixture
def redis_backend(settings):
    redis = pytest.importorskip("redis")
    url = _test_redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    settings.RQ_QUEUES = {
        name: {"URL": url, "DEFAULT_TIMEOUT": 600} for name in settings.TASK_QUEUES
    }
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}
    }
    import django_rq
    from django_tasks_rq import Job

    queue = django_rq.get_queue("media", job_class=Job)
    queue.empty()
    yield queue
    queue.empty()


def test_job_is_queued_in_redis_and_run_by_an_rq_worker(
    redis_backend, encode, clips, django_capture_on_commit_callbacks
):
    from django_tasks_rq import Job
    from rq import SimpleWorker

    # Upload: with the Redis backend nothing runs inline; the job waits in the "media" queue.
    video = encode(clips["small"])
    assert video.status == Video.Status.QUEUED
    assert redis_backend.count == 1

    # A worker (in this process, so it shares the test's database) drains the queue and stops.
    worker = SimpleWorker([redis_backend], connection=redis_backend.connection, job_class=Job)
    assert worker.work(burst=True)

    video.refresh_from_db()
    assert video.status == Video.Status.READY and video.hls_master
    assert EncodingJob.objects.get(video=video).status == EncodingJob.Status.READY
    assert redis_backend.count == 0
