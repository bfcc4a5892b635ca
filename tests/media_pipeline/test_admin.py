"""The 视频库 in the Wagtail admin: upload, list, detail, retry, delete, and who may use it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from media_pipeline.models import EncodingJob, Video
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_editor_uploads_through_the_admin(client, editor, clips):
    client.force_login(editor)
    upload = SimpleUploadedFile("phone.mp4", clips["small"].read_bytes(), content_type="video/mp4")

    response = client.post(reverse("videos:add"), {"title": "支部书记讲党课", "file": upload})

    assert response.status_code == 302
    video = Video.objects.get()
    assert video.title == "支部书记讲党课" and video.uploaded_by == editor
    assert EncodingJob.objects.get(video=video).status == EncodingJob.Status.QUEUED
    listing = client.get(reverse("videos:index"))
    assert listing.status_code == 200
    assert "支部书记讲党课" in listing.content.decode() and "排队中" in listing.content.decode()


def test_admin_upload_of_a_non_video_shows_the_reason(client, editor, clips):
    client.force_login(editor)
    upload = SimpleUploadedFile("slides.mp4", clips["pdf"].read_bytes(), content_type="video/mp4")

    response = client.post(reverse("videos:add"), {"title": "课件", "file": upload})

    assert response.status_code == 200
    assert "无法识别为视频文件" in response.content.decode()
    assert not Video.objects.exists()


def test_detail_shows_renditions_and_job_log(client, editor, encode, clips):
    video = encode(clips["wide"])
    client.force_login(editor)

    page = client.get(reverse("videos:inspect", args=[video.pk])).content.decode()

    assert "360p" in page and "540p" in page and "960×540" in page
    assert f"/video-media/{video.pk}/master.m3u8" in page
    assert "转码任务" in page


def test_failed_job_is_retried_from_the_admin(
    client, editor, encode, clips, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_PIPELINE_X264_PRESET = "no-such-preset"
    video = encode(clips["small"])
    client.force_login(editor)
    page = client.get(reverse("videos:inspect", args=[video.pk])).content.decode()
    assert "重试转码" in page and "ffmpeg exited with code" in page
    settings.MEDIA_PIPELINE_X264_PRESET = "ultrafast"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("videos:retry", args=[video.pk]))

    assert response.status_code == 302
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    # A second retry of a finished job is refused politely.
    client.post(reverse("videos:retry", args=[video.pk]))
    assert video.jobs.get().status == EncodingJob.Status.READY


def test_delete_from_the_admin_removes_files(
    client, editor, encode, clips, settings, django_capture_on_commit_callbacks
):
    video = encode(clips["small"])
    original = settings.MEDIA_ROOT / video.original.name
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("videos:delete", args=[video.pk]))

    assert response.status_code == 302
    assert not Video.objects.exists() and not original.exists()


def test_trainer_has_no_video_library(client):
    from cms.roles import TRAINERS

    client.force_login(make_user(role=TRAINERS))

    assert client.get(reverse("videos:index")).status_code in (302, 403)
    assert client.post(reverse("videos:retry", args=[1])).status_code in (302, 403)


def test_superuser_edits_the_ladder_but_cannot_delete_a_used_rung(
    client, django_user_model, encode, clips
):
    from media_pipeline.models import EncodingProfile

    video = encode(clips["small"])
    used = video.renditions.get().profile
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))

    assert client.get(reverse("encoding_profiles:index")).status_code == 200
    response = client.post(
        reverse("encoding_profiles:edit", args=[used.pk]),
        {
            "name": used.name,
            "height": used.height,
            "video_bitrate": 900,
            "audio_bitrate": used.audio_bitrate,
            "crf": used.crf,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert EncodingProfile.objects.get(pk=used.pk).video_bitrate == 900

    response = client.post(reverse("encoding_profiles:delete", args=[used.pk]))
    assert response.status_code == 302
    assert EncodingProfile.objects.filter(pk=used.pk).exists()


def test_editors_cannot_change_the_ladder(client, editor):
    client.force_login(editor)

    assert client.get(reverse("encoding_profiles:index")).status_code in (302, 403)


def test_detail_shows_a_superseded_job(client, editor, clips, open_clip):
    from media_pipeline import services

    video = services.video_create(title="换了文件", file=open_clip(clips["small"]), enqueue=False)
    older = video.jobs.get()
    EncodingJob.objects.create(video=video)
    services.encoding_job_run(job_id=older.pk)
    client.force_login(editor)

    page = client.get(reverse("videos:inspect", args=[video.pk])).content.decode()

    assert f"#{older.pk} · 已被取代" in page


@pytest.mark.parametrize("over_by", [1, 100_000], ids=["while-streaming", "declared"])
def test_admin_upload_over_the_limit_shows_the_reason_and_stores_nothing(
    editor, clips, settings, tmp_path, over_by
):
    from django.test import Client

    size = clips["small"].stat().st_size
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = size - over_by
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    # With CSRF enforced as in production: the limit is put in place before the CSRF check
    # reads the form, and the check still runs.
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    client.get(reverse("videos:add"))
    upload = SimpleUploadedFile("phone.mp4", clips["small"].read_bytes(), content_type="video/mp4")
    form = {
        "title": "太长的录像",
        "file": upload,
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
    }

    response = client.post(reverse("videos:add"), form)

    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    # Dropped while it streamed: the request never held the file, not even as a temporary file.
    assert not response.wsgi_request.FILES
    assert not Video.objects.exists() and not EncodingJob.objects.exists()
    assert not (settings.MEDIA_ROOT / "videos" / "originals").exists()
    assert not any(tmp_path.iterdir())


def test_admin_upload_still_needs_the_csrf_token(editor, clips):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    upload = SimpleUploadedFile("phone.mp4", clips["small"].read_bytes(), content_type="video/mp4")

    response = client.post(reverse("videos:add"), {"title": "无令牌", "file": upload})

    assert response.status_code == 403
    assert not Video.objects.exists()


def test_list_title_opens_the_detail_and_times_agree_in_local_time(client, editor):
    """The title links to the detail page (issue 21), and the upload time reads the same on the list
    and the detail: the site's time zone (Asia/Shanghai), not UTC on one of them."""
    from datetime import UTC, datetime

    video = Video.objects.create(title="时区测试视频", status=Video.Status.QUEUED)
    Video.objects.filter(pk=video.pk).update(created_at=datetime(2026, 1, 1, 18, 30, tzinfo=UTC))
    client.force_login(editor)

    listing = client.get(reverse("videos:index")).content.decode()
    inspect_url = reverse("videos:inspect", args=[video.pk])
    assert re.search(rf'<a href="{inspect_url}"[^>]*>\s*时区测试视频', listing)
    detail = client.get(inspect_url).content.decode()
    for page in (listing, detail):
        assert "2026年1月2日 02:30" in page
        assert "2026年1月1日 18:30" not in page
