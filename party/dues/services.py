"""Writes of 党费: setting a member's base, recording payments (one, a month in bulk), reversing
an entry, recording why months were not paid. `check_*` validate and authorise; every write runs
in one transaction, so a refusal leaves nothing half-written. Amounts are Decimal 元 with 分."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from party.dues import selectors, summary
from party.dues.exceptions import ConflictError, DuesError, OutOfScopeError
from party.dues.models import ArrearsReason, DuesBase, Payment, PaymentMonth, PaymentSource
from party.dues.rules import BRACKETS, FARMER_RANGE, ZERO, Category, monthly_amount
from party.dues.values import check_not_future, month_label, parse_amount
from party.members.models import Member
from party.members.selectors import party_memberships, unit_histories
from party.organisation.models import Unit


def check_manage(*, user, member: Member) -> None:
    """Only the finance roles of the member's branch (today's) set their base and the reasons for
    unpaid months; others get a 404."""
    if not selectors.finance_units(user=user).filter(pk=member.unit_id).exists():
        raise OutOfScopeError(_("找不到该党员，或无权管理其党费。"), code="out_of_scope")


def _not_collected(*, member: Member, months: list[date], managed: set[int], history) -> None:
    """Refuse (400 `other_branch`) the months that belong to a branch whose dues the caller does
    not keep (selectors.branch_of_month); months outside the university are check_payment's."""
    today = timezone.localdate()
    elsewhere: dict[int, list[date]] = {}
    for month in months:
        unit_id = selectors.branch_of_month(history, month, today)
        if unit_id is not None and unit_id not in managed:
            elsewhere.setdefault(unit_id, []).append(month)
    if not elsewhere:
        return
    names = dict(Unit.objects.filter(pk__in=list(elsewhere)).values_list("pk", "name"))
    raise DuesError(
        "".join(
            _("%(name)s 的组织关系在 %(months)s 属于%(unit)s，这些月份的党费由该党支部收缴。")
            % {
                "name": member.name,
                "months": "、".join(month_label(m) for m in found),
                "unit": names.get(unit_id, ""),
            }
            for unit_id, found in elsewhere.items()
        ),
        code="other_branch",
    )


def check_collect(*, user, member: Member, months: list[date]) -> None:
    """Who records (or reverses) a payment for `months` of `member`: the finance roles of the
    branch the member belonged to in each month (selectors.branch_of_month, the rule the grid and
    the report count by) — after a 校内转接 the old branch keeps the months before it, the new one
    the months from it. None of the member's branches → 404 (`out_of_scope`); a month of another
    branch → 400 (`other_branch`, naming it)."""
    managed, history = _collector(user=user, member=member)
    _not_collected(member=member, months=months, managed=managed, history=history)


def _collector(*, user, member: Member):
    """The branches whose dues `user` keeps and `member`'s UnitHistory; 404 when the member never
    belonged to one of them (two queries)."""
    managed = set(selectors.finance_units(user=user).values_list("pk", flat=True))
    history = unit_histories(members=[member])[member.pk]
    if not managed & history.unit_ids:
        raise OutOfScopeError(_("找不到该党员，或无权管理其党费。"), code="out_of_scope")
    return managed, history


@transaction.atomic
def base_set(
    *,
    by_user,
    member: Member,
    starts_on: date,
    category: str,
    declared_base=None,
    farmer_amount=None,
    note: str = "",
) -> DuesBase:
    """A member's monthly dues from `starts_on` (a month) on, by the rules of 中组发〔2008〕3号."""
    check_manage(user=by_user, member=member)
    starts_on = starts_on.replace(day=1)
    if category not in Category.values:
        raise DuesError(_("党费类别无效。"), code="category_invalid")
    if starts_on.year > timezone.localdate().year + 1:
        raise DuesError(_("只能核定今年或明年的党费基数。"), code="month_future")
    base = None
    if category in BRACKETS:
        if declared_base in (None, ""):
            raise DuesError(_("在职或离退休党员需填写税后月收入。"), code="base_required")
        base = parse_amount(declared_base)
    farmer = None
    if category == Category.FARMER:
        farmer = parse_amount(farmer_amount if farmer_amount not in (None, "") else "0.20")
        if not FARMER_RANGE[0] <= farmer <= FARMER_RANGE[1]:
            raise DuesError(_("农民党员每月交纳 0.20 至 1.00 元。"), code="farmer_range")
    amount = monthly_amount(category=category, base=base, farmer_amount=farmer)
    if amount <= 0:
        raise DuesError(_("按此基数计算的党费为 0，请核对税后月收入。"), code="amount_zero")
    created = DuesBase.objects.create(
        member=member,
        starts_on=starts_on,
        category=category,
        declared_base=base,
        monthly_amount=amount,
        note=note[:200],
        recorded_by=by_user,
    )
    summary.refresh(member_ids=[member.pk], since=starts_on)
    return created


def _allocate(*, member: Member, months: list[date], amount: Decimal) -> list[tuple[date, Decimal]]:
    """Split a payment over its months: each month gets what is still owed for it, in order; what
    is left over (多交) goes to the last month. The parts add up to the amount exactly."""
    books = selectors.ledgers(members=[member], first=months[0], last=months[-1])[member.pk]
    left, parts = amount, []
    for month in months:
        line = books.line(month)
        due = max(line.outstanding, ZERO) if line else ZERO
        part = min(due, left)
        parts.append([month, part])
        left -= part
    parts[-1][1] += left
    return [(month, part) for month, part in parts]


def check_payment(*, member: Member, months: list[date], amount) -> tuple[list[date], Decimal]:
    """Validate a payment: a positive amount, months given, none in the future, each one in which
    the person was a Party member. Returns the sorted months and the amount as Decimal."""
    amount = parse_amount(amount)
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        raise DuesError(_("请选择所交党费的月份。"), code="months_required")
    for month in months:
        check_not_future(month)
    membership = party_memberships(member_ids=[member.pk])[member.pk]
    today = timezone.localdate()
    outside = [m for m in months if not membership.on(selectors._counted_day(m, today))]
    if member.left_on is not None and outside and min(outside) >= member.left_on.replace(day=1):
        raise DuesError(
            _("%(name)s 的组织关系已于 %(day)s 转出本校，%(months)s 不应交纳党费。")
            % {
                "name": member.name,
                "day": member.left_on,
                "months": "、".join(month_label(m) for m in outside),
            },
            code="not_a_member",
        )
    if outside:
        raise DuesError(
            _("%(name)s 在 %(months)s 不是党员（正式或预备），不应交纳党费。")
            % {"name": member.name, "months": "、".join(month_label(m) for m in outside)},
            code="not_a_member",
        )
    return months, amount


def _write_payment(
    *,
    by_user,
    member: Member,
    months: list[date],
    amount: Decimal,
    paid_on: date,
    source: str,
    reference: str | None = None,
    note: str = "",
    refresh_summary: bool = True,
) -> Payment:
    """The payment and its months; then the summary's cells of those months (unless the caller
    refreshes once for a batch). Every payment, whatever its source, is written here."""
    payment = Payment.objects.create(
        member=member,
        amount=amount,
        paid_on=paid_on,
        source=source,
        reference=reference or None,
        note=note[:200],
        recorded_by=by_user,
    )
    PaymentMonth.objects.bulk_create(
        PaymentMonth(payment=payment, member=member, month=month, amount=part)
        for month, part in _allocate(member=member, months=months, amount=amount)
    )
    if refresh_summary:
        summary.refresh(member_ids=[member.pk], months=months)
    return payment


def check_paid_on(paid_on: date | None) -> date:
    today = timezone.localdate()
    paid_on = paid_on or today
    if paid_on > today:
        raise DuesError(_("交纳日期不能晚于今天。"), code="paid_on_future")
    return paid_on


@transaction.atomic
def payment_record(
    *,
    by_user,
    member: Member,
    months: list[date],
    amount,
    paid_on: date | None = None,
    note: str = "",
    source: str = PaymentSource.SINGLE,
    reference: str | None = None,
) -> Payment:
    """Record one payment by a member, for one month or several (按季度, 补交), by the finance
    roles of the branch of those months (check_collect)."""
    managed, history = _collector(user=by_user, member=member)
    months, amount = check_payment(member=member, months=months, amount=amount)
    _not_collected(member=member, months=months, managed=managed, history=history)
    paid_on = check_paid_on(paid_on)
    if reference and Payment.objects.filter(reference=reference).exists():
        raise ConflictError(_("流水号 %(r)s 已登记过。") % {"r": reference}, code="reference_taken")
    return _write_payment(
        by_user=by_user,
        member=member,
        months=months,
        amount=amount,
        paid_on=paid_on,
        source=source,
        reference=reference,
        note=note,
    )


@dataclass
class BulkEntry:
    member: Member
    amount: object  # as typed
    months: list[date] | None = None  # default: the bulk's month
    reference: str | None = None
    note: str = ""
    row: int | None = None  # the statement row it came from
    paid_on: date | None = None  # default: the batch's date


def payments_check(*, by_user, entries: list[BulkEntry], month: date | None) -> list[dict]:
    """Every problem of a batch of payments, one message per entry (nothing written)."""
    managed = set(selectors.finance_units(user=by_user).values_list("pk", flat=True))
    histories = unit_histories(members=list({e.member.pk: e.member for e in entries}.values()))
    errors, references = [], set()
    for entry in entries:
        where = {"row": entry.row} if entry.row else {"member": entry.member.pk}
        history = histories[entry.member.pk]
        try:
            if not managed & history.unit_ids:
                raise OutOfScopeError(
                    _("%(name)s 不是您所管理党支部的党员。") % {"name": entry.member.name},
                    code="out_of_scope",
                )
            months, _amount = check_payment(
                member=entry.member, months=entry.months or [month], amount=entry.amount
            )
            _not_collected(member=entry.member, months=months, managed=managed, history=history)
            if entry.paid_on:
                check_paid_on(entry.paid_on)
            if entry.reference:
                if (
                    entry.reference in references
                    or Payment.objects.filter(reference=entry.reference).exists()
                ):
                    raise ConflictError(
                        _("流水号 %(r)s 重复或已登记过。") % {"r": entry.reference},
                        code="reference_taken",
                    )
                references.add(entry.reference)
        except DuesError as exc:
            errors.append({**where, "code": exc.code, "message": exc.message})
    return errors


@transaction.atomic
def payments_record_bulk(
    *,
    by_user,
    entries: list[BulkEntry],
    month: date | None,
    paid_on: date | None = None,
    source: str = PaymentSource.BULK,
) -> list[Payment]:
    """Record a batch (a month's payments, a statement): all of them, or none when any is wrong."""
    if not entries:
        raise DuesError(_("没有要登记的交纳记录。"), code="empty")
    paid_on = check_paid_on(paid_on)
    errors = payments_check(by_user=by_user, entries=entries, month=month)
    if errors:
        raise DuesError(
            _("有 %(n)d 条记录有误，全部未登记。") % {"n": len(errors)},
            code="rows_invalid",
            errors=errors,
        )
    payments, touched = [], set()
    for entry in entries:
        months, amount = check_payment(
            member=entry.member, months=entry.months or [month], amount=entry.amount
        )
        payments.append(
            _write_payment(
                by_user=by_user,
                member=entry.member,
                months=months,
                amount=amount,
                paid_on=entry.paid_on or paid_on,
                source=source,
                reference=entry.reference,
                note=entry.note,
                refresh_summary=False,
            )
        )
        touched |= set(months)
    summary.refresh(member_ids=[e.member.pk for e in entries], months=sorted(touched))
    return payments


@transaction.atomic
def payment_reverse(*, by_user, payment: Payment, note: str) -> Payment:
    """冲正: a new entry with the opposite amount for the same months; the original stays."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    check_collect(
        user=by_user,
        member=payment.member,
        months=sorted({part.month for part in payment.months.all()}),
    )
    if payment.source == PaymentSource.CORRECTION:
        raise ConflictError(_("冲正记录不能再冲正，请重新登记。"), code="is_correction")
    if Payment.objects.filter(corrects=payment).exists():
        raise ConflictError(_("该记录已冲正过。"), code="already_reversed")
    if not note.strip():
        raise DuesError(_("请写明冲正原因。"), code="note_required")
    reversal = Payment.objects.create(
        member=payment.member,
        amount=-payment.amount,
        paid_on=timezone.localdate(),
        source=PaymentSource.CORRECTION,
        corrects=payment,
        note=note.strip()[:200],
        recorded_by=by_user,
    )
    parts = list(payment.months.all())
    PaymentMonth.objects.bulk_create(
        PaymentMonth(payment=reversal, member=part.member, month=part.month, amount=-part.amount)
        for part in parts
    )
    summary.refresh(member_ids=[payment.member_id], months=[part.month for part in parts])
    return reversal


def arrears_reason_record(
    *, by_user, member: Member, starts_on: date, ends_on: date, reason: str
) -> ArrearsReason:
    """Why months were not paid (长期病休, 出国 …): they leave the 党章第九条 flag's count."""
    check_manage(user=by_user, member=member)
    starts_on, ends_on = starts_on.replace(day=1), ends_on.replace(day=1)
    if ends_on < starts_on:
        raise DuesError(_("截止月份不能早于起始月份。"), code="months_order")
    if not reason.strip():
        raise DuesError(_("请写明原因。"), code="reason_required")
    return ArrearsReason.objects.create(
        member=member,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip()[:200],
        recorded_by=by_user,
    )
