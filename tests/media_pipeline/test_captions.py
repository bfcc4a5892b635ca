"""字幕: an editor attaches a WebVTT file to a video (checked: the WEBVTT signature, UTF-8, cues,
size); it is served as text/vtt under the same access rule as the video, offered by the player as
<track kind="captions" srclang="zh-Hans">, and listed in the API beside the other media URLs."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import PageViewRestriction

from media_pipeline.forms import VideoEditForm
from tests.factories import make_course, make_video_lesson

pytestmark = pytest.mark.django_db

REAL = Path(__file__).parent / "files" / "captions_zh.vtt"


def _form(video, content: bytes, name: str = "字幕.vtt"):
    return VideoEditForm(
        data={"title": video.title},
        files={"captions": SimpleUploadedFile(name, content, content_type="text/vtt")},
        instance=video,
    )


def test_a_real_webvtt_file_is_accepted_and_stored_under_a_random_name(encode, clips):
    video = encode(clips["small"])
    form = _form(video, REAL.read_bytes())
    assert form.is_valid(), form.errors
    form.save()
    video.refresh_from_db()
    assert video.captions.name.startswith("videos/captions/") and video.captions.name.endswith(
        ".vtt"
    )
    assert "字幕" not in video.captions.name
    # A byte-order mark (Windows Notepad's UTF-8) is fine too.
    assert _form(video, b"\xef\xbb\xbf" + REAL.read_bytes()).is_valid()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"1\n00:00:00.000 --> 00:00:01.000\nSRT\n", "第一行必须是 WEBVTT"),
        (b"WEBVTTX\n\n00:00:00.000 --> 00:00:01.000\nx\n", "第一行必须是 WEBVTT"),
        ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n党章\n".encode("gbk"), "UTF-8"),
        (b"WEBVTT\n\nno cues here\n", "没有字幕条目"),
        (b"", "没有字幕条目"),
    ],
)
def test_a_file_that_is_not_webvtt_is_refused_with_the_reason(encode, clips, content, message):
    video = encode(clips["small"])
    form = _form(video, content)
    assert not form.is_valid()
    if content:
        assert message in " ".join(form.errors["captions"])
    video.refresh_from_db()
    assert not video.captions


def test_a_caption_file_over_the_cap_is_refused(encode, clips, settings):
    settings.MEDIA_PIPELINE_CAPTIONS_MAX_BYTES = 1024
    video = encode(clips["small"])
    big = b"WEBVTT\n\n" + b"00:00:00.000 --> 00:00:01.000\n" + "党章".encode() * 400
    form = _form(video, big)
    assert not form.is_valid() and "字幕文件太大" in " ".join(form.errors["captions"])


def _with_captions(video):
    video.captions.save("captions.vtt", ContentFile(REAL.read_bytes()), save=True)
    return video


def test_captions_are_served_as_text_vtt_with_the_videos_access_rule(
    client, encode, clips, trainee
):
    video = _with_captions(encode(clips["small"]))
    course = make_course()
    make_video_lesson(course, video=video)
    url = reverse("media_pipeline_media", kwargs={"video_id": video.pk, "name": "captions.vtt"})

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == REAL.read_bytes()

    # Behind a login, like the video: anonymous gets 404, a signed-in trainee the file.
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("media_pipeline_media", kwargs={"video_id": video.pk, "name": "master.m3u8"})
        ).status_code
        == 404
    )
    client.force_login(trainee)
    assert client.get(url).status_code == 200


def test_no_captions_no_track_and_a_404(client, encode, clips):
    video = encode(clips["small"])
    lesson = make_video_lesson(make_course(), video=video)
    url = reverse("media_pipeline_media", kwargs={"video_id": video.pk, "name": "captions.vtt"})
    assert client.get(url).status_code == 404
    assert "<track" not in client.get(lesson.url).content.decode()


def test_the_player_offers_the_track_and_the_api_lists_it(client, encode, clips, editor):
    from rest_framework.test import APIClient

    video = _with_captions(encode(clips["small"]))
    lesson = make_video_lesson(make_course(), video=video)
    html = client.get(lesson.url).content.decode()
    assert (
        f'<track kind="captions" srclang="zh-Hans" label="中文字幕" '
        f'src="/video-media/{video.pk}/captions.vtt" default>'
    ) in html
    api = APIClient()
    api.force_authenticate(editor)
    body = api.get(f"/api/v1/videos/{video.pk}/").json()
    assert body["captions_url"].endswith("/captions.vtt")
    # The app's signed URL works without a session, like the video's.
    signed = api.get(f"/api/v1/videos/{video.pk}/").json()["captions_url"]
    anonymous = APIClient().get(signed)
    assert anonymous.status_code == 200 and anonymous["Content-Type"].startswith("text/vtt")


def test_an_editor_attaches_captions_in_the_video_library(client, encode, clips, editor):
    video = encode(clips["small"])
    client.force_login(editor)
    url = reverse("videos:edit", args=[video.pk])
    form = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'accept=".vtt,text/vtt"' in form
    bad = SimpleUploadedFile("字幕.srt", b"1\n00:00:00,000 --> 00:00:01,000\nx\n")
    response = client.post(url, {"title": video.title, "captions": bad})
    assert response.status_code == 200 and "第一行必须是 WEBVTT" in response.content.decode()
    good = SimpleUploadedFile("字幕.vtt", REAL.read_bytes(), content_type="text/vtt")
    response = client.post(url, {"title": video.title, "captions": good})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.captions.read() == REAL.read_bytes()
