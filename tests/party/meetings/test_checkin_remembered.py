"""The check-in at a meeting this process has already seen (services._check_in_remembered): writes
composed once per meeting (one statement on PostgreSQL, a transaction of three INSERTs on SQLite)
that write the attendance only when the meeting in the table is still the one remembered and the
caller is among its 应到; anything else falls back to the general path, which answers exactly as
before and writes nothing more."""

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from freezegun import freeze_time

from learning.progress.models import HoursLedgerEntry
from party.meetings import selectors, services
from party.meetings.checkin import checkin_code
from party.meetings.exceptions import AlreadyRecordedError, MeetingError
from party.meetings.models import Attendance, AttendanceChange, Meeting
from party.meetings.rules import CHECKIN_CODE_SECONDS
from tests.factories import make_user
from tests.party.meetings.test_checkin import REMEMBERED_CHECK_IN_QUERIES

pytestmark = pytest.mark.django_db


def check_in(meeting, user, code=None):
    code = checkin_code(meeting_id=meeting.pk) if code is None else code
    return services.meeting_check_in(meeting_id=meeting.pk, user=user, code=code)


def refused(meeting, user, code=None):
    with pytest.raises(MeetingError) as info:
        check_in(meeting, user, code)
    return info.value.code, info.value.status


def written():
    return (
        Attendance.objects.count(),
        AttendanceChange.objects.count(),
        HoursLedgerEntry.objects.count(),
    )


def rows_of(meeting, member, user):
    attendance = Attendance.objects.get(meeting=meeting, member=member)
    change = AttendanceChange.objects.get(meeting=meeting, member=member)
    entry = HoursLedgerEntry.objects.get(user=user)
    return (
        (attendance.status, attendance.reason, attendance.method),
        (
            change.from_status,
            change.status,
            change.reason,
            change.method,
            change.late,
            change.recorded_by_id == user.pk,
            change.recorded_at == attendance.updated_at,
        ),
        (
            entry.source,
            entry.amount,
            entry.occurred_on,
            entry.granted_by_id,
            entry.reference,
            entry.lesson_title,
            entry.note,
            entry.training_class_id,
            entry.lesson_id,
            entry.corrects_id,
        ),
    )


def test_it_writes_what_the_first_check_in_writes(life, django_assert_num_queries):
    meeting, users, members = life["open"], life["users"], life["members"]
    first = check_in(meeting, users["lm2"])  # the general path: the meeting is remembered
    assert selectors.remembered_meeting(meeting.pk) is not None
    with django_assert_num_queries(REMEMBERED_CHECK_IN_QUERIES):
        answer = check_in(meeting, users["lm1"])
    row = Attendance.objects.get(meeting=meeting, member=members["lm1"])
    assert (answer.pk, answer.member_id, answer.meeting_id, answer.status, answer.reason) == (
        row.pk,
        members["lm1"].pk,
        meeting.pk,
        "present",
        "",
    )
    assert first.member_id == members["lm2"].pk
    assert rows_of(meeting, members["lm1"], users["lm1"]) == rows_of(
        meeting, members["lm2"], users["lm2"]
    )
    assert selectors.attendance_counts(meeting=meeting).present == 2


def test_an_edited_meeting_is_read_again_and_written_as_it_is_now(life, django_assert_num_queries):
    meeting, users, members = life["open"], life["users"], life["members"]
    check_in(meeting, users["lm2"])
    Meeting.objects.filter(pk=meeting.pk).update(
        topic="改了题目", ends_at=meeting.ends_at + timedelta(minutes=30)
    )
    check_in(meeting, users["lm1"])  # the remembered meeting is stale: the general path
    entry = HoursLedgerEntry.objects.get(user=users["lm1"])
    assert entry.lesson_title.endswith("：改了题目")
    # … which remembered the new topic and end: the next member is the one statement again.
    with django_assert_num_queries(REMEMBERED_CHECK_IN_QUERIES):
        check_in(meeting, users["lm3"])
    assert HoursLedgerEntry.objects.get(user=users["lm3"]).lesson_title.endswith("：改了题目")
    # Ended since (the end moved into the past): refused, nothing written.
    before = written()
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    assert refused(meeting, users["member"]) == ("closed", 400)
    # Moved to another branch: not this member's meeting any more.
    Meeting.objects.filter(pk=meeting.pk).update(
        unit=life["units"]["law_b2"], ends_at=timezone.now() + timedelta(hours=1)
    )
    assert refused(meeting, users["member"]) == ("not_found", 404)
    assert written() == before
    assert not Attendance.objects.filter(member=members["law_b1"]).exists()
    Meeting.objects.filter(pk=meeting.pk).delete()  # (its attendance goes with it)
    assert refused(meeting, users["member"]) == ("not_found", 404)


def test_refusals_at_a_remembered_meeting_are_the_general_path_s(life, monkeypatch):
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])
    before = written()
    assert refused(meeting, users["lm1"], code="forged") == ("code_invalid", 400)
    assert refused(meeting, users["lm1"], code=checkin_code(meeting_id=life["future"].pk)) == (
        "code_foreign",
        400,
    )
    assert refused(meeting, users["activist"]) == ("not_expected", 403)
    assert refused(meeting, make_user("nobody")) == ("not_found", 404)  # no record: not seen
    assert refused(meeting, users["secretary2"]) == ("not_found", 404)  # another college's
    with pytest.raises(AlreadyRecordedError):
        check_in(meeting, users["lm2"])
    assert written() == before
    # An expired code.
    monkeypatch.setattr(time, "time", lambda real=time.time: real() - CHECKIN_CODE_SECONDS - 5)
    old = checkin_code(meeting_id=meeting.pk)
    monkeypatch.undo()
    assert refused(meeting, users["lm1"], code=old) == ("code_expired", 400)
    assert written() == before


def test_a_meeting_not_yet_open_is_refused_as_before(life):
    later = life["plan"](starts_at=timezone.now() + timedelta(minutes=20), topic="马上开始")
    check_in(later, life["users"]["lm3"])  # opens shortly before the start: remembered
    Meeting.objects.filter(pk=later.pk).update(
        starts_at=timezone.now() + timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=3)
    )
    assert refused(later, life["users"]["lm1"]) == ("not_started", 400)
    assert not Attendance.objects.filter(meeting=later, member=life["members"]["lm1"]).exists()


def test_each_check_in_is_written_at_its_own_time(life):
    """The statement is composed once per meeting with a marker for the time: each check-in's
    attendance, log line and 学时 credit carry that check-in's own time (the credit's record time
    is the check-in's, not the composition's)."""
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])  # the general path: the meeting is remembered
    times = {}
    for minutes, key in ((1, "lm1"), (2, "lm3")):
        at = timezone.now() + timedelta(minutes=minutes)
        with freeze_time(at):
            check_in(meeting, users[key])
        times[key] = at
    for key, at in times.items():
        attendance = Attendance.objects.get(meeting=meeting, member=life["members"][key])
        change = AttendanceChange.objects.get(meeting=meeting, member=life["members"][key])
        entry = HoursLedgerEntry.objects.get(user=users[key])
        assert (attendance.updated_at, change.recorded_at, entry.created_at) == (at, at, at)


def test_the_credit_note_is_in_each_caller_s_language(life):
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])
    with translation.override("en"):
        check_in(meeting, users["lm1"])
    with translation.override("zh-hans"):
        check_in(meeting, users["lm3"])
    english = HoursLedgerEntry.objects.get(user=users["lm1"]).note
    chinese = HoursLedgerEntry.objects.get(user=users["lm3"]).note
    assert english.startswith("Organisation life attended: ")
    assert chinese.startswith("组织生活出勤：")


def test_the_writes_are_composed_once_per_meeting_as_remembered(life, monkeypatch):
    """Composed (twice: two sets of markers) at the first remembered check-in, then only filled
    in; composed again for the meeting as it is after an edit."""
    meeting, users = life["open"], life["users"]
    composed = []
    real = services._check_in_parts

    def counting(*args, **kwargs):
        composed.append(args[0].topic)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_check_in_parts", counting)
    check_in(meeting, users["lm2"])  # the general path: not composed
    check_in(meeting, users["lm1"])
    first = len(composed)
    assert first in (2, 4)  # PostgreSQL: one statement; SQLite: the INSERT, then the two rows
    check_in(meeting, users["lm3"])
    assert len(composed) == first
    Meeting.objects.filter(pk=meeting.pk).update(topic="改了题目")
    check_in(meeting, users["member"])  # stale: the general path, which remembers the new topic
    check_in(meeting, users["secretary"])
    assert composed[first:] == ["改了题目"] * first


def test_a_topic_with_quotes_and_percent_signs_is_written_as_it_is(life):
    """On PostgreSQL the composed statement carries the meeting's texts as quoted literals: a topic
    with quotes, a percent sign and a placeholder-looking %s is written as typed."""
    topic = "学习'二十大'精神 100% 落实 %s；\\"
    meeting = life["plan"](topic=topic)
    check_in(meeting, life["users"]["lm2"])
    check_in(meeting, life["users"]["lm1"])  # the composed statement
    entry = HoursLedgerEntry.objects.get(user=life["users"]["lm1"])
    assert entry.lesson_title.endswith("：" + topic)
    assert entry.note.endswith("：" + topic)
    assert Meeting.objects.get(pk=meeting.pk).topic == topic


# A second scan at a remembered meeting: the INSERT that wrote nothing, the meeting and the caller,
# the read of the caller's 实到 row — no write transaction (SQLite: the INSERT in its savepoint).
SECOND_SCAN_QUERIES = 3 if connection.vendor == "postgresql" else 5


def test_a_second_scan_is_answered_from_a_read(life, django_assert_num_queries):
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])
    check_in(meeting, users["lm1"])
    before = written()
    with (
        django_assert_num_queries(SECOND_SCAN_QUERIES),
        pytest.raises(AlreadyRecordedError) as info,
    ):
        check_in(meeting, users["lm1"])
    assert (info.value.code, info.value.status) == ("already", 409)
    assert written() == before


def test_a_member_who_asked_for_leave_can_still_check_in(life):
    meeting, users, members = life["open"], life["users"], life["members"]
    check_in(meeting, users["lm2"])
    services.leave_request(meeting=meeting, user=users["lm1"], reason="出差")
    check_in(meeting, users["lm1"])  # the remembered INSERT finds the 请假 row: the general path
    assert Attendance.objects.get(meeting=meeting, member=members["lm1"]).status == "present"
    statuses = AttendanceChange.objects.filter(meeting=meeting, member=members["lm1"])
    assert list(statuses.order_by("id").values_list("status", flat=True)) == [
        "leave_requested",
        "present",
    ]
    assert HoursLedgerEntry.objects.filter(user=users["lm1"]).count() == 1


@pytest.mark.parametrize(
    "topic",
    # A text that holds hot_sql's marker, and (on SQLite, where the time's marker is a string) a
    # topic equal to that marker: composed, or refused and answered by the general path — never
    # an error.
    ["学习 !hot-sql-marker-1! 测试", "1903-04-05 06:07:08"],
)
def test_a_topic_that_looks_like_a_marker_does_not_break_check_ins(life, topic):
    meeting = life["plan"](topic=topic)
    for key in ("lm2", "lm1", "lm3"):
        check_in(meeting, life["users"][key])
    for key in ("lm1", "lm3"):
        entry = HoursLedgerEntry.objects.get(user=life["users"][key])
        assert entry.lesson_title.endswith("：" + topic)
    assert selectors.attendance_counts(meeting=meeting).present == 3


def test_an_ended_or_not_yet_open_meeting_is_refused_before_already(life):
    """A member already 实到 who scans again after the meeting was moved: the general path's
    order holds — closed / not started before already."""
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])
    check_in(meeting, users["lm1"])  # remembered
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    assert refused(meeting, users["lm1"]) == ("closed", 400)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() + timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=3)
    )
    assert refused(meeting, users["lm1"]) == ("not_started", 400)


def test_the_three_writes_are_written_together_or_not_at_all(life, monkeypatch):
    """The credit's INSERT failing leaves no attendance and no log line (SQLite: one transaction;
    PostgreSQL: one statement)."""
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])
    before = written()
    real = services.run_returning

    def failing_credit(sql, params):
        if "progress_hoursledgerentry" in sql:
            raise RuntimeError("the credit's INSERT failed")
        return real(sql, params)

    monkeypatch.setattr(services, "run_returning", failing_credit)
    with pytest.raises(RuntimeError):
        check_in(meeting, users["lm1"])
    assert written() == before


def _stage_lookups_planned(sql: str) -> tuple[int, str]:
    """How many times the plan of `sql` reads members_stagechange (PostgreSQL names the table,
    SQLite the index it searches), and the plan."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = json.dumps(cursor.fetchone()[0])
            return plan.count('"Relation Name": "members_stagechange"'), plan
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        return plan.count("USING INDEX members_stage_latest"), plan


def test_the_callers_expected_row_is_looked_up_once_per_check_in(life):
    """The attendance INSERT reads the chosen member as a table of at most one row: written as a
    scalar subquery in its select list and again in its WHERE, PostgreSQL planned and ran the
    caller's 应到 (their stage at the meeting's day among it) once for each place."""
    meeting, users = life["open"], life["users"]
    check_in(meeting, users["lm2"])
    with CaptureQueriesContext(connection) as captured:
        check_in(meeting, users["lm1"])
    (insert,) = [q["sql"] for q in captured if "INSERT INTO" in q["sql"] and "chosen" in q["sql"]]
    lookups, plan = _stage_lookups_planned(insert)
    assert lookups == 1, plan
