"""Minutes (会议记录): drafts, sign-off locks them, later changes are new versions; photos are
checked; members read signed minutes only; nobody outside the scope writes them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from party.meetings.exceptions import AlreadyRecordedError, MeetingError, OutOfScopeError
from party.meetings.minutes import minutes_save, minutes_sign_off
from party.meetings.models import Minutes

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_draft_sign_off_and_new_version(life):
    meeting, secretary = life["open"], life["users"]["secretary"]
    first = minutes_save(meeting=meeting, by_user=secretary, content="学习党章第一章")
    again = minutes_save(
        meeting=meeting, by_user=secretary, content="学习党章第一、二章", decisions="下月学习第三章"
    )
    assert again.pk == first.pk and again.version == 1  # a draft is edited in place
    signed = minutes_sign_off(meeting=meeting, by_user=secretary)
    assert signed.locked
    with pytest.raises(AlreadyRecordedError):
        minutes_sign_off(meeting=meeting, by_user=secretary)
    later = minutes_save(meeting=meeting, by_user=secretary, content="补充：到会情况")
    assert later.version == 2 and not later.locked
    first.refresh_from_db()
    assert first.content == "学习党章第一、二章" and first.locked  # the signed version is untouched


def test_photos_are_checked_and_carried_into_new_versions(life):
    meeting, secretary = life["open"], life["users"]["secretary"]
    fake = SimpleUploadedFile("合影.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(MeetingError) as info:
        minutes_save(meeting=meeting, by_user=secretary, content="x", photos=[fake])
    assert info.value.code == "photo_content"
    assert not Minutes.objects.exists()
    photo = SimpleUploadedFile("合影.png", PNG, content_type="image/png")
    minutes_save(meeting=meeting, by_user=secretary, content="x", photos=[photo])
    minutes_sign_off(meeting=meeting, by_user=secretary)
    v2 = minutes_save(meeting=meeting, by_user=secretary, content="y")
    assert v2.photos.count() == 1


def test_no_minutes_for_a_future_meeting_or_outside_the_scope(life):
    with pytest.raises(MeetingError) as info:
        minutes_save(meeting=life["future"], by_user=life["users"]["secretary"], content="x")
    assert info.value.code == "not_started"
    with pytest.raises(OutOfScopeError):
        minutes_save(meeting=life["open"], by_user=life["users"]["secretary2"], content="x")
    with pytest.raises(OutOfScopeError):
        minutes_save(meeting=life["open"], by_user=life["users"]["member"], content="x")
    assert not Minutes.objects.exists()


def test_minutes_pages(life, client):
    meeting = life["open"]
    url = f"/party/meetings/{meeting.pk}/minutes/"
    client.force_login(life["users"]["secretary"])
    assert (
        client.post(url, {"content": "主题党日记录", "summary": "参观红色教育基地"}).status_code
        == 302
    )
    client.force_login(life["users"]["member"])
    assert client.get(url).status_code == 404  # a draft is not shown to members
    assert client.post(url, {"content": "篡改"}).status_code == 404
    client.force_login(life["users"]["secretary"])
    assert client.post(url, {"sign_off": "1"}).status_code == 302
    client.force_login(life["users"]["member"])
    page = client.get(url).content.decode()
    assert "参观红色教育基地" in page and "已审签" in page


def test_minutes_api(life):
    meeting = life["open"]
    url = f"/api/v1/meetings/{meeting.pk}/minutes/"
    api = APIClient()
    api.force_authenticate(life["users"]["secretary"])
    assert api.put(url, {"content": "记录", "decisions": "决议"}, format="json").status_code == 200
    assert api.post(f"{url}sign-off/").status_code == 200
    assert api.post(f"{url}sign-off/").status_code == 409
    data = api.get(url).json()
    assert [v["version"] for v in data] == [1] and data[0]["signed_off_at"]
    api.force_authenticate(life["users"]["secretary2"])
    assert api.get(url).status_code == 404
    assert api.put(url, {"content": "x"}, format="json").status_code == 404
