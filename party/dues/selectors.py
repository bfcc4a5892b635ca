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

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from party.dues.models import (
    ArrearsReason,
    DuesBase,
    MonthSummary,
    Payment,
    PaymentMonth,
    SummaryMonth,
)
from party.dues.rules import BEHIND_MONTHS, FEN, SIX_MONTHS, ZERO, yuan
from party.dues.values import add_months, month_span
from party.members.models import Member, MemberTransfer
from party.members.selectors import UnitHistory, party_memberships, unit_histories
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


def dues_members_q(units) -> Q:
    """A Q over Member: everyone who belonged to one of `units` (ids or a queryset of units) at
    some time — there today, or moved out of it by a transfer (校内转接 or 转出本校: the rows with
    from_unit). A branch keeps the dues of the months they were in it (branch_of_month)."""
    moved_out = MemberTransfer.objects.filter(from_unit__in=units).values("member_id")
    return Q(unit__in=units) | Q(pk__in=moved_out)


def members_managed(*, user) -> QuerySet[Member]:
    """Members whose dues `user` keeps for some months: of the branches of their finance posts,
    today or before a move (which months: services.check_collect)."""
    return Member.objects.filter(dues_members_q(finance_units(user=user)))


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


def branch_of_month(history: UnitHistory, month: date, today: date) -> int | None:
    """The branch whose dues `month` is: the one the member belonged to on the month's counted day
    (its last day, or today; party.members' UnitHistory, the rule of 组织关系转接). None: the
    member's 组织关系 was outside the university. The one rule of "the branch of the month", for
    the summary and the report (branch_lines), a branch's grid, behind list and month rows
    (branch_ledgers, arrears) and who records a payment (services.check_collect)."""
    return history.on(_counted_day(month, today))


@dataclass
class MonthLine:
    month: date
    owed: Decimal
    paid: Decimal
    member_in_month: bool
    has_base: bool
    excused: bool = False
    # False on a branch's grid for a month of another branch (or outside the university): empty.
    in_branch: bool = True
    unit_name: str = ""  # the branch of the month, on a member's page when they moved

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


@dataclass(frozen=True)
class Move:
    """A 校内组织关系转接 as a branch sees it: the day, and the branch the member went to (or came
    from)."""

    on: date
    unit_id: int
    unit_name: str


@dataclass
class MemberLedger:
    member: Member
    lines: list[MonthLine] = field(default_factory=list)
    moved_to: Move | None = None  # on a branch's grid: moved from it to another branch
    moved_from: Move | None = None  # on a branch's grid: moved into it from another branch

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


def _elsewhere(line: MonthLine) -> MonthLine:
    """A month that is not the branch's (another branch's, or outside the university): empty on
    its grid — owed and paid are counted in the branch of the month."""
    return MonthLine(
        month=line.month,
        owed=ZERO,
        paid=ZERO,
        member_in_month=False,
        has_base=line.has_base,
        in_branch=False,
    )


def _moves(unit_id: int, histories: dict[int, UnitHistory], today: date) -> dict[int, tuple]:
    """(moved_to, moved_from) of each member as the branch `unit_id` sees them: the last 校内转接
    out of it of a member no longer in it; the last one into it of a member in it now. One query
    for the other branches' names, none when nobody moved inside the university."""
    found: dict[int, tuple] = {}
    for pk, history in histories.items():
        here = history.on(today) == unit_id
        out = [t for t in history.transfers if t[2] == unit_id and t[3] is not None]
        into = [t for t in history.transfers if t[3] == unit_id and t[2] is not None]
        found[pk] = (
            None if here or not out else (out[-1][0], out[-1][3]),
            (into[-1][0], into[-1][2]) if here and into else None,
        )
    ids = {move[1] for pair in found.values() for move in pair if move}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return {
        pk: tuple(Move(on=m[0], unit_id=m[1], unit_name=names[m[1]]) if m else None for m in pair)
        for pk, pair in found.items()
    }


def _branch_books(
    unit_id: int, books: dict[int, MemberLedger], histories: dict[int, UnitHistory], today: date
) -> dict[int, MemberLedger]:
    """`books` as the branch `unit_id` keeps them (copies: `books` stay whole)."""
    moves = _moves(unit_id, histories, today)
    kept = {}
    for pk, book in books.items():
        history = histories[pk]
        moved_to, moved_from = moves[pk]
        kept[pk] = MemberLedger(
            member=book.member,
            lines=[
                line if branch_of_month(history, line.month, today) == unit_id else _elsewhere(line)
                for line in book.lines
            ],
            moved_to=moved_to,
            moved_from=moved_from,
        )
    return kept


def branch_ledgers(
    *, unit: Unit, members, first: date, last: date, histories: dict | None = None
) -> dict[int, MemberLedger]:
    """Each member's ledger as the branch `unit` keeps it (its grid, bulk form, month rows): the
    months they belonged to it (branch_of_month, the rule the report and the summary count by) as
    `ledgers` has them, every other month empty (`in_branch` False: another branch's, or outside
    the university), with the move into or out of the branch (moved_from, moved_to). Five queries
    (four with the members' `histories`, unit_histories), one more when someone moved inside the
    university."""
    members = list(members)
    books = ledgers(members=members, first=first, last=last)
    histories = histories if histories is not None else unit_histories(members=members)
    return _branch_books(unit.pk, books, histories, timezone.localdate())


def name_branches(*, member: Member, book: MemberLedger) -> bool:
    """On a member's own dues (their page, 我的党费): each month's line named with the branch of
    the month when the member moved inside the university (so the months add up to the branches'
    grids). Returns whether it did; two queries when it did, one otherwise."""
    history = unit_histories(members=[member])[member.pk]
    if not any(t[2] is not None and t[3] is not None for t in history.transfers):
        return False
    today = timezone.localdate()
    names = dict(Unit.objects.filter(pk__in=history.unit_ids).values_list("pk", "name"))
    for line in book.lines:
        unit_id = branch_of_month(history, line.month, today)
        line.unit_name = names.get(unit_id, "") if unit_id else ""
    return True


@dataclass
class Arrears:
    member: Member
    late_months: list[date]  # over months with something still owed
    outstanding: Decimal
    unpaid_run: int  # consecutive months, up to last month, with nothing paid and no reason
    moved_to: Move | None = None
    moved_from: Move | None = None

    @property
    def flagged(self) -> bool:
        """党章第九条: six consecutive months without paying and without a recorded reason."""
        return self.unpaid_run >= SIX_MONTHS


def _unpaid_run(lines: list[MonthLine]) -> int:
    run = 0
    for line in reversed(lines):
        if line.owed > 0 and line.paid <= 0 and not line.excused:
            run += 1
        else:
            break
    return run


def arrears(*, members, unit: Unit | None = None, histories: dict | None = None) -> list[Arrears]:
    """Members with BEHIND_MONTHS or more late months (up to last month), most behind first.
    With `unit` (a branch's behind list), the late months are the branch's own (branch_of_month:
    a member who moved owes the old branch the months before the move and the new one the months
    after); the unpaid run (党章第九条) is the member's, across a move, as the absence flag
    counts it, and is shown by the branch of its last month (last month's branch) only — one the
    member left shows no run, like a 转出. A flagged member is listed even with fewer late months
    in the branch."""
    last = add_months(this_month(), -1)
    first = add_months(last, -(HISTORY_MONTHS - 1))
    members = list(members)
    books = ledgers(members=members, first=first, last=last)
    kept = books
    if unit is not None:
        today = timezone.localdate()
        if histories is None:
            histories = unit_histories(members=members)
        kept = _branch_books(unit.pk, books, histories, today)
    result = []
    for pk, book in books.items():
        own = kept[pk]
        late = [line for line in own.lines if line.outstanding > 0]
        run = _unpaid_run(book.lines)
        if unit is not None and branch_of_month(histories[pk], last, today) != unit.pk:
            run = 0
        if len(late) >= BEHIND_MONTHS or run >= SIX_MONTHS:
            result.append(
                Arrears(
                    member=book.member,
                    late_months=[line.month for line in late],
                    outstanding=sum((line.outstanding for line in late), ZERO),
                    unpaid_run=run,
                    moved_to=own.moved_to,
                    moved_from=own.moved_from,
                )
            )
    result.sort(key=lambda a: (-len(a.late_months), a.member.student_no))
    return result


def branch_members(*, unit: Unit) -> QuerySet[Member]:
    """Everyone whose dues the branch keeps for some months: its members today and those who
    moved out of it (dues_members_q); which months are its own: branch_ledgers."""
    return Member.objects.filter(dues_members_q([unit.pk])).order_by("student_no")


def recent_payments(
    *, unit: Unit, members: list[Member], histories: dict[int, UnitHistory], limit: int
) -> list[Payment]:
    """The branch's latest entries (newest first, at most `limit`): payments and reversals of its
    members today and of those who moved out of it (branch_members, with their unit histories),
    each where at least one of the months it pays is the branch's (branch_of_month). After a move
    the old branch keeps the entries it recorded for its months (and can reverse them from here);
    the new branch lists only those of its own months."""
    today = timezone.localdate()
    payments = (
        Payment.objects.filter(member__in=[m.pk for m in members])
        .select_related("member", "recorded_by", "correction")
        .prefetch_related("months")
    )
    found: list[Payment] = []
    start, page_size = 0, max(limit, 100)
    while len(found) < limit:
        page = list(payments[start : start + page_size])
        for payment in page:
            history = histories.get(payment.member_id)
            if history is not None and any(
                branch_of_month(history, part.month, today) == unit.pk
                for part in payment.months.all()
            ):
                found.append(payment)
                if len(found) == limit:
                    break
        if len(page) < page_size:
            break
        start += page_size
    return found


@dataclass
class MonthReportRow:
    member: Member
    owed: Decimal
    paid: Decimal
    moved_to: Move | None = None
    moved_from: Move | None = None

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


def month_rows(*, unit: Unit, month: date) -> list[MonthReportRow]:
    """Each member who owes or paid something in `month` in the branch (the branch of the month,
    branch_ledgers)."""
    members = list(branch_members(unit=unit))
    books = branch_ledgers(unit=unit, members=members, first=month, last=month)
    rows = []
    for member in members:
        book = books[member.pk]
        line = book.lines[0]
        if line.in_branch and (line.owed or line.paid or line.member_in_month):
            rows.append(
                MonthReportRow(
                    member=member,
                    owed=line.owed,
                    paid=line.paid,
                    moved_to=book.moved_to,
                    moved_from=book.moved_from,
                )
            )
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
    """An integer number of 分 as 元."""
    return (Decimal(int(cents or 0)) / 100).quantize(FEN)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# A cell of the summary: [owed 分, paid 分, members who owed, members who paid it in full].
Cell = list


def branch_lines(*, unit_ids: set[int] | None, months: list[date]):
    """Each member's ledger line of each of `months` (`ledgers`, the one rule of what is owed and
    paid), with the branch they belonged to on the month's counted day (its last day, or today;
    party.members' UnitHistory, the rule of 组织关系转接): (unit_id, member, line), for the lines
    whose branch is one of `unit_ids` (None: any). The one rule of "the branch of the month", for
    the summary's cells (cells_compute) and the report's per-member sheet alike. Six queries
    whatever the number of members, branches or months; members carry name and student_no."""
    if not months:
        return
    months = sorted(months)
    members = Member.objects.only("pk", "unit_id", "name", "student_no")
    if unit_ids is not None:
        moved = MemberTransfer.objects.filter(
            Q(from_unit_id__in=unit_ids) | Q(to_unit_id__in=unit_ids)
        ).values("member_id")
        members = members.filter(Q(unit_id__in=unit_ids) | Q(pk__in=moved))
    members = list(members)
    histories = unit_histories(members=members)
    books = ledgers(members=members, first=months[0], last=months[-1])
    wanted = set(months)
    today = timezone.localdate()
    for member in members:
        history = histories[member.pk]
        for line in books[member.pk].lines:
            if line.month not in wanted:
                continue
            unit_id = branch_of_month(history, line.month, today)
            if unit_id is None:  # outside the university that month (转入/转出本校)
                continue
            if unit_ids is None or unit_id in unit_ids:
                yield unit_id, member, line


def cells_compute(*, unit_ids: set[int] | None, months: list[date]) -> dict[tuple, Cell]:
    """The figures of each (branch, month) of `unit_ids` (None: every branch) and `months`, from
    the records: the members' lines counted in the branch of the month (branch_lines). A member
    who owes counts in `members`; one who paid at least that, in `paid_members` (已交清). Six
    queries; only cells with something in them are returned."""
    cells: dict[tuple, Cell] = {}
    for unit_id, _member, line in branch_lines(unit_ids=unit_ids, months=months):
        if not (line.owed or line.paid):
            continue
        cell = cells.setdefault((unit_id, line.month), [0, 0, 0, 0])
        cell[0] += _cents(line.owed)
        cell[1] += _cents(line.paid)
        if line.owed > 0:
            cell[2] += 1
            cell[3] += line.paid >= line.owed
    return cells


def summarised_months(months) -> set[date]:
    """Which of `months` the summary holds in full (SummaryMonth)."""
    return set(SummaryMonth.objects.filter(month__in=list(months)).values_list("month", flat=True))


def branch_report(*, units, first: date, last: date) -> list[BranchMonth]:
    """Owed / paid / outstanding per branch and month (the 院系党委's and 组织部's report): the
    ledger's figures summed per branch of the month, read from the summary kept by
    party.dues.summary (two queries); a month it does not hold yet is computed from the records
    (cells_compute, the same rule)."""
    units = list(units)
    months = month_span(first, last)
    cells = {(u.pk, m): BranchMonth(unit=u, month=m) for u in units for m in months}
    if not cells:
        return []
    unit_ids = {u.pk for u in units}
    held = summarised_months(months)
    found: dict[tuple, Cell] = {}
    if held:
        for unit_id, month, *cell in MonthSummary.objects.filter(
            unit_id__in=unit_ids, month__in=sorted(held)
        ).values_list("unit_id", "month", "owed_fen", "paid_fen", "members", "paid_members"):
            found[(unit_id, month)] = cell
    found.update(cells_compute(unit_ids=unit_ids, months=[m for m in months if m not in held]))
    for key, (owed, paid, members, paid_members) in found.items():
        cell = cells[key]
        cell.owed, cell.paid = _fen(owed), _fen(paid)
        cell.members, cell.paid_members = members, paid_members
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


def subtree_month_totals(*, unit: Unit, first: date, last: date) -> list[MonthTotal]:
    """The branches under `unit` (itself, if a branch) summed per month, `first` to `last`: the
    sums of branch_report's cells, added up in SQL from the summary (two queries); a month the
    summary does not hold yet is computed from the records (cells_compute)."""
    months = month_span(first, last)
    totals = {m: MonthTotal(month=m) for m in months}
    held = summarised_months(months)
    rows = []
    if held:
        rows = (
            MonthSummary.objects.filter(unit__path__startswith=unit.path, month__in=sorted(held))
            .values("month")
            .annotate(
                owed=Sum("owed_fen"),
                paid=Sum("paid_fen"),
                members_=Sum("members"),
                paid_members_=Sum("paid_members"),
            )
            .values_list("month", "owed", "paid", "members_", "paid_members_")
        )
    missing = [m for m in months if m not in held]
    if missing:
        branch_ids = set(
            Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.BRANCH).values_list(
                "pk", flat=True
            )
        )
        summed: dict[date, Cell] = {}
        for (_unit_id, month), cell in cells_compute(unit_ids=branch_ids, months=missing).items():
            into = summed.setdefault(month, [0, 0, 0, 0])
            for i, value in enumerate(cell):
                into[i] += value
        rows = [*rows, *((month, *cell) for month, cell in summed.items())]
    for month, owed, paid, members, paid_members in rows:
        total = totals[_as_date(month)]
        total.owed, total.paid = _fen(owed), _fen(paid)
        total.members, total.paid_members = int(members or 0), int(paid_members or 0)
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
    moved = name_branches(member=member, book=book)
    return {
        "member": member,
        "year": year,
        "ledger": book,
        "moved": moved,
        "receipts": receipts,
        "bases": bases,
    }
