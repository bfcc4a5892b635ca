"""Signed, expiring media URLs from the API: a native player (here: ffmpeg) plays a restricted
lesson's HLS stream with nothing but the URL the API returned; tampered or expired → 404; the
browser's session path keeps working."""

import json
import subprocess
import urllib.request

import pytest
from rest_framework.test import APIClient

from cms.roles import TRAINEES
from media_pipeline.probe import ffmpeg_binary, probe
from media_pipeline.signed_urls import media_token
from tests.factories import make_course, make_user, make_video_lesson, restrict_to_logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(encode, clips):
    video = encode(clips["wide"])
    lesson = make_video_lesson(make_course("专题"), "内部视频课", video=video)
    restrict_to_logged_in(lesson)
    return lesson


@pytest.fixture
def learner():
    return make_user("learner", role=TRAINEES)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_the_lesson_api_returns_signed_urls_that_work_without_credentials(lesson, learner):
    body = _api(learner).get(f"/api/v1/lessons/{lesson.pk}/").json()
    video = body["video"]
    for key in ("hls_url", "mp4_url", "poster_url"):
        assert f"/video-media/s/{learner.pk}-" in video[key], key
        response = APIClient().get(_path(video[key]))  # no session, no token
        assert response.status_code == 200, key
    # The master playlist's relative variant URIs, and their segments, resolve under the signed
    # prefix: the signature travels with every request of the player.
    master = APIClient().get(_path(video["hls_url"])).content
    variant = next(line for line in master.decode().splitlines() if line.endswith(".m3u8"))
    base = _path(video["hls_url"]).rsplit("/", 1)[0]
    playlist = APIClient().get(f"{base}/{variant}").content.decode()
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))
    variant_base = f"{base}/{variant}".rsplit("/", 1)[0]
    assert APIClient().get(f"{variant_base}/{segment}").status_code == 200


def test_tampered_or_expired_or_misplaced_signatures_are_404(lesson, learner, settings):
    video = lesson.video
    good = _path(_api(learner).get(f"/api/v1/lessons/{lesson.pk}/").json()["video"]["hls_url"])
    token = good.split("/")[3]
    user_id, expires, signature = token.split("-")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    other = make_user("intruder", role=TRAINEES)
    for bad in (
        f"{user_id}-{expires}-{flipped}",  # signature changed
        f"{user_id}-{int(expires) + 3600}-{signature}",  # expiry pushed back
        f"{other.pk}-{expires}-{signature}",  # someone else's id
        "garbage",
    ):
        assert APIClient().get(good.replace(token, bad)).status_code == 404, bad
    # The same token for another video id.
    assert APIClient().get(good.replace(f"/{video.pk}/", f"/{video.pk + 1}/")).status_code == 404
    # Expired: a token issued long enough ago.
    settings.MEDIA_PIPELINE_SIGNED_URL_SECONDS = -1
    expired = media_token(user=learner, video=video)
    assert APIClient().get(good.replace(token, expired)).status_code == 404


def test_a_signed_url_stops_working_when_access_ends(lesson, learner):
    url = _path(_api(learner).get(f"/api/v1/lessons/{lesson.pk}/").json()["video"]["hls_url"])
    assert APIClient().get(url).status_code == 200
    learner.is_active = False
    learner.save()
    assert APIClient().get(url).status_code == 404


def test_a_signed_url_of_an_anonymous_caller_still_obeys_the_restriction(lesson):
    from django.contrib.auth.models import AnonymousUser

    token = media_token(user=AnonymousUser(), video=lesson.video)
    response = APIClient().get(f"/video-media/s/{token}/{lesson.video.pk}/master.m3u8")
    assert response.status_code == 404  # the lesson needs a login


def test_the_editor_video_api_returns_signed_urls(encode, clips, editor):
    video = encode(clips["small"])
    body = _api(editor).get(f"/api/v1/videos/{video.pk}/").json()
    assert APIClient().get(_path(body["hls_url"])).status_code == 200
    assert all(APIClient().get(_path(r["url"])).status_code == 200 for r in body["renditions"])


def test_the_session_path_keeps_working(client, lesson, learner):
    client.force_login(learner)
    assert client.get(f"/video-media/{lesson.video.pk}/master.m3u8").status_code == 200
    client.logout()
    assert client.get(f"/video-media/{lesson.video.pk}/master.m3u8").status_code == 404


def test_page_urls_are_built_from_the_request(lesson, learner):
    api = _api(learner)
    body = api.get(f"/api/v1/lessons/{lesson.pk}/", HTTP_HOST="127.0.0.1:8000").json()
    assert body["url"] == f"http://127.0.0.1:8000{lesson.url}"
    assert body["video"]["hls_url"].startswith("http://127.0.0.1:8000/video-media/s/")
    course = api.get(f"/api/v1/courses/{lesson.get_parent().pk}/", HTTP_HOST="127.0.0.1:8000")
    assert course.json()["url"].startswith("http://127.0.0.1:8000/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ffmpeg_plays_the_hls_stream_from_the_url_alone(live_server, lesson, tmp_path):
    """ffmpeg is the native player: it gets the API's URL and nothing else (no cookie, no header)."""
    make_user("app-user", role=TRAINEES, password="App-Pass-2026!")

    def call(path, data=None, token=None):
        request = urllib.request.Request(
            live_server.url + path,
            data=json.dumps(data).encode() if data else None,
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Token {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our server)
            return json.loads(response.read())

    token = call("/api/v1/auth/token/", {"username": "app-user", "password": "App-Pass-2026!"})
    hls_url = call(f"/api/v1/lessons/{lesson.pk}/", token=token["token"])["video"]["hls_url"]
    assert hls_url.startswith(live_server.url + "/video-media/s/")

    out = tmp_path / "played.mp4"
    result = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", hls_url]
        + ["-map", "0:v:0", "-c", "copy", str(out)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert probe(out).duration == pytest.approx(3, abs=0.5)  # every segment of the 3-s clip

    # The same URL with its signature altered plays nothing.
    token_part = hls_url.split("/video-media/s/")[1].split("/")[0]
    broken = hls_url.replace(token_part, token_part[:-1] + ("0" if token_part[-1] != "0" else "1"))
    failed = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", broken]
        + ["-c", "copy", str(tmp_path / "nothing.mp4")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert failed.returncode != 0 and b"404" in failed.stderr
