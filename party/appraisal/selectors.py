"""Reads of 民主评议: which campaigns a user sees or manages, who takes part, the tallies (only
after the 民主测评 closed) and the reports per branch and per 院系党委."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from party.appraisal import rules
from party.appraisal.models import (
    BallotCast,
    Campaign,
    FollowUp,
    Grade,
    Participant,
    Phase,
    Tally,
)
from party.members.models import Member
from party.members.selectors import member_of_user, with_current_stage
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import UnitScope, unit_scope


def eligible_members(*, unit: Unit) -> QuerySet[Member]:
    """The branch's Party members today (full and probationary), with `current_stage`: the
    participants of a campaign opened now (not one whose 组织关系 left the university). The stage
    comes from party.members' one selector."""
    return (
        with_current_stage(Member.objects.filter(unit=unit, left_on__isnull=True))
        .filter(current_stage__in=rules.PARTICIPANT_STAGES)
        .order_by("student_no")
    )


def campaigns_managed(*, user, scope: UnitScope | None = None) -> QuerySet[Campaign]:
    scope = scope or unit_scope(user=user)
    if scope.empty:
        return Campaign.objects.none()
    return Campaign.objects.filter(scope.q("unit__"))


def campaigns_visible(*, user, scope: UnitScope | None = None) -> QuerySet[Campaign]:
    """Campaigns the user manages (scope) and those they take part in."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    scope = scope or unit_scope(user=user)
    if scope.all:  # 组织部: every campaign (an empty Q() would vanish from the OR below)
        return Campaign.objects.select_related("unit")
    condition = Q(participants__member__user=user)
    if not scope.empty:
        condition |= scope.q("unit__")
    return Campaign.objects.filter(
        pk__in=Campaign.objects.filter(condition).values("pk")
    ).select_related("unit")


def can_manage(*, user, campaign: Campaign, scope: UnitScope | None = None) -> bool:
    return (scope or unit_scope(user=user)).covers(campaign.unit)


def participant_of(*, user, campaign: Campaign) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Participant.objects.filter(campaign=campaign, member__user=user)
        .select_related("member")
        .first()
    )


def has_voted(*, campaign: Campaign, member_id: int) -> bool:
    return BallotCast.objects.filter(campaign=campaign, member_id=member_id).exists()


def ballot_members(*, campaign: Campaign, participant: Participant) -> list[Participant]:
    """The members to rate on one ballot: every other participant, by 学号."""
    return list(
        campaign.participants.exclude(pk=participant.pk)
        .select_related("member")
        .order_by("member__student_no")
    )


@dataclass
class ResultRow:
    participant: Participant
    counts: dict[str, int] | None  # grade -> votes; None while too few ballots were counted
    total: int | None

    @property
    def member(self) -> Member:
        return self.participant.member

    @property
    def cells(self) -> list[tuple[str, str, int]]:
        """(grade, label, votes) in the order of Grade, for the pages."""
        counts = self.counts or {}
        return [(value, label, counts.get(value)) for value, label in Grade.choices]


def results_visible(campaign: Campaign) -> bool:
    """Counts exist for reading only once the 民主测评 is closed."""
    return campaign.reached(Phase.PROPOSAL)


def counted_ballots(*, campaign: Campaign) -> int:
    """How many ballots were added to the counters (a 预备党员's is not, unless the campaign
    counts them; rules.PROBATIONARY_RATINGS_SOURCE)."""
    ballots = BallotCast.objects.filter(campaign=campaign)
    if not campaign.probationary_counted:
        ballots = ballots.exclude(
            member_id__in=Participant.objects.filter(
                campaign=campaign, stage__in=rules.PROBATIONARY_STAGES
            ).values("member_id")
        )
    return ballots.count()


def counts_shown(*, campaign: Campaign) -> bool:
    """Counts are readable after the close and only from rules.min_counted_ballots() ballots on
    (rules.MIN_COUNTED_BALLOTS_SOURCE)."""
    return (
        results_visible(campaign)
        and counted_ballots(campaign=campaign) >= rules.min_counted_ballots()
    )


def result_rows(*, campaign: Campaign) -> list[ResultRow]:
    """Counts per member and grade (three queries). Only after the 民主测评 closed; the callers
    check it, and this refuses too. With fewer counted ballots than the minimum the rows carry
    no counts (None)."""
    if not results_visible(campaign):
        raise ValueError("results before the close")
    if not counts_shown(campaign=campaign):
        return [
            ResultRow(participant=participant, counts=None, total=None)
            for participant in campaign.participants.select_related("member").order_by(
                "member__student_no"
            )
        ]
    counts: dict[int, dict[str, int]] = {}
    for member_id, grade, votes in Tally.objects.filter(campaign=campaign).values_list(
        "member_id", "grade", "votes"
    ):
        counts.setdefault(member_id, {})[grade] = votes
    rows = []
    for participant in campaign.participants.select_related("member").order_by(
        "member__student_no"
    ):
        row = {g: counts.get(participant.member_id, {}).get(g, 0) for g in Grade.values}
        rows.append(ResultRow(participant=participant, counts=row, total=sum(row.values())))
    return rows


@dataclass
class Participation:
    eligible: int
    voted: int

    @property
    def rate(self) -> float:
        return self.voted / self.eligible if self.eligible else 0.0


def participation(*, campaign: Campaign) -> Participation:
    return Participation(eligible=campaign.participants.count(), voted=campaign.ballots.count())


@dataclass
class ReportRow:
    """One branch's campaign in a report: decided grades by count, participation."""

    unit: Unit
    campaign: Campaign | None
    participants: int = 0
    voted: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    undecided: int = 0

    @property
    def participation(self) -> float:
        return self.voted / self.participants if self.participants else 0.0

    def share(self, grade: str) -> float:
        return self.grades.get(grade, 0) / self.participants if self.participants else 0.0

    @property
    def cells(self) -> list[tuple[str, str, int, float]]:
        """(grade, label, decided count, share of the participants) in the order of Grade."""
        return [
            (value, label, self.grades.get(value, 0), self.share(value))
            for value, label in Grade.choices
        ]


def latest_campaign_year(*, unit: Unit, years) -> int | None:
    """The latest of `years` with a campaign in a branch at or under `unit` (one query)."""
    return Campaign.objects.filter(
        unit__path__startswith=unit.path, unit__kind=UnitKind.BRANCH, year__in=list(years)
    ).aggregate(latest=Max("year"))["latest"]


def report_rows(*, unit: Unit, year: int, branches: list[Unit] | None = None) -> list[ReportRow]:
    """Per branch at or under `unit` (a branch, a 院系党委, the university): its campaign of `year`,
    decided grades by count and participation. Four queries whatever the number of branches (three
    when the caller has the branches, in path order)."""
    if branches is None:
        branches = list(
            Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.BRANCH).order_by("path")
        )
    campaigns = {
        c.unit_id: c
        for c in Campaign.objects.filter(unit__in=branches, year=year).annotate(
            n_participants=Count("participants", distinct=True),
            n_voted=Count("ballots", distinct=True),
        )
    }
    grades: dict[int, dict[str, int]] = {}
    for campaign_id, grade, n in (
        Participant.objects.filter(campaign__in=list(campaigns.values()))
        .values_list("campaign_id", "decided_grade")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "decided_grade", "n")
    ):
        grades.setdefault(campaign_id, {})[grade] = n
    rows = []
    for branch in branches:
        campaign = campaigns.get(branch.pk)
        if campaign is None:
            rows.append(ReportRow(unit=branch, campaign=None))
            continue
        counted = grades.get(campaign.pk, {})
        rows.append(
            ReportRow(
                unit=branch,
                campaign=campaign,
                participants=campaign.n_participants,
                voted=campaign.n_voted,
                grades={g: counted.get(g, 0) for g in Grade.values},
                undecided=counted.get("", 0),
            )
        )
    return rows


def report_total(rows: list[ReportRow]) -> ReportRow:
    total = ReportRow(unit=None, campaign=None, grades=dict.fromkeys(Grade.values, 0))
    for row in rows:
        total.participants += row.participants
        total.voted += row.voted
        total.undecided += row.undecided
        for grade, n in row.grades.items():
            total.grades[grade] += n
    return total


def my_member(*, user) -> Member | None:
    return member_of_user(user=user)


def ballot_counted(*, campaign: Campaign, participant: Participant) -> bool:
    """Whether this participant's ballot is added to the counters (rules.PROBATIONARY_RATINGS_SOURCE)."""
    return campaign.probationary_counted or participant.stage not in rules.PROBATIONARY_STAGES


def follow_ups(*, campaign: Campaign):
    return (
        FollowUp.objects.filter(participant__campaign=campaign)
        .select_related("participant__member")
        .order_by("participant__member__student_no", "created_at")
    )
