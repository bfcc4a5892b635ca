"""The demo video generated for load_demo."""

import pytest

from media_pipeline import demo
from media_pipeline.models import EncodingJob, Video

pytestmark = pytest.mark.django_db


def test_demo_video_is_encoded_once(monkeypatch):
    # A shorter clip than the real demo keeps the test fast; the code path is the same.
    monkeypatch.setattr(demo.demo_clip_make, "__kwdefaults__", {"seconds": 2, "size": "320x180"})

    video = demo.demo_video_ensure(title="演示视频")
    again = demo.demo_video_ensure(title="演示视频")

    assert video.status == Video.Status.READY and video.hls_master and video.poster
    assert again.pk == video.pk
    assert EncodingJob.objects.filter(video=video).count() == 1
    assert EncodingJob.objects.get(video=video).attempts == 1
