"""The player include: what it renders for ready, processing, failed and missing videos."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from media_pipeline.models import Video

pytestmark = pytest.mark.django_db


def render(video) -> str:
    return render_to_string(
        "media_pipeline/includes/player.html", {"video": video}, request=RequestFactory().get("/")
    )


def test_ready_video_renders_hls_mp4_poster_and_hooks(encode, clips):
    video = encode(clips["small"])

    html = render(video)

    assert f'data-hls-src="/video-media/{video.pk}/master.m3u8"' in html
    assert f'data-mp4-src="/video-media/{video.pk}/video.mp4"' in html
    assert f'poster="/video-media/{video.pk}/poster.jpg"' in html
    assert "playsinline" in html and "data-dangke-player" in html
    assert "media_pipeline/player.js" in html and "vendor/hls.min.js" in html


def test_processing_video_shows_progress(clips):
    video = Video.objects.create(title="处理中", status=Video.Status.PROCESSING, progress=42)

    html = render(video)

    assert "视频处理中" in html and 'value="42"' in html
    assert "data-hls-src" not in html


def test_failed_and_missing_videos_have_no_player(clips):
    failed = Video.objects.create(title="失败", status=Video.Status.FAILED)

    assert "视频暂时无法播放" in render(failed)
    assert "本课暂无视频" in render(None)
