"""The demo video: a short generated clip run through the whole pipeline (used by load_demo)."""

import subprocess
import tempfile
from pathlib import Path

from django.core.files import File

from media_pipeline import services
from media_pipeline.models import Video
from media_pipeline.probe import ffmpeg_binary

DEMO_SECONDS = 9
DEMO_SIZE = "640x360"


def demo_clip_make(path: Path, *, seconds: float = DEMO_SECONDS, size: str = DEMO_SIZE) -> Path:
    """A test card with a moving pattern, a running clock, a caption and a 440 Hz tone."""
    caption = (
        "drawtext=text='Dangke demo  %{pts\\:hms}':fontcolor=white:fontsize=24"
        ":box=1:boxcolor=black@0.6:boxborderw=8:x=(w-tw)/2:y=h-th-24"
    )
    base = f"testsrc2=size={size}:rate=25:duration={seconds}"
    tone = f"sine=frequency=440:beep_factor=4:duration={seconds}"

    def run(video_filter: str) -> None:
        subprocess.run(
            [
                ffmpeg_binary(),
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                video_filter,
                "-f",
                "lavfi",
                "-i",
                tone,
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
                "-movflags",
                "+faststart",
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )

    try:
        run(f"{base},{caption}")
    except subprocess.CalledProcessError:
        # No usable font on this machine: the moving pattern and clock of testsrc2 still show.
        run(base)
    return path


def demo_video_ensure(*, title: str) -> Video:
    """The demo video with this title, encoded and ready; idempotent (nothing re-encoded if ready)."""
    existing = Video.objects.filter(title=title).order_by("created_at", "id").first()
    if existing is not None:
        if existing.status == Video.Status.READY:
            return existing
        # A half-done demo (interrupted run, failed encode) is simply made again.
        services.video_delete(video=existing)
    with tempfile.TemporaryDirectory(prefix="dangke-demo-") as folder:
        clip = demo_clip_make(Path(folder) / "demo.mp4")
        with clip.open("rb") as handle:
            video = services.video_create(
                title=title, file=File(handle, name=str(clip)), enqueue=False
            )
        job = video.jobs.get()
        services.encoding_job_run(job_id=job.pk)
    video.refresh_from_db()
    return video
