"""Picture size, duration and frame rate are capped (settings): a file beyond them is refused when
probed, with the reason, and nothing is stored or queued."""

import pytest

from media_pipeline import services
from media_pipeline.exceptions import VideoRejected
from media_pipeline.models import EncodingJob, Video
from tests.media_pipeline.conftest import _ffmpeg, make_clip
from tests.media_pipeline.test_api_and_access import client_for, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    """One 8000×8000 frame: what was accepted and queued before."""
    path = tmp_path_factory.mktemp("huge") / "huge.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "color=c=red:size=8000x8000:rate=1:duration=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    return make_clip(
        tmp_path_factory.mktemp("fast") / "fast.mp4", size="160x120", seconds=1, rate=120
    )


def _nothing_saved(media_root):
    assert not Video.objects.exists() and not EncodingJob.objects.exists()
    assert not (media_root / "videos" / "originals").exists() or not any(
        (media_root / "videos" / "originals").rglob("*.*")
    )


def test_an_8000_by_8000_video_is_refused_with_the_reason(client_for, editor, huge, _media_root):  # noqa: F811
    response = upload(client_for(editor), huge)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "视频画面过大（8000×8000）" in detail and "8,294,400" in detail
    assert "The picture is too large (8000×8000)" in detail
    _nothing_saved(_media_root)


def test_the_pixel_cap_is_a_setting(clips, open_clip, settings, _media_root):
    settings.MEDIA_PIPELINE_MAX_PIXELS = 320 * 240 - 1
    with pytest.raises(VideoRejected) as info:
        services.video_create(title="大", file=open_clip(clips["small"]))
    assert info.value.code == "too_many_pixels"
    settings.MEDIA_PIPELINE_MAX_PIXELS = 320 * 240
    assert services.video_create(title="刚好", file=open_clip(clips["small"]), enqueue=False)


def test_a_video_longer_than_the_cap_is_refused(clips, open_clip, settings, _media_root):
    settings.MEDIA_PIPELINE_MAX_DURATION_SECONDS = 1  # the clip lasts 2 seconds
    with pytest.raises(VideoRejected) as info:
        services.video_create(title="长", file=open_clip(clips["small"]))
    assert info.value.code == "too_long"
    assert info.value.message_zh == "视频过长（0:00:02），上限为 0:00:01。"
    _nothing_saved(_media_root)


def test_a_frame_rate_above_the_cap_is_refused(open_clip, fast, _media_root):
    with pytest.raises(VideoRejected) as info:
        services.video_create(title="快", file=open_clip(fast))
    assert info.value.code == "frame_rate_too_high"
    assert "视频帧率过高（120 帧/秒），上限为 60 帧/秒" in info.value.message_zh
    assert "The frame rate is too high (120 fps)" in info.value.message_en
    _nothing_saved(_media_root)


def test_ordinary_videos_pass(clips, open_clip):
    video = services.video_create(title="正常", file=open_clip(clips["wide"]), enqueue=False)
    assert video.width == 960
