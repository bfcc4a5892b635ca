"""The demo video: a short generated clip run through the whole pipeline (used by load_demo)."""

import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from media_pipeline import services
from media_pipeline.captions import CAPTIONS_NAME, captions_webvtt
from media_pipeline.models import Video
from media_pipeline.probe import ffmpeg_binary

DEMO_SECONDS = 9
DEMO_SIZE = "640x360"
# 字幕 of the demo clip, as an editor would upload them: an SRT (converted on the way in).
DEMO_CAPTIONS_SRT = """1
00:00:00,500 --> 00:00:03,000
发展党员要经过五个阶段。

2
00:00:03,000 --> 00:00:06,000
第一步：向党组织递交<i>入党申请书</i>。

3
00:00:06,000 --> 00:00:09,000
本视频为演示视频，字幕由 SRT 文件转换而来。
"""


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


def demo_video_ensure(*, title: str, captions: bool = False) -> Video:
    """The demo video with this title, encoded and ready; idempotent (nothing re-encoded if ready).
    With `captions`, it carries the demo 字幕 (DEMO_CAPTIONS_SRT, through the upload's conversion)."""
    existing = Video.objects.filter(title=title).order_by("created_at", "id").first()
    if existing is not None:
        if existing.status == Video.Status.READY:
            return _with_demo_captions(existing) if captions else existing
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
    return _with_demo_captions(video) if captions else video


def _with_demo_captions(video: Video) -> Video:
    if not video.captions:
        srt = SimpleUploadedFile("demo.srt", DEMO_CAPTIONS_SRT.encode("utf-8"))
        text = captions_webvtt(srt)
        video.captions.save(CAPTIONS_NAME, ContentFile(text.encode("utf-8")), save=True)
    return video
