"""The media pipeline's public Python API: the one module other apps import.

Everything else in media_pipeline is internal. Functions take keyword arguments and raise only the
typed exceptions listed here (edx-val style), so callers never see ffmpeg or storage errors.

    from media_pipeline import api as media

    video = media.video_create(title="…", file=uploaded_file, uploaded_by=user)  # VideoRejected
    media.video_playback(video=video)   # {"status", "progress", "hls_url", "mp4_url", "poster_url", …}
    media.video_playback(video=video, signed_for=user)  # the same, signed URLs (signed_urls.py)
    media.user_can_view_video(user=request.user, video=video)
"""

from media_pipeline.exceptions import (
    JobStateConflict,
    MediaPipelineError,
    VideoNotFound,
    VideoRejected,
)
from media_pipeline.models import EncodingJob, Video
from media_pipeline.selectors import (
    scratch_usage,
    user_can_view_video,
    user_has_media_rights,
    video_get,
    video_latest_job,
    video_playback,
    video_renditions,
)
from media_pipeline.services import (
    encoding_job_retry,
    scratch_folders_clean,
    stale_jobs_requeue,
    video_check_file,
    video_create,
    video_delete,
)

__all__ = [
    # exceptions
    "MediaPipelineError",
    "VideoRejected",
    "VideoNotFound",
    "JobStateConflict",
    # models (read-only use by other apps, e.g. the lesson page's foreign key)
    "Video",
    "EncodingJob",
    # writes
    "video_create",
    "video_check_file",
    "video_delete",
    "video_retry",
    "encoding_job_retry",
    "stale_jobs_requeue",
    "scratch_folders_clean",
    # reads
    "scratch_usage",
    "video_get",
    "video_latest_job",
    "video_playback",
    "video_renditions",
    "user_can_view_video",
    "user_has_media_rights",
]


def video_retry(*, video_id: int) -> EncodingJob:
    """Queue the video's failed job again; JobStateConflict when its latest job has not failed."""
    video = video_get(video_id=video_id)
    job = video_latest_job(video=video)
    if job is None:
        raise JobStateConflict("no job")
    return encoding_job_retry(job_id=job.pk)
