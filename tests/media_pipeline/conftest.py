"""Fixtures of the media pipeline tests: tiny clips made with the real ffmpeg, once per session."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files import File

from cms.roles import EDITORS, TRAINEES
from media_pipeline.probe import ffmpeg_binary


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
    )


def make_clip(
    path: Path, *, size: str = "320x240", seconds: float = 2, audio: bool = True, rate: int = 25
) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    _ffmpeg(*args, "-movflags", "+faststart", str(path))
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """Every source file the tests need, made once."""
    folder = tmp_path_factory.mktemp("clips")
    small = make_clip(folder / "small.mp4", size="320x240", seconds=2)
    wide = make_clip(folder / "wide.mp4", size="960x540", seconds=3)
    rotated = folder / "rotated.mp4"
    # A phone held upright: landscape pixels with a 90° display matrix.
    _ffmpeg("-display_rotation", "90", "-i", str(small), "-c", "copy", str(rotated))
    silent = make_clip(folder / "silent.mp4", size="320x240", seconds=1, audio=False)
    audio_only = folder / "audio.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(audio_only))
    pdf = folder / "lesson.mp4"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    truncated = folder / "truncated.mp4"
    data = wide.read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    return {
        "small": small,
        "wide": wide,
        "rotated": rotated,
        "silent": silent,
        "audio_only": audio_only,
        "pdf": pdf,
        "empty": empty,
        "truncated": truncated,
    }


@pytest.fixture(autouse=True)
def _fast_encoding(settings):
    # Real x264, at its fastest setting, with short segments to get several from tiny clips.
    settings.MEDIA_PIPELINE_X264_PRESET = "ultrafast"
    settings.MEDIA_PIPELINE_SEGMENT_SECONDS = 1


@pytest.fixture
def open_clip():
    handles = []

    def opener(path: Path) -> File:
        handle = path.open("rb")
        handles.append(handle)
        return File(handle, name=path.name)

    yield opener
    for handle in handles:
        handle.close()


@pytest.fixture
def encode(django_capture_on_commit_callbacks, open_clip):
    """Upload a clip through the service and run its job inline; returns the fresh Video."""
    from media_pipeline import services

    def run(path: Path, *, title: str = "测试视频"):
        with django_capture_on_commit_callbacks(execute=True):
            video = services.video_create(title=title, file=open_clip(path))
        video.refresh_from_db()
        return video

    return run


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="pw-editor-123")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def trainee(django_user_model):
    user = django_user_model.objects.create_user(username="trainee", password="pw-trainee-123")
    user.groups.add(Group.objects.get(name=TRAINEES))
    return user
