"""QR check-in: the short-lived code, every refusal (nothing counted), and a constant query count."""

import time
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from party.meetings import selectors, services
from party.meetings.checkin import checkin_code
from party.meetings.exceptions import AlreadyRecordedError, MeetingError, NotExpectedError
from party.meetings.models import Attendance, AttendanceChange
from party.meetings.rules import CHECKIN_CODE_SECONDS
from tests.factories import make_user
from tests.party.conftest import make_member
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db


def code_for(meeting):
    return checkin_code(meeting_id=meeting.pk)


def test_check_in_counts_once(life):
    meeting, user = life["open"], life["users"]["lm1"]
    services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    assert selectors.attendance_counts(meeting=meeting).present == 1
    with pytest.raises(AlreadyRecordedError) as info:
        services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    assert info.value.status == 409
    assert Attendance.objects.count() == AttendanceChange.objects.count() == 1


def test_a_member_on_leave_who_comes_after_all_is_present(life):
    meeting, user = life["open"], life["users"]["lm1"]
    services.leave_request(meeting=meeting, user=user, reason="可能赶不到")
    services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    counts = selectors.attendance_counts(meeting=meeting)
    assert (counts.present, counts.leave_requested) == (1, 0)


def refused(life, *, meeting, user, code):
    with pytest.raises(MeetingError) as info:
        services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code)
    assert not Attendance.objects.exists()
    assert not AttendanceChange.objects.exists()
    return info.value


def test_expired_code(life, monkeypatch):
    meeting = life["open"]
    monkeypatch.setattr(time, "time", lambda real=time.time: real() - CHECKIN_CODE_SECONDS - 5)
    old = code_for(meeting)
    monkeypatch.undo()
    error = refused(life, meeting=meeting, user=life["users"]["lm1"], code=old)
    assert (error.code, error.status) == ("code_expired", 400)


def test_foreign_and_forged_codes(life):
    meeting = life["open"]
    other = life["plan"](topic="同时的另一场")
    error = refused(life, meeting=meeting, user=life["users"]["lm1"], code=code_for(other))
    assert (error.code, error.status) == ("code_foreign", 400)
    forged = code_for(meeting)[:-2] + "xx"
    assert refused(life, meeting=meeting, user=life["users"]["lm1"], code=forged).code == (
        "code_invalid"
    )
    assert refused(life, meeting=meeting, user=life["users"]["lm1"], code="").code == "code_invalid"


def test_future_meeting_cannot_have_attendance(life):
    future = life["future"]
    error = refused(life, meeting=future, user=life["users"]["lm1"], code=code_for(future))
    assert (error.code, error.status) == ("not_started", 400)


def test_a_link_shared_after_the_end_fails(life):
    # Even with a fresh code (a screenshot taken at the very end), the meeting is over.
    ended = life["ended"]
    error = refused(life, meeting=ended, user=life["users"]["lm1"], code=code_for(ended))
    assert (error.code, error.status) == ("closed", 400)


def test_non_members_and_others_are_refused(life):
    meeting = life["open"]
    for key, code in (("outsider", "not_member"), ("activist", "not_expected")):
        error = refused(life, meeting=meeting, user=life["users"][key], code=code_for(meeting))
        assert isinstance(error, NotExpectedError)
        assert (error.code, error.status) == (code, 403)
    error = refused(life, meeting=meeting, user=life["users"]["secretary2"], code=code_for(meeting))
    assert error.code == "not_expected"


@pytest.mark.parametrize("extra_members", [0, 25])
def test_check_in_query_count_is_constant(life, django_assert_num_queries, extra_members):
    meeting = life["open"]
    for i in range(extra_members):
        member = make_member(
            life["units"]["law_b1"], f"新党员{i}", f"X{i:03d}", user=make_user(f"x{i}")
        )
        set_stage(member, "full_member")
    code = code_for(meeting)
    # As on a server: the URLconf (and with it Wagtail's hooks) is loaded, so the ledger's admin
    # viewset has registered the ledger with Wagtail's reference index.
    get_resolver().url_patterns  # noqa: B018
    # meeting, member, is-expected; savepoint, lock row, insert attendance, insert log; the 主题党日
    # is study (study.py): the member's credit for it so far, insert the ledger entry, and
    # Wagtail's reference index of the new entry (read, savepoint, select, insert, release); release
    with django_assert_num_queries(15):
        services.meeting_check_in(meeting_id=meeting.pk, user=life["users"]["lm2"], code=code)
    assert selectors.attendance_counts(meeting=meeting).present == 1


def test_check_in_opens_shortly_before_the_start(life):
    soon = life["plan"](starts_at=timezone.now() + timedelta(minutes=20), topic="马上开始")
    services.meeting_check_in(meeting_id=soon.pk, user=life["users"]["lm3"], code=code_for(soon))
    assert selectors.attendance_counts(meeting=soon).present == 1
