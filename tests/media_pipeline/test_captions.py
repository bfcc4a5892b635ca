"""字幕: an editor attaches a WebVTT or SRT file to a video (SRT converted to WebVTT; UTF-8, UTF-8
with a BOM, UTF-16 or GBK decoded; checked: the WEBVTT signature, cues, size); it is served as text/vtt under the same access rule as the video, offered by the player as
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

FILES = Path(__file__).parent / "files"
REAL = FILES / "captions_zh.vtt"
# As editors make them: 字幕 software on Chinese Windows saves GBK with CRLF, numbered cues, <i>,
# <font> and {\an8} tags and trailing blank lines; others save UTF-8 with a BOM, one-digit hours,
# short milliseconds and X1:… positions.
GBK_SRT = FILES / "captions_gbk_crlf.srt"
BOM_SRT = FILES / "captions_utf8_bom.srt"


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
        (b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\x80\xff\n", "UTF-8"),
        (b"1\r\n00:00:00,000 --> 00:00:01,000\r\n\xd5\xc2\x80\r\n", "UTF-8"),
        (b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\x00x\n", "没有字幕条目"),
        ("党章学习笔记\n第一章 总纲\n".encode("gbk"), "这不是字幕文件"),
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
    assert 'enctype="multipart/form-data"' in form
    assert 'accept=".vtt,.srt,text/vtt"' in form
    bad = SimpleUploadedFile("字幕.srt", "党章学习笔记\n".encode("gbk"))
    response = client.post(url, {"title": video.title, "captions": bad})
    assert response.status_code == 200 and "这不是字幕文件" in response.content.decode()
    video.refresh_from_db()
    assert not video.captions
    good = SimpleUploadedFile("字幕.vtt", REAL.read_bytes(), content_type="text/vtt")
    response = client.post(url, {"title": video.title, "captions": good})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.captions.read() == REAL.read_bytes()


GBK_SRT_AS_WEBVTT = """WEBVTT

1
00:00:00.000 --> 00:00:01.500
党章是党的根本大法。

2
00:00:01.500 --> 00:00:03.000
<i>全党必须遵守党章</i>
——《中国共产党章程》

3
00:00:03.000 --> 00:00:04.200
学习 &amp; 实践
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (GBK_SRT, GBK_SRT_AS_WEBVTT),
        (
            BOM_SRT,
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\n党章是党的根本大法。\n\n"
            "2\n00:00:01.500 --> 00:00:03.000\n<i>全党必须遵守党章。</i>\n",
        ),
    ],
)
def test_an_srt_file_as_editors_make_it_is_stored_as_utf8_webvtt(encode, clips, path, expected):
    video = encode(clips["small"])
    form = _form(video, path.read_bytes(), name="第一课.srt")
    assert form.is_valid(), form.errors
    form.save()
    video.refresh_from_db()
    assert video.captions.name.endswith(".vtt")
    assert video.captions.read().decode("utf-8") == expected


def test_a_gbk_or_utf16_webvtt_file_is_stored_as_utf8(encode, clips):
    video = encode(clips["small"])
    text = REAL.read_text(encoding="utf-8")
    for content in (text.encode("gbk"), text.encode("utf-16")):
        form = _form(video, content)
        assert form.is_valid(), form.errors
        form.save()
        video.refresh_from_db()
        assert video.captions.read().decode("utf-8") == text


def test_a_blank_line_inside_an_srt_cue_is_closed_up_and_markup_is_escaped():
    from media_pipeline.captions import srt_to_webvtt

    srt = "1\n00:00:01,000 --> 00:00:02,000\n第一行\n\n第二行 a<b & c-->d\n\n\n"
    assert srt_to_webvtt(srt) == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n第一行\n第二行 a&lt;b &amp; c--&gt;d\n"
    )
