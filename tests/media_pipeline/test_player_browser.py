"""The player in a real browser on a phone: HLS plays, the hooks fire, the position is remembered."""

import pytest

from tests.browser import CHROMIUM
from tests.factories import make_course, make_video_lesson

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM, reason="no chromium"),
]


RECORD_EVENTS = """
window.__dangke = [];
["ready", "play", "pause", "timeupdate", "ended"].forEach(function (name) {
  document.addEventListener("dangke:" + name, function (e) {
    window.__dangke.push([name, e.detail.source, e.detail.position]);
  });
});
"""


# Chromium's own HLS support varies by build, so each path is forced: no native HLS (hls.js),
# and no Media Source Extensions either (the MP4 fallback).
NO_NATIVE_HLS = """
const canPlayType = HTMLMediaElement.prototype.canPlayType;
HTMLMediaElement.prototype.canPlayType = function (type) {
  return /mpegurl/i.test(type) ? "" : canPlayType.call(this, type);
};
"""
NO_MSE = (
    "delete window.MediaSource; delete window.ManagedMediaSource; window.MediaSource = undefined;"
)


@pytest.mark.parametrize(
    ("setup", "expected_source"),
    [(NO_NATIVE_HLS, "hls.js"), (NO_NATIVE_HLS + NO_MSE, "mp4")],
    ids=["hls.js", "mp4-fallback"],
)
def test_lesson_video_plays_on_a_phone(live_server, phone, encode, clips, setup, expected_source):  # noqa: F811
    video = encode(clips["wide"])
    lesson = make_video_lesson(make_course(), "视频课", video=video)
    phone.add_init_script(setup + RECORD_EVENTS)
    page = phone.new_page()

    page.goto(live_server.url + lesson.url)
    player = page.locator("video.dk-player__video")
    assert player.get_attribute("poster").endswith(f"/video-media/{video.pk}/poster.jpg")
    page.wait_for_function("window.__dangke.some(e => e[0] === 'ready')")
    page.evaluate("document.querySelector('video').muted = true")
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("document.querySelector('video').currentTime > 1.2", timeout=20_000)
    page.evaluate("document.querySelector('video').pause()")

    events = page.evaluate("window.__dangke")
    names = [e[0] for e in events]
    source = next(e[1] for e in events if e[0] == "ready")
    assert source == expected_source
    assert {"play", "timeupdate", "pause"} <= set(names)
    # Fits the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    saved = float(page.evaluate(f"localStorage.getItem('dangke:video-position:{video.pk}')"))
    assert saved > 1

    # Coming back resumes where the trainee stopped.
    page.reload()
    page.wait_for_function("document.querySelector('video').currentTime > 1")
    assert page.locator("[data-dangke-resume]").is_visible()


@pytest.mark.parametrize("setup", [NO_NATIVE_HLS, NO_NATIVE_HLS + NO_MSE], ids=["hls.js", "mp4"])
def test_the_caption_track_is_offered_and_loads(live_server, phone, encode, clips, setup):  # noqa: F811
    """字幕: the <track> is on the video whichever source plays it, and its cues load."""
    from pathlib import Path

    from django.core.files.base import ContentFile

    video = encode(clips["small"])
    real = Path(__file__).parent / "files" / "captions_zh.vtt"
    video.captions.save("captions.vtt", ContentFile(real.read_bytes()), save=True)
    lesson = make_video_lesson(make_course(), "字幕课", video=video)
    phone.add_init_script(setup + RECORD_EVENTS)
    page = phone.new_page()
    page.goto(live_server.url + lesson.url)
    page.wait_for_function("window.__dangke.some(e => e[0] === 'ready')")
    track = page.locator("video.dk-player__video track")
    assert track.get_attribute("kind") == "captions"
    assert track.get_attribute("srclang") == "zh-Hans"
    # readyState 2 = LOADED: the browser fetched and parsed the WebVTT (type text/vtt).
    page.wait_for_function(
        "document.querySelector('video track').readyState === 2"
        " && document.querySelector('video').textTracks[0].cues.length === 2",
        timeout=20_000,
    )
    cues = page.evaluate(
        "Array.from(document.querySelector('video').textTracks[0].cues).map(c => c.text)"
    )
    assert cues == ["党章是党的根本大法。", "全党必须遵守党章。"]
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"


def test_an_srt_converted_on_upload_loads_in_the_browser(live_server, phone, encode, clips):  # noqa: F811
    """A GBK, CRLF SRT with <i>, <font> and {\\an8} tags, converted as the edit form does, is
    WebVTT the browser parses: three cues, italics kept, the & shown as written."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from media_pipeline.captions import captions_webvtt

    video = encode(clips["small"])
    srt = (Path(__file__).parent / "files" / "captions_gbk_crlf.srt").read_bytes()
    text = captions_webvtt(SimpleUploadedFile("第一课.srt", srt))
    video.captions.save("captions.vtt", SimpleUploadedFile("c.vtt", text.encode()), save=True)
    lesson = make_video_lesson(make_course(), "字幕课", video=video)
    phone.add_init_script(NO_NATIVE_HLS + NO_MSE + RECORD_EVENTS)
    page = phone.new_page()
    page.goto(live_server.url + lesson.url)
    page.wait_for_function(
        "document.querySelector('video track').readyState === 2"
        " && document.querySelector('video').textTracks[0].cues.length === 3",
        timeout=20_000,
    )
    cues = page.evaluate(
        "Array.from(document.querySelector('video').textTracks[0].cues)"
        ".map(c => [c.id, c.startTime, c.endTime, c.text, c.getCueAsHTML().textContent])"
    )
    assert cues == [
        ["1", 0, 1.5, "党章是党的根本大法。", "党章是党的根本大法。"],
        [
            "2",
            1.5,
            3,
            "<i>全党必须遵守党章</i>\n——《中国共产党章程》",
            "全党必须遵守党章\n——《中国共产党章程》",
        ],
        ["3", 3, 4.2, "学习 &amp; 实践", "学习 & 实践"],
    ]
