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


def test_the_demo_video_gets_captions_converted_from_its_srt(monkeypatch):
    monkeypatch.setattr(demo.demo_clip_make, "__kwdefaults__", {"seconds": 2, "size": "320x180"})

    video = demo.demo_video_ensure(title="演示视频")
    assert not video.captions
    # Asked again with captions (load_demo on an older demo): added, nothing re-encoded.
    again = demo.demo_video_ensure(title="演示视频", captions=True)
    assert again.pk == video.pk and EncodingJob.objects.filter(video=video).count() == 1
    text = again.captions.read().decode("utf-8")
    assert text.startswith("WEBVTT\n\n1\n00:00:00.500 --> 00:00:03.000\n发展党员要经过五个阶段。")
    assert "<i>入党申请书</i>" in text
