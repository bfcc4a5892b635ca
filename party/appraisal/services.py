"""Writes of 民主评议党员: opening campaigns, moving the phase on, the 自我评价, the secret ballot,
the committee's proposals, the 支部大会's decision and the follow-up of 不合格 members. Each write
is one transaction: a refusal leaves nothing written."""

import random
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from party.appraisal import rules
from party.appraisal.exceptions import (
    AlreadyVotedError,
    AppraisalError,
    NotParticipantError,
    OutOfScopeError,
)
from party.appraisal.models import (
    PHASE_ORDER,
    BallotCast,
    Campaign,
    FollowUp,
    FollowUpAction,
    Grade,
    Participant,
    Phase,
    Tally,
)
from party.appraisal.selectors import ballot_counted, eligible_members
from party.meetings.models import Meeting, MeetingKind
from party.members.models import Member
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import unit_scope

PHASE_DATE_FIELD = {
    Phase.SELF_ASSESSMENT: "self_assessment_from",
    Phase.PEER_RATING: "peer_rating_from",
    Phase.PROPOSAL: "proposal_from",
    Phase.DECISION: "decision_from",
    Phase.PUBLISHED: "published_on",
}


def planned_dates(start: date) -> dict[str, date]:
    """Default plan from the first day: each phase PHASE_DEFAULT_DAYS long."""
    dates, day = {}, start
    for phase in PHASE_ORDER:
        dates[PHASE_DATE_FIELD[phase]] = day
        day = day + timedelta(days=rules.PHASE_DEFAULT_DAYS.get(phase, 0))
    return dates


def _check_dates(dates: dict[str, date]) -> None:
    days = [dates[PHASE_DATE_FIELD[p]] for p in PHASE_ORDER]
    if any(later < earlier for earlier, later in zip(days, days[1:], strict=False)):
        raise AppraisalError(_("各阶段的日期必须依次排列。"), code="dates")


def _open_one(*, by_user, branch: Unit, year: int, dates: dict[str, date]) -> Campaign:
    members = list(eligible_members(unit=branch))
    if len(members) < 2:
        raise AppraisalError(
            _("%(unit)s 的党员不足两名，不能开展民主测评。") % {"unit": branch.name},
            code="too_few_members",
        )
    campaign = Campaign.objects.create(
        unit=branch,
        year=year,
        excellent_max_percent=rules.excellent_max_percent(),
        probationary_counted=rules.probationary_ratings_counted(),
        opened_by=by_user,
        **dates,
    )
    Participant.objects.bulk_create(
        [Participant(campaign=campaign, member=m, stage=m.current_stage) for m in members]
    )
    # Every counter exists from the start, in an order that depends on nothing but the roster:
    # a ballot only ever changes numbers, never adds a row (see models.Tally).
    Tally.objects.bulk_create(
        [Tally(campaign=campaign, member=m, grade=g) for m in members for g in Grade.values]
    )
    return campaign


@transaction.atomic
def campaign_open(
    *, by_user, unit: Unit, year: int, dates: dict[str, date] | None = None
) -> list[Campaign]:
    """A 支部书记/支委 opens the campaign of their branch; a 组织员 (or 组织部) opens it for a
    院系党委's branches at once (those that have none for the year yet). Participants are the
    branch's Party members today; every counter is created at zero."""
    if not unit_scope(user=by_user).covers(unit):
        raise OutOfScopeError(_("无权为该党组织开展民主评议。"), code="scope")
    if not 2000 <= int(year) <= 2100:
        raise AppraisalError(_("年度无效。"), code="year")
    dates = dates or planned_dates(timezone.localdate())
    _check_dates(dates)
    if unit.kind == UnitKind.BRANCH:
        if Campaign.objects.filter(unit=unit, year=year).exists():
            raise AppraisalError(
                _("%(unit)s %(year)s 年度的民主评议已开启。") % {"unit": unit.name, "year": year},
                code="exists",
            )
        return [_open_one(by_user=by_user, branch=unit, year=year, dates=dates)]
    if unit.kind not in (UnitKind.COLLEGE, UnitKind.UNIVERSITY):
        raise AppraisalError(_("民主评议由党支部开展。"), code="unit_kind")
    branches = Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.BRANCH).exclude(
        appraisal_campaigns__year=year
    )
    opened = []
    for branch in branches.order_by("path"):
        if eligible_members(unit=branch).count() >= 2:
            opened.append(_open_one(by_user=by_user, branch=branch, year=year, dates=dates))
    if not opened:
        raise AppraisalError(
            _("没有可以开启民主评议的党支部（均已开启或党员不足两名）。"), code="none_to_open"
        )
    return opened


def _managed(by_user, campaign: Campaign) -> None:
    if not unit_scope(user=by_user).covers(campaign.unit):
        raise OutOfScopeError(_("民主评议不存在。"), code="not_found")


@transaction.atomic
def campaign_advance(*, by_user, campaign_id: int) -> Campaign:
    """Move to the next phase (today becomes its date). Closing the 民主测评 makes the counts
    readable; publishing needs every participant's grade decided."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise OutOfScopeError(_("民主评议不存在。"), code="not_found")
    _managed(by_user, campaign)
    index = campaign.phase_index()
    if index + 1 >= len(PHASE_ORDER):
        raise AppraisalError(_("民主评议已结束。"), code="finished")
    following = PHASE_ORDER[index + 1]
    if following == Phase.PUBLISHED and (
        campaign.decided_on is None or campaign.participants.filter(decided_grade="").exists()
    ):
        raise AppraisalError(_("请先记录支部大会对每名党员的评定结果。"), code="decision_missing")
    campaign.phase = following
    setattr(campaign, PHASE_DATE_FIELD[following], timezone.localdate())
    campaign.save(update_fields=["phase", PHASE_DATE_FIELD[following]])
    return campaign


def self_assessment_save(*, user, campaign_id: int, text: str) -> Participant:
    """A participant's 自我评价, saved as they type (the last text wins). Open until the
    committee starts its proposals."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise OutOfScopeError(_("民主评议不存在。"), code="not_found")
    participant = Participant.objects.filter(campaign=campaign, member__user=user).first()
    if participant is None:
        raise NotParticipantError(_("您不是本次民主评议的参评党员。"), code="not_participant")
    if campaign.reached(Phase.PROPOSAL):
        raise AppraisalError(_("个人自评已结束，不能再修改。"), code="closed")
    text = text or ""
    if len(text) > rules.SELF_ASSESSMENT_MAX_CHARS:
        raise AppraisalError(
            _("自我评价不能超过 %(n)d 字。") % {"n": rules.SELF_ASSESSMENT_MAX_CHARS},
            code="too_long",
        )
    participant.self_assessment = text
    participant.self_assessment_saved_at = timezone.now()
    participant.save(update_fields=["self_assessment", "self_assessment_saved_at"])
    return participant


def _voter(*, user, campaign: Campaign) -> Participant:
    member = Member.objects.filter(user=user).only("pk", "unit_id").first() if user else None
    if member is None:
        raise NotParticipantError(_("您没有党员档案，不能参加民主测评。"), code="not_member")
    participant = Participant.objects.filter(campaign=campaign, member=member).first()
    if participant is None:
        if member.unit_id != campaign.unit_id:
            raise NotParticipantError(
                _("您不是该党支部的党员，不能参加该支部的民主测评。"), code="other_branch"
            )
        raise NotParticipantError(
            _("您不是本次民主评议的参评党员（开启时不是本支部的党员）。"),
            code="not_participant",
        )
    return participant


def _check_ballot(*, campaign: Campaign, voter: Participant, ratings: dict[int, str]) -> None:
    others = set(campaign.participants.exclude(pk=voter.pk).values_list("member_id", flat=True))
    if voter.member_id in ratings:
        raise AppraisalError(_("不能给自己测评。"), code="self")
    unknown = set(ratings) - others
    if unknown:
        raise AppraisalError(_("选票中有不属于本次测评的党员。"), code="unknown_member")
    if set(ratings) != others:
        raise AppraisalError(
            _("请为每一名党员选择等次（还有 %(n)d 名未评）。") % {"n": len(others - set(ratings))},
            code="incomplete",
        )
    if any(grade not in Grade.values for grade in ratings.values()):
        raise AppraisalError(_("等次只能是优秀、合格、基本合格或不合格。"), code="grade")


def vote_cast(*, user, campaign_id: int, ratings: dict[int, str]) -> None:
    """One secret ballot: `ratings` maps every other participant's member id to a grade.

    Written in one transaction: the has-voted row (campaign, member, day) and one UPDATE that
    adds the ballot to the campaign's counters while rewriting every counter of the campaign, so
    all of them carry this transaction's stamp, not only those the ballot raised. Nothing else is
    written or logged. A 预备党员's ballot is recorded as cast but not added when the campaign
    does not count it (rules.PROBATIONARY_RATINGS_SOURCE). Refused, with nothing counted: no
    campaign, not a member, another branch, before the opening or after the close, an
    incomplete or foreign ballot, and twice (409)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise OutOfScopeError(_("民主评议不存在。"), code="not_found")
    voter = _voter(user=user, campaign=campaign)
    _check_phase(campaign)
    if BallotCast.objects.filter(campaign=campaign, member_id=voter.member_id).exists():
        raise AlreadyVotedError(_("您已参加本次民主测评，每人只能投票一次。"), code="already")
    ratings = {int(k): v for k, v in ratings.items()}
    _check_ballot(campaign=campaign, voter=voter, ratings=ratings)
    counted = ballot_counted(campaign=campaign, participant=voter)
    try:
        with transaction.atomic():
            # The campaign row is locked so that a close cannot slip in between the check and
            # the count; the phase is checked again under the lock.
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            _check_phase(campaign)
            BallotCast.objects.create(
                campaign=campaign, member_id=voter.member_id, cast_on=timezone.localdate()
            )
            if counted:
                _count(campaign=campaign, ratings=ratings)
    except IntegrityError as exc:  # the same member's second ballot at the same moment
        raise AlreadyVotedError(
            _("您已参加本次民主测评，每人只能投票一次。"), code="already"
        ) from exc


def _check_phase(campaign: Campaign) -> None:
    if campaign.phase == Phase.SELF_ASSESSMENT:
        raise AppraisalError(_("民主测评尚未开始。"), code="not_open")
    if campaign.phase != Phase.PEER_RATING:
        raise AppraisalError(_("民主测评已结束，不能再投票。"), code="closed")


def _count(*, campaign: Campaign, ratings: dict[int, str]) -> None:
    """Add one ballot to the counters: a single UPDATE over all counters of the campaign (+1 for
    those the ballot names, +0 for the rest). The conditions are built in random order, so not
    even the statement's text follows the order of the form."""
    conditions = [When(member_id=m, grade=g, then=Value(1)) for m, g in ratings.items()]
    random.shuffle(conditions)
    Tally.objects.filter(campaign=campaign).update(
        votes=F("votes") + Case(*conditions, default=Value(0))
    )


def _check_excellent_share(campaign: Campaign, grades: dict[int, str]) -> None:
    limit = rules.excellent_limit(campaign.participants.count(), campaign.excellent_max_percent)
    excellent = sum(1 for g in grades.values() if g == Grade.EXCELLENT)
    if excellent > limit:
        raise AppraisalError(
            _("评为优秀的人数（%(n)d）超过上限：参评党员的 %(percent)d%%，即 %(limit)d 名。")
            % {"n": excellent, "percent": campaign.excellent_max_percent, "limit": limit},
            code="excellent_share",
        )


def _grades_with(campaign: Campaign, field: str, changes: dict[int, str]) -> dict[int, str]:
    grades = dict(campaign.participants.values_list("member_id", field))
    unknown = set(changes) - set(grades)
    if unknown:
        raise AppraisalError(_("有党员不是本次民主评议的参评党员。"), code="unknown_member")
    if any(g not in Grade.values for g in changes.values()):
        raise AppraisalError(_("等次只能是优秀、合格、基本合格或不合格。"), code="grade")
    grades.update(changes)
    return grades


@transaction.atomic
def proposals_set(
    *, by_user, campaign_id: int, proposals: dict[int, str], notes: dict[int, str] | None = None
) -> Campaign:
    """The 支部委员会 proposes grades (member id → grade), after seeing tallies and 自我评价.
    The 优秀 share is checked over all proposals together."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise OutOfScopeError(_("民主评议不存在。"), code="not_found")
    _managed(by_user, campaign)
    if campaign.phase != Phase.PROPOSAL:
        raise AppraisalError(_("只有在“支委会提出评定意见”阶段才能填写评定意见。"), code="phase")
    grades = _grades_with(campaign, "proposed_grade", proposals)
    _check_excellent_share(campaign, grades)
    notes = notes or {}
    for participant in campaign.participants.filter(member_id__in=list(proposals)):
        participant.proposed_grade = proposals[participant.member_id]
        participant.proposal_note = (notes.get(participant.member_id) or "").strip()[:300]
        participant.save(update_fields=["proposed_grade", "proposal_note"])
    return campaign


@transaction.atomic
def decision_record(
    *,
    by_user,
    campaign_id: int,
    decided_on: date,
    grades: dict[int, str] | None = None,
    meeting: Meeting | None = None,
) -> Campaign:
    """The 支部大会's decision: a grade for every participant (default: the committee's
    proposal), the day, and the meeting when it is one recorded in organisation life (a 支部党员
    大会 of the same branch)."""
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise OutOfScopeError(_("民主评议不存在。"), code="not_found")
    _managed(by_user, campaign)
    if campaign.phase != Phase.DECISION:
        raise AppraisalError(_("只有在“支部大会评定”阶段才能记录评定结果。"), code="phase")
    if meeting is not None and (
        meeting.unit_id != campaign.unit_id or meeting.kind != MeetingKind.PARTY_CONGRESS
    ):
        raise AppraisalError(_("评定会议必须是本支部的支部党员大会。"), code="meeting")
    proposed = dict(campaign.participants.values_list("member_id", "proposed_grade"))
    decided = {m: g for m, g in proposed.items() if g}
    decided = _grades_with(campaign, "decided_grade", {**decided, **(grades or {})})
    missing = [m for m, g in decided.items() if not g]
    if missing:
        raise AppraisalError(
            _("还有 %(n)d 名党员没有评定等次。") % {"n": len(missing)}, code="incomplete"
        )
    _check_excellent_share(campaign, decided)
    for participant in campaign.participants.all():
        participant.decided_grade = decided[participant.member_id]
        participant.save(update_fields=["decided_grade"])
    campaign.decided_on = decided_on
    campaign.decision_meeting = meeting
    campaign.save(update_fields=["decided_on", "decision_meeting"])
    return campaign


@transaction.atomic
def follow_up_add(
    *,
    by_user,
    participant_id: int,
    action: str,
    deadline: date | None = None,
    note: str = "",
) -> FollowUp:
    """A follow-up for a member graded 不合格 (限期改正 needs a deadline)."""
    participant = (
        Participant.objects.select_related("campaign__unit").filter(pk=participant_id).first()
    )
    if participant is None:
        raise OutOfScopeError(_("参评党员不存在。"), code="not_found")
    _managed(by_user, participant.campaign)
    if participant.decided_grade != Grade.UNQUALIFIED:
        raise AppraisalError(_("只有评定为不合格的党员需要处置记录。"), code="not_unqualified")
    if action not in FollowUpAction.values:
        raise AppraisalError(_("未知的处置方式。"), code="action")
    if action == FollowUpAction.RECTIFY and deadline is None:
        raise AppraisalError(_("限期改正需要填写改正期限。"), code="deadline")
    return FollowUp.objects.create(
        participant=participant,
        action=action,
        deadline=deadline,
        note=(note or "").strip(),
        recorded_by=by_user,
    )


@transaction.atomic
def follow_up_close(*, by_user, follow_up_id: int, outcome: str, closed_on: date) -> FollowUp:
    follow_up = (
        FollowUp.objects.select_related("participant__campaign__unit")
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None:
        raise OutOfScopeError(_("处置记录不存在。"), code="not_found")
    _managed(by_user, follow_up.participant.campaign)
    if not (outcome or "").strip():
        raise AppraisalError(_("请填写处置结果。"), code="outcome")
    follow_up.outcome = outcome.strip()
    follow_up.closed_on = closed_on
    follow_up.save(update_fields=["outcome", "closed_on"])
    return follow_up
