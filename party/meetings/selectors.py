"""Reads of organisation life: which meetings a user sees or manages, who is 应到, the counts."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from hot_sql import PreparedRead
from party.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind, Notice
from party.meetings.rules import ATTENDING_STAGES
from party.members.models import Member, StageChange
from party.members.selectors import histories_of_user, in_group_on_q, in_units_on_q, stays
from party.organisation.models import COMMITTEE_ROLES, Unit, active_on_q
from party.organisation.selectors import UnitScope, unit_scope


def meeting_day(meeting: Meeting) -> date:
    return timezone.localdate(meeting.starts_at)


def _stage_on(day: date) -> Subquery:
    return Subquery(
        StageChange.objects.filter(member=OuterRef("pk"), decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .values("stage")[:1]
    )


def expected_members(*, meeting: Meeting) -> QuerySet[Member]:
    """应到: the Party members (ATTENDING_STAGES on the meeting's date) of the unit — the 党小组's
    members for a group meeting, the committee in office that day for a 支委会, the chosen pair
    for a 谈心谈话. The branch is the one the member belonged to on that day (组织关系转接,
    party.members.selectors.in_units_on_q), and so is the 党小组 (in_group_on_q)."""
    return _expected(
        meeting.kind, meeting_id=meeting.pk, unit_id=meeting.unit_id, day=meeting_day(meeting)
    )


def _expected(
    kind: str, *, meeting_id: int, unit_id: int, day: date, among: Q | None = None
) -> QuerySet[Member]:
    """expected_members from the meeting's kind, id, unit and day (the one rule); `among` (a Q
    over Member) narrows it inside its subqueries (the check-in asks about one user)."""
    if kind == MeetingKind.TALK:
        return Member.objects.filter(talks=meeting_id).order_by("student_no")
    if kind == MeetingKind.GROUP:
        members = Member.objects.filter(in_group_on_q(unit_id, day, among=among))
    elif kind == MeetingKind.COMMITTEE:
        members = Member.objects.filter(
            pk__in=Member.objects.filter(
                active_on_q(day, "posts__"),
                posts__unit_id=unit_id,
                posts__role__in=COMMITTEE_ROLES,
            ).values("pk")
        )
    else:
        members = Member.objects.filter(in_units_on_q([unit_id], day, among=among))
    return (
        members.annotate(stage_on_day=_stage_on(day))
        .filter(stage_on_day__in=ATTENDING_STAGES)
        .order_by("student_no")
    )


# expected_members for one user, compiled once per meeting kind and database (prepared.py): the
# check-in's first read, taken by every member of a hall at once.
_expected_user = PreparedRead(
    lambda kind, *, meeting_id, unit_id, user_id, day: (
        _expected(kind, meeting_id=meeting_id, unit_id=unit_id, day=day, among=Q(user_id=user_id))
        .filter(user_id=user_id)
        .order_by()
        .values_list("pk", "user_id", "unit_id", "group_id")[:1]
    ),
    ints=("meeting_id", "unit_id", "user_id"),
    dates=("day",),
)


# The meeting as a check-in reads it (the columns it uses, in the model's order for from_db;
# any other field is loaded if touched), its SQL compiled once (prepared.py).
_CHECKIN_FIELDS = [
    f.attname
    for f in Meeting._meta.concrete_fields
    if f.attname in {"id", "unit_id", "kind", "topic", "starts_at", "ends_at"}
]
_meeting_read = PreparedRead(
    lambda *, meeting_id: (
        Meeting.objects.filter(pk=meeting_id).order_by().values_list(*_CHECKIN_FIELDS)
    ),
    ints=("meeting_id",),
)


def meeting_for_check_in(meeting_id: int) -> Meeting | None:
    rows = _meeting_read.rows(meeting_id=meeting_id)
    return Meeting.from_db("default", _CHECKIN_FIELDS, rows[0]) if rows else None


def expected_member_of_user(*, meeting: Meeting, user) -> tuple[int, int, int, int | None] | None:
    """(member id, user id, unit id, 党小组 id) of `user` if they are among the meeting's 应到,
    else None: expected_members(meeting).filter(user=user), its SQL compiled once per kind."""
    rows = _expected_user.rows(
        meeting.kind,
        meeting_id=meeting.pk,
        unit_id=meeting.unit_id,
        user_id=user.pk,
        day=meeting_day(meeting),
    )
    return rows[0] if rows else None


# The check-in's two reads as one statement, once a process has seen the meeting: the caller's row
# among the 应到 computed for the meeting's unit, kind and day as this process last read them, and
# in the same row (the same snapshot) the meeting's columns as they are now. The row is used only
# when the meeting still has that unit, kind and day — then it is exactly what the two reads give;
# otherwise (an edited or deleted meeting, a caller not among the 应到) the two reads run.
# Remembered per meeting: its unit, kind, topic, start and end as last read, as an unsaved Meeting
# shared by the process's check-ins (remembered_meeting).
_REMEMBERED: dict[int, Meeting] = {}
_REMEMBERED_KEPT = (
    2000  # meetings remembered per process (a few hundred bytes each); then start over
)
_MEETING_COLUMNS = [f"meeting_{name}" for name in _CHECKIN_FIELDS if name != "id"]
_caller_and_meeting = PreparedRead(
    lambda kind, *, meeting_id, unit_id, user_id, day: (
        _expected(kind, meeting_id=meeting_id, unit_id=unit_id, day=day, among=Q(user_id=user_id))
        .filter(user_id=user_id)
        .order_by()
        .annotate(
            **{
                f"meeting_{name}": Subquery(Meeting.objects.filter(pk=meeting_id).values(name)[:1])
                for name in _CHECKIN_FIELDS
                if name != "id"
            }
        )
        .values_list("pk", "user_id", "unit_id", "group_id", *_MEETING_COLUMNS)[:1]
    ),
    ints=("meeting_id", "unit_id", "user_id"),
    dates=("day",),
)


def _shape(meeting: Meeting) -> tuple[int, str, date, str, datetime, datetime]:
    return (
        meeting.unit_id,
        meeting.kind,
        meeting_day(meeting),
        meeting.topic,
        meeting.starts_at,
        meeting.ends_at,
    )


def _remember(meeting: Meeting) -> None:
    if len(_REMEMBERED) >= _REMEMBERED_KEPT:
        _REMEMBERED.clear()
    # A copy of only these columns: nothing a request loads on `meeting` (its unit, say) is kept.
    _REMEMBERED[meeting.pk] = Meeting(
        pk=meeting.pk,
        unit_id=meeting.unit_id,
        kind=meeting.kind,
        topic=meeting.topic,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )


def forget_meeting_shapes() -> None:
    """Start the check-in's per-process memory of meetings afresh (tests that count statements)."""
    _REMEMBERED.clear()


def remembered_meeting(meeting_id: int) -> Meeting | None:
    """The meeting as this process last read it for a check-in (None: not seen), unsaved and
    shared by the process's check-ins (read it, never change or save it): what the one-statement
    check-in writes with, checked against the table in that statement
    (caller_if_meeting_unchanged_sql)."""
    return _REMEMBERED.get(meeting_id)


# The caller's member id when they are among the 应到 of the meeting as remembered AND of its own
# unit or 党小组 (so they may see it without asking meetings_visible) AND the meeting still has,
# in the table, exactly the remembered unit, kind, topic, start and end: else no row. The
# check-in's INSERT selects its member from it (services._check_in_remembered), so the happy path
# of a hall scanning at once is that one statement.
_caller_if_unchanged = PreparedRead(
    lambda kind, *, meeting_id, unit_id, user_id, day, topic, starts_at, ends_at: (
        _expected(kind, meeting_id=meeting_id, unit_id=unit_id, day=day, among=Q(user_id=user_id))
        .filter(Q(unit_id=unit_id) | Q(group_id=unit_id), user_id=user_id)
        .filter(
            Exists(
                Meeting.objects.filter(
                    pk=meeting_id,
                    unit_id=unit_id,
                    kind=kind,
                    topic=topic,
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
            )
        )
        .order_by()
        .values_list("pk")[:1]
    ),
    ints=("meeting_id", "unit_id", "user_id"),
    dates=("day",),
    datetimes=("starts_at", "ends_at"),
    strs=("topic",),
)


def caller_if_meeting_unchanged_sql(*, meeting: Meeting, user) -> tuple[str, list]:
    """The statement (and its parameters) of _caller_if_unchanged for `meeting` (as
    remembered_meeting gives it) and `user`, to be the source of the check-in's INSERT."""
    return _caller_if_unchanged.sql(
        meeting.kind,
        meeting_id=meeting.pk,
        unit_id=meeting.unit_id,
        user_id=user.pk,
        day=meeting_day(meeting),
        topic=meeting.topic,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )


def meeting_and_caller_for_check_in(
    *, meeting_id: int, user
) -> tuple[Meeting | None, tuple[int, int, int, int | None] | None]:
    """The meeting as the check-in reads it (None: no such meeting) and the caller's row among its
    应到 (expected_member_of_user; None: not among them or not signed in). One statement when this
    process has seen the meeting and nothing changed its unit, kind or day; else two."""
    signed_in = getattr(user, "is_authenticated", False)
    remembered = _REMEMBERED.get(meeting_id)
    if remembered is not None and signed_in:
        shape = _shape(remembered)
        unit_id, kind, day = shape[:3]
        rows = _caller_and_meeting.rows(
            kind, meeting_id=meeting_id, unit_id=unit_id, user_id=user.pk, day=day
        )
        if rows and rows[0][4] is not None:
            row = rows[0]
            meeting = Meeting.from_db("default", _CHECKIN_FIELDS, (meeting_id, *row[4:]))
            now_shape = _shape(meeting)
            if now_shape[:3] == shape[:3]:
                if now_shape != shape:  # a new topic or time on the same day: remember it
                    _remember(meeting)
                return meeting, row[:4]
    meeting = meeting_for_check_in(meeting_id)
    if meeting is None:
        return None, None
    _remember(meeting)
    return meeting, expected_member_of_user(meeting=meeting, user=user) if signed_in else None


def is_expected(*, meeting: Meeting, member: Member) -> bool:
    return expected_members(meeting=meeting).filter(pk=member.pk).exists()


@dataclass(frozen=True)
class AttendanceCounts:
    expected: int
    present: int
    leave: int
    leave_requested: int

    @property
    def absent(self) -> int:
        """缺席 is what is left: neither present nor on approved leave (a pending request counts
        as absent until the secretary approves it)."""
        return self.expected - self.present - self.leave


def attendance_counts(*, meeting: Meeting) -> AttendanceCounts:
    """实到/应到 and the rest, over the expected members only (two queries)."""
    expected = expected_members(meeting=meeting)
    rows = dict(
        Attendance.objects.filter(meeting=meeting, member__in=expected.values("pk"))
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return AttendanceCounts(
        expected=expected.count(),
        present=rows.get(AttendanceStatus.PRESENT, 0),
        leave=rows.get(AttendanceStatus.LEAVE, 0),
        leave_requested=rows.get(AttendanceStatus.LEAVE_REQUESTED, 0),
    )


def absent_member_ids(*, meeting: Meeting) -> list[int]:
    """The expected members still 缺席 (no row, or marked absent): what "all remaining" means when
    the secretary marks the rest of the hall 实到 at once. 请假 and 请假待批 are not included."""
    marked = Attendance.objects.filter(meeting=meeting).exclude(status=AttendanceStatus.ABSENT)
    return list(
        expected_members(meeting=meeting)
        .exclude(pk__in=marked.values("member_id"))
        .values_list("pk", flat=True)
    )


@dataclass
class AttendanceRow:
    member: Member
    status: str
    reason: str
    method: str
    late_changes: int

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label


def attendance_rows(*, meeting: Meeting) -> list[AttendanceRow]:
    """Every expected member with their status (缺席 without a row) and how many corrections were
    made after the meeting ended."""
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    late = dict(
        meeting.attendance_changes.filter(late=True)
        .values_list("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    result = []
    for member in expected_members(meeting=meeting):
        row = rows.get(member.pk)
        result.append(
            AttendanceRow(
                member=member,
                status=row.status if row else AttendanceStatus.ABSENT,
                reason=row.reason if row else "",
                method=row.method if row else "",
                late_changes=late.get(member.pk, 0),
            )
        )
    return result


def meetings_managed(*, user, scope: UnitScope | None = None) -> QuerySet[Meeting]:
    """Meetings of the units `user` manages (the one scope selector)."""
    scope = scope or unit_scope(user=user)
    if scope.empty:
        return Meeting.objects.none()
    return Meeting.objects.filter(scope.q("unit__"))


def _local_midnight(day: date):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def meetings_visible(*, user, scope: UnitScope | None = None) -> QuerySet[Meeting]:
    """Meetings `user` may read: those they manage, and as a member those of the branch or
    党小组 they belonged to on the meeting's day (party.members' rules of the unit and the 党小组
    on a day, read from the member's own history: `histories_of_user`, `stays` — so a member
    transferred in sees the branch's meetings from the 转入 on, one who moved sees the old
    branch's up to the move, one who left none after it, and the 党小组 registered at 建档 counts
    from the joining of the branch) and any meeting with their attendance row or their 谈心谈话 —
    their own history. One query for the member's row and histories; then each stay is a range of
    the meeting's unit and start (the unit index), not a subquery per meeting."""
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    scope = scope or unit_scope(user=user)
    condition = Q(pk__in=[])
    if not scope.empty:
        condition |= scope.q("unit__")
    found = histories_of_user(user=user)
    if found is not None:
        member, units, groups = found
        for unit_id, first, after in stays(units, groups):
            stay = Q(unit_id=unit_id)
            if first is not None:
                stay &= Q(starts_at__gte=_local_midnight(first))
            if after is not None:
                stay &= Q(starts_at__lt=_local_midnight(after))
            condition |= stay
        condition |= Q(
            pk__in=Meeting.participants.through.objects.filter(member_id=member.pk).values(
                "meeting_id"
            )
        ) | Q(pk__in=Attendance.objects.filter(member_id=member.pk).values("meeting_id"))
    return Meeting.objects.filter(condition)


def can_manage(*, user, meeting: Meeting, scope: UnitScope | None = None) -> bool:
    scope = scope or unit_scope(user=user)
    return scope.covers(meeting.unit)


def planning_units(*, user) -> QuerySet[Unit]:
    """Units in which `user` may plan meetings: branches and 党小组 in scope."""
    scope = unit_scope(user=user)
    if scope.empty:
        return Unit.objects.none()
    return Unit.objects.filter(scope.q(), kind__in=["branch", "group"]).order_by("path")


def my_attendance(*, meeting: Meeting, user) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, member__user=user).first()


def unread_notice_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notices_for(*, user) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).select_related("meeting", "meeting__unit")
