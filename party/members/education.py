"""Members' yearly study (学时): the required line and where each member stands.

The line (docs/domain.md): at least DANGKE["MEMBER_YEARLY_HOURS"] (32) 学时 a year
(《中国共产党党员教育管理工作条例》(2019) art. 20); DANGKE["COMMITTEE_YEARLY_HOURS"] (56) for 书记 and
委员 of a Party organisation (《2019—2023年全国党员教育培训工作规划》) — a member who held a committee
post (COMMITTEE_ROLES) on any day of the year. What was earned comes from learning's ledger through
party.members.checks.yearly_hours (every source: micro-lessons, training, organisation life).

`yearly_standing` is THE function for it (the member's pages, the unit list, its export, the API and
party statistics call it); two queries whatever the number of members."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from party.members.checks import yearly_hours
from party.organisation.models import COMMITTEE_ROLES, UnitPost

MEMBER_SOURCE = "《中国共产党党员教育管理工作条例》（2019）第二十条"
COMMITTEE_SOURCE = "《2019—2023年全国党员教育培训工作规划》"


def hours_text(value: Decimal) -> str:
    """12.50 → "12.5", 32.00 → "32", 0.25 → "0.25"."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class YearlyStanding:
    earned: Decimal | None  # None: no app provides the ledger
    required: Decimal
    committee: bool

    @property
    def below(self) -> bool:
        return self.earned is None or self.earned < self.required

    @property
    def missing(self) -> Decimal:
        return max(self.required - (self.earned or Decimal("0")), Decimal("0"))

    @property
    def source(self) -> str:
        return COMMITTEE_SOURCE if self.committee else MEMBER_SOURCE

    @property
    def earned_text(self) -> str:
        return "—" if self.earned is None else hours_text(self.earned)

    @property
    def required_text(self) -> str:
        return hours_text(self.required)

    @property
    def missing_text(self) -> str:
        return hours_text(self.missing)

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int((self.earned or 0) * 100 / self.required))


def required_hours(*, committee: bool) -> Decimal:
    key = "COMMITTEE_YEARLY_HOURS" if committee else "MEMBER_YEARLY_HOURS"
    return Decimal(settings.DANGKE[key])


# Above this many members, committee_member_ids reads every committee post of the year and keeps
# those of the members asked (a few thousand rows at university size) rather than sending their
# ids as query parameters (30,000 at university size: slow to build, and past SQLite's limit).
MANY_MEMBERS = 1000


def committee_member_ids(*, member_ids, year: int) -> set[int]:
    """Members who held a committee post on some day of `year` (one query)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    member_ids = set(member_ids)
    posts = UnitPost.objects.filter(role__in=COMMITTEE_ROLES, starts_on__lte=end).exclude(
        ends_on__lt=start
    )
    if len(member_ids) <= MANY_MEMBERS:
        posts = posts.filter(member_id__in=member_ids)
    return set(posts.values_list("member_id", flat=True)) & member_ids


def yearly_standing(*, members, year: int) -> dict[int, YearlyStanding]:
    """{member pk: YearlyStanding} for `members` (Member objects with pk and user_id loaded)."""
    members = list(members)
    earned = yearly_hours(members=members, year=year)
    committee = committee_member_ids(member_ids=[m.pk for m in members], year=year)
    required = {flag: required_hours(committee=flag) for flag in (False, True)}
    return {
        m.pk: YearlyStanding(
            earned=None if earned is None else earned[m.pk],
            required=required[m.pk in committee],
            committee=m.pk in committee,
        )
        for m in members
    }


def own_yearly_standing(*, member, year: int) -> YearlyStanding | None:
    """The standing of the user's own record (member_of_user, with current_stage), or None when
    they are not a Party member (预备/正式): applicants and activists have no yearly line."""
    from party.members.models import MEMBER_STAGES

    if member is None or getattr(member, "current_stage", None) not in MEMBER_STAGES:
        return None
    return yearly_standing(members=[member], year=year)[member.pk]
