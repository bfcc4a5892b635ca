"""Wagtail admin screens for trainers: dashboard, class report with charts, 学习档案, certificates."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from charts import svg as charts
from learning.classes.selectors import classes_for_trainer
from learning.reports import exports, services
from learning.reports.admin_search import may_search_training, training_search
from learning.reports.exceptions import ReportsError
from learning.reports.forms import DisqualifyForm, ReportFilterForm, RevokeForm
from learning.reports.models import Certificate
from learning.reports.pdf import certificate_pdf, record_pdf
from learning.reports.selectors import (
    ReportFilters,
    class_for_user,
    class_report_page,
    class_report_stats,
    dashboard,
    disqualifications,
    report_row,
    trainee_in_class,
    trainee_record,
)
from learning.reports.views import pdf_response, verify_url

PAGE_SIZE = 50

# (sort key, column header) in table order; None = not sortable. Headers are translated when shown.
REPORT_COLUMNS = [
    ("name", gettext_noop("姓名")),
    ("student_no", gettext_noop("学号/工号")),
    ("college", gettext_noop("学院")),
    ("branch", gettext_noop("党支部")),
    ("stage", gettext_noop("发展阶段")),
    ("earned", gettext_noop("学时（已修/应修）")),
    ("lessons", gettext_noop("课程（完成/总数）")),
    ("exam", gettext_noop("考试成绩")),
    ("status", gettext_noop("状态")),
    ("certificate", gettext_noop("证书编号")),
]


def _class_or_404(request, pk):
    # Another trainer's class does not exist for this user: 404, never 403.
    tc = class_for_user(user=request.user, class_id=pk)
    if tc is None:
        raise Http404
    return tc


def _filters(request, training_class=None) -> tuple[ReportFilterForm, ReportFilters]:
    form = ReportFilterForm(request.GET or None, training_class=training_class, user=request.user)
    if form.is_bound and form.is_valid():
        return form, form.filters()
    return form, ReportFilters()


def _query_without(request, *keys) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def dashboard_view(request):
    form, filters = _filters(request)
    summaries = dashboard(user=request.user, filters=filters)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        return exports.dashboard_export(summaries=summaries, filters=filters, fmt=fmt)
    return render(
        request,
        "reports/admin/dashboard.html",
        {
            "page_title": _("培训班学习情况"),
            "header_icon": "table",
            "form": form,
            "summaries": summaries,
            "query": _query_without(request, "format"),
        },
    )


def search_view(request):
    """The trainer's admin search (issue 21): their classes and trainees, nothing else."""
    if not may_search_training(request.user):
        raise PermissionDenied
    result = training_search(user=request.user, query=request.GET.get("q", ""))
    return render(
        request,
        "reports/admin/search.html",
        {
            "page_title": _("搜索培训班与学员"),
            "header_icon": "search",
            "result": result,
        },
    )


def class_report_view(request, pk):
    tc = _class_or_404(request, pk)
    form, filters = _filters(request, tc)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return exports.class_report_xlsx(training_class=tc, filters=filters)
    if fmt == "csv":
        return exports.class_report_csv(training_class=tc, filters=filters)
    page, rows = class_report_page(
        training_class=tc, filters=filters, number=request.GET.get("p"), per_page=PAGE_SIZE
    )
    stats = class_report_stats(training_class=tc, filters=filters)
    current = filters.sort
    columns = []
    for key, label in REPORT_COLUMNS:
        active = current.lstrip("-") == key
        next_sort = f"-{key}" if current == key else key
        columns.append(
            {
                "label": _(label),
                "sort": next_sort,
                "active": active,
                "descending": active and current.startswith("-"),
            }
        )
    return render(
        request,
        "reports/admin/class_report.html",
        {
            "page_title": _("学习情况报表：%(cls)s") % {"cls": tc},
            "header_icon": "table",
            "training_class": tc,
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "columns": columns,
            "stats": stats,
            "qualifying": stats.qualifying,
            # Each chart with the same figures as a table (for screen readers, and to read off).
            "charts": [
                (
                    _("状态分布"),
                    charts.status_chart(stats.statuses, title=_("状态分布")),
                    {
                        "columns": [_("状态"), _("人数")],
                        "rows": [(label, n) for _value, label, n in stats.statuses],
                    },
                ),
                (
                    _("学时完成度分布（占应修学时）"),
                    charts.bar_chart(stats.hours_bins, title=_("学时完成度分布（人数）")),
                    {"columns": [_("完成度"), _("人数")], "rows": stats.hours_bins},
                ),
                (
                    _("考试成绩分布（百分制）"),
                    charts.bar_chart(stats.exam_bins, title=_("考试成绩分布（人数）")),
                    {"columns": [_("成绩"), _("人数")], "rows": stats.exam_bins},
                ),
                (
                    _("学习进度：每日计入学时与累计"),
                    charts.daily_chart(
                        stats.daily,
                        title=_("每日计入学时（柱）与累计学时（线）"),
                        empty_text=_("暂无学时记录"),
                    ),
                    {
                        "columns": [_("日期"), _("计入学时"), _("累计学时")],
                        "rows": _daily_rows(stats.daily),
                    },
                ),
            ],
            "query_no_page": _query_without(request, "p", "format"),
            "query_no_sort": _query_without(request, "sort", "p", "format"),
            "query_export": _query_without(request, "p", "format"),
            "may_issue": request.user.has_perm("reports.issue_certificate"),
        },
    )


def _daily_rows(daily) -> list[tuple[str, str, str]]:
    """The daily chart's figures: day, 学时 credited that day, running total."""
    rows, total = [], Decimal("0")
    for day, hours in daily:
        total += hours
        rows.append((day.isoformat(), f"{float(hours):g}", f"{float(total):g}"))
    return rows


def trainee_record_view(request, pk, trainee_id):
    tc = _class_or_404(request, pk)
    trainee = trainee_in_class(training_class=tc, trainee_id=trainee_id)
    if trainee is None:
        raise Http404
    record = trainee_record(trainee=trainee, viewer=request.user)
    return render(
        request,
        "reports/admin/trainee_record.html",
        {
            "page_title": _("学习档案：%(name)s") % {"name": trainee.name},
            "header_icon": "user",
            "training_class": tc,
            "trainee": trainee,
            "record": record,
            "row": report_row(training_class=tc, trainee=trainee),
            "may_issue": request.user.has_perm("reports.issue_certificate"),
            "disqualifications": disqualifications(training_class=tc, trainee=trainee),
            "disqualify_form": DisqualifyForm(),
            "visible_class_ids": set(
                classes_for_trainer(user=request.user).values_list("pk", flat=True)
            ),
        },
    )


def trainee_record_pdf_view(request, pk, trainee_id):
    tc = _class_or_404(request, pk)
    trainee = trainee_in_class(training_class=tc, trainee_id=trainee_id)
    if trainee is None:
        raise Http404
    content = record_pdf(record=trainee_record(trainee=trainee, viewer=request.user))
    return pdf_response(content, f"学习档案-{trainee.name}-{trainee.student_no}.pdf")


def _check_may_issue(request):
    if not request.user.has_perm("reports.issue_certificate"):
        raise Http404


@require_POST
def certificate_issue_view(request, pk, trainee_id):
    tc = _class_or_404(request, pk)
    _check_may_issue(request)
    trainee = trainee_in_class(training_class=tc, trainee_id=trainee_id)
    if trainee is None:
        raise Http404
    try:
        certificate = services.certificate_issue(
            training_class=tc, trainee=trainee, issued_by=request.user
        )
    except ReportsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已为 %(name)s 颁发结业证书，编号 %(no)s。")
            % {"name": trainee.name, "no": certificate.number},
        )
    return redirect(reverse("reports_admin:record", args=[tc.pk, trainee.pk]))


@require_POST
def certificate_issue_all_view(request, pk):
    tc = _class_or_404(request, pk)
    _check_may_issue(request)
    if request.POST.get("confirm") != "1":
        # First the list: who gets a certificate, who is skipped and why; then the confirmation.
        return render(
            request,
            "reports/admin/certificate_issue_all.html",
            {
                "page_title": _("颁发结业证书：%(cls)s") % {"cls": tc},
                "header_icon": "doc-full-inverse",
                "training_class": tc,
                "preview": services.certificate_issue_preview(training_class=tc),
            },
        )
    issued = services.certificate_issue_bulk(training_class=tc, issued_by=request.user)
    if issued:
        messages.success(request, _("已向 %(n)d 名合格学员颁发结业证书。") % {"n": len(issued)})
    else:
        messages.info(request, _("没有尚未发证的合格学员。"))
    return redirect(reverse("reports_admin:class", args=[tc.pk]))


def _decide(request, pk, trainee_id, *, service, done_message):
    """Shared by disqualify/reinstate: scope, permission, the reason, the service, a message."""
    tc = _class_or_404(request, pk)
    _check_may_issue(request)
    trainee = trainee_in_class(training_class=tc, trainee_id=trainee_id)
    if trainee is None:
        raise Http404
    form = DisqualifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写原因。"))
    else:
        try:
            service(
                training_class=tc,
                trainee=trainee,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ReportsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done_message % {"name": trainee.name})
    return redirect(reverse("reports_admin:record", args=[tc.pk, trainee.pk]))


@require_POST
def disqualify_view(request, pk, trainee_id):
    return _decide(
        request,
        pk,
        trainee_id,
        service=services.enrolment_disqualify,
        done_message=_("已取消 %(name)s 的结业资格；其本班有效证书（如有）已一并撤销。"),
    )


@require_POST
def reinstate_view(request, pk, trainee_id):
    return _decide(
        request,
        pk,
        trainee_id,
        service=services.enrolment_reinstate,
        done_message=_("已恢复 %(name)s 的结业资格，按正常结业条件判定。"),
    )


def _visible_certificate(request, number) -> Certificate:
    certificate = (
        Certificate.objects.filter(
            number=number, training_class__in=classes_for_trainer(user=request.user)
        )
        .select_related("trainee", "training_class")
        .first()
    )
    if certificate is None:
        raise Http404
    return certificate


def certificate_revoke_view(request, number):
    certificate = _visible_certificate(request, number)
    _check_may_issue(request)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate,
                revoked_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ReportsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("证书 %(no)s 已撤销。") % {"no": certificate.number})
        return redirect(
            reverse(
                "reports_admin:record",
                args=[certificate.training_class_id, certificate.trainee_id],
            )
        )
    return render(
        request,
        "reports/admin/certificate_revoke.html",
        {
            "page_title": _("撤销结业证书"),
            "header_icon": "warning",
            "certificate": certificate,
            "form": form,
        },
    )


def certificate_pdf_view(request, number):
    certificate = _visible_certificate(request, number)
    content = certificate_pdf(certificate=certificate, verify_url=verify_url(request, number))
    return pdf_response(content, f"结业证书-{certificate.number}.pdf")
