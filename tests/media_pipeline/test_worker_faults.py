"""A task worker killed mid-encode: its ffmpeg dies with it, its job's lease runs out and the job is
re-queued, its task row is closed as failed with the reason, its scratch folder is cleaned up."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from media_pipeline import services, storage
from media_pipeline.models import EncodingJob, Video
from media_pipeline.probe import ffmpeg_binary
from media_pipeline.runner import run_ffmpeg
from tests.media_pipeline.conftest import make_clip

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _encoders_of(parent: int) -> list[int]:
    """ffmpeg encodes (started with `-progress`) whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is None or stat[1] != parent:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            cmdline
            and b"ffmpeg" in Path(cmdline[0].decode()).name.encode()
            and (b"-progress" in cmdline)
        ):
            found.append(int(entry.name))
    return found


def _slow_encode_args(seconds: int = 600) -> list[str]:
    return [
        ffmpeg_binary(),
        *("-hide_banner", "-nostdin", "-re", "-f", "lavfi"),
        *("-i", f"testsrc2=size=320x240:rate=25:duration={seconds}"),
        *("-progress", "pipe:1", "-f", "null", "-"),
    ]


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


# --- the encoder dies with the code that started it ---------------------------------------------


@linux_only
def test_an_interrupted_run_kills_its_encoder():
    seen = []

    def on_progress(percent: int) -> bool:
        seen.extend(_encoders_of(os.getpid()))
        # What the worker's second SIGTERM does (db_worker calls sys.exit mid-task).
        raise SystemExit(1)

    with pytest.raises(SystemExit):
        run_ffmpeg(_slow_encode_args(), duration=600, on_progress=on_progress)
    assert seen, "the encoder was running"
    assert not any(_alive(pid) for pid in seen)


@linux_only
def test_an_encoder_dies_when_its_worker_is_killed(tmp_path):
    # A bare worker process: it starts an encode and is then killed with SIGKILL, which no Python
    # code sees; only the kernel's parent-death signal can end its ffmpeg.
    script = (
        "import sys; from media_pipeline.runner import run_ffmpeg; "
        "run_ffmpeg(sys.argv[1:], duration=600)"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, *_slow_encode_args()], cwd=settings.BASE_DIR
    )
    try:
        encoders = wait_for(lambda: _encoders_of(worker.pid), timeout=30, what="the encoder")
        worker.kill()
        worker.wait(timeout=10)
        wait_for(lambda: not any(_alive(pid) for pid in encoders), timeout=10, what="no encoder")
    finally:
        if worker.poll() is None:
            worker.kill()


# --- a real task worker killed mid-encode ---------------------------------------------------------


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
        # As in production: no autoreloader, the worker runs tasks in its own main thread.
        "DEBUG": "0",
        "TASK_BACKEND": "database",
        "DATABASE_URL": url,
        "DANGKE_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PERIODIC_JOBS_TICK_SECONDS": "0.3",
        "MEDIA_PIPELINE_SEGMENT_SECONDS": "1",
        **extra,
    }


def _manage(*args) -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]


def _enqueue_in_database(job: EncodingJob) -> DBTaskResult:
    """The row `encoding_job_run_task.enqueue()` makes with the database queue."""
    return DBTaskResult.objects.create(
        task_path="media_pipeline.tasks.encoding_job_run_task",
        args_kwargs={"args": [], "kwargs": {"job_id": job.pk}},
        queue_name="media",
        backend_name="default",
        run_after=timezone.now() - timedelta(seconds=1),
        status="READY",
    )


@linux_only
@TRANSACTIONAL
def test_a_killed_worker_leaves_no_encoder_and_its_job_runs_again(tmp_path, open_clip):
    clip = make_clip(tmp_path / "source.mp4", size="640x360", seconds=8)
    video = services.video_create(title="断电演练", file=open_clip(clip), enqueue=False)
    job = video.jobs.get()
    row = _enqueue_in_database(job)
    # The slowest x264 preset keeps the first worker busy long enough to be killed mid-encode.
    worker = subprocess.Popen(
        _manage("task_worker", "media", "--no-periodic"),
        env=_subprocess_env(tmp_path, MEDIA_PIPELINE_X264_PRESET="placebo"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        encoders = wait_for(lambda: _encoders_of(worker.pid), timeout=30, what="the encode")
        job.refresh_from_db()
        assert job.status == EncodingJob.Status.PROCESSING and job.task_id == str(row.pk)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    wait_for(lambda: not any(_alive(pid) for pid in encoders), timeout=10, what="no encoder")

    # The dead encode's scratch folder stays while its job still looks alive…
    folders = storage.scratch_folders()
    assert len(folders) == 1 and folders[0].name.startswith(f"encode-job{job.pk}-a1-")
    assert services.scratch_folders_clean() == []
    row.refresh_from_db()
    assert row.status == "RUNNING"

    # …until its lease runs out: a new worker's periodic job re-queues it and encodes it again.
    # Nothing renews a dead worker's lease, so its last heartbeat is set back to where it would be
    # `lease + 1` seconds from now, instead of waiting those seconds out.
    lease = 2
    job.refresh_from_db()
    assert (
        EncodingJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            heartbeat_at=timezone.now() - timedelta(seconds=lease + 1)
        )
        == 1
    )
    worker = subprocess.Popen(
        _manage("task_worker", "media"),
        env=_subprocess_env(
            tmp_path,
            MEDIA_PIPELINE_X264_PRESET="ultrafast",
            MEDIA_PIPELINE_LEASE_SECONDS=str(lease),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: Video.objects.get(pk=video.pk).status == Video.Status.READY,
            timeout=120,
            what="the video to be ready",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == EncodingJob.Status.READY and job.attempts == 2
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == "media_pipeline.exceptions.WorkerLost"
    assert f"lease of encoding job {job.pk} (attempt 1) ran out" in row.traceback
    assert row.finished_at is not None
    # The killed attempt's folder is gone (the new run's own folder was published and removed).
    assert services.scratch_folders_clean() == [folders[0].name] or not folders[0].exists()
    assert storage.scratch_folders() == []


# --- leases, task rows, scratch folders -----------------------------------------------------------


@pytest.mark.django_db
def test_a_requeued_job_closes_its_dead_task_row_with_the_reason(
    encode, clips, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    job = video.jobs.get()
    row = _enqueue_in_database(job)
    DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING", started_at=timezone.now())
    EncodingJob.objects.filter(pk=job.pk).update(
        status=EncodingJob.Status.PROCESSING,
        task_id=str(row.pk),
        heartbeat_at=timezone.now() - timedelta(seconds=61),
    )

    with django_capture_on_commit_callbacks(execute=False):
        assert services.stale_jobs_requeue() == [job.pk]

    row.refresh_from_db()
    assert row.status == "FAILED" and row.finished_at is not None
    assert "worker stopped responding" in row.traceback
    job.refresh_from_db()
    assert job.status == EncodingJob.Status.QUEUED and "ran out" in job.error


@pytest.mark.django_db
def test_a_lease_lasts_a_minute_by_default(encode, clips):
    video = encode(clips["small"])
    job = video.jobs.get()
    EncodingJob.objects.filter(pk=job.pk).update(
        status=EncodingJob.Status.PROCESSING, heartbeat_at=timezone.now() - timedelta(seconds=50)
    )
    assert services.stale_jobs_requeue() == []
    later = timezone.now() + timedelta(seconds=11)
    assert services.stale_jobs_requeue(now=later) == [job.pk]


@TRANSACTIONAL
def test_the_worker_renews_the_lease_while_the_job_runs(settings, encode, clips):
    settings.MEDIA_PIPELINE_HEARTBEAT_SECONDS = 0.2
    video = encode(clips["small"])
    old = timezone.now() - timedelta(seconds=50)
    EncodingJob.objects.filter(video=video).update(
        status=EncodingJob.Status.PROCESSING, attempts=1, heartbeat_at=old
    )
    job = video.jobs.get()
    with services._lease_kept(job):
        wait_for(
            lambda: EncodingJob.objects.get(pk=job.pk).heartbeat_at > old,
            timeout=10,
            what="a renewed lease",
        )
    assert services.stale_jobs_requeue() == []


@pytest.mark.django_db
def test_a_stopping_worker_hands_its_job_back(
    encode, clips, monkeypatch, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    job = EncodingJob.objects.create(video=video)

    def stopped(*args, **kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(services, "run_ffmpeg", stopped)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(SystemExit),
    ):
        services.encoding_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == EncodingJob.Status.QUEUED
    assert job.attempts == 0 and "worker stopped" in job.error
    assert len(callbacks) == 1  # enqueued again
    assert storage.scratch_folders() == []


@pytest.mark.django_db
def test_scratch_folders_of_jobs_no_longer_running_are_removed(encode, clips):
    video = encode(clips["small"])
    done = video.jobs.get()
    running = EncodingJob.objects.create(
        video=video, status=EncodingJob.Status.PROCESSING, attempts=2
    )
    base, _ = storage.scratch_base()
    keep = storage.work_dir(prefix=f"job{running.pk}-a2-")
    (keep / "360p").mkdir()
    (keep / "360p" / "seg_00000.ts").write_bytes(b"x" * 5000)
    earlier_attempt = storage.work_dir(prefix=f"job{running.pk}-a1-")
    finished = storage.work_dir(prefix=f"job{done.pk}-a1-")
    unknown_old = storage.work_dir()
    os.utime(unknown_old, (time.time() - 3600, time.time() - 3600))
    unknown_new = storage.work_dir()

    from media_pipeline import selectors

    assert selectors.scratch_usage() == {"folders": 5, "bytes": 5000}
    removed = services.scratch_folders_clean()

    assert sorted(removed) == sorted([earlier_attempt.name, finished.name, unknown_old.name])
    assert sorted(p.name for p in base.iterdir()) == sorted([keep.name, unknown_new.name])


@pytest.mark.django_db
def test_the_video_library_shows_the_disk_used_by_scratch(client, encode, clips):
    from tests.factories import make_user

    folder = storage.work_dir(prefix="job999-a1-")
    (folder / "stream.ts").write_bytes(b"x" * 2048)
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/videos/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "转码临时文件：1 个目录，占用 2.0\xa0KB" in text
