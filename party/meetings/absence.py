"""The six-month absence flag (党章 art. 9): a Party member who for six consecutive months did not
take part in the branch's organisation life without 请假 is flagged for the branch — a list for
the secretary to act on, never a decision (docs/party.md, "Absence flag").

How the months are read (rules.ABSENCE_*):
- the organisation life that counts: the meetings of the member's branch and of their 党小组 of
  the kinds in ABSENCE_KINDS (not the 支委会, which is the committee's, nor 谈心谈话), that have
  ended, at which the member was 应到 (a Party member on that day — the rule of
  selectors.expected_members);
- a month in which the member was 实到 at one of them, or on approved 请假 for one, is a month of
  taking part: it ends any run. A pending 请假 request is not approved (as in the counts);
- a month in which there was such a meeting and the member missed every one is a missed month;
- a month without any such meeting neither counts nor breaks the run (the branch held nothing to
  attend; the compliance calendar shows that gap as the branch's, not the member's);
- a member is flagged when the latest ABSENCE_MONTHS (6) counted months are all missed: the run
  that is still going on. A past run ended by attendance is not flagged again.
The branch is the one the member belonged to on the meeting's day (组织关系转接: months in the
old branch and in the new one make one run; the flag goes to the branch the member is in today);
the 党小组 likewise (party.members' GroupHistory: 党小组调整 and transfers). A member whose
组织关系 left the university (转出本校) is flagged nowhere; months before a 转入本校 are not theirs.
Five queries whatever the number of members and meetings; one more when a member listed has
transfers, one more when one has 党小组 changes."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from party.meetings.models import Attendance, AttendanceStatus, Meeting
from party.meetings.rules import (
    ABSENCE_KINDS,
    ABSENCE_LOOKBACK_MONTHS,
    ABSENCE_MONTHS,
    ATTENDING_STAGES,
)
from party.meetings.selectors import meeting_day
from party.members.models import GroupChange, Member, MemberTransfer, StageChange
from party.members.selectors import GroupHistory, UnitHistory, group_histories, unit_histories
from party.organisation.models import Unit, UnitKind

TAKING_PART = (AttendanceStatus.PRESENT, AttendanceStatus.LEAVE)


def _month(day: date) -> tuple[int, int]:
    return day.year, day.month


def _months_back(today: date, n: int) -> date:
    year, month = today.year, today.month - n
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


@dataclass
class AbsenceRow:
    member: Member
    missed_months: list[str] = field(default_factory=list)  # "2026-03", oldest first
    missed_meetings: int = 0
    last_taken_part: date | None = None


def _stage_on(history: list[tuple[date, int, str]], day: date) -> str | None:
    """The stage on `day`: the latest change by (decided_on, id) on or before it — the rule of
    selectors._stage_on, over the member's history loaded once."""
    stage = None
    for decided_on, _pk, value in history:
        if decided_on > day:
            break
        stage = value
    return stage


def absence_flags(*, units: list[Unit], now=None) -> list[AbsenceRow]:
    """The flagged members of the branches among `units` and under them (callers pass units from
    the scope selector), with the missed months of the run, oldest first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not units:
        return []
    under = Q()
    for unit in units:
        under |= Q(path__startswith=unit.path)
    branch_ids = list(Unit.objects.filter(under, kind=UnitKind.BRANCH).values_list("pk", flat=True))
    members = list(
        Member.objects.filter(unit_id__in=branch_ids, left_on__isnull=True)
        .annotate(
            moved=Exists(MemberTransfer.objects.filter(member=OuterRef("pk"))),
            regrouped=Exists(GroupChange.objects.filter(member=OuterRef("pk"))),
        )
        .select_related("unit")
        .order_by("unit__path", "student_no")
    )
    if not members:
        return []
    moved = [m for m in members if m.moved]
    units_of = unit_histories(members=moved) if moved else {}
    regrouped = [m for m in members if m.regrouped]
    groups_of = group_histories(members=regrouped) if regrouped else {}
    former_units = set().union(
        *(h.unit_ids for h in units_of.values()), *(h.group_ids for h in groups_of.values())
    ) - set(branch_ids)
    histories: dict[int, list] = defaultdict(list)
    for member_id, decided_on, pk, stage in (
        StageChange.objects.filter(member__in=[m.pk for m in members])
        .order_by("member_id", "decided_on", "id")
        .values_list("member_id", "decided_on", "id", "stage")
    ):
        histories[member_id].append((decided_on, pk, stage))
    since = _months_back(today, ABSENCE_LOOKBACK_MONTHS)
    meetings = list(
        Meeting.objects.filter(
            Q(unit_id__in=branch_ids + sorted(former_units))
            | Q(unit_id__in=Unit.objects.filter(under, kind=UnitKind.GROUP).values("pk")),
            kind__in=ABSENCE_KINDS,
            ends_at__lte=now,
            starts_at__gte=timezone.make_aware(datetime.combine(since, time.min)),
        )
        .only("pk", "unit_id", "kind", "starts_at")
        .order_by("starts_at")
    )
    taken = set(
        Attendance.objects.filter(
            meeting__in=[m.pk for m in meetings], status__in=TAKING_PART
        ).values_list("meeting_id", "member_id")
    )
    dated = [(meeting, meeting_day(meeting)) for meeting in meetings]
    flagged = []
    for member in members:
        months: dict[tuple[int, int], bool] = {}  # month → took part
        last = None
        missed = defaultdict(int)
        history = units_of.get(member.pk) or UnitHistory(member.unit_id, [])
        groups = groups_of.get(member.pk) or GroupHistory(member.group_id, [])
        for meeting, day in dated:
            if meeting.unit_id not in (history.on(day), groups.on(day)):
                continue
            if _stage_on(histories.get(member.pk, []), day) not in ATTENDING_STAGES:
                continue
            key = _month(day)
            if (meeting.pk, member.pk) in taken:
                months[key] = True
                last = day
            else:
                months.setdefault(key, False)
                missed[key] += 1
        run = []
        for key in sorted(months, reverse=True):
            if months[key]:
                break
            run.append(key)
        if len(run) >= ABSENCE_MONTHS:
            run.reverse()
            flagged.append(
                AbsenceRow(
                    member=member,
                    missed_months=[f"{y}-{m:02d}" for y, m in run],
                    missed_meetings=sum(missed[k] for k in run),
                    last_taken_part=last,
                )
            )
    return flagged
