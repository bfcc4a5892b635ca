"""Demo 党费: twelve months of bases and payments for the demo branches that have a 书记 account
(who keeps their dues): staff pay by salary bracket, students 0.20 元; most pay by quarter; the
`member` account (王老师) is two months behind, 赵老师 has paid nothing for seven months (the
党章第九条 flag). Recorded through the services, as the 书记. 冯六一, who moved from
本科生第一党支部 to 研究生党支部 three months ago (party.members' demo), paid his old branch up to
two months before the move: its grid and behind list mark him 已转至研究生党支部 with the two
months still owed there; 研究生党支部's grid (组织部, `orgadmin`) has his months from the move.
Idempotent: a member with a base is left alone."""

from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from party.dues import selectors, services, summary
from party.dues.models import DuesBase
from party.dues.rules import ZERO, Category, monthly_amount
from party.dues.values import add_months
from party.members.models import Member

BRANCH_KEEPERS = ("secretary", "secretary2")  # their branches' dues are in the demo
DECLARED = {"T1001": "8500", "T1002": "6200", "T1003": "4800"}  # after-tax monthly salaries
UNPAID_MONTHS = {"T1002": 2, "T1003": 7}  # the last months left unpaid


def demo_dues_ensure() -> None:
    users = get_user_model().objects.filter(username__in=BRANCH_KEEPERS)
    this_month = selectors.this_month()
    first = add_months(this_month, -12)
    last = add_months(this_month, -1)
    today = timezone.localdate()
    for user in users:
        for unit in selectors.finance_units(user=user):
            for member in Member.objects.filter(unit=unit).order_by("student_no"):
                if DuesBase.objects.filter(member=member).exists():
                    continue
                _member_year(user, member, first, last, today)
            for member in selectors.branch_members(unit=unit).exclude(unit=unit):
                if not DuesBase.objects.filter(member=member).exists():
                    _moved_member_year(user, unit, member, first, last, today)
    summary.update()  # the summary holds the demo's months (the periodic job would, later)


def _member_year(user, member, first: date, last: date, today: date) -> None:
    books = selectors.ledgers(members=[member], first=first, last=last)[member.pk]
    if not any(line.member_in_month for line in books.lines):
        return  # not a Party member in the year: owes nothing
    declared = DECLARED.get(member.student_no)
    services.base_set(
        by_user=user,
        member=member,
        starts_on=first,
        category=Category.SALARIED if declared else Category.STUDENT,
        declared_base=declared,
        note="演示数据",
    )
    books = selectors.ledgers(members=[member], first=first, last=last)[member.pk]
    owed = [line for line in books.lines if line.owed > ZERO]
    unpaid = UNPAID_MONTHS.get(member.student_no, 0)
    to_pay = owed[: len(owed) - unpaid] if unpaid else owed
    for start in range(0, len(to_pay), 3):  # 按季度: three months in one payment
        quarter = to_pay[start : start + 3]
        paid_on = min(add_months(quarter[-1].month, 1).replace(day=5), today)
        services.payment_record(
            by_user=user,
            member=member,
            months=[line.month for line in quarter],
            amount=sum((line.owed for line in quarter), ZERO),
            paid_on=paid_on,
            note="演示数据",
        )


def _moved_member_year(user, unit, member, first: date, last: date, today: date) -> None:
    """A member who moved out of the 书记's branch (校内转接): a student's 0.20 元 from `first`
    (written as the old branch set it before the move: base_set is the branch of today's), the
    months in the old branch paid by quarter except the last two, the new branch's left unpaid."""
    base = DuesBase.objects.create(
        member=member,
        starts_on=first,
        category=Category.STUDENT,
        monthly_amount=monthly_amount(category=Category.STUDENT),
        note="演示数据",
        recorded_by=user,
    )
    summary.refresh(member_ids=[member.pk], since=base.starts_on)
    books = selectors.branch_ledgers(unit=unit, members=[member], first=first, last=last)
    owed = [line for line in books[member.pk].lines if line.in_branch and line.owed > ZERO]
    to_pay = owed[:-2]
    for start in range(0, len(to_pay), 3):
        quarter = to_pay[start : start + 3]
        services.payment_record(
            by_user=user,
            member=member,
            months=[line.month for line in quarter],
            amount=sum((line.owed for line in quarter), ZERO),
            paid_on=min(add_months(quarter[-1].month, 1).replace(day=5), today),
            note="演示数据",
        )
