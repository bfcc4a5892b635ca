"""Pages of the member registry: import from Excel (upload → preview → confirm), its template, and
the export of a unit's registry. For everyone who manages units (组织部, 组织员, 支部书记/支委):
each sees and writes only inside their scope; anyone else gets 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from party.members.models import AccessAction
from party.members.registry import (
    RegistryError,
    registry_import,
    registry_read,
    registry_template,
    registry_xlsx,
    xlsx_response,
)
from party.members.selectors import registry_members
from party.members.services import access_log_write
from party.organisation.models import Unit
from party.organisation.selectors import unit_scope
from tabular import selectors as tabular_selectors
from tabular import services as tabular_services
from tabular.models import UploadKind, UploadStatus
from tabular.reader import TableError

PREVIEW_ROWS = 100


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("名册文件"),
        help_text=gettext_lazy("Excel（.xlsx/.xls）或 CSV（UTF-8/GBK），第一个工作表。"),
    )


def _require_scope(request):
    scope = unit_scope(user=request.user)
    if scope.empty:
        raise Http404
    return scope


@login_required
@require_http_methods(["GET", "POST"])
def registry_upload(request):
    """Upload a registry: it is kept for its preview, nothing is imported yet."""
    _require_scope(request)
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = tabular_services.upload_stage(
                owner=request.user, kind=UploadKind.MEMBERS, file=form.cleaned_data["file"]
            )
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("party:registry_preview", upload_id=upload.pk)
    return render(request, "party/registry_upload.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def registry_preview(request, upload_id: int):
    """What the file would do (rows, updates, ignored columns, defaulted values) or every error;
    “确认导入” imports it, all or nothing."""
    _require_scope(request)
    upload = tabular_selectors.upload_for(
        user=request.user, upload_id=upload_id, kind=UploadKind.MEMBERS
    )
    if upload is None:
        raise Http404
    if upload.status != UploadStatus.STAGED:
        return render(request, "party/registry_result.html", {"upload": upload})
    plan, errors = None, []
    try:
        plan = registry_read(tabular_services.upload_file(upload), user=request.user)
    except RegistryError as exc:
        errors = exc.errors
    if request.method == "POST" and plan is not None:
        if tabular_services.upload_claim(upload_id=upload.pk):
            try:
                result = registry_import(
                    file=tabular_services.upload_file(upload), by_user=request.user
                )
            except RegistryError as exc:
                tabular_services.upload_finish(
                    upload_id=upload.pk,
                    result={"errors": [str(e) for e in exc.errors], "total": exc.total},
                    failed=True,
                )
            else:
                tabular_services.upload_finish(
                    upload_id=upload.pk,
                    result={
                        "created": result.created,
                        "updated": result.updated,
                        "histories": result.histories,
                    },
                )
                messages.success(
                    request,
                    _("已导入：新建 %(c)s 人，更新 %(u)s 人，补录发展阶段 %(h)s 人。")
                    % {"c": result.created, "u": result.updated, "h": result.histories},
                )
        return redirect("party:registry_preview", upload_id=upload.pk)
    return render(
        request,
        "party/registry_preview.html",
        {
            "upload": upload,
            "plan": plan,
            "result": {
                "errors": errors,
                "error_total": getattr(errors, "total", len(errors)),
                "header_row": plan.header_row if plan else None,
                "format_label": plan.format_label if plan else "",
                "ignored": plan.ignored if plan else [],
            },
            "rows": plan.rows[:PREVIEW_ROWS] if plan else [],
            "more_rows": max(0, len(plan.rows) - PREVIEW_ROWS) if plan else 0,
        },
    )


@login_required
def registry_template_download(request):
    _require_scope(request)
    return xlsx_response(registry_template(), _("党员名册模板.xlsx"))


@login_required
def registry_export(request, pk: int):
    """A unit's registry (personal data and stage dates) as .xlsx; one access-log row per member."""
    scope = unit_scope(user=request.user)
    unit = get_object_or_404(Unit.objects.filter(scope.q()), pk=pk)
    members = list(registry_members(user=request.user, scope=scope, unit=unit))
    now = timezone.now()
    access_log_write(
        user=request.user,
        members=members,
        action=AccessAction.EXPORT,
        what=_("导出党员名册：%(unit)s") % {"unit": unit.name},
    )
    content = registry_xlsx(
        members=members,
        title=_("%(unit)s 党员名册") % {"unit": unit.name},
        user=request.user,
        at=now,
    )
    return xlsx_response(content, f"{unit.name}-党员名册-{timezone.localtime(now):%Y%m%d}.xlsx")
