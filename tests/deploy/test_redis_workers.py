"""The Redis-backed task queue with two separate worker processes: jobs spread across both."""

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


def test_two_workers_share_the_queue(tmp_path):
    client = _redis()
    client.flushdb()
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
        # Wait until both workers have registered with Redis.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(client.smembers("rq:workers")) < 2:
            time.sleep(0.2)
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
            worker.wait(timeout=20)
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
