"""Media on S3-compatible object storage (django-storages), against a local S3 server (moto) on loopback:
an upload is encoded by the real pipeline with no shared disk, and players are sent to signed URLs."""

import socket

import boto3
import pytest
from django.core.files.storage import default_storage

from tests.factories import make_course, make_video_lesson

pytestmark = pytest.mark.django_db

BUCKET = "dangke-media"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(settings, monkeypatch):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    settings.MEDIA_PIPELINE_X264_PRESET = "ultrafast"
    yield client
    server.stop()


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_storage_round_trip(s3):
    from django.core.files.base import ContentFile

    name = default_storage.save("healthz/probe.txt", ContentFile("学时".encode()))
    assert name in _keys(s3)
    with default_storage.open(name) as handle:
        assert handle.read().decode() == "学时"
    default_storage.delete(name)
    assert name not in _keys(s3)


def test_pipeline_encodes_from_and_to_object_storage(
    s3, client, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files import File

    from media_pipeline import services
    from media_pipeline.demo import demo_clip_make
    from media_pipeline.models import Video

    clip = demo_clip_make(tmp_path / "clip.mp4", seconds=2, size="320x180")
    with clip.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        video = services.video_create(title="对象存储视频", file=File(handle, name="clip.mp4"))
    video.refresh_from_db()
    assert video.status == Video.Status.READY, video.error
    keys = _keys(s3)
    assert video.original.name in keys
    assert any(key.endswith("master.m3u8") for key in keys)
    assert any(key.endswith(".ts") for key in keys)

    # A player asking for the MP4 is sent to a short-lived signed URL of the storage.
    lesson = make_video_lesson(make_course("存储专题"), "存储课", video=video)
    assert lesson.live
    response = client.get(f"/video-media/{video.pk}/video.mp4")
    assert response.status_code == 302
    assert "X-Amz-Signature" in response["Location"] or "Signature" in response["Location"]
    # The master playlist itself is served by Django, with relative URIs.
    playlist = client.get(f"/video-media/{video.pk}/master.m3u8")
    assert playlist.status_code == 200
    content = b"".join(playlist.streaming_content) if playlist.streaming else playlist.content
    assert b"#EXT-X-STREAM-INF" in content
