"""The Redis-backed task queue with two separate worker processes: jobs spread across both. The test
waits on Redis's notice of each worker's registration, not on the clock."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


def _registrations(client):
    """Redis's own notices of changes to rq:workers, the set each worker adds itself to when it
    starts (keyspace notifications for set commands, switched on here and restored after).
    Returns (subscription, the setting to restore or None where CONFIG is not allowed)."""
    import redis

    try:
        before = client.config_get("notify-keyspace-events")["notify-keyspace-events"]
        client.config_set("notify-keyspace-events", "".join(sorted(set(before) | set("Ks"))))
    except redis.exceptions.ResponseError:
        before = None  # a server that refuses CONFIG: the wait re-reads the set each second
    watch = client.pubsub(ignore_subscribe_messages=True)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    watch.subscribe(f"__keyspace@{db}__:rq:workers")
    return watch, before


def _wait_registered(client, watch, *, count: int, timeout: float, notified: bool) -> None:
    """Wait on the notices until `count` workers are registered; the set is read again after each
    notice (and once first, since the subscription: none can be missed)."""
    deadline = time.monotonic() + timeout
    while (registered := len(client.smembers("rq:workers"))) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"{registered} of {count} workers registered within {timeout} s"
        watch.get_message(timeout=left if notified else min(left, 1))


def test_two_workers_share_the_queue(tmp_path):
    client = _redis()
    client.flushdb()
    # Subscribed before the workers start, so no registration goes unnoticed.
    watch, notify_before = _registrations(client)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "TASK_BACKEND": "redis",
        "REDIS_URL": REDIS_URL,
        "DANGKE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    manage = str(settings.BASE_DIR / "manage.py")
    workers = [
        subprocess.Popen(
            # No periodic jobs: this database has no tables, the test is about sharing the queue.
            [
                *(sys.executable, manage, "task_worker", "default", "--no-periodic"),
                *("--name", f"dangke-test-worker-{i}"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in (1, 2)
    ]
    try:
        _wait_registered(client, watch, count=2, timeout=180, notified=notify_before is not None)
        assert len(client.smembers("rq:workers")) == 2
        result = subprocess.run(
            [
                sys.executable,
                manage,
                "check_workers",
                "--count",
                "12",
                "--sleep",
                "0.5",
                "--timeout",
                "60",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "12 pings answered by 2 worker(s)" in result.stdout
        lines = dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)
        assert set(lines) == {"dangke-test-worker-1", "dangke-test-worker-2"}
        assert all(int(n) >= 2 for n in lines.values())
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        watch.close()
        if notify_before is not None:
            client.config_set("notify-keyspace-events", notify_before)
        client.flushdb()


def test_check_workers_reports_when_no_worker_runs(tmp_path):
    client = _redis()
    client.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "TASK_BACKEND": "redis",
        "REDIS_URL": REDIS_URL,
        "DANGKE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "check_workers",
            "--count",
            "2",
            "--timeout",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    client.flushdb()
    assert result.returncode != 0
    assert "没有工作进程" in result.stderr
