"""The app's settings with their defaults, read at call time so tests and deployments can change them."""

from django.conf import settings

DEFAULTS = {
    # Largest accepted upload (bytes).
    "MAX_UPLOAD_BYTES": 4 * 1024**3,
    # Largest accepted picture (width × height, as probed; default 4K UHD 3840×2160), longest
    # duration (seconds; default 4 hours) and highest frame rate (default 60 fps). A file beyond
    # any of them is refused when probed, before it is stored or queued: an 8000×8000 frame is a
    # worker's memory and hours of CPU for no viewer.
    "MAX_PIXELS": 3840 * 2160,
    "MAX_DURATION_SECONDS": 4 * 3600,
    "MAX_FRAME_RATE": 60,
    # HLS segment length (seconds); every rendition uses the same value so segments line up.
    "SEGMENT_SECONDS": 4,
    # x264 speed/quality trade-off.
    "X264_PRESET": "veryfast",
    # The MP4 fallback is the largest rung at or below this short side.
    "MP4_MAX_HEIGHT": 720,
    # A queued job not claimed for this long is enqueued again (its first enqueue may be lost).
    "STALE_SECONDS": 300,
    # A running job holds a lease of this many seconds, renewed by its worker's heartbeat; a job
    # whose lease ran out belongs to a dead worker and is re-queued.
    "LEASE_SECONDS": 60,
    # How often the worker renews the lease of the job it runs (well inside LEASE_SECONDS).
    "HEARTBEAT_SECONDS": 10,
    # A job that keeps killing its worker is failed after this many attempts.
    "MAX_ATTEMPTS": 3,
    # Lifetime of the signed media URLs the API hands out (media_pipeline/signed_urls.py); long
    # enough to watch the longest lesson, after which the client fetches the lesson again.
    "SIGNED_URL_SECONDS": 6 * 3600,
    # When set (e.g. "/protected-media"), nginx serves files after the access check.
    "X_ACCEL_PREFIX": "",
    # Dotted path of `f(user, video) -> bool` deciding who may fetch a video's media.
    "ACCESS_CHECK": "",
    # Largest accepted caption (字幕) file in bytes: a 2-hour lesson's WebVTT is about 100 KB.
    "CAPTIONS_MAX_BYTES": 512 * 1024,
    # Lines of ffmpeg output kept on a job for the admin.
    "LOG_TAIL_LINES": 60,
}


def get(name: str):
    return getattr(settings, f"MEDIA_PIPELINE_{name}", DEFAULTS[name])
