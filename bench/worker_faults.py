"""A task worker killed mid-encode: how long from the kill until the video is ready again.

Real task workers (`manage.py task_worker media`, database queue, no autoreloader) on a throwaway
test database and media folder. First one worker encodes a generated 1280×720 clip undisturbed
(the encode time). Then a second upload is encoded, the worker is killed with SIGKILL once the
encode is a third done, and a new worker is started at once, as systemd's Restart=always does.
Measured: the time from the kill until the video is ready, with its parts — the lease running out
(MEDIA_PIPELINE_LEASE_SECONDS, 60 s), the periodic re-queue check (every 15 s) and the encode
done again — and whether any ffmpeg outlived the killed worker.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

SECONDS = int(os.environ.get("BENCH_FAULTS_SECONDS", "30"))
SIZE = "1280x720"


def _wait(condition, *, timeout: float, what: str, poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise RuntimeError(f"timed out waiting for {what}")


def _encoders_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == parent and b"-progress" in cmdline and b"ffmpeg" in cmdline[0]:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files import File
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from media_pipeline import services, storage
    from media_pipeline.models import EncodingJob, Video

    if not sys.platform.startswith("linux"):
        print("skipped: reads /proc to find the encoders")
        return
    work = Path(tempfile.mkdtemp(prefix="dangke-bench-faults-"))
    if connection.vendor == "sqlite":
        # A file, not memory: the workers are other processes.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(work / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    media_root = work / "media"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DEBUG": "0",
        "TASK_BACKEND": "database",
        "DATABASE_URL": url,
        "DANGKE_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(media_root),
        "PERIODIC_JOBS_TICK_SECONDS": "1",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py"), "task_worker", "media"]
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        log = (work / f"worker{len(workers)}.log").open("w")
        worker = subprocess.Popen(manage, env=env, stdout=log, stderr=subprocess.STDOUT)
        workers.append(worker)
        return worker

    def upload(title: str) -> Video:
        with source.open("rb") as handle:
            video = services.video_create(
                title=title, file=File(handle, name=str(source)), enqueue=False
            )
        DBTaskResult.objects.create(
            task_path="media_pipeline.tasks.encoding_job_run_task",
            args_kwargs={"args": [], "kwargs": {"job_id": video.jobs.get().pk}},
            queue_name="media",
            backend_name="default",
            run_after=timezone.now() - timedelta(seconds=1),
            status="READY",
        )
        return video

    def status(video: Video) -> Video:
        return Video.objects.get(pk=video.pk)

    try:
        with override_settings(MEDIA_ROOT=media_root):
            source = _short_clip(work)
            lease = settings.MEDIA_PIPELINE_LEASE_SECONDS
            print(
                f"source: {SECONDS} s {SIZE}; lease {lease} s, heartbeat "
                f"{settings.MEDIA_PIPELINE_HEARTBEAT_SECONDS} s, re-queue check every 15 s; "
                f"{connection.vendor}, {os.cpu_count()} CPU(s)",
                flush=True,
            )
            worker = start_worker()
            video = upload("undisturbed")
            started = time.monotonic()
            _wait(lambda: status(video).status == "ready", timeout=900, what="the first encode")
            encode = time.monotonic() - started
            print(f"encode, undisturbed (enqueue → ready):  {encode:7.1f} s", flush=True)

            video = upload("killed")
            _wait(
                lambda: status(video).status == "processing" and status(video).progress >= 33,
                timeout=900,
                what="a third of the encode",
            )
            job = video.jobs.get()
            dead_task = job.task_id
            encoders = _encoders_of(worker.pid)
            killed_at = time.monotonic()
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            time.sleep(1)
            orphans = [pid for pid in encoders if _alive(pid)]
            start_worker()
            _wait(
                lambda: EncodingJob.objects.get(pk=job.pk).status != "processing",
                timeout=600,
                what="the job to be re-queued",
            )
            requeued = time.monotonic() - killed_at
            _wait(lambda: status(video).status == "ready", timeout=900, what="the second encode")
            ready = time.monotonic() - killed_at
            job.refresh_from_db()
            row = DBTaskResult.objects.filter(pk=dead_task or None).first()
            print(f"kill → re-queued (lease + check):       {requeued:7.1f} s")
            print(f"kill → ready:                           {ready:7.1f} s")
            print(f"  of which encoding again:              {ready - requeued:7.1f} s")
            print(
                f"encoders left after the kill:           {len(orphans)} of {len(encoders)}"
                f"{' ← ORPHANS' if orphans else ''}"
            )
            print(f"attempts used: {job.attempts}; dead task row: ", end="")
            print(f"{row.status} ({row.traceback[:90]})" if row else "not found")
            print(f"scratch folders left: {len(storage.scratch_folders())} (cleaned every 5 min)")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(work, ignore_errors=True)


def _short_clip(work: Path) -> Path:
    import bench.media_pipeline as media_bench

    saved = media_bench.SECONDS
    media_bench.SECONDS = SECONDS
    try:
        return media_bench._clip(work / "source.mp4")
    finally:
        media_bench.SECONDS = saved


if __name__ == "__main__":
    main()
