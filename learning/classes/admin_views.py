"""Admin views of learning.classes that are not model CRUD: the roster import."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail.admin.viewsets.base import ViewSet

from learning.classes.admin_forms import TraineeImportForm
from learning.classes.roster import RosterError, roster_template, trainees_import

IMPORT_PERMISSION = "classes.add_traineeprofile"


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
                    initial_password=form.cleaned_data["initial_password"] or None,
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
        ]

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class ImportMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(IMPORT_PERMISSION)

        return ImportMenuItem


trainee_import_viewset = TraineeImportViewSet()
