"""Periodic jobs run by the task worker: claimed once per interval, recorded, failures contained."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cms.periodic.jobs import JOBS, PeriodicJobSpec
from cms.periodic.models import PeriodicJob
from cms.periodic.scheduler import PeriodicScheduler, jobs_status, run_due
from learning.quizzes import services as quizzes
from learning.quizzes.models import Attempt, AttemptState, QuestionType

# The quiz factories of the learning tests, used here as fixtures.
from tests.learning.conftest import (  # noqa: F401
    quiz_bank,
    quiz_class_factory,
    quiz_exam_factory,
    quiz_user_factory,
)

JOB_NAMES = {spec.name for spec in JOBS}
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# --- in one process ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_jobs_run_and_record_their_outcome():
    before = timezone.now()
    assert run_due() == dict.fromkeys(JOB_NAMES, PeriodicJob.Outcome.OK)
    rows = {row.name: row for row in PeriodicJob.objects.all()}
    assert set(rows) == JOB_NAMES
    for spec in JOBS:
        row = rows[spec.name]
        assert row.last_outcome == PeriodicJob.Outcome.OK and row.last_error == ""
        assert before <= row.last_started_at <= row.last_finished_at
        assert row.next_run_at == row.last_started_at + spec.interval
    assert rows["close_overdue_attempts"].last_result == "closed 0 overdue attempt(s)"
    # Nothing is due again until its interval has passed; then only what is due runs.
    assert run_due() == {}
    later = rows["publish_scheduled"].next_run_at
    assert set(run_due(now=later)) == {
        spec.name for spec in JOBS if spec.interval <= timedelta(minutes=1)
    }
    assert jobs_status(now=later)["status"] == "ok"


def _boom() -> str:
    raise RuntimeError("转码服务器不见了 encoder gone")


@pytest.mark.django_db
def test_a_failing_job_records_its_error_and_the_others_still_run():
    jobs = [
        PeriodicJobSpec("boom", timedelta(minutes=1), _boom),
        PeriodicJobSpec("fine", timedelta(minutes=1), lambda: "did it"),
    ]
    assert run_due(jobs) == {"boom": "error", "fine": "ok"}
    boom, fine = PeriodicJob.objects.get(name="boom"), PeriodicJob.objects.get(name="fine")
    assert "RuntimeError: 转码服务器不见了 encoder gone" in boom.last_error
    assert boom.last_finished_at is not None and boom.last_result == ""
    assert fine.last_outcome == "ok" and fine.last_result == "did it"
    status = jobs_status(jobs)
    assert status["status"] == "degraded"
    assert status["jobs"]["boom"]["last_outcome"] == "error"
    assert status["jobs"]["fine"]["status"] == "ok"
    # In the site's time zone with its offset, as the API's date-times (issue 21).
    assert status["jobs"]["fine"]["next_run_at"].endswith("+08:00")
    assert status["jobs"]["fine"]["last_finished_at"].endswith("+08:00")


@pytest.mark.django_db
def test_a_run_still_going_is_not_started_again_until_its_lease_ends():
    spec = PeriodicJobSpec("slow", timedelta(minutes=1), lambda: "ran")
    now = timezone.now()
    PeriodicJob.objects.create(
        name="slow",
        next_run_at=now - timedelta(minutes=1),
        last_outcome=PeriodicJob.Outcome.RUNNING,
        last_started_at=now - timedelta(minutes=2),
    )
    assert run_due([spec], now=now) == {}
    assert run_due([spec], now=now + timedelta(minutes=7, seconds=59)) == {}
    # Ten minutes after it started, its worker is presumed dead.
    assert run_due([spec], now=now + timedelta(minutes=8, seconds=1)) == {"slow": "ok"}


@pytest.mark.django_db
def test_healthz_reports_the_periodic_jobs(monitor, settings):
    settings.TASK_BACKEND = "database"
    body = monitor.get("/healthz").json()
    # No worker has ever run them: degraded, still serving.
    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["periodic"]["jobs"]["publish_scheduled"] == {
        "status": "degraded",
        "last_outcome": "never_run",
    }
    run_due()
    response = monitor.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]["queue"]["periodic"]["jobs"]) == JOB_NAMES
    # Long after they were last due, the worker running them must be gone.
    PeriodicJob.objects.update(next_run_at=timezone.now() - timedelta(minutes=30))
    body = monitor.get("/healthz").json()
    assert body["status"] == "degraded"
    assert (
        body["checks"]["queue"]["periodic"]["jobs"]["media_requeue_stale"]["overdue_seconds"]
        >= 1800
    )


@pytest.mark.django_db
def test_admin_report_lists_the_jobs_for_superusers_only(client, editor):
    from tests.factories import make_user

    run_due([PeriodicJobSpec("publish_scheduled", timedelta(minutes=1), _boom)])
    run_due()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    response = client.get("/admin/periodic-jobs/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in JOB_NAMES:
        assert name in html
    assert "RuntimeError: 转码服务器不见了 encoder gone" in html
    assert "closed 0 overdue attempt(s)" in html
    assert "periodic-jobs" in client.get("/admin/").content.decode()  # the Reports menu

    client.force_login(editor)
    assert client.get("/admin/periodic-jobs/").status_code in (302, 403)
    assert "periodic-jobs" not in client.get("/admin/").content.decode()


# --- threads and processes with their own database connections ---------------------------------


def _run_together(*targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 — collected and checked by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@TRANSACTIONAL
def test_two_schedulers_racing_run_each_due_job_once():
    runs = []
    lock = threading.Lock()

    def count() -> str:
        with lock:
            runs.append(threading.current_thread().name)
        return "counted"

    spec = PeriodicJobSpec("count", timedelta(minutes=1), count)
    rounds = 15
    for _ in range(rounds):
        PeriodicJob.objects.update_or_create(
            name="count", defaults={"next_run_at": timezone.now() - timedelta(seconds=1)}
        )
        errors = _run_together(
            lambda: run_due([spec], worker="a"), lambda: run_due([spec], worker="b")
        )
        assert errors == []
    assert len(runs) == rounds
    assert PeriodicJob.objects.get(name="count").claimed_by in {"a", "b"}


class SteppedClock:
    """The schedulers' time, moved forward by the test instead of passing on the wall clock."""

    def __init__(self, start):
        self._now, self._lock = start, threading.Lock()

    def __call__(self):
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


def _advance_and_settle(clock: SteppedClock, schedulers, delta: timedelta) -> None:
    """Move the time on, then wait until every scheduler has had a whole round at the new time:
    the round under way may have read the time before it moved, the one after it cannot have."""
    clock.advance(delta)
    for scheduler in schedulers:
        assert scheduler.wait_rounds(scheduler.rounds + 2, timeout=30), "the scheduler is stuck"


@TRANSACTIONAL
def test_scheduler_threads_keep_running_through_failures_and_share_the_interval():
    clock = SteppedClock(timezone.now())
    start = clock()
    runs = []

    def tick() -> str:
        runs.append(clock())
        return ""

    jobs = [
        PeriodicJobSpec("boom", timedelta(seconds=1), _boom),
        PeriodicJobSpec("tick", timedelta(seconds=1), tick),
    ]
    schedulers = [PeriodicScheduler(jobs, tick=0.01, worker=f"w{i}", clock=clock) for i in (1, 2)]
    for scheduler in schedulers:
        scheduler.start()
    try:
        for scheduler in schedulers:
            assert scheduler.wait_rounds(1, timeout=30)
        for _ in range(14):  # 3.5 seconds of the schedulers' time, a quarter of a second a step
            _advance_and_settle(clock, schedulers, timedelta(seconds=0.25))
    finally:
        for scheduler in schedulers:
            scheduler.stop(timeout=10)
    assert not any(s.is_alive() for s in schedulers)
    # Failing every time did not stop the other job; two schedulers polling together ran it once
    # a second, on the second.
    assert [moment - start for moment in runs] == [timedelta(seconds=n) for n in range(4)], runs
    boom = PeriodicJob.objects.get(name="boom")
    assert boom.last_outcome == "error" and "RuntimeError" in boom.last_error
    assert boom.next_run_at == start + timedelta(seconds=4)  # it too ran at 0, 1, 2 and 3


@TRANSACTIONAL
def test_a_job_cut_off_by_the_worker_stopping_is_released():
    started, finish = threading.Event(), threading.Event()

    def long_job() -> str:
        started.set()
        finish.wait(30)  # still running when the worker stops
        return "finished"

    scheduler = PeriodicScheduler(
        [PeriodicJobSpec("long", timedelta(minutes=5), long_job)], tick=0.05, worker="w-stop"
    )
    scheduler.start()
    try:
        assert started.wait(20)
        scheduler.stop(timeout=0)
        assert scheduler.is_alive()
        job = PeriodicJob.objects.get(name="long")
        assert (
            job.last_outcome == "error" and job.last_error == "the worker stopped during this run"
        )
        assert job.next_run_at <= timezone.now()  # due again at once, not after the lease
    finally:
        finish.set()
        scheduler.join(10)


def _subprocess_env(tmp_path, **extra) -> dict:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "TASK_BACKEND": "database",
        "DATABASE_URL": url,
        "DANGKE_VAR_DIR": str(tmp_path),
        "PERIODIC_JOBS_TICK_SECONDS": "0.3",
        **extra,
    }


def _manage(*args) -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]


@TRANSACTIONAL
def test_two_processes_racing_run_each_job_once(tmp_path):
    env = _subprocess_env(tmp_path)
    procs = [
        subprocess.Popen(
            _manage("periodic_jobs", "--run-due"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), outputs
    claimed = [line.split("\t")[0] for out in outputs for line in out.splitlines() if "\t" in line]
    assert sorted(claimed) == sorted(JOB_NAMES)
    assert set(PeriodicJob.objects.values_list("last_outcome", flat=True)) == {"ok"}


@pytest.fixture
def overdue_attempt(quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank):  # noqa: F811
    """An attempt whose 1-minute time limit ran out 4 minutes ago, one answer saved in time."""
    trainee = quiz_user_factory()
    singles = list(quiz_bank.questions.filter(type=QuestionType.SINGLE)[:2])
    exam = quiz_exam_factory(
        quiz_class_factory(trainees=[trainee]),
        fixed=singles,
        time_limit_minutes=1,
        shuffle_options=False,
    )
    start = timezone.now() - timedelta(minutes=5)
    attempt, _ = quizzes.attempt_start(quiz=exam, user=trainee, now=start)
    quizzes.attempt_answer_save(
        attempt_id=attempt.pk,
        user=trainee,
        question_id=singles[0].pk,
        answer="B",
        now=start + timedelta(seconds=30),
    )
    return attempt


def _redis_url() -> str:
    import redis

    url = os.environ.get("TEST_PERIODIC_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    return url


@TRANSACTIONAL
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_the_worker_runs_the_periodic_jobs_and_closes_an_overdue_exam(
    tmp_path, overdue_attempt, backend
):
    extra = {"TASK_BACKEND": "redis", "REDIS_URL": _redis_url()} if backend == "redis" else {}
    worker = subprocess.Popen(
        _manage("task_worker"),
        env=_subprocess_env(tmp_path, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: (
                set(PeriodicJob.objects.filter(last_outcome="ok").values_list("name", flat=True))
                == JOB_NAMES
            ),
            what="every periodic job to run",
        )
        attempt = Attempt.objects.get(pk=overdue_attempt.pk)
        assert attempt.state == AttemptState.GRADED and attempt.closed_by_deadline
        assert attempt.submitted_at == attempt.deadline
        assert attempt.score == Decimal("2.00")  # the answer saved before the deadline
        assert PeriodicJob.objects.get(name="close_overdue_attempts").last_result == (
            "closed 1 overdue attempt(s)"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _ping_row():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        task_path="cms.tasks.worker_ping",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now() - timedelta(seconds=1),
        status="READY",
    )


@TRANSACTIONAL
def test_no_periodic_and_burst_workers_run_none(tmp_path, overdue_attempt):
    env = _subprocess_env(tmp_path)
    ping = _ping_row()
    burst = subprocess.run(
        _manage("task_worker", "--burst"), env=env, capture_output=True, text=True, timeout=120
    )
    assert burst.returncode == 0, burst.stderr
    ping.refresh_from_db()
    assert ping.status == "SUCCESSFUL"  # the burst worker did work, and no periodic job
    assert not PeriodicJob.objects.exists()

    ping = _ping_row()
    worker = subprocess.Popen(
        _manage("task_worker", "--no-periodic"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: type(ping).objects.get(pk=ping.pk).status == "SUCCESSFUL",
            what="the worker to take a task",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # A scheduler starts before the worker takes tasks and is stopped (joined) as the worker exits,
    # so one that had been started would have had its first round — every job due — by now.
    assert worker.returncode == 0
    assert not PeriodicJob.objects.exists()
    assert Attempt.objects.get(pk=overdue_attempt.pk).state == AttemptState.IN_PROGRESS
