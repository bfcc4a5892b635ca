"""Demo 民主评议 for `load_demo`: the `secretary` account's 本科生第一党支部 (演示学院党委) has last
year's campaign finished and published, and this year's with its 民主测评 open, so that `member`
and `secretary` can each vote once after `make run`. Everything goes through the services (the
ballots too, so the counters are real). Idempotent: a year that has a campaign is left alone."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from party.appraisal import services
from party.appraisal.models import Campaign, Grade
from party.organisation.models import Unit, UnitKind

COLLEGE = "演示学院党委"
BRANCH = "本科生第一党支部"
# Last year's grades as decided by the 支部大会 (by 学号); the others 合格. One 优秀 of five
# stays within the default 30 % (rules.excellent_limit: 5 × 30 % → 1).
LAST_YEAR_GRADES = {"T1002": Grade.EXCELLENT, "D2025006": Grade.BASIC}
LAST_YEAR_SELF = {
    "secretary": "带头学习党的创新理论，按时组织“三会一课”；对青年党员的联系还不够经常，明年改进。",
    "member": "认真完成教学任务，担任入党积极分子培养联系人；理论学习的系统性有待加强。",
}


def _branch() -> Unit | None:
    college = Unit.objects.filter(kind=UnitKind.COLLEGE, name=COLLEGE).first()
    if college is None:
        return None
    return college.get_children().filter(kind=UnitKind.BRANCH, name=BRANCH).first()


def _last_year(*, secretary, voters, branch: Unit, year: int) -> None:
    plan = services.planned_dates(date(year, 11, 3))
    (campaign,) = services.campaign_open(by_user=secretary, unit=branch, year=year, dates=plan)
    for user in voters:
        services.self_assessment_save(
            user=user, campaign_id=campaign.pk, text=LAST_YEAR_SELF.get(user.username, "")
        )
    services.campaign_advance(by_user=secretary, campaign_id=campaign.pk)  # → 民主测评
    grades = {
        p.member_id: LAST_YEAR_GRADES.get(p.member.student_no, Grade.QUALIFIED)
        for p in campaign.participants.select_related("member")
    }
    for user in voters:
        own = user.party_member.pk
        services.vote_cast(
            user=user,
            campaign_id=campaign.pk,
            ratings={m: g for m, g in grades.items() if m != own},
        )
    services.campaign_advance(by_user=secretary, campaign_id=campaign.pk)  # → 支委会
    services.proposals_set(by_user=secretary, campaign_id=campaign.pk, proposals=grades)
    services.campaign_advance(by_user=secretary, campaign_id=campaign.pk)  # → 支部大会
    services.decision_record(
        by_user=secretary, campaign_id=campaign.pk, decided_on=plan["decision_from"]
    )
    services.campaign_advance(by_user=secretary, campaign_id=campaign.pk)  # → 公布
    # The phases were moved on today; last year's campaign keeps last year's days, and the
    # ballots their day of the 民主测评.
    Campaign.objects.filter(pk=campaign.pk).update(**plan)
    campaign.ballots.update(cast_on=plan["peer_rating_from"])


def demo_appraisal_ensure() -> None:
    branch = _branch()
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["secretary", "member"])
    }
    secretary = users.get("secretary")
    if branch is None or secretary is None:
        return
    voters = [u for u in users.values() if getattr(u, "party_member", None) is not None]
    year = timezone.localdate().year
    if not Campaign.objects.filter(unit=branch, year=year - 1).exists():
        _last_year(secretary=secretary, voters=voters, branch=branch, year=year - 1)
    if not Campaign.objects.filter(unit=branch, year=year).exists():
        plan = services.planned_dates(timezone.localdate() - timedelta(days=7))
        (campaign,) = services.campaign_open(by_user=secretary, unit=branch, year=year, dates=plan)
        services.campaign_advance(by_user=secretary, campaign_id=campaign.pk)  # → 民主测评
