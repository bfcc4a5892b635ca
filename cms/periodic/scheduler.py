"""Run the periodic jobs that are due, each at most once per interval across every worker.

Each job has a row whose `next_run_at` is the claim: a worker runs a job only if its conditional
UPDATE (WHERE next_run_at <= now) moved `next_run_at` forward, which exactly one of several racing
workers can do on SQLite and PostgreSQL alike. A failing job is recorded and logged; it never stops
the other jobs, the scheduler or the worker.
"""

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from cms.periodic.jobs import JOBS, PeriodicJobSpec
from cms.periodic.models import PeriodicJob

logger = logging.getLogger("cms.periodic")

# A job this long past its due time means no worker is running the periodic jobs (or one is stuck).
OVERDUE_GRACE = timedelta(minutes=2)
# A run still going is not started again elsewhere for this long; after it, its worker is presumed
# dead (killed mid-run) and the job may be claimed again.
RUN_LEASE = timedelta(minutes=10)


def worker_label(name: str | None = None) -> str:
    return f"{name or socket.gethostname()}:{os.getpid()}"


def _rows(jobs: Iterable[PeriodicJobSpec], now: datetime) -> dict[str, datetime]:
    """next_run_at of each declared job; rows missing are created due now (one read otherwise)."""
    specs = {spec.name: spec for spec in jobs}
    due = dict(PeriodicJob.objects.filter(name__in=specs).values_list("name", "next_run_at"))
    missing = [name for name in specs if name not in due]
    if missing:
        PeriodicJob.objects.bulk_create(
            [PeriodicJob(name=name, next_run_at=now) for name in missing], ignore_conflicts=True
        )
        due.update(dict.fromkeys(missing, now))
    # No write here may move next_run_at back: a racing worker may just have claimed the job.
    return due


def _drop_broken_connection() -> None:
    # A failed job may have broken this thread's connection; the next query needs a working one.
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def job_claim(spec: PeriodicJobSpec, *, now: datetime, worker: str) -> bool:
    """Claim one run of the job if it is due; True for exactly one of several racing workers."""
    return (
        PeriodicJob.objects.filter(name=spec.name, next_run_at__lte=now)
        .exclude(last_outcome=PeriodicJob.Outcome.RUNNING, last_started_at__gt=now - RUN_LEASE)
        .update(
            next_run_at=now + spec.interval,
            last_started_at=now,
            last_finished_at=None,
            last_outcome=PeriodicJob.Outcome.RUNNING,
            claimed_by=worker[:200],
        )
        == 1
    )


def job_run_claimed(spec: PeriodicJobSpec) -> str:
    """Run a claimed job and record how it went; returns the outcome. Never raises for the job."""
    try:
        result, error, outcome = spec.run() or "", "", PeriodicJob.Outcome.OK
    except Exception:  # noqa: BLE001 — a failing job is recorded, never fatal
        logger.exception("periodic job %s failed", spec.name)
        result, error, outcome = "", traceback.format_exc(), PeriodicJob.Outcome.ERROR
    else:
        logger.info("periodic job %s: %s", spec.name, result or "done")
    if outcome == PeriodicJob.Outcome.ERROR:
        _drop_broken_connection()
    PeriodicJob.objects.filter(name=spec.name).update(
        last_finished_at=timezone.now(),
        last_outcome=outcome,
        last_result=str(result)[:500],
        last_error=error,
    )
    return outcome


def run_due(
    jobs: Iterable[PeriodicJobSpec] | None = None,
    *,
    now: datetime | None = None,
    worker: str | None = None,
) -> dict[str, str]:
    """Run every due job this worker manages to claim; returns {job name: outcome} of those run."""
    jobs = list(JOBS if jobs is None else jobs)
    worker = worker or worker_label()
    now = now or timezone.now()
    due = _rows(jobs, now)
    outcomes = {}
    for spec in jobs:
        if due[spec.name] > now:
            continue
        try:
            if job_claim(spec, now=now, worker=worker):
                outcomes[spec.name] = job_run_claimed(spec)
        except Exception:  # noqa: BLE001 — e.g. the database went away while recording
            logger.exception("periodic job %s could not be claimed or recorded", spec.name)
            _drop_broken_connection()
    return outcomes


def _iso(moment) -> str | None:
    """ISO 8601 in the site's time zone (settings.TIME_ZONE), with its offset."""
    return timezone.localtime(moment).isoformat() if moment else None


def jobs_status(jobs: Iterable[PeriodicJobSpec] | None = None, *, now=None) -> dict:
    """For /healthz: each job's last run, and "degraded" when one is far overdue or last failed."""
    jobs = list(JOBS if jobs is None else jobs)
    now = now or timezone.now()
    rows = {row.name: row for row in PeriodicJob.objects.filter(name__in=[j.name for j in jobs])}
    report = {}
    for spec in jobs:
        row = rows.get(spec.name)
        if row is None:
            report[spec.name] = {"status": "degraded", "last_outcome": "never_run"}
            continue
        late = now - row.next_run_at
        status = "ok"
        if late > max(spec.interval, OVERDUE_GRACE) or row.last_outcome == row.Outcome.ERROR:
            status = "degraded"
        report[spec.name] = {
            "status": status,
            "last_outcome": row.last_outcome or "never_run",
            "last_started_at": _iso(row.last_started_at),
            "last_finished_at": _iso(row.last_finished_at),
            "next_run_at": _iso(row.next_run_at),
        }
        if late > timedelta(0):
            report[spec.name]["overdue_seconds"] = int(late.total_seconds())
    overall = "ok" if all(j["status"] == "ok" for j in report.values()) else "degraded"
    return {"status": overall, "jobs": report}


class PeriodicScheduler(threading.Thread):
    """A daemon thread inside the task worker that runs due jobs every `tick` seconds.

    `clock` gives the time a round counts as (timezone.now unless a test drives the time);
    `rounds` counts the rounds finished, and `wait_rounds` waits for more of them.
    """

    def __init__(
        self,
        jobs: Iterable[PeriodicJobSpec] | None = None,
        *,
        tick: float | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = timezone.now,
    ):
        super().__init__(name="periodic-jobs", daemon=True)
        self.jobs = list(JOBS if jobs is None else jobs)
        self.tick = settings.PERIODIC_JOBS_TICK_SECONDS if tick is None else tick
        self.worker = worker or worker_label()
        self.clock = clock
        self.rounds = 0
        self._rounds_changed = threading.Condition()
        self._stop_event = threading.Event()

    def wait_rounds(self, count: int, timeout: float | None = None) -> bool:
        """Wait until at least `count` rounds have finished; False if `timeout` passed first."""
        with self._rounds_changed:
            return self._rounds_changed.wait_for(lambda: self.rounds >= count, timeout)

    def run(self) -> None:
        logger.info(
            "periodic jobs started in %s: %s", self.worker, ", ".join(j.name for j in self.jobs)
        )
        try:
            while not self._stop_event.is_set():
                try:
                    close_old_connections()
                    run_due(self.jobs, now=self.clock(), worker=self.worker)
                except Exception:  # noqa: BLE001 — e.g. the database is briefly unreachable
                    logger.exception("periodic jobs: this round failed; trying again")
                with self._rounds_changed:
                    self.rounds += 1
                    self._rounds_changed.notify_all()
                self._stop_event.wait(self.tick)
        finally:
            connection.close()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the job running now, if any; wait up to `timeout` seconds for that.

        A job still running then dies with the process: its run is recorded as an error and the job
        is due again at once, rather than waiting out RUN_LEASE.
        """
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)
        if self.is_alive():
            try:
                PeriodicJob.objects.filter(
                    claimed_by=self.worker, last_outcome=PeriodicJob.Outcome.RUNNING
                ).update(
                    last_outcome=PeriodicJob.Outcome.ERROR,
                    last_finished_at=timezone.now(),
                    last_error="the worker stopped during this run",
                    next_run_at=timezone.now(),
                )
            except Exception:  # noqa: BLE001 — stopping anyway
                logger.exception("periodic jobs: could not release the running job")
