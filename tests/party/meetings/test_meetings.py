"""Planning meetings, who is 应到, notices, 请假 and the secretary's attendance record."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from party.meetings import selectors, services
from party.meetings.exceptions import (
    AlreadyRecordedError,
    MeetingError,
    NotExpectedError,
    OutOfScopeError,
)
from party.meetings.models import AttendanceChange, AttendanceStatus, MeetingKind, Notice
from party.members.models import Stage
from party.organisation.models import PostRole
from party.organisation.services import post_assign
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(m.name for m in qs)


def test_expected_are_the_branchs_party_members_on_the_meeting_date(life):
    expected = names(selectors.expected_members(meeting=life["open"]))
    # The activist is not a Party member: not 应到. Other branches' members are not either.
    assert expected == sorted(["张三", "李书记", "党员1", "党员2", "党员3"])


def test_a_member_admitted_after_the_meeting_is_not_expected_at_it(life):
    newcomer = life["members"]["activist"]
    set_stage(newcomer, Stage.CANDIDATE, on=date(2021, 1, 1))
    set_stage(newcomer, Stage.PROBATIONARY, on=timezone.localdate() + timedelta(days=1))
    assert newcomer not in selectors.expected_members(meeting=life["open"])
    assert newcomer in selectors.expected_members(meeting=life["future"])


def test_group_meeting_expects_the_groups_members_and_committee_meeting_the_committee(life):
    group_meeting = life["plan"](kind=MeetingKind.GROUP, unit=life["units"]["law_g1"])
    assert names(selectors.expected_members(meeting=group_meeting)) == ["张三"]
    post_assign(
        unit=life["units"]["law_b1"],
        member=life["members"]["lm1"],
        role=PostRole.ORGANISATION,
        starts_on=date(2024, 9, 1),
    )
    committee = life["plan"](kind=MeetingKind.COMMITTEE)
    assert names(selectors.expected_members(meeting=committee)) == ["党员1", "李书记"]


def test_talk_expects_its_participants(life):
    talk = life["plan"](
        kind=MeetingKind.TALK, participants=[life["members"]["secretary"], life["members"]["lm2"]]
    )
    assert names(selectors.expected_members(meeting=talk)) == ["党员2", "李书记"]
    with pytest.raises(MeetingError) as info:
        life["plan"](kind=MeetingKind.TALK, participants=[life["members"]["lm2"]])
    assert info.value.code == "participants"


def test_planning_notifies_expected_members_with_accounts(life):
    future = life["future"]
    notified = set(Notice.objects.filter(meeting=future).values_list("user__username", flat=True))
    assert notified == {"sec1", "mem", "lm1", "lm2", "lm3"}
    assert "activist1" not in notified
    assert selectors.unread_notice_count(user=life["users"]["member"]) == 2  # open + future
    # The ended meeting (recorded afterwards) notified nobody.
    assert not Notice.objects.filter(meeting=life["ended"]).exists()


def test_notices_are_emailed_when_configured(life, settings):
    settings.MEETING_NOTICE_EMAIL = True
    life["users"]["member"].email = "zhang@example.edu.cn"
    life["users"]["member"].save()
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            life["plan"](starts_at=timezone.now() + timedelta(days=5), topic="邮件通知")
    assert [m.to for m in mail.outbox] == [["zhang@example.edu.cn"]]
    assert "邮件通知" in mail.outbox[0].body


def test_no_email_unless_configured(life):
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": MeetingKind.GROUP}, "holding_unit"),
        ({"topic": "  "}, "topic"),
        ({"place": ""}, "place"),
        ({"ends_at": "before"}, "ends_at"),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_written(life, fields, code):
    from party.meetings.models import Meeting

    before = Meeting.objects.count()
    if fields.get("ends_at") == "before":
        fields["ends_at"] = timezone.now() - timedelta(days=1)
    with pytest.raises(MeetingError) as info:
        life["plan"](**fields)
    assert info.value.code == code
    assert Meeting.objects.count() == before


def test_a_secretary_cannot_plan_for_another_branch(life):
    with pytest.raises(OutOfScopeError):
        life["plan"](unit=life["units"]["eng_b1"])
    with pytest.raises(OutOfScopeError):
        life["plan"](by_user=life["users"]["member"])


def test_hostile_attachment_is_refused(life):
    fake_pdf = SimpleUploadedFile(
        "议程.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(MeetingError) as info:
        life["plan"](attachments=[fake_pdf])
    assert info.value.code == "attachment_content"
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    with pytest.raises(MeetingError) as info:
        life["plan"](attachments=[script])
    assert info.value.code == "attachment_kind"
    good = SimpleUploadedFile("议程.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    meeting = life["plan"](attachments=[good])
    attachment = meeting.attachments.get()
    assert attachment.name == "议程.pdf"
    assert "议程" not in attachment.file.name  # stored under a random name


def test_leave_request_then_approval(life):
    meeting, member_user = life["future"], life["users"]["lm1"]
    with pytest.raises(MeetingError) as info:
        services.leave_request(meeting=meeting, user=member_user, reason=" ")
    assert info.value.code == "reason"
    services.leave_request(meeting=meeting, user=member_user, reason="出差")
    counts = selectors.attendance_counts(meeting=meeting)
    assert (counts.leave_requested, counts.leave, counts.absent) == (1, 0, 5)
    with pytest.raises(AlreadyRecordedError):
        services.leave_request(meeting=meeting, user=member_user, reason="又出差")
    # Approving 请假 may come before the meeting; ticking present may not.
    services.attendance_set(
        meeting=meeting,
        member_id=life["members"]["lm1"].pk,
        status=AttendanceStatus.LEAVE,
        by_user=life["users"]["secretary"],
    )
    counts = selectors.attendance_counts(meeting=meeting)
    assert (counts.leave_requested, counts.leave, counts.absent) == (0, 1, 4)
    row = next(r for r in selectors.attendance_rows(meeting=meeting) if r.member.name == "党员1")
    assert (row.status, row.reason) == ("leave", "出差")
    with pytest.raises(MeetingError) as info:
        services.attendance_set(
            meeting=meeting,
            member_id=life["members"]["lm2"].pk,
            status=AttendanceStatus.PRESENT,
            by_user=life["users"]["secretary"],
        )
    assert info.value.code == "not_started"


def test_an_activist_cannot_ask_for_leave(life):
    with pytest.raises(NotExpectedError):
        services.leave_request(meeting=life["future"], user=life["users"]["activist"], reason="x")


def test_secretary_ticks_and_late_corrections_are_recorded(life):
    secretary, ended = life["users"]["secretary"], life["ended"]
    member_id = life["members"]["lm2"].pk
    with pytest.raises(MeetingError) as info:
        services.attendance_set(
            meeting=ended, member_id=member_id, status="present", by_user=secretary
        )
    assert info.value.code == "reason"  # a correction after the end needs a reason
    services.attendance_set(
        meeting=ended,
        member_id=member_id,
        status="present",
        reason="纸质签到表补录",
        by_user=secretary,
    )
    services.attendance_set(
        meeting=ended, member_id=member_id, status="absent", reason="签错了人", by_user=secretary
    )
    log = list(
        AttendanceChange.objects.filter(meeting=ended).values_list("from_status", "status", "late")
    )
    assert log == [("", "present", True), ("present", "absent", True)]
    row = next(r for r in selectors.attendance_rows(meeting=ended) if r.member.pk == member_id)
    assert (row.status, row.late_changes) == ("absent", 2)


def test_secretary_of_another_branch_cannot_record(life):
    with pytest.raises(OutOfScopeError):
        services.attendance_set(
            meeting=life["open"],
            member_id=life["members"]["lm1"].pk,
            status="present",
            by_user=life["users"]["secretary2"],
        )
    with pytest.raises(MeetingError) as info:
        services.attendance_set(
            meeting=life["open"],
            member_id=life["members"]["eng_b1"].pk,
            status="present",
            by_user=life["users"]["secretary"],
        )
    assert info.value.code == "not_expected"
    assert not AttendanceChange.objects.exists()


def test_visibility(life):
    open_meeting = life["open"]
    assert open_meeting in selectors.meetings_visible(user=life["users"]["member"])
    assert open_meeting in selectors.meetings_visible(user=life["users"]["organiser"])
    assert open_meeting not in selectors.meetings_visible(user=life["users"]["secretary2"])
    assert open_meeting not in selectors.meetings_visible(user=life["users"]["outsider"])
    assert open_meeting not in selectors.meetings_managed(user=life["users"]["member"])
