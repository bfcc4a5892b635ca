"""The whole pipeline on tiny real clips: upload checks, encoding, outputs, failures, recovery."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from media_pipeline import services
from media_pipeline.exceptions import JobStateConflict, VideoRejected
from media_pipeline.ffmpeg_commands import parse_master_playlist, parse_media_playlist
from media_pipeline.models import EncodingJob, Rendition, Video
from media_pipeline.probe import probe

pytestmark = pytest.mark.django_db


def media(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_encode_produces_aligned_hls_ladder_mp4_and_poster(encode, clips):
    video = encode(clips["wide"])

    assert video.status == Video.Status.READY
    assert video.progress == 100
    assert (video.width, video.height) == (960, 540)
    assert video.duration_seconds == pytest.approx(3, abs=0.2)
    job = video.jobs.get()
    assert job.status == EncodingJob.Status.READY and job.progress == 100 and job.attempts == 1

    master = parse_master_playlist(media(video.hls_master).read_text())
    # 960×540 gets 360p and 540p, never 720p/1080p (no upscaling).
    assert [(v["RESOLUTION"], v["URI"]) for v in master] == [
        ("640x360", "360p/index.m3u8"),
        ("960x540", "540p/index.m3u8"),
    ]
    renditions = {r.profile.name: r for r in video.renditions.select_related("profile")}
    assert set(renditions) == {"360p", "540p"}
    master_dir = media(video.hls_master).parent
    segment_lists = []
    for variant in master:
        rendition = renditions[variant["URI"].split("/")[0]]
        assert int(variant["BANDWIDTH"]) == rendition.bandwidth > 0
        assert int(variant["AVERAGE-BANDWIDTH"]) <= rendition.bandwidth
        assert variant["CODECS"].startswith("avc1.64") and "mp4a.40.2" in variant["CODECS"]
        # Relative URIs: the protected view serves them from the master's own URL.
        assert not variant["URI"].startswith(("/", "http"))
        playlist = master_dir / variant["URI"]
        segments = parse_media_playlist(playlist.read_text())
        # 3 s in 1 s segments.
        assert 2 <= len(segments) <= 4
        segment_lists.append([round(duration, 2) for duration, _ in segments])
        # BANDWIDTH is the real peak segment bitrate.
        peak = max(
            (playlist.parent / uri).stat().st_size * 8 / duration for duration, uri in segments
        )
        assert rendition.bandwidth == pytest.approx(peak, rel=0.01)
    # Same keyframe positions in every rendition, so segment boundaries line up.
    assert segment_lists[0] == segment_lists[1]

    mp4 = probe(media(video.mp4))
    assert mp4.display_size == (960, 540) and mp4.audio is not None
    # faststart: the moov box comes before the media data.
    head = media(video.mp4).read_bytes()[:200_000]
    assert head.find(b"moov") < head.find(b"mdat")
    assert probe(media(video.poster)).display_size == (960, 540)
    # The original is kept.
    assert media(video.original.name).is_file()
    # Scratch folders are gone once published.
    assert not any(media("videos/.work").iterdir())


def test_rotated_phone_video_comes_out_upright(encode, clips):
    video = encode(clips["rotated"])

    assert video.status == Video.Status.READY
    assert video.rotation in (90, 270)
    assert (video.width, video.height) == (240, 320)
    segment = next(media(video.hls_master).parent.glob("*/seg_00000.ts"))
    out = probe(segment)
    assert out.display_size == (240, 320) and out.rotation == 0
    assert probe(media(video.mp4)).display_size == (240, 320)


def test_video_without_audio_is_encoded_without_audio(encode, clips):
    video = encode(clips["silent"])

    assert video.status == Video.Status.READY
    master = parse_master_playlist(media(video.hls_master).read_text())
    assert "mp4a" not in master[0]["CODECS"]
    assert probe(media(video.mp4)).audio is None


@pytest.mark.parametrize(
    ("clip", "code"),
    [
        ("pdf", "not_media"),
        ("empty", "empty"),
        ("audio_only", "audio_only"),
        ("truncated", "truncated"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(clips, open_clip, clip, code):
    with pytest.raises(VideoRejected) as excinfo:
        services.video_create(title="坏文件", file=open_clip(clips[clip]))

    assert excinfo.value.code == code
    assert excinfo.value.message_zh and excinfo.value.message_en
    assert not Video.objects.exists() and not EncodingJob.objects.exists()
    assert not media("videos/originals").exists()


def test_file_over_the_limit_is_refused(clips, open_clip, settings):
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(VideoRejected) as excinfo:
        services.video_create(title="太大", file=open_clip(clips["small"]))

    assert excinfo.value.code == "too_large"
    assert not Video.objects.exists()


def test_failing_encode_marks_job_failed_with_reason_and_log(encode, clips, settings):
    # An x264 preset that does not exist makes the real ffmpeg fail.
    settings.MEDIA_PIPELINE_X264_PRESET = "no-such-preset"

    video = encode(clips["small"])

    job = video.jobs.get()
    assert job.status == EncodingJob.Status.FAILED
    assert video.status == Video.Status.FAILED
    assert "ffmpeg exited with code" in job.error
    assert video.error == job.error
    assert "preset" in job.log_tail.lower()
    assert not video.hls_master and not Rendition.objects.exists()


def test_retry_after_failure_encodes(encode, clips, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_PIPELINE_X264_PRESET = "no-such-preset"
    video = encode(clips["small"])
    job = video.jobs.get()
    settings.MEDIA_PIPELINE_X264_PRESET = "ultrafast"

    with django_capture_on_commit_callbacks(execute=True):
        services.encoding_job_retry(job_id=job.pk)

    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == EncodingJob.Status.READY and job.error == ""
    assert video.status == Video.Status.READY and video.error == ""
    with pytest.raises(JobStateConflict):
        services.encoding_job_retry(job_id=job.pk)


def test_stale_job_is_requeued_and_finishes(encode, clips, django_capture_on_commit_callbacks):
    video = encode(clips["small"])
    first_dir = video.output_dir
    job = video.jobs.get()
    # What a worker killed mid-encode leaves behind: processing, with an old heartbeat.
    EncodingJob.objects.filter(pk=job.pk).update(
        status=EncodingJob.Status.PROCESSING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    Video.objects.filter(pk=video.pk).update(status=Video.Status.PROCESSING, progress=40)

    with django_capture_on_commit_callbacks(execute=True):
        requeued = services.stale_jobs_requeue()

    assert requeued == [job.pk]
    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == EncodingJob.Status.READY and job.attempts == 2
    assert video.status == Video.Status.READY
    # Running again is safe: one rendition per profile, new outputs, the old folder removed.
    assert video.renditions.count() == 1
    assert video.output_dir != first_dir
    assert not media(first_dir).exists() and media(video.hls_master).is_file()


def test_fresh_processing_job_is_not_requeued(encode, clips):
    video = encode(clips["small"])
    EncodingJob.objects.filter(video=video).update(
        status=EncodingJob.Status.PROCESSING, heartbeat_at=timezone.now()
    )

    assert services.stale_jobs_requeue() == []


def test_job_that_keeps_killing_workers_is_failed(encode, clips, settings):
    settings.MEDIA_PIPELINE_MAX_ATTEMPTS = 2
    video = encode(clips["small"])
    EncodingJob.objects.filter(video=video).update(
        status=EncodingJob.Status.PROCESSING,
        attempts=2,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )

    assert services.stale_jobs_requeue() == []
    job = video.jobs.get()
    assert job.status == EncodingJob.Status.FAILED and "giving up" in job.error


def test_running_a_finished_job_again_does_nothing(encode, clips):
    video = encode(clips["small"])
    job = video.jobs.get()

    again = services.encoding_job_run(job_id=job.pk)

    assert again.status == EncodingJob.Status.READY and again.attempts == 1
    video.refresh_from_db()
    assert video.renditions.count() == 1


def test_deleting_a_video_deletes_its_files_and_renditions(
    encode, clips, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    original, folder = media(video.original.name), media(f"videos/hls/{video.pk}")
    assert original.is_file() and folder.is_dir()

    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video)

    assert not original.exists() and not folder.exists()
    assert not Rendition.objects.exists() and not EncodingJob.objects.exists()


def test_command_recovers_stale_and_lost_jobs(clips, open_clip, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    # An upload whose enqueue was lost: the job sits queued and nobody picks it up.
    video = services.video_create(title="丢失的任务", file=open_clip(clips["small"]), enqueue=False)
    EncodingJob.objects.filter(video=video).update(created_at=timezone.now() - timedelta(hours=1))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("media_requeue_stale", "--waiting", stdout=out)

    assert "enqueued again 1 waiting job(s)" in out.getvalue()
    video.refresh_from_db()
    assert video.status == Video.Status.READY


def test_job_of_a_deleted_video_is_skipped(clips, open_clip):
    video = services.video_create(title="删掉了", file=open_clip(clips["small"]), enqueue=False)
    job_id = video.jobs.get().pk
    video.delete()

    assert services.encoding_job_run(job_id=job_id) is None


# Only the latest job may publish ---------------------------------------------------------------


def newer_job(video: Video) -> EncodingJob:
    # What re-encoding or replacing a video amounts to: another job for the same video.
    return EncodingJob.objects.create(video=video)


def published_folders(video: Video) -> set[str]:
    return {f"videos/hls/{video.pk}/{p.name}" for p in media(f"videos/hls/{video.pk}").iterdir()}


def test_older_job_finishing_after_a_newer_one_was_created_publishes_nothing(
    encode, clips, monkeypatch, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    first_dir, first_renditions = video.output_dir, list(video.renditions.values("pk", "playlist"))
    older = newer_job(video)
    real_publish = services.storage.publish_folder
    created = []

    def publish_then_replace(source, dest):
        real_publish(source, dest)
        if not created:
            # The newer job appears after the older encode is done but before it is recorded.
            created.append(newer_job(video))

    monkeypatch.setattr(services.storage, "publish_folder", publish_then_replace)
    with django_capture_on_commit_callbacks(execute=True):
        services.encoding_job_run(job_id=older.pk)

    older.refresh_from_db()
    video.refresh_from_db()
    assert older.status == EncodingJob.Status.SUPERSEDED and older.finished_at
    assert older.log_tail
    # The video still plays the first encode; the older job's published folder is gone.
    assert video.output_dir == first_dir and video.hls_master.startswith(first_dir)
    assert list(video.renditions.values("pk", "playlist")) == first_renditions
    assert published_folders(video) == {first_dir}

    with django_capture_on_commit_callbacks(execute=True):
        latest = services.encoding_job_run(job_id=created[0].pk)

    video.refresh_from_db()
    assert latest.status == EncodingJob.Status.READY
    assert video.status == Video.Status.READY and video.progress == 100
    assert published_folders(video) == {video.output_dir} != {first_dir}
    assert older.status == EncodingJob.Status.SUPERSEDED
    with pytest.raises(JobStateConflict):
        services.encoding_job_retry(job_id=older.pk)


def test_older_job_heartbeats_do_not_touch_the_video_a_newer_job_made(
    encode, clips, monkeypatch, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    older = newer_job(video)
    real_run = services.run_ffmpeg
    latest = []

    def newer_job_runs_first(args, **kwargs):
        if not latest:
            # While the older job is claimed, a newer one is created and finishes first.
            latest.append(newer_job(video))
            services.encoding_job_run(job_id=latest[0].pk)
        return real_run(args, **kwargs)

    monkeypatch.setattr(services, "run_ffmpeg", newer_job_runs_first)
    with django_capture_on_commit_callbacks(execute=True):
        services.encoding_job_run(job_id=older.pk)

    older.refresh_from_db()
    video.refresh_from_db()
    latest[0].refresh_from_db()
    assert latest[0].status == EncodingJob.Status.READY
    # The older encode's first heartbeat saw the newer job: it stopped there, ended superseded
    # and left the video's progress, status and outputs as the newer job set them.
    assert older.status == EncodingJob.Status.SUPERSEDED
    assert video.status == Video.Status.READY and video.progress == 100
    assert video.hls_master.startswith(video.output_dir)
    assert published_folders(video) == {video.output_dir}
    assert not any(media("videos/.work").iterdir())


def test_older_job_failing_does_not_fail_the_video(
    encode, clips, settings, monkeypatch, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    older = newer_job(video)
    real_run = services.run_ffmpeg

    def replaced_meanwhile(args, **kwargs):
        result = real_run(args, **kwargs)
        # After ffmpeg's last progress line, before the failure is recorded.
        newer_job(video)
        return result

    monkeypatch.setattr(services, "run_ffmpeg", replaced_meanwhile)
    settings.MEDIA_PIPELINE_X264_PRESET = "no-such-preset"
    with django_capture_on_commit_callbacks(execute=True):
        services.encoding_job_run(job_id=older.pk)

    older.refresh_from_db()
    video.refresh_from_db()
    # The failure is kept on the job, but the video's status belongs to the newer job.
    assert older.status == EncodingJob.Status.SUPERSEDED and "ffmpeg exited" in older.error
    assert video.status != Video.Status.FAILED and video.error == ""


def test_older_queued_job_is_superseded_without_encoding(clips, open_clip):
    video = services.video_create(title="换了文件", file=open_clip(clips["small"]), enqueue=False)
    older = video.jobs.get()
    latest = newer_job(video)

    job = services.encoding_job_run(job_id=older.pk)

    assert job.status == EncodingJob.Status.SUPERSEDED and job.attempts == 0
    video.refresh_from_db()
    assert video.status == Video.Status.QUEUED and not video.output_dir
    assert services.encoding_job_run(job_id=older.pk).status == EncodingJob.Status.SUPERSEDED
    from media_pipeline.selectors import video_latest_job

    assert video_latest_job(video=video) == latest


def test_older_stale_job_is_superseded_not_requeued(clips, open_clip):
    video = services.video_create(title="旧任务", file=open_clip(clips["small"]), enqueue=False)
    older = video.jobs.get()
    EncodingJob.objects.filter(pk=older.pk).update(
        status=EncodingJob.Status.PROCESSING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    newer_job(video)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.QUEUED, progress=0)

    assert services.stale_jobs_requeue() == []

    older.refresh_from_db()
    video.refresh_from_db()
    assert older.status == EncodingJob.Status.SUPERSEDED
    assert video.status == Video.Status.QUEUED and video.error == ""


def test_superseded_is_a_final_state():
    job = EncodingJob(status=EncodingJob.Status.SUPERSEDED)

    assert not any(job.can_transition_to(status) for status in EncodingJob.Status)
