"""QR check-in: the short-lived code, every refusal (nothing counted), and a constant query count."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import get_resolver
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import ReferenceIndex

from learning.progress.models import HoursLedgerEntry
from party.meetings import selectors, services
from party.meetings.api_views import AttendanceResultSerializer
from party.meetings.checkin import checkin_code
from party.meetings.exceptions import AlreadyRecordedError, MeetingError, NotExpectedError
from party.meetings.models import Attendance, AttendanceChange, MeetingKind
from party.meetings.rules import CHECKIN_CODE_SECONDS
from tests.factories import make_user
from tests.party.conftest import make_member
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db

# Statements of a first check-in at the service (test_check_in_query_count_is_constant).
CHECK_IN_QUERIES = 3 if connection.vendor == "postgresql" else 7
# … and of every later one at the same meeting in the same process.
REMEMBERED_CHECK_IN_QUERIES = 1 if connection.vendor == "postgresql" else 5


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
    # A row is already there (the request): the general path, under the row's lock.
    meeting, user = life["open"], life["users"]["lm1"]
    services.leave_request(meeting=meeting, user=user, reason="可能赶不到")
    services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    counts = selectors.attendance_counts(meeting=meeting)
    assert (counts.present, counts.leave_requested) == (1, 0)
    log = list(AttendanceChange.objects.values_list("from_status", "status", "method"))
    assert log == [("", "leave_requested", "member"), ("leave_requested", "present", "qr")]
    assert list(HoursLedgerEntry.objects.values_list("user_id", "amount")) == [
        (user.pk, Decimal("2.00"))
    ]
    with pytest.raises(AlreadyRecordedError):
        services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    assert AttendanceChange.objects.count() == 2 and HoursLedgerEntry.objects.count() == 1


def test_a_first_check_in_is_logged_and_credited_once(life):
    meeting, user = life["open"], life["users"]["lm1"]
    attendance = services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    row = Attendance.objects.get()
    assert (row.pk, row.member_id, row.status, row.method) == (
        attendance.pk,
        life["members"]["lm1"].pk,
        "present",
        "qr",
    )
    change = AttendanceChange.objects.get()
    assert (change.from_status, change.status, change.recorded_by, change.late) == (
        "",
        "present",
        user,
        False,
    )
    assert abs(change.recorded_at - row.updated_at) < timedelta(seconds=1)
    (entry,) = HoursLedgerEntry.objects.all()
    assert (entry.user, entry.amount, entry.reference) == (
        user,
        Decimal("2.00"),
        f"meeting:{meeting.pk}",
    )


def test_a_group_meeting_is_checked_in_by_its_members(life):
    group = life["units"]["law_g1"]
    member = life["members"]["lm1"]
    member.group = group
    member.save(update_fields=["group"])
    meeting = life["plan"](kind=MeetingKind.GROUP, unit=group, topic="党小组会")
    services.meeting_check_in(
        meeting_id=meeting.pk, user=life["users"]["lm1"], code=code_for(meeting)
    )
    # Same branch, another group (or none): the group's meeting is not theirs to see.
    error = refused_at(meeting, life["users"]["lm2"])
    assert (error.code, error.status) == ("not_found", 404)
    # The branch's 书记 sees it (scope) but is not in the group.
    error = refused_at(meeting, life["users"]["secretary"])
    assert (error.code, error.status) == ("not_expected", 403)
    assert selectors.attendance_counts(meeting=meeting).present == 1


def refused_at(meeting, user):
    with pytest.raises(MeetingError) as info:
        services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
    return info.value


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
    # Who may see the meeting but is not 应到: the 组织员 (no member record), an activist.
    for key, code in (("organiser", "not_member"), ("activist", "not_expected")):
        error = refused(life, meeting=meeting, user=life["users"][key], code=code_for(meeting))
        assert isinstance(error, NotExpectedError)
        assert (error.code, error.status) == (code, 403)
    # Who may not see it (another branch's 书记, an outsider): it does not exist for them, even
    # with a valid code (as on the API and the meeting's page).
    for key in ("secretary2", "outsider"):
        error = refused(life, meeting=meeting, user=life["users"][key], code=code_for(meeting))
        assert (error.code, error.status) == ("not_found", 404)


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
    # the meeting; the caller among its 应到 (which also settles that they may see it); savepoint,
    # the guarded INSERT of the attendance, its log line, the 学时 credit (a first attendance was
    # never credited: no lookup; the ledger is not in Wagtail's reference index), release.
    # On PostgreSQL the three INSERTs are one statement and need no savepoint: 3.
    # Was 15 before the burst work (docs/performance.md).
    with django_assert_num_queries(CHECK_IN_QUERIES):
        services.meeting_check_in(meeting_id=meeting.pk, user=life["users"]["lm2"], code=code)
    # The next member's: this process has seen the meeting. The attendance INSERT selects the
    # caller among the 应到 of the meeting as remembered (services._check_in_remembered); on
    # PostgreSQL it writes the log line and the credit in the same statement, on SQLite they
    # follow it: savepoint, three INSERTs, release.
    with django_assert_num_queries(REMEMBERED_CHECK_IN_QUERIES):
        services.meeting_check_in(meeting_id=meeting.pk, user=life["users"]["lm1"], code=code)
    assert selectors.attendance_counts(meeting=meeting).present == 2
    assert HoursLedgerEntry.objects.filter(user=life["users"]["lm2"]).count() == 1
    ledger_type = ContentType.objects.get_for_model(HoursLedgerEntry)
    assert not ReferenceIndex.objects.filter(base_content_type=ledger_type).exists()


def test_check_in_request_query_count(life, django_assert_num_queries):
    """What a phone's POST costs on the API, as in the burst bench: the token, then the 7 (3 on
    PostgreSQL) above (no scope, permission or session query for a member of the holding unit)."""
    meeting, user = life["open"], life["users"]["lm1"]
    token = Token.objects.create(user=user).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    get_resolver().url_patterns  # noqa: B018
    url = f"/api/v1/meetings/{meeting.pk}/check-in/"
    with django_assert_num_queries(1 + CHECK_IN_QUERIES):
        response = client.post(url, {"code": code_for(meeting)}, format="json")
    assert response.status_code == 201
    assert response.json() == {
        "meeting": meeting.pk,
        "member": life["members"]["lm1"].pk,
        "status": "present",
        "reason": "",
    }
    assert client.post(url, {"code": code_for(meeting)}, format="json").status_code == 409


def test_a_body_without_code_is_a_400_only_where_the_meeting_is_seen(life):
    url = f"/api/v1/meetings/{life['open'].pk}/check-in/"
    member, outsider = APIClient(), APIClient()
    member.force_authenticate(life["users"]["lm1"])
    outsider.force_authenticate(life["users"]["outsider"])
    assert member.post(url, {}, format="json").status_code == 400
    assert outsider.post(url, {}, format="json").status_code == 404
    assert not Attendance.objects.exists()


def test_the_check_in_answer_is_the_serializer_s(life):
    """The hot path answers a plain dict (docs/performance.md): the same as
    AttendanceResultSerializer of the row, for a code with spaces around it (trimmed, as the
    serializer would) and a form post as well as JSON."""
    meeting = life["open"]
    url = f"/api/v1/meetings/{meeting.pk}/check-in/"
    for key, fmt in (("lm1", "json"), ("lm2", "multipart")):
        client = APIClient()
        client.force_authenticate(life["users"][key])
        response = client.post(url, {"code": f"  {code_for(meeting)}\n"}, format=fmt)
        assert response.status_code == 201
        row = Attendance.objects.get(meeting=meeting, member=life["members"][key])
        assert response.json() == AttendanceResultSerializer(row).data


@pytest.mark.parametrize(
    "body",
    [{"code": "   "}, {"code": ""}, {"code": None}, {"code": "ab\x00c"}, {"kode": "x"}],
)
def test_a_code_the_serializer_refuses_is_its_400(life, body):
    client = APIClient()
    client.force_authenticate(life["users"]["lm1"])
    response = client.post(f"/api/v1/meetings/{life['open'].pk}/check-in/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]
    assert not Attendance.objects.exists()


def test_the_ledger_title_names_the_kind_in_the_active_language(life):
    meeting, user = life["open"], life["users"]["lm1"]
    with translation.override("en"):
        services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code_for(meeting))
        expected = f"{MeetingKind.THEME_DAY.label}：{meeting.topic}"
    assert not expected.startswith("主题党日")
    assert HoursLedgerEntry.objects.get().lesson_title == expected


def test_check_in_opens_shortly_before_the_start(life):
    soon = life["plan"](starts_at=timezone.now() + timedelta(minutes=20), topic="马上开始")
    services.meeting_check_in(meeting_id=soon.pk, user=life["users"]["lm3"], code=code_for(soon))
    assert selectors.attendance_counts(meeting=soon).present == 1
