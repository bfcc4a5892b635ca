"""Reads of 党费: who may manage or see what, and the ledger — what each member owes and paid per
month — from which the behind list, the 党章第九条 flag, 我的党费 and the reports are all made
(one calculation, so they agree to the 分).

Scope: every read starts from party.organisation.selectors.unit_scope; the finance roles
(组织委员, 书记) of a branch manage its dues; everyone else with the branch in scope (支委, 组织员 of
the 院系党委, 组织部) sees amounts only; a member sees their own."""

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils import timezone

from party.dues.models import ArrearsReason, DuesBase, Payment, PaymentMonth
from party.dues.rules import BEHIND_MONTHS, FEN, SIX_MONTHS, ZERO, yuan
from party.dues.values import add_months, month_span
from party.members.models import MEMBER_STAGES, Member, StageChange
from party.members.selectors import party_memberships
from party.organisation.models import PostRole, Unit, UnitKind, active_on_q
from party.organisation.selectors import UnitScope, unit_scope

# Who keeps a branch's dues: the 组织委员 and the 书记 (docs/party.md "党费").
FINANCE_ROLES = (PostRole.ORGANISATION, PostRole.SECRETARY)
# How far back the behind list and the flag look.
HISTORY_MONTHS = 36


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def finance_units(*, user, scope: UnitScope | None = None) -> QuerySet[Unit]:
    """Branches whose dues `user` keeps: in their scope, and an active 组织委员/书记 post there."""
    scope = scope or unit_scope(user=user)
    if scope.empty or not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    day = timezone.localdate()
    return (
        Unit.objects.filter(
            scope.q(),
            active_on_q(day, "posts__"),
            kind=UnitKind.BRANCH,
            posts__member__user=user,
            posts__role__in=FINANCE_ROLES,
        )
        .distinct()
        .order_by("path")
    )


def report_units(*, user, scope: UnitScope | None = None) -> QuerySet[Unit]:
    """Branches whose dues reports `user` may read (amounts only): every branch in their scope."""
    scope = scope or unit_scope(user=user)
    if scope.empty:
        return Unit.objects.none()
    return Unit.objects.filter(scope.q(), kind=UnitKind.BRANCH).order_by("path")


def members_managed(*, user) -> QuerySet[Member]:
    return Member.objects.filter(unit__in=finance_units(user=user))


def can_see_declared_base(*, user, member: Member) -> bool:
    """The declared salary/pension base is the member's and the branch finance roles' only."""
    if member.user_id and member.user_id == getattr(user, "pk", None):
        return True
    return finance_units(user=user).filter(pk=member.unit_id).exists()


def base_history(*, member: Member) -> list[DuesBase]:
    return list(
        member.dues_bases.select_related("recorded_by").order_by("-starts_on", "-recorded_at")
    )


def _in_force(bases: list[DuesBase], month: date) -> DuesBase | None:
    """The base in force in `month`: the latest start on or before it, the later record on a tie
    (`bases` sorted by starts_on, recorded_at, id)."""
    found = None
    for base in bases:
        if base.starts_on > month:
            break
        found = base
    return found


def _counted_day(month: date, today: date) -> date:
    """A member owes for a month when a Party member on its last day (or today, this month)."""
    last = month.replace(day=monthrange(month.year, month.month)[1])
    return min(last, today)


@dataclass
class MonthLine:
    month: date
    owed: Decimal
    paid: Decimal
    member_in_month: bool
    has_base: bool
    excused: bool = False

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


@dataclass
class MemberLedger:
    member: Member
    lines: list[MonthLine] = field(default_factory=list)

    @property
    def owed(self) -> Decimal:
        return sum((line.owed for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid

    def line(self, month: date) -> MonthLine | None:
        return next((line for line in self.lines if line.month == month), None)


def ledgers(*, members, first: date, last: date) -> dict[int, MemberLedger]:
    """Each member's owed and paid per month from `first` to `last`. Four queries, whatever the
    number of members or months."""
    members = list(members)
    ids = [m.pk for m in members]
    today = timezone.localdate()
    bases: dict[int, list[DuesBase]] = defaultdict(list)
    for base in DuesBase.objects.filter(member_id__in=ids, starts_on__lte=last).order_by(
        "starts_on", "recorded_at", "id"
    ):
        bases[base.member_id].append(base)
    memberships = party_memberships(member_ids=ids)
    paid: dict[tuple[int, date], Decimal] = {  # yuan(): SQLite sums decimals as floats
        (row["member_id"], row["month"]): yuan(row["total"])
        for row in PaymentMonth.objects.filter(member_id__in=ids, month__range=(first, last))
        .values("member_id", "month")
        .annotate(total=Sum("amount"))
    }
    reasons: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for member_id, starts_on, ends_on in ArrearsReason.objects.filter(
        member_id__in=ids, starts_on__lte=last, ends_on__gte=first
    ).values_list("member_id", "starts_on", "ends_on"):
        reasons[member_id].append((starts_on, ends_on))
    result = {}
    for member in members:
        ledger = MemberLedger(member=member)
        for month in month_span(first, last):
            base = _in_force(bases[member.pk], month)
            is_member = memberships[member.pk].on(_counted_day(month, today))
            owed = base.monthly_amount if (base and is_member) else ZERO
            ledger.lines.append(
                MonthLine(
                    month=month,
                    owed=owed,
                    paid=paid.get((member.pk, month), ZERO),
                    member_in_month=is_member,
                    has_base=base is not None,
                    excused=any(a <= month <= b for a, b in reasons[member.pk]),
                )
            )
        result[member.pk] = ledger
    return result


@dataclass
class Arrears:
    member: Member
    late_months: list[date]  # over months with something still owed
    outstanding: Decimal
    unpaid_run: int  # consecutive months, up to last month, with nothing paid and no reason

    @property
    def flagged(self) -> bool:
        """党章第九条: six consecutive months without paying and without a recorded reason."""
        return self.unpaid_run >= SIX_MONTHS


def arrears(*, members) -> list[Arrears]:
    """Members with BEHIND_MONTHS or more late months (up to last month), most behind first."""
    last = add_months(this_month(), -1)
    first = add_months(last, -(HISTORY_MONTHS - 1))
    result = []
    for ledger in ledgers(members=members, first=first, last=last).values():
        late = [line for line in ledger.lines if line.outstanding > 0]
        run = 0
        for line in reversed(ledger.lines):
            if line.owed > 0 and line.paid <= 0 and not line.excused:
                run += 1
            else:
                break
        if len(late) >= BEHIND_MONTHS:
            result.append(
                Arrears(
                    member=ledger.member,
                    late_months=[line.month for line in late],
                    outstanding=sum((line.outstanding for line in late), ZERO),
                    unpaid_run=run,
                )
            )
    result.sort(key=lambda a: (-len(a.late_months), a.member.student_no))
    return result


def branch_members(*, unit: Unit) -> QuerySet[Member]:
    return Member.objects.filter(unit=unit).order_by("student_no")


@dataclass
class MonthReportRow:
    member: Member
    owed: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


def month_rows(*, unit: Unit, month: date) -> list[MonthReportRow]:
    """Each member of the branch who owes or paid something in `month`."""
    members = list(branch_members(unit=unit))
    books = ledgers(members=members, first=month, last=month)
    rows = []
    for member in members:
        line = books[member.pk].lines[0]
        if line.owed or line.paid or line.member_in_month:
            rows.append(MonthReportRow(member=member, owed=line.owed, paid=line.paid))
    return rows


@dataclass
class BranchMonth:
    unit: Unit
    month: date
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    members: int = 0
    paid_members: int = 0

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


def _fen(cents) -> Decimal:
    """An integer number of 分 (SQL's sum of ROUND(amount * 100)) as 元."""
    return (Decimal(int(cents or 0)) / 100).quantize(FEN)


# Owed per branch and month, in SQL: the rule of `ledgers` (a member owes the amount of the base in
# force in the month — the latest start on or before it, the later record on a tie — when a Party
# member on the month's counted day, its last day or today) read as spans, not member × month rows.
# LEAD() makes intervals: a base is in force from its start until the next record's start, a stage
# from its decision until the next change (ties: the earlier record's interval is empty, so the
# later one wins, as in Python). Each interval becomes a range of month indexes [lo, hi) by CASE
# comparisons with the months' first days (bases) or counted days (stages) — counted days never
# decrease, so the months whose counted day falls in a stage interval are a range too. A member
# owes a base's amount over the intersection of a base range and a member-stage range; the spans
# are summed per branch and range (a few rows per branch, spread over the months in Python), and
# each month a member paid for is compared with the span covering it (paid ≥ owed: 已交清). Amounts
# are summed as whole 分 (SQLite sums decimals as floats; integers stay exact).
_REPORT_SQL = """
WITH mem AS (SELECT id, unit_id FROM {member} WHERE unit_id IN ({units})),
bases AS (
    SELECT b.member_id, b.starts_on, CAST(ROUND(b.monthly_amount * 100) AS BIGINT) AS fen,
        LEAD(b.starts_on) OVER (
            PARTITION BY b.member_id ORDER BY b.starts_on, b.recorded_at, b.id
        ) AS until
    FROM {base} b JOIN mem ON mem.id = b.member_id
    WHERE b.starts_on <= %s
),
stages AS (
    SELECT s.member_id, s.decided_on, s.stage,
        LEAD(s.decided_on) OVER (PARTITION BY s.member_id ORDER BY s.decided_on, s.id) AS until
    FROM {change} s JOIN mem ON mem.id = s.member_id
),
ranges AS (
    SELECT b.member_id, b.fen,
        {base_lo} AS base_lo, {base_hi} AS base_hi, {stage_lo} AS stage_lo, {stage_hi} AS stage_hi
    FROM bases b JOIN stages s ON s.member_id = b.member_id AND s.stage IN ({member_stages})
),
spans AS (
    SELECT mem.unit_id, r.member_id, r.fen,
        CASE WHEN r.base_lo > r.stage_lo THEN r.base_lo ELSE r.stage_lo END AS lo,
        CASE WHEN r.base_hi < r.stage_hi THEN r.base_hi ELSE r.stage_hi END AS hi
    FROM ranges r JOIN mem ON mem.id = r.member_id
),
paid AS (
    SELECT p.member_id, {paid_ix} AS ix, SUM(CAST(ROUND(p.amount * 100) AS BIGINT)) AS fen
    FROM {paid} p
    WHERE p.member_id IN (SELECT id FROM mem) AND p.month >= %s AND p.month <= %s
    GROUP BY p.member_id, p.month
)
SELECT 0, unit_id, lo, hi, SUM(fen), COUNT(*) FROM spans WHERE lo < hi GROUP BY unit_id, lo, hi
UNION ALL
SELECT 1, mem.unit_id, p.ix, p.ix, SUM(p.fen), SUM(CASE WHEN p.fen >= s.fen THEN 1 ELSE 0 END)
FROM paid p JOIN mem ON mem.id = p.member_id
LEFT JOIN spans s ON s.member_id = p.member_id AND p.ix >= s.lo AND p.ix < s.hi
GROUP BY mem.unit_id, p.ix
"""


def _index_case(column: str, bounds: list[str]) -> str:
    """SQL for the index of the first bound ≥ `column` (len(bounds) when none is, or when the
    column is NULL: an interval that does not end). `bounds` are ascending (%s placeholders)."""
    whens = " ".join(f"WHEN {column} <= %s THEN {i}" for i in range(len(bounds)))
    return f"CASE WHEN {column} IS NULL THEN {len(bounds)} {whens} ELSE {len(bounds)} END"


def branch_report(*, units, first: date, last: date) -> list[BranchMonth]:
    """Owed / paid / outstanding per branch and month (the 院系党委's and 组织部's report): the
    ledger's figures (`ledgers`, summed over each branch's members) aggregated in SQL, one query
    whatever the number of members, branches or months."""
    units = list(units)
    months = month_span(first, last)
    cells = {(u.pk, m): BranchMonth(unit=u, month=m) for u in units for m in months}
    if not cells:
        return []
    ops = connection.ops
    today = timezone.localdate()
    unit_ids = [u.pk for u in units]
    day = ops.adapt_datefield_value
    firsts = [day(m) for m in months]
    counted = [day(_counted_day(m, today)) for m in months]
    sql = _REPORT_SQL.format(
        member=ops.quote_name(Member._meta.db_table),
        base=ops.quote_name(DuesBase._meta.db_table),
        change=ops.quote_name(StageChange._meta.db_table),
        paid=ops.quote_name(PaymentMonth._meta.db_table),
        units=", ".join(["%s"] * len(unit_ids)),
        member_stages=", ".join(["%s"] * len(MEMBER_STAGES)),
        base_lo=_index_case("b.starts_on", firsts),
        base_hi=_index_case("b.until", firsts),
        stage_lo=_index_case("s.decided_on", counted),
        stage_hi=_index_case("s.until", counted),
        paid_ix=_index_case("p.month", firsts),
    )
    params = [
        *unit_ids,
        day(last),
        *firsts,
        *firsts,
        *counted,
        *counted,
        *(str(s) for s in sorted(MEMBER_STAGES)),
        *firsts,
        day(first),
        day(last),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for part, unit_id, lo, hi, fen, count in rows:
        if part == 0:  # a span of months: each owes fen (summed) from `count` members
            for month in months[lo:hi]:
                cell = cells[(unit_id, month)]
                cell.owed += _fen(fen)
                cell.members += count
        else:  # a month paid: the sum, and how many members paid at least what they owe
            cell = cells[(unit_id, months[lo])]
            cell.paid, cell.paid_members = _fen(fen), count or 0
    return list(cells.values())


def _as_date(value) -> date:
    """A DATE column read by a raw query: a date on PostgreSQL, its ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class MonthTotal:
    month: date
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    members: int = 0
    paid_members: int = 0

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid

    @property
    def share(self) -> float:
        """Paid share of what was owed (for the chart), 0–1."""
        return float(self.paid / self.owed) if self.owed else 0.0

    @property
    def paid_share(self) -> float | None:
        """Share of the members who owed something that paid it in full, 0–1 (None: nobody)."""
        return round(self.paid_members / self.members, 4) if self.members else None


def month_totals(*, cells: list[BranchMonth], first: date, last: date) -> list[MonthTotal]:
    """The branches' cells summed per month, `first` to `last` (the one sum the dues report and
    the statistics dashboard both show)."""
    totals = {m: MonthTotal(month=m) for m in month_span(first, last)}
    for cell in cells:
        total = totals[cell.month]
        total.owed += cell.owed
        total.paid += cell.paid
        total.members += cell.members
        total.paid_members += cell.paid_members
    return list(totals.values())


def my_dues(*, user, year: int) -> dict | None:
    """我的党费: the member's months of `year` (up to this month), totals and receipts."""
    member = Member.objects.filter(user=user).select_related("unit").first()
    if member is None:
        return None
    first = date(year, 1, 1)
    last = min(date(year, 12, 1), this_month())
    book = (
        ledgers(members=[member], first=first, last=last)[member.pk]
        if first <= last
        else MemberLedger(member=member)
    )
    receipts = list(
        Payment.objects.filter(member=member, paid_on__year=year)
        .prefetch_related("months")
        .order_by("-paid_on", "-id")
    )
    bases = base_history(member=member)
    return {"member": member, "year": year, "ledger": book, "receipts": receipts, "bases": bases}
