"""Admin views of learning.classes that are not model CRUD: the roster import."""

import secrets
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.viewsets.base import ViewSet

from learning.classes.admin_forms import TraineeImportForm
from learning.classes.models import TrainingClass
from learning.classes.roster import (
    InitialPassword,
    RosterError,
    initial_password_sheet,
    roster_plan,
    roster_template,
)
from learning.classes.tasks import roster_import_task
from tabular import selectors as tabular_selectors
from tabular import services as tabular_services
from tabular.models import UploadKind, UploadStatus
from tabular.reader import TableError

IMPORT_PERMISSION = "classes.add_traineeprofile"
# New accounts' initial passwords wait in the importer's session until the sheet is downloaded
# once; then they are gone (the database keeps only their hashes).
PASSWORD_SHEETS_SESSION_KEY = "dangke_initial_password_sheets"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _password_sheet_keep(request, passwords: list[InitialPassword]) -> None:
    sheets = request.session.get(PASSWORD_SHEETS_SESSION_KEY, {})
    sheets[secrets.token_urlsafe(16)] = {
        "created": timezone.now().isoformat(),
        "rows": [[p.student_no, p.name, p.password] for p in passwords],
    }
    request.session[PASSWORD_SHEETS_SESSION_KEY] = sheets


def _password_sheets_current(request) -> dict:
    """The session's password sheets, those older than IMPORT_RESULT_KEEP_DAYS dropped."""
    sheets = request.session.get(PASSWORD_SHEETS_SESSION_KEY, {})
    cutoff = tabular_services.result_cutoff()
    current = {
        key: sheet
        for key, sheet in sheets.items()
        if datetime.fromisoformat(sheet["created"]) >= cutoff
    }
    if len(current) != len(sheets):
        request.session[PASSWORD_SHEETS_SESSION_KEY] = current
    return current


def _password_sheets_pending(request) -> list[dict]:
    sheets = _password_sheets_current(request)
    return [
        {
            "url": reverse("trainee_import:passwords", args=[key]),
            "count": len(sheet["rows"]),
            "created": sheet["created"],
        }
        for key, sheet in sheets.items()
    ]


def initial_password_sheet_view(request, key):
    """The sheet of one import's initial passwords, once: a second download is a 404."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    sheets = _password_sheets_current(request)
    sheet = sheets.pop(key, None)
    if sheet is None:
        raise Http404(_("初始密码表已下载过或已失效。"))
    request.session[PASSWORD_SHEETS_SESSION_KEY] = sheets
    content = initial_password_sheet([InitialPassword(*row) for row in sheet["rows"]])
    response = HttpResponse(content, content_type=XLSX_TYPE)
    # 初始密码.xlsx
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%88%9D%E5%A7%8B%E5%AF%86%E7%A0%81.xlsx"
    )
    response["Cache-Control"] = "no-store"
    return response


PREVIEW_ROWS = 100


def _require_import(request) -> None:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def _roster_upload(request, upload_id: int):
    upload = tabular_selectors.upload_for(
        user=request.user, upload_id=upload_id, kind=UploadKind.ROSTER
    )
    if upload is None:
        raise Http404
    return upload


def import_trainees_view(request):
    """Upload a roster: it is kept for its preview, nothing is imported yet."""
    _require_import(request)
    if request.method == "POST":
        form = TraineeImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            training_class = form.cleaned_data["training_class"]
            try:
                upload = tabular_services.upload_stage(
                    owner=request.user,
                    kind=UploadKind.ROSTER,
                    file=form.cleaned_data["file"],
                    options={"class_id": training_class.pk if training_class else None},
                )
            except TableError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(reverse("trainee_import:preview", args=[upload.pk]))
    else:
        form = TraineeImportForm(user=request.user)
    return TemplateResponse(
        request,
        "classes/admin/import_trainees.html",
        {
            "form": form,
            "template_url": reverse("trainee_import:template"),
            "password_sheets": _password_sheets_pending(request),
            "page_title": _("导入学员名单"),
            "header_icon": "upload",
        },
    )


def import_trainees_preview_view(request, upload_id: int):
    """The checked rows with the 党支部 each goes to and whether it links an existing 党员档案 or
    creates one, or every row error (unknown units with near-matches, scope, the class audience);
    “确认导入” runs the import in the background."""
    _require_import(request)
    upload = _roster_upload(request, upload_id)
    if upload.status != UploadStatus.STAGED:
        return redirect(reverse("trainee_import:result", args=[upload.pk]))
    training_class = (
        TrainingClass.objects.filter(pk=upload.options["class_id"]).first()
        if upload.options.get("class_id")
        else None
    )
    try:
        plan = roster_plan(
            tabular_services.upload_file(upload), by=request.user, training_class=training_class
        )
    except RosterError as exc:
        plan, errors = None, exc.errors
        messages.error(request, _("名单有 %(n)s 处错误，未导入任何学员。") % {"n": exc.total})
    else:
        errors = []
    if request.method == "POST" and plan is not None:
        # A second confirmation of the same upload shows the result, it does not import again.
        if tabular_services.upload_claim(upload_id=upload.pk):
            roster_import_task.enqueue(upload_id=upload.pk)
        return redirect(reverse("trainee_import:result", args=[upload.pk]))
    return TemplateResponse(
        request,
        "classes/admin/import_trainees_preview.html",
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
            "omitted": getattr(errors, "omitted", 0),
            "rows": plan.rows[:PREVIEW_ROWS] if plan else [],
            "more_rows": max(0, len(plan.rows) - PREVIEW_ROWS) if plan else 0,
            "training_class": training_class,
            "page_title": _("导入学员名单：预览"),
            "header_icon": "upload",
        },
    )


def import_trainees_result_view(request, upload_id: int):
    """Progress while the import runs in the background, then what it created."""
    _require_import(request)
    upload = _roster_upload(request, upload_id)
    if upload.status == UploadStatus.STAGED:
        return redirect(reverse("trainee_import:preview", args=[upload.pk]))
    if upload.result.get("initial_passwords"):
        # The new accounts' passwords go to the importer's session for the one-time sheet.
        rows = upload.result["initial_passwords"]
        _password_sheet_keep(request, [InitialPassword(*row) for row in rows])
        upload.result = {**upload.result, "initial_passwords": [], "passwords": len(rows)}
        upload.save(update_fields=["result"])
    done, total = tabular_services.upload_progress_read(upload)
    running = upload.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)
    return TemplateResponse(
        request,
        "classes/admin/import_trainees_result.html",
        {
            "upload": upload,
            "running": running,
            "done": done,
            "total": total,
            "result": upload.result,
            "password_sheets": _password_sheets_pending(request),
            "page_title": _("导入学员名单：结果"),
            "header_icon": "upload",
        },
    )


def roster_template_view(request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    response = HttpResponse(
        roster_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%AD%A6%E5%91%98%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


class TraineeImportViewSet(ViewSet):
    icon = "upload"
    menu_label = _("导入学员名单")
    name = "trainee_import"

    def get_urlpatterns(self):
        return [
            path("", import_trainees_view, name="import"),
            path("<int:upload_id>/", import_trainees_preview_view, name="preview"),
            path("<int:upload_id>/result/", import_trainees_result_view, name="result"),
            path("template.xlsx", roster_template_view, name="template"),
            path("passwords/<str:key>/", initial_password_sheet_view, name="passwords"),
        ]

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class ImportMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(IMPORT_PERMISSION)

        return ImportMenuItem


trainee_import_viewset = TraineeImportViewSet()
