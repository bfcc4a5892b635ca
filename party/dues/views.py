"""Site pages of 党费, made for a phone: a branch's month grid (owed / paid / outstanding) with the
forms of its 组织委员 and 书记 (a payment, a month in bulk, 冲正 with a note, reasons for unpaid
months), the behind list and the 党章第九条 flag; a member's dues with the base history; 我的党费.

Every page starts from the scope (selectors.report_units / finance_units, both built on
party.organisation.selectors.unit_scope): outside it → 404. Views only parse the form and call
services; the refusals (DuesError) are shown as the page's message, nothing written."""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from party.dues import reports, selectors, services, statement
from party.dues.exceptions import DuesError
from party.dues.models import Payment, StatementImport
from party.dues.rules import ARREARS_SOURCE, DUES_SOURCE, ZERO, Category
from party.dues.values import month_label, month_span, parse_month
from party.members.models import AccessAction, Member
from party.members.registry import xlsx_response
from party.members.selectors import unit_histories
from party.members.services import access_log_write
from party.organisation.models import UnitKind
from party.organisation.selectors import unit_scope, units_in_scope

RECENT_PAYMENTS = 30
PREVIEW_ROWS = 200


def _year(request) -> int:
    text = request.GET.get("year", "")
    this_year = selectors.this_month().year
    return int(text) if text.isdigit() and 2000 <= int(text) <= this_year else this_year


def _unit(request, pk):
    unit = selectors.report_units(user=request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _finance_unit(request, pk):
    unit = selectors.finance_units(user=request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _member(request, pk):
    units = selectors.report_units(user=request.user)
    member = (
        Member.objects.filter(selectors.dues_members_q(units), pk=pk).select_related("unit").first()
    )
    if member is None:
        raise Http404
    return member


def _months(text_list) -> list[date]:
    return [parse_month(text) for text in text_list if text]


def _paid_on(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DuesError(
            _("交纳日期“%(v)s”无法识别。") % {"v": text}, code="paid_on_invalid"
        ) from None


def _refused(request, exc: DuesError) -> None:
    messages.error(request, exc.message)
    for error in exc.errors[:20]:
        messages.error(request, error["message"])


@login_required
def home(request):
    """The branches whose dues the user keeps, and those whose reports they read."""
    scope = unit_scope(user=request.user)
    if scope.empty:
        raise Http404
    return render(
        request,
        "dues/home.html",
        {
            "finance_units": selectors.finance_units(user=request.user, scope=scope),
            "report_units": selectors.report_units(user=request.user, scope=scope)[:200],
            "source": DUES_SOURCE,
        },
    )


def _branch_context(request, unit, year: int) -> dict:
    first = date(year, 1, 1)
    last = min(date(year, 12, 1), selectors.this_month())
    members = list(selectors.branch_members(unit=unit))
    histories = unit_histories(members=members)  # read once for the grid, behind and bulk
    books = selectors.branch_ledgers(
        unit=unit, members=members, first=first, last=last, histories=histories
    )
    rows = [
        books[m.pk]
        for m in members
        if any(line.member_in_month or line.paid for line in books[m.pk].lines)
    ]
    totals = []
    for index, month in enumerate(month_span(first, last)):
        owed = sum((row.lines[index].owed for row in rows), ZERO)
        paid = sum((row.lines[index].paid for row in rows), ZERO)
        totals.append({"month": month, "owed": owed, "paid": paid, "outstanding": owed - paid})
    behind = selectors.arrears(members=[row.member for row in rows], unit=unit, histories=histories)
    finance = selectors.finance_units(user=request.user).filter(pk=unit.pk).exists()
    this_month = selectors.this_month()
    bulk_month = parse_month(request.GET["month"]) if request.GET.get("month") else this_month
    bulk_rows = []
    if finance:
        month_books = selectors.branch_ledgers(
            unit=unit,
            members=[row.member for row in rows],
            first=bulk_month,
            last=bulk_month,
            histories=histories,
        )
        bulk_rows = [
            {"member": m, "line": month_books[m.pk].lines[0], "book": month_books[m.pk]}
            for m in (row.member for row in rows)
            if month_books[m.pk].lines[0].member_in_month
        ]
    return {
        "unit": unit,
        "year": year,
        "years": list(range(this_month.year, this_month.year - 5, -1)),
        "rows": rows,
        "totals": totals,
        "total_owed": sum((t["owed"] for t in totals), ZERO),
        "total_paid": sum((t["paid"] for t in totals), ZERO),
        "total_outstanding": sum((t["outstanding"] for t in totals), ZERO),
        "behind": behind,
        "flagged": [a for a in behind if a.flagged],
        "finance": finance,
        "bulk_month": bulk_month,
        "bulk_rows": bulk_rows,
        "this_month": this_month,
        "month_choices": [month_label(m) for m in month_span(first, last)],
        "recent": selectors.recent_payments(
            unit=unit, members=members, histories=histories, limit=RECENT_PAYMENTS
        )
        if finance
        else [],
        "arrears_source": ARREARS_SOURCE,
    }


@login_required
def branch(request, pk):
    """The branch's year: a grid of months per member, the behind list, the flag and the forms."""
    unit = _unit(request, pk)
    try:
        context = _branch_context(request, unit, _year(request))
    except DuesError as exc:
        messages.error(request, exc.message)
        return redirect("dues:branch", pk=unit.pk)
    return render(request, "dues/branch.html", context)


def _back(request, unit, default_anchor=""):
    url = reverse("dues:branch", args=[unit.pk])
    return redirect(url + default_anchor)


@login_required
@require_POST
def pay(request, pk):
    """One payment for one or several months (按季度, 补交)."""
    unit = _finance_unit(request, pk)
    member = selectors.branch_members(unit=unit).filter(pk=request.POST.get("member") or 0).first()
    if member is None:
        messages.error(request, _("请选择本支部的党员。"))
        return _back(request, unit, "#pay")
    try:
        payment = services.payment_record(
            by_user=request.user,
            member=member,
            months=_months(request.POST.getlist("months")),
            amount=request.POST.get("amount", ""),
            paid_on=_paid_on(request.POST.get("paid_on", "")),
            note=request.POST.get("note", ""),
        )
    except DuesError as exc:
        _refused(request, exc)
        return _back(request, unit, "#pay")
    messages.success(
        request,
        _("已登记 %(name)s 交纳党费 %(amount)s 元。")
        % {"name": member.name, "amount": payment.amount},
    )
    return _back(request, unit)


@login_required
@require_POST
def bulk(request, pk):
    """A month's payments for the members ticked, each with the amount typed: all or none."""
    unit = _finance_unit(request, pk)
    try:
        month = parse_month(request.POST.get("month", ""))
        members = {
            m.pk: m
            for m in selectors.branch_members(unit=unit).filter(
                pk__in=[v for v in request.POST.getlist("member") if v.isdigit()]
            )
        }
        entries = [
            services.BulkEntry(member=m, amount=request.POST.get(f"amount_{m.pk}", ""))
            for m in members.values()
        ]
        payments = services.payments_record_bulk(
            by_user=request.user,
            entries=entries,
            month=month,
            paid_on=_paid_on(request.POST.get("paid_on", "")),
        )
    except DuesError as exc:
        _refused(request, exc)
        return _back(request, unit, "#bulk")
    messages.success(
        request,
        _("已登记 %(month)s 的 %(n)d 笔党费。") % {"month": month_label(month), "n": len(payments)},
    )
    return _back(request, unit)


@login_required
@require_POST
def reverse_payment(request, pk):
    """冲正: a new entry with the opposite amount; the note says why."""
    payment = (
        Payment.objects.filter(member__in=selectors.members_managed(user=request.user), pk=pk)
        .select_related("member__unit")
        .first()
    )
    if payment is None:
        raise Http404
    try:
        services.payment_reverse(
            by_user=request.user, payment=payment, note=request.POST.get("note", "")
        )
    except DuesError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已冲正该笔记录。"))
    if request.POST.get("next") == "member":
        return redirect("dues:member", pk=payment.member_id)
    return _back(request, payment.member.unit, "#recent")


@login_required
@require_POST
def reason(request, pk):
    """Why a member did not pay for some months: those leave the 党章第九条 count."""
    unit = _finance_unit(request, pk)
    member = Member.objects.filter(unit=unit, pk=request.POST.get("member") or 0).first()
    if member is None:
        messages.error(request, _("请选择本支部的党员。"))
        return _back(request, unit, "#reason")
    try:
        services.arrears_reason_record(
            by_user=request.user,
            member=member,
            starts_on=parse_month(request.POST.get("starts_on", "")),
            ends_on=parse_month(request.POST.get("ends_on", "")),
            reason=request.POST.get("reason", ""),
        )
    except DuesError as exc:
        _refused(request, exc)
        return _back(request, unit, "#reason")
    messages.success(request, _("已登记 %(name)s 未交党费的原因。") % {"name": member.name})
    return _back(request, unit)


@login_required
def member(request, pk):
    """A member's dues: the year's months, payments (冲正 from here), the base and its history.
    The declared salary/pension base is shown to the member and the finance roles only, and its
    viewing is written to the access log."""
    member = _member(request, pk)
    year = _year(request)
    first = date(year, 1, 1)
    last = min(date(year, 12, 1), selectors.this_month())
    book = selectors.ledgers(members=[member], first=first, last=last)[member.pk]
    moved = selectors.name_branches(member=member, book=book)
    show_base = selectors.can_see_declared_base(user=request.user, member=member)
    bases = selectors.base_history(member=member)
    if show_base and any(b.declared_base is not None for b in bases):
        access_log_write(
            user=request.user,
            members=[member],
            action=AccessAction.VIEW,
            what=_("查看党费申报基数"),
        )
    finance = selectors.finance_units(user=request.user).filter(pk=member.unit_id).exists()
    collects = finance or selectors.members_managed(user=request.user).filter(pk=member.pk).exists()
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "year": year,
            "ledger": book,
            "moved": moved,
            "collects": collects,
            "bases": bases,
            "show_base": show_base,
            "finance": finance,
            "payments": Payment.objects.filter(member=member)
            .select_related("recorded_by", "correction")
            .prefetch_related("months")[:100],
            "categories": Category.choices,
            "this_month": selectors.this_month(),
            "source": DUES_SOURCE,
        },
    )


@login_required
@require_POST
def base(request, pk):
    """Set a member's monthly dues from a month on (by category and, for salaries, the base)."""
    member = Member.objects.filter(
        unit__in=selectors.finance_units(user=request.user), pk=pk
    ).first()
    if member is None:
        raise Http404
    try:
        row = services.base_set(
            by_user=request.user,
            member=member,
            starts_on=parse_month(request.POST.get("starts_on", "")),
            category=request.POST.get("category", ""),
            declared_base=request.POST.get("declared_base", ""),
            farmer_amount=request.POST.get("farmer_amount", ""),
            note=request.POST.get("note", ""),
        )
    except DuesError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("已核定 %(name)s 自 %(month)s 起每月交纳 %(amount)s 元。")
            % {
                "name": member.name,
                "month": month_label(row.starts_on),
                "amount": row.monthly_amount,
            },
        )
    return redirect("dues:member", pk=member.pk)


@login_required
def my_dues(request):
    """我的党费: what I owe and paid this year, month by month, and my receipts."""
    data = selectors.my_dues(user=request.user, year=_year(request))
    this_month = selectors.this_month()
    return render(
        request,
        "dues/my_dues.html",
        {
            "data": data,
            "years": list(range(this_month.year, this_month.year - 5, -1)),
            "source": DUES_SOURCE,
        },
    )


class StatementForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("缴费明细文件"),
        help_text=gettext_lazy("Excel（.xlsx/.xls）或 CSV（UTF-8/GBK），第一个工作表。"),
    )
    month = forms.CharField(
        label=gettext_lazy("所属月份（表中没有“月份”列时使用）"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_upload(request, pk):
    """Upload a month's statement: every row checked; errors listed (nothing kept), or the rows
    kept for the preview."""
    unit = _finance_unit(request, pk)
    form = StatementForm(
        request.POST or None,
        request.FILES or None,
        initial={"month": month_label(selectors.this_month())},
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            month_text = form.cleaned_data["month"]
            default_month = parse_month(month_text) if month_text else None
            upload = form.cleaned_data["file"]
            plan = statement.statement_read(
                upload, user=request.user, unit=unit, default_month=default_month
            )
        except DuesError as exc:
            form.add_error("month", exc.message)
        except statement.StatementError as exc:
            errors = exc.errors
        else:
            staged = statement.statement_stage(
                user=request.user, unit=unit, filename=upload.name or "", plan=plan
            )
            request.session[f"dues-statement-{staged.pk}"] = {
                "header_row": plan.header_row,
                "format_label": plan.format_label,
                "ignored": plan.ignored,
                "defaulted": [
                    {
                        "column": d.column,
                        "value": d.value,
                        "rows": d.rows[:20],
                        "more": len(d.rows) > 20,
                    }
                    for d in plan.defaulted
                ],
                "skipped": plan.skipped,
            }
            return redirect("dues:import_preview", pk=staged.pk)
    return render(
        request,
        "dues/statement_upload.html",
        {
            "unit": unit,
            "form": form,
            "result": {"errors": errors, "error_total": getattr(errors, "total", len(errors))},
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_preview(request, pk):
    """What the statement would record; “确认导入” records it all, or nothing."""
    staged = (
        StatementImport.objects.filter(
            owner=request.user,
            unit__in=selectors.finance_units(user=request.user),
            imported_at__isnull=True,
            pk=pk,
        )
        .select_related("unit")
        .first()
    )
    if staged is None:
        raise Http404
    if request.method == "POST":
        try:
            count = statement.statement_import(user=request.user, statement=staged)
        except DuesError as exc:
            _refused(request, exc)
            return redirect("dues:import", pk=staged.unit_id)
        messages.success(
            request,
            _("已从“%(file)s”导入 %(n)d 笔党费。") % {"file": staged.filename, "n": count},
        )
        return redirect("dues:branch", pk=staged.unit_id)
    info = request.session.get(f"dues-statement-{staged.pk}", {})
    total = sum((Decimal(r["amount"]) for r in staged.rows), ZERO)
    return render(
        request,
        "dues/statement_preview.html",
        {
            "staged": staged,
            "rows": staged.rows[:PREVIEW_ROWS],
            "more_rows": max(0, len(staged.rows) - PREVIEW_ROWS),
            "total": total,
            "info": info,
            "result": {
                "header_row": info.get("header_row"),
                "format_label": info.get("format_label", ""),
                "ignored": info.get("ignored", []),
            },
        },
    )


def _report_context(request) -> dict:
    scope = unit_scope(user=request.user)
    units = units_in_scope(user=request.user, scope=scope).exclude(kind=UnitKind.GROUP)
    unit_id = request.GET.get("unit", "")
    unit = units.filter(pk=unit_id).first() if unit_id.isdigit() else units.first()
    if unit is None:
        raise Http404
    year = _year(request)
    first, last = reports.report_year_span(year)
    report = reports.dues_report(user=request.user, unit=unit, first=first, last=last)
    top = max((m.owed for m in report.months), default=ZERO) or Decimal(1)
    return {
        "report": report,
        "unit": unit,
        "units": units[:500],
        "year": year,
        "years": list(range(selectors.this_month().year, selectors.this_month().year - 5, -1)),
        "bars": [
            {
                "month": m.month,
                "owed": m.owed,
                "paid": m.paid,
                "owed_width": int(m.owed * 200 / top),
                "paid_width": int(m.paid * 200 / top),
            }
            for m in report.months
        ],
    }


@login_required
def report(request):
    """Owed / paid / outstanding per branch and month under a unit of the caller's scope."""
    return render(request, "dues/report.html", _report_context(request))


@login_required
def report_xlsx(request):
    """The report as a 党费收缴明细表 (.xlsx) with who/when; the members listed are logged."""
    context = _report_context(request)
    now = timezone.now()
    content, members = reports.report_xlsx(report=context["report"], user=request.user, at=now)
    access_log_write(
        user=request.user,
        members=members,
        action=AccessAction.EXPORT,
        what=_("导出党费收缴明细表：%(unit)s") % {"unit": context["unit"].name},
    )
    return xlsx_response(
        content,
        f"{context['unit'].name}-党费收缴明细表-{context['year']}-{timezone.localtime(now):%Y%m%d}.xlsx",
    )
