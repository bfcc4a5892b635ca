"""REST upload and status, and the protected media view with the lesson-based access rule."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import PageViewRestriction

from cms.roles import REVIEWERS
from media_pipeline.ffmpeg_commands import parse_master_playlist, parse_media_playlist
from media_pipeline.models import EncodingJob, Video
from tests.factories import make_article, make_course, make_user, make_video_lesson

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/api/v1/videos/"


def upload(client: APIClient, path, *, title="党课视频", name=None):
    data = SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="video/mp4")
    return client.post(UPLOAD_URL, {"file": data, "title": title}, format="multipart")


@pytest.fixture
def client_for():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user:
            client.force_authenticate(user)
        return client

    return make


def test_editor_uploads_and_the_job_is_queued(client_for, editor, clips):
    response = upload(client_for(editor), clips["small"])

    assert response.status_code == 201
    video = Video.objects.get()
    assert response.json() == {"id": video.pk, "status": "queued"}
    assert video.uploaded_by == editor and video.title == "党课视频"
    assert EncodingJob.objects.get(video=video).status == EncodingJob.Status.QUEUED


def test_reviewer_may_upload(client_for, clips):
    assert upload(client_for(make_user(role=REVIEWERS)), clips["small"]).status_code == 201


def test_renamed_pdf_is_refused_with_reason(client_for, editor, clips):
    response = upload(client_for(editor), clips["pdf"], name="lesson.mp4")

    assert response.status_code == 400
    body = response.json()
    assert "无法识别为视频文件" in body["detail"] and "not a video" in body["detail"]
    assert "file" in body["errors"]
    assert not Video.objects.exists() and not EncodingJob.objects.exists()


def test_audio_only_upload_is_refused(client_for, editor, clips):
    response = upload(client_for(editor), clips["audio_only"], name="talk.mp4")

    assert response.status_code == 400
    assert "只有音频" in response.json()["detail"]


def test_trainee_gets_403_and_anonymous_401(client_for, trainee, clips):
    assert upload(client_for(trainee), clips["small"]).status_code == 403
    assert upload(client_for(), clips["small"]).status_code == 401
    assert not Video.objects.exists()


def test_status_of_a_ready_video(client_for, editor, encode, clips):
    video = encode(clips["wide"])

    response = client_for(editor).get(f"/api/v1/videos/{video.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["progress"] == 100 and body["error"] == ""
    assert (body["width"], body["height"]) == (960, 540)
    assert [r["name"] for r in body["renditions"]] == ["360p", "540p"]
    assert all(r["bitrate"] > 0 and r["url"].startswith("http") for r in body["renditions"])
    # Signed for the caller (test_signed_urls.py): playable without the session or the token.
    assert f"/video-media/s/{editor.pk}-" in body["hls_url"]
    assert body["hls_url"].endswith(f"/{video.pk}/master.m3u8")
    assert body["mp4_url"].endswith("/video.mp4") and body["poster_url"].endswith("/poster.jpg")


def test_status_of_a_queued_video_has_no_urls(client_for, editor, clips):
    video_id = upload(client_for(editor), clips["small"]).json()["id"]

    body = client_for(editor).get(f"/api/v1/videos/{video_id}/").json()

    assert body["status"] == "queued" and body["progress"] == 0
    assert body["hls_url"] is None and body["renditions"] == []


def test_status_is_404_for_users_who_may_not_see_the_video(client_for, trainee, encode, clips):
    video = encode(clips["small"])

    assert client_for(trainee).get(f"/api/v1/videos/{video.pk}/").status_code == 404
    assert client_for(make_user()).get("/api/v1/videos/999999/").status_code == 404


# Protected media ------------------------------------------------------------------------------


def media_url(video, name):
    return reverse("media_pipeline_media", kwargs={"video_id": video.pk, "name": name})


def test_hls_of_a_public_lesson_plays_for_anyone(client, encode, clips):
    video = encode(clips["small"])
    make_video_lesson(make_course(), video=video)

    master = client.get(media_url(video, "master.m3u8"))
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    variant_uri = parse_master_playlist(master.content.decode())[0]["URI"]
    variant = client.get(media_url(video, variant_uri))
    assert variant.status_code == 200
    segment_uri = parse_media_playlist(variant.content.decode())[0][1]
    folder = variant_uri.rsplit("/", 1)[0]
    segment = client.get(media_url(video, f"{folder}/{segment_uri}"))
    assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
    assert client.get(media_url(video, "poster.jpg")).status_code == 200


def test_mp4_supports_range_requests(client, encode, clips):
    video = encode(clips["small"])
    make_video_lesson(make_course(), video=video)
    url = media_url(video, "video.mp4")

    whole = client.get(url)
    size = int(whole["Content-Length"])
    part = client.get(url, HTTP_RANGE="bytes=100-199")

    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{size}"
    assert b"".join(part.streaming_content) == b"".join(whole.streaming_content)[100:200]
    assert client.get(url, HTTP_RANGE=f"bytes={size + 10}-").status_code == 416


def test_media_of_login_restricted_lesson_is_404_for_anonymous(client, encode, clips, trainee):
    video = encode(clips["small"])
    course = make_course()
    make_video_lesson(course, video=video)
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)

    for name in ("master.m3u8", "video.mp4", "poster.jpg", "360p/index.m3u8"):
        assert client.get(media_url(video, name)).status_code == 404, name
    client.force_login(trainee)
    assert client.get(media_url(video, "master.m3u8")).status_code == 200


def test_media_of_unused_or_draft_video_is_editors_only(client, encode, clips, editor):
    video = encode(clips["small"])
    url = media_url(video, "master.m3u8")

    assert client.get(url).status_code == 404
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_video_embedded_in_an_article_body_is_viewable(client, encode, clips):
    video = encode(clips["small"])
    make_article(
        make_course(), body=[{"type": "video", "value": {"video": video.pk, "caption": "片段"}}]
    )

    assert client.get(media_url(video, "master.m3u8")).status_code == 200


def test_media_view_serves_only_known_names(client, encode, clips, editor):
    video = encode(clips["small"])
    client.force_login(editor)

    for name in ("../../originals/x.mp4", "360p/../../master.m3u8", "secret.txt", "360p/seg_1.ts"):
        assert client.get(f"/video-media/{video.pk}/{name}").status_code == 404, name


def test_x_accel_redirect_hands_files_to_nginx(client, encode, clips, editor, settings):
    settings.MEDIA_PIPELINE_X_ACCEL_PREFIX = "/protected-media/"
    video = encode(clips["small"])
    client.force_login(editor)

    response = client.get(media_url(video, "video.mp4"))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{video.output_dir}/video.mp4"
    assert response.content == b""


def test_segment_request_query_count_is_fixed(client, encode, clips, django_assert_num_queries):
    # Every HLS segment goes through the access check, so its cost is pinned.
    video = encode(clips["small"])
    make_video_lesson(make_course(), video=video)
    url = media_url(video, "360p/seg_00000.ts")

    with django_assert_num_queries(3):
        response = client.get(url)

    assert response.status_code == 200


def test_large_upload_streams_through_a_temporary_file(client_for, editor, clips, settings):
    # Above FILE_UPLOAD_MAX_MEMORY_SIZE Django writes the upload to a temporary file; the
    # pipeline probes it there and moves it into storage instead of copying it through memory.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = upload(client_for(editor), clips["wide"])

    assert response.status_code == 201
    video = Video.objects.get()
    stored = settings.MEDIA_ROOT / video.original.name
    assert stored.read_bytes() == clips["wide"].read_bytes()
    assert (video.width, video.height) == (960, 540)


# Upload size limit ----------------------------------------------------------------------------


def nothing_stored(settings) -> bool:
    originals = settings.MEDIA_ROOT / "videos" / "originals"
    return (
        not Video.objects.exists()
        and not EncodingJob.objects.exists()
        and not (originals.exists() and any(originals.iterdir()))
    )


def test_upload_declared_over_the_limit_is_refused_unread(editor, clips, settings):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from media_pipeline.api_views import VideoUploadView

    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = 1000
    data = SimpleUploadedFile("big.mp4", clips["small"].read_bytes(), content_type="video/mp4")
    request = APIRequestFactory().post(UPLOAD_URL, {"file": data, "title": "太大"})
    force_authenticate(request, user=editor)

    response = VideoUploadView.as_view()(request)

    assert response.status_code == 400
    (reason,) = response.data["errors"]["file"]
    assert (
        reason
        == "文件过大，超过上传上限（1000\xa0字节）。The file is larger than the upload limit (1000\xa0bytes)."
    )
    # The body was never parsed: it is still there to read, untouched.
    assert len(request.body) == int(request.META["CONTENT_LENGTH"])
    assert nothing_stored(settings)


def test_upload_over_the_limit_is_stopped_while_it_streams(
    client_for, editor, clips, settings, tmp_path
):
    # The declared length passes (the file is one byte over, well within the form's allowance),
    # so the upload handler must stop it; the part already written to a temporary file goes too.
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = clips["small"].stat().st_size - 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path

    response = upload(client_for(editor), clips["small"])

    assert response.status_code == 400
    assert "文件过大" in response.json()["errors"]["file"][0]
    assert not response.wsgi_request.FILES
    assert nothing_stored(settings)
    assert not any(tmp_path.iterdir())


def test_upload_with_a_lying_content_length_is_stopped_at_the_limit(editor, clips, settings):
    # Under ASGI the body is read from what the client sent, whatever Content-Length says.
    import io

    from django.core.handlers.asgi import ASGIRequest
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from rest_framework.test import force_authenticate

    from media_pipeline.api_views import VideoUploadView

    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = 10_000
    with clips["small"].open("rb") as handle:
        body = encode_multipart(BOUNDARY, {"title": "谎报大小", "file": handle})
    scope = {
        "type": "http",
        "method": "POST",
        "path": UPLOAD_URL,
        "query_string": b"",
        "headers": [
            (b"content-type", MULTIPART_CONTENT.encode()),
            (b"content-length", b"2000"),
        ],
    }
    request = ASGIRequest(scope, io.BytesIO(body))
    force_authenticate(request, user=editor)

    response = VideoUploadView.as_view()(request)

    assert response.status_code == 400
    assert nothing_stored(settings)


def test_upload_at_the_limit_is_accepted(client_for, editor, clips, settings):
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = clips["small"].stat().st_size
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = upload(client_for(editor), clips["small"])

    assert response.status_code == 201
    assert Video.objects.get().original_size == clips["small"].stat().st_size
