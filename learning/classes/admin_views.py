"""Admin views of learning.classes that are not model CRUD: the roster import."""

import secrets

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
from learning.classes.roster import (
    InitialPassword,
    RosterError,
    initial_password_sheet,
    roster_template,
    trainees_import,
)

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


def _password_sheets_pending(request) -> list[dict]:
    sheets = request.session.get(PASSWORD_SHEETS_SESSION_KEY, {})
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
    sheets = request.session.get(PASSWORD_SHEETS_SESSION_KEY, {})
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


def import_trainees_view(request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        form = TraineeImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                result = trainees_import(
                    file=form.cleaned_data["file"],
                    training_class=form.cleaned_data["training_class"],
                    by=request.user,
                )
            except RosterError as exc:
                errors = exc.errors
                messages.error(
                    request, _("名单有 %(n)s 处错误，未导入任何学员。") % {"n": len(errors)}
                )
            else:
                messages.success(
                    request,
                    _(
                        "导入完成：新建学员 %(created)s 人，更新 %(updated)s 人，报名 %(enrolled)s 人。"
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "enrolled": result.enrolled,
                    },
                )
                if result.initial_passwords:
                    _password_sheet_keep(request, result.initial_passwords)
                return redirect(reverse("trainee_import:import"))
    else:
        form = TraineeImportForm(user=request.user)
    return TemplateResponse(
        request,
        "classes/admin/import_trainees.html",
        {
            "form": form,
            "errors": errors,
            "template_url": reverse("trainee_import:template"),
            "password_sheets": _password_sheets_pending(request),
            "page_title": _("导入学员名单"),
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
