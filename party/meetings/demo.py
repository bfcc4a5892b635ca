"""Demo organisation life for `load_demo`: a year of meetings for the demo branches, planned and
recorded through the services (so the study meetings credit the ledger and every change is in the
log), relative to the day of the first run. Idempotent: a branch that has meetings is left alone.

- 演示学院党委/本科生第一党支部 (`secretary`): every month a 主题党日, every quarter a 支部党员大会
  and a 党课 — but no 主题党日 two months ago (overdue on its calendar); 王老师 (`member`) took part
  in half of them, so she is below the 32 学时 line; 赵老师 took part only in the first half of
  the year: the six-month absence flag; 郑三立 had approved 请假 once; a 主题党日 in three days for
  the notices and the QR check-in.
- 演示学院党委/研究生党支部 and 马克思主义学院党委/本科生党支部: a thinner year (several overdue
  periods), for the 院系党委 and 组织部 views side by side."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from party.meetings import services
from party.meetings.models import Meeting, MeetingKind
from party.meetings.selectors import expected_members
from party.members.models import Member
from party.organisation.models import Unit, UnitKind

LATE = "会后补录（演示数据）"


def _branch(college: str, name: str) -> Unit | None:
    parent = Unit.objects.filter(kind=UnitKind.COLLEGE, name=college).first()
    if parent is None:
        return None
    return parent.get_children().filter(kind=UnitKind.BRANCH, name=name).first()


def _month_day(today: date, months_ago: int, day: int) -> date:
    year, month = today.year, today.month - months_ago
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, day)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _plan(*, by_user, branch, kind, day, hour, topic, minutes=90, **fields):
    starts = _at(day, hour)
    return services.meeting_plan(
        by_user=by_user,
        unit=branch,
        kind=kind,
        topic=topic,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        place=fields.pop("place", "学院楼 302 会议室"),
        **fields,
    )


def _record(*, by_user, meeting, present, leave=()):
    # Only those 应到 that day (a member admitted during the year joins from then on).
    expected = set(expected_members(meeting=meeting).values_list("pk", flat=True))
    present = [m for m in present if m.pk in expected]
    leave = [m for m in leave if m.pk in expected]
    for member in present:
        services.attendance_set(
            meeting=meeting, member_id=member.pk, status="present", reason=LATE, by_user=by_user
        )
    for member in leave:
        services.attendance_set(
            meeting=meeting, member_id=member.pk, status="leave", reason="外出调研", by_user=by_user
        )


def _year_of(*, by_user, branch, today, people, skip_theme_days=(), thin=False):
    """Twelve months back from last month; `people` maps a role to the members in it."""
    everyone = people["all"]
    for ago in range(12, 0, -1):
        day = _month_day(today, ago, 10)
        if ago not in skip_theme_days and not (thin and ago % 3 == 0):
            meeting = _plan(
                by_user=by_user,
                branch=branch,
                kind=MeetingKind.THEME_DAY,
                day=day,
                hour=14,
                topic=f"{day.month} 月主题党日：学习党的二十大精神",
            )
            present = [m for m in everyone if m not in people.get("half", []) or ago % 2 == 0]
            present = [m for m in present if m not in people.get("absent_lately", []) or ago > 7]
            leave = [m for m in people.get("leave", []) if ago == 4]
            _record(
                by_user=by_user,
                meeting=meeting,
                present=[m for m in present if m not in leave],
                leave=leave,
            )
        if ago % 3 == 1:
            congress = _plan(
                by_user=by_user,
                branch=branch,
                kind=MeetingKind.PARTY_CONGRESS,
                day=day + timedelta(days=5),
                hour=15,
                topic="支部党员大会：通报支部工作",
            )
            _record(
                by_user=by_user,
                meeting=congress,
                present=[
                    m for m in everyone if m not in people.get("absent_lately", []) or ago > 7
                ],
            )
            if not thin:
                lecture = _plan(
                    by_user=by_user,
                    branch=branch,
                    kind=MeetingKind.LECTURE,
                    day=day + timedelta(days=12),
                    hour=19,
                    topic="支部书记讲党课：坚定理想信念",
                    speaker="李书记",
                )
                _record(
                    by_user=by_user,
                    meeting=lecture,
                    present=[
                        m
                        for m in everyone
                        if m not in people.get("absent_lately", []) or ago > 7
                        if m not in people.get("half", []) or ago > 7
                    ],
                )


def _party_members(branch: Unit) -> list[Member]:
    from party.members.models import MEMBER_STAGES, MemberTransfer
    from party.members.selectors import with_current_stage

    # Those in the branch now and those transferred out of it (组织关系转接): _record keeps each
    # meeting's 应到 only, so a member moved during the year attends on both sides.
    in_branch = Q(unit=branch) | Q(
        pk__in=MemberTransfer.objects.filter(from_unit=branch).values("member_id")
    )
    return list(
        with_current_stage(Member.objects.filter(in_branch))
        .filter(current_stage__in=MEMBER_STAGES)
        .order_by("student_no")
    )


def demo_meetings_ensure() -> None:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["secretary", "orgadmin"])
    }
    secretary, office = users.get("secretary"), users.get("orgadmin")
    today = timezone.localdate()
    first = _branch("演示学院党委", "本科生第一党支部")
    if first is not None and secretary is not None and not Meeting.objects.filter(unit=first):
        members = {m.name: m for m in _party_members(first)}
        people = {
            "all": list(members.values()),
            "half": [m for n, m in members.items() if n == "王老师"],
            "absent_lately": [m for n, m in members.items() if n == "赵老师"],
            "leave": [m for n, m in members.items() if n == "郑三立"],
        }
        _year_of(by_user=secretary, branch=first, today=today, people=people, skip_theme_days=(2,))
        _plan(
            by_user=secretary,
            branch=first,
            kind=MeetingKind.THEME_DAY,
            day=today + timedelta(days=3),
            hour=14,
            topic="主题党日：重温入党誓词",
            agenda="1. 重温入党誓词\n2. 集中学习\n3. 交流发言",
        )
    if office is None:
        return
    for college, name in (("演示学院党委", "研究生党支部"), ("马克思主义学院党委", "本科生党支部")):
        branch = _branch(college, name)
        if branch is None or Meeting.objects.filter(unit=branch).exists():
            continue
        people = {"all": _party_members(branch)}
        _year_of(by_user=office, branch=branch, today=today, people=people, thin=True)
