"""Writes of the media pipeline: accepting uploads, running, retrying and recovering encoding jobs."""

import contextlib
import logging
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Exists
from django.utils import timezone

from media_pipeline import conf, storage
from media_pipeline.exceptions import JobStateConflict, VideoRejected, WorkerLost
from media_pipeline.ffmpeg_commands import (
    MASTER_NAME,
    MP4_NAME,
    POSTER_NAME,
    EncodingPlan,
    Variant,
    encode_args,
    encoding_plan,
    master_playlist,
    output_folders,
    parse_media_playlist,
    variant_bandwidth,
    variant_playlist_name,
)
from media_pipeline.models import (
    EncodingJob,
    EncodingProfile,
    Rendition,
    Video,
    original_upload_to,
)
from media_pipeline.probe import ProbeError, ProbeResult, decodes_through, ffmpeg_binary, probe
from media_pipeline.runner import run_ffmpeg

logger = logging.getLogger(__name__)


class EncodeFailed(Exception):
    def __init__(self, message: str, *, log_tail: str = ""):
        super().__init__(message)
        self.log_tail = log_tail


# Uploads ---------------------------------------------------------------------------------------


def _file_size(file: File) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    return int(size)


@contextlib.contextmanager
def _as_local_file(file: File) -> Iterator[Path]:
    """A local path of the upload; in-memory uploads are written to disk in chunks first."""
    temporary_path = getattr(file, "temporary_file_path", None)
    if temporary_path:
        yield Path(temporary_path())
        return
    name = getattr(file, "name", None) or ""
    if not isinstance(file, UploadedFile) and Path(name).is_absolute() and Path(name).is_file():
        # A File opened on a local path (demo, bench, scripts): probe it where it is.
        yield Path(name)
        return
    with tempfile.NamedTemporaryFile(
        suffix=Path(getattr(file, "name", "") or "").suffix[:10]
    ) as tmp:
        file.seek(0)
        for chunk in file.chunks():
            tmp.write(chunk)
        tmp.flush()
        file.seek(0)
        yield Path(tmp.name)


def video_check_file(*, file: File) -> ProbeResult:
    """Probe an upload by its content; raise VideoRejected unless it is a playable video."""
    size = _file_size(file)
    if size == 0:
        raise VideoRejected("empty")
    if size > conf.get("MAX_UPLOAD_BYTES"):
        raise VideoRejected("too_large", detail=f"{size} > {conf.get('MAX_UPLOAD_BYTES')}")
    with _as_local_file(file) as path:
        try:
            info = probe(path)
        except ProbeError as exc:
            raise VideoRejected("not_media", detail=str(exc)) from exc
        if info.video is None or not info.display_size:
            raise VideoRejected("audio_only" if info.audio else "not_media")
        if not info.duration or info.duration <= 0:
            raise VideoRejected("no_duration")
        _check_limits(info)
        if not decodes_through(path, duration=info.duration):
            raise VideoRejected("truncated")
    return info


def _clock(seconds: float) -> str:
    """4:00:00 (hours:minutes:seconds)."""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _check_limits(info: ProbeResult) -> None:
    """Picture size, duration and frame rate within the settings (conf.MAX_*), from the probe
    alone: nothing is decoded, stored or queued for a file beyond them."""
    width, height = info.video.width or 0, info.video.height or 0
    if width * height > conf.get("MAX_PIXELS"):
        raise VideoRejected(
            "too_many_pixels",
            detail=f"{width}x{height}",
            width=width,
            height=height,
            max_pixels=f"{conf.get('MAX_PIXELS'):,}",
        )
    if info.duration > conf.get("MAX_DURATION_SECONDS"):
        raise VideoRejected(
            "too_long",
            detail=f"{info.duration:.0f} s",
            duration=_clock(info.duration),
            max_duration=_clock(conf.get("MAX_DURATION_SECONDS")),
        )
    rate = info.video.frame_rate or 0
    if rate > conf.get("MAX_FRAME_RATE") + 0.5:  # 60000/1001 and rounding stay within 60
        raise VideoRejected(
            "frame_rate_too_high",
            detail=f"{rate:.2f} fps",
            rate=f"{rate:.0f}",
            max_rate=f"{conf.get('MAX_FRAME_RATE'):g}",
        )


def video_create(
    *, title: str, file: File | UploadedFile, uploaded_by=None, enqueue: bool = True
) -> Video:
    """Accept an upload: check it by content, store the original, queue its encoding.

    Raises VideoRejected (and saves and queues nothing) for anything that is not a playable video.
    With enqueue=False the job is created but the caller runs it (`encoding_job_run`).
    """
    info = video_check_file(file=file)
    width, height = info.display_size
    filename = Path(getattr(file, "name", "") or "upload.mp4").name
    # Store the original before the transaction: copying gigabytes (or uploading them to object
    # storage) must not hold a database lock. A temporary upload is moved, not copied.
    file.seek(0)
    stored = default_storage.save(original_upload_to(None, filename), file)
    try:
        with transaction.atomic():
            video = Video.objects.create(
                title=title.strip() or Path(filename).stem,
                original=stored,
                uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                status=Video.Status.QUEUED,
                duration_seconds=info.duration,
                width=width,
                height=height,
                rotation=info.rotation,
                original_size=info.size,
                source_info=info.as_dict(),
            )
            job = EncodingJob.objects.create(video=video)
            if enqueue:
                _enqueue_on_commit(job)
    except Exception:
        storage.delete_file(stored)
        raise
    return video


def _enqueue_on_commit(job: EncodingJob) -> None:
    job_id = job.pk

    def enqueue() -> None:
        from media_pipeline.tasks import encoding_job_run_task

        try:
            encoding_job_run_task.enqueue(job_id=job_id)
        except Exception:
            # The upload is safe and its job stays queued; `media_requeue_stale --waiting` retries.
            logger.exception("could not enqueue encoding job %s", job_id)

    transaction.on_commit(enqueue)


def video_delete(*, video: Video) -> None:
    """Delete a video with its renditions, jobs, published outputs and original."""
    # The files go in the post_delete handler (signal_handlers.py), so admin deletes clean up too.
    video.delete()


def video_files_delete(*, original: str, output_dir: str) -> None:
    storage.delete_tree(output_dir)
    storage.delete_file(original)


# Jobs ------------------------------------------------------------------------------------------


def _set_video_state(video_id: int, **fields) -> None:
    Video.objects.filter(pk=video_id).update(**fields)


# Only the video's latest job may change the video (PeerTube's rule). "Latest" is the highest id:
# ids come from one database sequence in insert order, while created_at is each process's own
# clock and can tie or run backwards between machines.


def _newer_jobs(job: EncodingJob):
    return EncodingJob.objects.filter(video_id=job.video_id, pk__gt=job.pk)


def _lock_video(job: EncodingJob) -> None:
    """Lock the job's video row until the transaction ends.

    Creating a job takes a key-share lock on its video (the foreign key), which this lock blocks,
    so a newer job cannot appear between `_newer_jobs(job).exists()` and the commit.
    """
    list(Video.objects.select_for_update().filter(pk=job.video_id).values_list("pk", flat=True))


def _job_supersede(job: EncodingJob, *, error: str = "", log_tail: str = "") -> None:
    """End a job that a newer one replaced; the video is left to the newer job (caller locks)."""
    job.transition_to(EncodingJob.Status.SUPERSEDED)
    if error:
        job.error = error[:2000]
    if log_tail:
        job.log_tail = log_tail
    job.save()


def encoding_job_run(*, job_id: int, task_id: str = "") -> EncodingJob | None:
    """Run a queued job to ready or failed; a job that is not queued is left alone (idempotent).

    `task_id` is the background-task row running it, closed as failed if this worker dies.
    Returns the job, or None when it no longer exists (its video was deleted meanwhile).
    """
    with transaction.atomic():
        job = EncodingJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != EncodingJob.Status.QUEUED:
            return job
        _lock_video(job)
        if _newer_jobs(job).exists():
            # Replaced before it started: encoding it would be wasted work.
            _job_supersede(job)
            return job
        job.transition_to(EncodingJob.Status.PROCESSING)
        job.task_id = task_id[:64]
        job.save()
        _set_video_state(job.video_id, status=Video.Status.PROCESSING, progress=0, error="")
    try:
        with _lease_kept(job):
            _encode(job)
    except EncodeFailed as exc:
        _job_fail(job=job, error=str(exc), log_tail=exc.log_tail)
    except Exception as exc:  # the job must end as failed, whatever broke
        logger.exception("encoding job %s crashed", job.pk)
        _job_fail(job=job, error=f"{type(exc).__name__}: {exc}", log_tail="")
    except BaseException:
        # The worker is being stopped (SystemExit, KeyboardInterrupt): its encoder is already
        # killed (runner.py); hand the job back now instead of waiting for the lease to run out.
        with contextlib.suppress(Exception):
            _job_release(job, reason="worker stopped during the encode; re-queued")
        raise
    return EncodingJob.objects.filter(pk=job.pk).first()


@contextlib.contextmanager
def _lease_kept(job: EncodingJob) -> Iterator[None]:
    """Renew the job's lease every HEARTBEAT_SECONDS while the block runs, on a thread of its own.

    ffmpeg's progress renews it too, but fetching the original from object storage, probing and
    publishing report no progress and can outlast a lease on big files.
    """
    stop = threading.Event()
    interval = float(conf.get("HEARTBEAT_SECONDS"))

    def renew() -> None:
        try:
            while not stop.wait(interval):
                try:
                    EncodingJob.objects.filter(
                        pk=job.pk, status=EncodingJob.Status.PROCESSING, attempts=job.attempts
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 — e.g. the database is briefly away; try again
                    logger.warning("could not renew the lease of encoding job %s", job.pk)
                    connection.close()
        finally:
            connection.close()

    keeper = threading.Thread(target=renew, name=f"lease-job-{job.pk}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(timeout=interval + 5)


def _job_release(job: EncodingJob, *, reason: str) -> None:
    """Give a job this worker holds back to the queue (the worker stops; not the file's fault)."""
    with transaction.atomic():
        job = (
            EncodingJob.objects.select_for_update()
            .filter(pk=job.pk, status=EncodingJob.Status.PROCESSING, attempts=job.attempts)
            .first()
        )
        if job is None:
            return
        _lock_video(job)
        if _newer_jobs(job).exists():
            _job_supersede(job, error=reason)
            return
        job.transition_to(EncodingJob.Status.QUEUED)
        job.attempts = max(0, job.attempts - 1)
        job.error = reason
        job.save()
        _set_video_state(job.video_id, status=Video.Status.QUEUED, progress=0)
        _enqueue_on_commit(job)


def _job_fail(*, job: EncodingJob, error: str, log_tail: str) -> None:
    with transaction.atomic():
        job = (
            EncodingJob.objects.select_for_update()
            # Only this attempt's own failure counts; a re-queued job belongs to another worker.
            .filter(pk=job.pk, status=EncodingJob.Status.PROCESSING, attempts=job.attempts)
            .first()
        )
        if job is None:
            return
        _lock_video(job)
        if _newer_jobs(job).exists():
            # The newer job owns the video's status; this failure is only kept on the job.
            _job_supersede(job, error=error, log_tail=log_tail)
            return
        job.transition_to(EncodingJob.Status.FAILED)
        job.error = error[:2000]
        job.log_tail = log_tail
        job.save()
        _set_video_state(job.video_id, status=Video.Status.FAILED, error=job.error)


def _heartbeat(job: EncodingJob, percent: int) -> bool:
    # The copy shown before publishing stays below 100: 100 means "published and playable".
    percent = min(percent, 99)
    latest = ~Exists(_newer_jobs(job))
    alive = EncodingJob.objects.filter(
        latest, pk=job.pk, status=EncodingJob.Status.PROCESSING, attempts=job.attempts
    ).update(progress=percent, heartbeat_at=timezone.now())
    if alive:
        # Guarded again: a newer job created since the line above owns the video's progress.
        Video.objects.filter(latest, pk=job.video_id).update(progress=percent)
        return True
    # Zero rows: the job was declared stale and handed to another worker, or a newer job of the
    # video exists and this encode's output would be discarded; either way, stop this encode.
    with transaction.atomic():
        current = (
            EncodingJob.objects.select_for_update()
            .filter(pk=job.pk, status=EncodingJob.Status.PROCESSING, attempts=job.attempts)
            .first()
        )
        if current is not None:
            _lock_video(current)
            if _newer_jobs(current).exists():
                _job_supersede(current)
    return False


def encoding_plan_for(*, info: ProbeResult) -> EncodingPlan:
    """The transcoding plan of a probed source with the active profiles."""
    width, height = info.display_size
    return encoding_plan(
        profiles=list(EncodingProfile.objects.filter(is_active=True)),
        display_width=width,
        display_height=height,
        duration=info.duration,
        frame_rate=info.video.frame_rate if info.video else None,
        has_audio=info.audio is not None,
        segment_seconds=conf.get("SEGMENT_SECONDS"),
        preset=conf.get("X264_PRESET"),
        mp4_max_height=conf.get("MP4_MAX_HEIGHT"),
    )


def _measure_variants(*, out_dir: Path, plan: EncodingPlan) -> list[Variant]:
    variants = []
    for rung in plan.rungs:
        playlist = out_dir / variant_playlist_name(rung)
        segments = parse_media_playlist(playlist.read_text())
        if not segments:
            raise EncodeFailed(f"{rung.name}: empty playlist")
        folder = playlist.parent
        peak, average = variant_bandwidth(
            [(duration, (folder / uri).stat().st_size) for duration, uri in segments]
        )
        variants.append(Variant(rung, peak, average, variant_playlist_name(rung)))
    return variants


def _encode(job: EncodingJob) -> None:
    video = Video.objects.get(pk=job.video_id)
    # The folder is named after the job and attempt, so scratch_folders_clean knows its owner.
    scratch = storage.work_dir(prefix=scratch_prefix(job))
    try:
        with storage.local_copy(video.original.name) as source:
            try:
                info = probe(source)
            except ProbeError as exc:
                raise EncodeFailed(f"probe failed: {exc}") from exc
            if not info.display_size:
                raise EncodeFailed("no video stream")
            plan = encoding_plan_for(info=info)
            for folder in output_folders(plan):
                (scratch / folder).mkdir(parents=True, exist_ok=True)
            args = encode_args(binary=ffmpeg_binary(), source=source, plan=plan)
            result = run_ffmpeg(
                args,
                cwd=scratch,
                duration=info.duration,
                on_progress=lambda percent: _heartbeat(job, percent),
                tail_lines=conf.get("LOG_TAIL_LINES"),
            )
        if result.aborted:
            # Another worker owns the job now; leave its state alone.
            return
        if result.returncode != 0:
            last = result.log_tail.strip().splitlines()[-1:] or [""]
            raise EncodeFailed(
                f"ffmpeg exited with code {result.returncode}: {last[0]}", log_tail=result.log_tail
            )
        variants = _measure_variants(out_dir=scratch, plan=plan)
        (scratch / MASTER_NAME).write_text(master_playlist(variants=variants, plan=plan))
        # A fresh folder per encode: the switch to it is one database update, so a player sees
        # either the old complete set or the new complete set.
        output_dir = f"videos/hls/{video.pk}/{uuid.uuid4().hex[:12]}"
        storage.publish_folder(scratch, output_dir)
        _job_complete(
            job=job,
            info=info,
            plan=plan,
            variants=variants,
            output_dir=output_dir,
            log=result.log_tail,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _job_complete(
    *,
    job: EncodingJob,
    info: ProbeResult,
    plan: EncodingPlan,
    variants: list[Variant],
    output_dir: str,
    log: str,
) -> None:
    profiles = {
        p.name: p for p in EncodingProfile.objects.filter(name__in=[v.rung.name for v in variants])
    }
    stale_dir = ""
    attempt = job.attempts
    with transaction.atomic():
        job = EncodingJob.objects.select_for_update().filter(pk=job.pk).first()
        video = Video.objects.select_for_update().filter(pk=job.video_id if job else None).first()
        if (
            job is None
            or video is None
            or job.status != EncodingJob.Status.PROCESSING
            or job.attempts != attempt
        ):
            # Deleted or taken over meanwhile: what this run published belongs to nobody.
            stale_dir = output_dir
        elif _newer_jobs(job).exists():
            # A newer job was created while this one ran (the video row lock above keeps another
            # from appearing until commit): its output must not replace what the newer job makes.
            _job_supersede(job, log_tail=log)
            stale_dir = output_dir
        else:
            stale_dir = video.output_dir if video.output_dir != output_dir else ""
            width, height = info.display_size
            video.output_dir = output_dir
            video.hls_master = f"{output_dir}/{MASTER_NAME}"
            video.mp4 = f"{output_dir}/{MP4_NAME}"
            video.poster = f"{output_dir}/{POSTER_NAME}"
            video.duration_seconds = info.duration
            video.width, video.height, video.rotation = width, height, info.rotation
            video.status = Video.Status.READY
            video.progress = 100
            video.error = ""
            video.save()
            kept = []
            for variant in variants:
                rendition, _ = Rendition.objects.get_or_create(
                    video=video,
                    profile=profiles[variant.rung.name],
                    defaults={"width": 0, "height": 0, "playlist": ""},
                )
                rendition.width, rendition.height = variant.rung.width, variant.rung.height
                rendition.bandwidth = variant.bandwidth
                rendition.average_bandwidth = variant.average_bandwidth
                rendition.playlist = f"{output_dir}/{variant.uri}"
                rendition.save()
                kept.append(rendition.pk)
            video.renditions.exclude(pk__in=kept).delete()
            job.transition_to(EncodingJob.Status.READY)
            job.log_tail = log
            job.save()
        if stale_dir:
            transaction.on_commit(lambda: storage.delete_tree(stale_dir))


def encoding_job_retry(*, job_id: int) -> EncodingJob:
    """Queue a failed job again (from the admin's retry button)."""
    with transaction.atomic():
        job = EncodingJob.objects.select_for_update().get(pk=job_id)
        if not (
            job.status == EncodingJob.Status.FAILED
            and job.can_transition_to(EncodingJob.Status.QUEUED)
        ):
            raise JobStateConflict(job.status)
        _lock_video(job)
        if _newer_jobs(job).exists():
            # Its output could never be published; retry the video's latest job instead.
            raise JobStateConflict("superseded")
        job.transition_to(EncodingJob.Status.QUEUED)
        # A person asked for another go: the automatic attempt limit starts over.
        job.attempts = 0
        job.error = ""
        job.save()
        _set_video_state(job.video_id, status=Video.Status.QUEUED, progress=0, error="")
        _enqueue_on_commit(job)
    return job


def _task_row_close(task_id: str, *, reason: str) -> None:
    """Close a dead worker's background-task row as failed, with the reason (database queue).

    The database queue's row would otherwise say RUNNING forever. With Redis, RQ's own registry
    of started jobs marks a dead worker's job as failed (AbandonedJobError).
    """
    if not task_id or not apps.is_installed("django_tasks_db"):
        return
    try:
        uuid.UUID(task_id)
    except ValueError:
        return
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=reason,
        return_value=None,
    )


def stale_jobs_requeue(*, now=None) -> list[int]:
    """Re-queue jobs whose worker died mid-encode: their lease (LEASE_SECONDS) ran out.

    The dead run's task row is closed as failed with the reason. A job that has already used
    MAX_ATTEMPTS is failed instead, so a file that kills its worker does not loop forever.
    Returns the ids of the jobs it re-queued.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.get("LEASE_SECONDS"))
    requeued = []
    candidates = EncodingJob.objects.filter(
        status=EncodingJob.Status.PROCESSING, heartbeat_at__lt=cutoff
    ).values_list("pk", flat=True)
    for job_id in list(candidates):
        with transaction.atomic():
            job = EncodingJob.objects.select_for_update().get(pk=job_id)
            if job.status != EncodingJob.Status.PROCESSING or (
                job.heartbeat_at and job.heartbeat_at >= cutoff
            ):
                continue
            _lock_video(job)
            last = job.heartbeat_at.isoformat(timespec="seconds") if job.heartbeat_at else "never"
            reason = (
                f"worker stopped responding: the lease of encoding job {job.pk} "
                f"(attempt {job.attempts}) ran out, last heartbeat {last}"
            )
            _task_row_close(job.task_id, reason=reason)
            if _newer_jobs(job).exists():
                # Neither re-run nor failed: either would touch the video the newer job owns.
                _job_supersede(job, error="worker stopped responding; a newer job replaced it")
                continue
            if job.attempts >= conf.get("MAX_ATTEMPTS"):
                job.transition_to(EncodingJob.Status.FAILED)
                job.error = f"worker stopped responding {job.attempts} times; giving up"
                job.save()
                _set_video_state(job.video_id, status=Video.Status.FAILED, error=job.error)
                continue
            job.transition_to(EncodingJob.Status.QUEUED)
            job.error = f"{reason}; re-queued"
            job.save()
            _set_video_state(job.video_id, status=Video.Status.QUEUED, progress=0)
            _enqueue_on_commit(job)
            requeued.append(job.pk)
    return requeued


def queued_jobs_enqueue(*, now=None) -> list[int]:
    """Enqueue again jobs that have waited longer than STALE_SECONDS without being claimed.

    For jobs whose first enqueue was lost (queue backend down at upload time). A duplicate is
    harmless: a job that is no longer queued is skipped by `encoding_job_run`.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.get("STALE_SECONDS"))
    jobs = list(
        EncodingJob.objects.filter(
            status=EncodingJob.Status.QUEUED, claimed_at__isnull=True, created_at__lt=cutoff
        )
    )
    for job in jobs:
        _enqueue_on_commit(job)
    return [job.pk for job in jobs]


# Scratch folders ---------------------------------------------------------------------------------

_SCRATCH_OWNER = re.compile(r"job(\d+)-a(\d+)-")


def scratch_prefix(job: EncodingJob) -> str:
    return f"job{job.pk}-a{job.attempts}-"


def scratch_folders_clean(*, now: float | None = None) -> list[str]:
    """Remove scratch folders whose encode is no longer running (its worker was killed).

    A folder belongs to a job's attempt (named by `scratch_prefix`); it stays while that attempt
    is processing. Folders of no known job are removed once older than LEASE_SECONDS.
    Returns the names of the folders removed.
    """
    now = time.time() if now is None else now
    # List the folders before reading the running jobs: a job is marked processing before its
    # folder is made, so a folder listed here whose attempt is not running is truly abandoned.
    folders = storage.scratch_folders()
    running = set(
        EncodingJob.objects.filter(status=EncodingJob.Status.PROCESSING).values_list(
            "pk", "attempts"
        )
    )
    removed = []
    for folder in folders:
        owner = _SCRATCH_OWNER.search(folder.name)
        if owner and (int(owner[1]), int(owner[2])) in running:
            continue
        if owner is None:
            with contextlib.suppress(OSError):
                if now - folder.stat().st_mtime < conf.get("LEASE_SECONDS"):
                    continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder.name)
    if removed:
        logger.info("removed %d abandoned scratch folder(s): %s", len(removed), removed)
    return removed
