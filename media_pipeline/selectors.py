"""Reads of the media pipeline: videos, their playable files and who may fetch them."""

import re

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.module_loading import import_string

from media_pipeline import conf, storage
from media_pipeline.captions import CAPTIONS_NAME
from media_pipeline.exceptions import VideoNotFound
from media_pipeline.ffmpeg_commands import MASTER_NAME, MP4_NAME, POSTER_NAME
from media_pipeline.models import EncodingJob, Video

# The only names the media view serves, relative to a video's output folder.
MEDIA_NAME = re.compile(
    rf"^(?:{re.escape(MASTER_NAME)}|{re.escape(MP4_NAME)}|{re.escape(POSTER_NAME)}"
    r"|[A-Za-z0-9_-]{1,20}/(?:index\.m3u8|seg_\d{5}\.ts))$"
)


def scratch_usage() -> dict:
    """Encodes' scratch folders on this machine: {"folders": n, "bytes": total} (for the admin)."""
    folders, size = storage.scratch_usage()
    return {"folders": folders, "bytes": size}


def video_get(*, video_id: int) -> Video:
    try:
        return Video.objects.get(pk=video_id)
    except (Video.DoesNotExist, ValueError, TypeError) as exc:
        raise VideoNotFound(video_id) from exc


def video_detail_queryset() -> QuerySet:
    return Video.objects.prefetch_related("renditions__profile")


def video_jobs(*, video: Video) -> QuerySet:
    # Highest id first: the latest job is the one allowed to publish (services._newer_jobs).
    return EncodingJob.objects.filter(video=video).order_by("-id")


def video_latest_job(*, video: Video) -> EncodingJob | None:
    return video_jobs(video=video).first()


# `signed_for` of video_playback and video_renditions: a user (AnonymousUser too) gets signed,
# expiring URLs (signed_urls.py) that work without a session; UNSIGNED gives the session URLs.
UNSIGNED = object()


def video_media_url(*, video: Video, name: str, signed_for=UNSIGNED) -> str:
    if signed_for is not UNSIGNED:
        from media_pipeline.signed_urls import signed_media_url

        return signed_media_url(user=signed_for, video=video, name=name)
    return reverse("media_pipeline_media", kwargs={"video_id": video.pk, "name": name})


def video_playback(*, video: Video | None, signed_for=UNSIGNED) -> dict:
    """What a player needs: status and progress, and the site URLs of the HLS master, MP4, poster
    (signed for `signed_for` when given: the API's, for players that cannot send credentials)."""
    if video is None:
        return {
            "status": None,
            "progress": 0,
            "hls_url": None,
            "mp4_url": None,
            "poster_url": None,
            "captions_url": None,
        }
    ready = video.status == Video.Status.READY and bool(video.output_dir)

    def url(name: str) -> str:
        return video_media_url(video=video, name=name, signed_for=signed_for)

    return {
        "id": video.pk,
        "status": video.status,
        "progress": video.progress,
        "duration_seconds": video.duration_seconds,
        "hls_url": url(MASTER_NAME) if ready else None,
        "mp4_url": url(MP4_NAME) if ready and video.mp4 else None,
        "poster_url": url(POSTER_NAME) if ready and video.poster else None,
        "captions_url": url(CAPTIONS_NAME) if ready and video.captions else None,
    }


def video_renditions(*, video: Video, signed_for=UNSIGNED) -> list[dict]:
    ready = video.status == Video.Status.READY and bool(video.output_dir)
    rows = []
    for rendition in video.renditions.select_related("profile"):
        relative = rendition.playlist.removeprefix(f"{video.output_dir}/")
        rows.append(
            {
                "name": rendition.profile.name,
                "width": rendition.width,
                "height": rendition.height,
                "bitrate": rendition.bandwidth,
                "average_bitrate": rendition.average_bandwidth,
                "url": video_media_url(video=video, name=relative, signed_for=signed_for)
                if ready
                else None,
            }
        )
    return sorted(rows, key=lambda row: row["height"] * row["width"])


def video_media_storage_name(*, video: Video, name: str) -> str | None:
    """The stored file behind a media URL, or None when the name is not one the view serves."""
    if not video.output_dir or video.status != Video.Status.READY or not MEDIA_NAME.match(name):
        return None
    return f"{video.output_dir}/{name}"


def user_has_media_rights(user) -> bool:
    """Editors, reviewers and superusers: they manage the video library."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("media_pipeline.change_video"))
    )


def user_can_view_video(*, user, video: Video) -> bool:
    """The deployment's access rule (MEDIA_PIPELINE_ACCESS_CHECK), else media rights only."""
    path = conf.get("ACCESS_CHECK")
    if not path:
        return user_has_media_rights(user)
    return bool(import_string(path)(user, video))
