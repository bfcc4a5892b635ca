"""Admin screens beyond CRUD: Excel import/export, duplicates, the 简答 grading queue, item analysis."""

from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from learning.quizzes import excel, selectors, services
from learning.quizzes.admin_forms import ManualGradeForm, QuestionImportForm
from learning.quizzes.exceptions import QuizError
from learning.quizzes.models import Attempt, AttemptState, QuestionBank, QuestionType
from learning.quizzes.viewsets import quizzes_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSION = "quizzes.add_question"
VIEW_QUESTIONS_PERMISSION = "quizzes.view_question"
GRADE_PERMISSION = "quizzes.change_attemptanswer"
VIEW_QUIZ_PERMISSION = "quizzes.view_quiz"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _menu_item_for(permission: str):
    class PermissionMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(permission)

    return PermissionMenuItem


# --- import / export -----------------------------------------------------------------------------


def import_view(request):
    _require(request, IMPORT_PERMISSION)
    errors = []
    if request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = excel.import_questions(
                file=form.cleaned_data["file"], bank_name=form.bank_name, user=request.user
            )
            if result.ok:
                messages.success(
                    request,
                    _("已导入 %(n)s 道试题到题库「%(bank)s」。")
                    % {"n": result.created, "bank": form.bank_name},
                )
                return redirect(reverse("question_import:import"))
            errors = result.errors
            messages.error(request, _("文件有 %(n)s 处错误，未导入任何试题。") % {"n": len(errors)})
    else:
        form = QuestionImportForm()
    return TemplateResponse(
        request,
        "quizzes/admin/import.html",
        {
            "form": form,
            "errors": errors,
            "banks": QuestionBank.objects.all(),
            "page_title": _("导入试题"),
            "header_icon": "upload",
        },
    )


def template_view(request):
    _require(request, IMPORT_PERMISSION)
    return _xlsx_response(excel.template_xlsx(), "试题导入模板.xlsx")


def export_view(request, bank_id: int):
    _require(request, VIEW_QUESTIONS_PERMISSION)
    bank = get_object_or_404(QuestionBank, pk=bank_id)
    return _xlsx_response(excel.export_xlsx(bank.questions.order_by("id")), f"{bank.name}.xlsx")


def duplicates_view(request):
    _require(request, VIEW_QUESTIONS_PERMISSION)
    bank_id = request.GET.get("bank")
    groups = selectors.duplicate_groups(
        bank_id=int(bank_id) if bank_id and bank_id.isdigit() else None
    )
    return TemplateResponse(
        request,
        "quizzes/admin/duplicates.html",
        {
            "groups": groups,
            "banks": QuestionBank.objects.all(),
            "bank_id": bank_id,
            "page_title": _("重复试题"),
            "header_icon": "warning",
        },
    )


class QuestionImportViewSet(ViewSet):
    icon = "upload"
    menu_label = gettext_lazy("导入/导出试题")
    name = "question_import"
    menu_item_class = _menu_item_for(IMPORT_PERMISSION)

    def get_urlpatterns(self):
        return [
            path("", import_view, name="import"),
            path("template.xlsx", template_view, name="template"),
            path("export/<int:bank_id>.xlsx", export_view, name="export"),
        ]


class DuplicatesViewSet(ViewSet):
    icon = "warning"
    menu_label = gettext_lazy("重复试题")
    name = "question_duplicates"
    menu_item_class = _menu_item_for(VIEW_QUESTIONS_PERMISSION)

    def get_urlpatterns(self):
        return [path("", duplicates_view, name="index")]


# --- grading queue and item analysis -------------------------------------------------------------


def grading_queue_view(request):
    _require(request, GRADE_PERMISSION)
    return TemplateResponse(
        request,
        "quizzes/admin/grading_queue.html",
        {
            "attempts": selectors.grading_queue(user=request.user)[:200],
            "page_title": _("简答题阅卷"),
            "header_icon": "edit",
        },
    )


def _gradable_attempt(request, attempt_id: int) -> Attempt:
    attempt = (
        Attempt.objects.select_related("quiz", "user")
        .filter(pk=attempt_id, quiz__in=quizzes_for(request.user))
        .exclude(state=AttemptState.IN_PROGRESS)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def grade_attempt_view(request, attempt_id: int):
    _require(request, GRADE_PERMISSION)
    attempt = _gradable_attempt(request, attempt_id)
    answers = {row.question_id: row for row in attempt.answers.all()}
    items = []
    posted = request.method == "POST"
    all_valid = True
    for question in attempt.questions:
        if question["type"] != QuestionType.SHORT:
            continue
        row = answers.get(question["id"])
        prefix = f"q{question['id']}"
        initial = {"awarded": row.awarded, "comment": row.comment} if row else {}
        form = ManualGradeForm(
            request.POST if posted else None,
            prefix=prefix,
            initial=initial,
            maximum=Decimal(question["score"]),
        )
        all_valid = all_valid and (form.is_valid() if posted else True)
        items.append({"question": question, "row": row, "form": form})
    if posted and all_valid:
        try:
            for item in items:
                services.answer_grade(
                    attempt_id=attempt.pk,
                    question_id=item["question"]["id"],
                    grader=request.user,
                    awarded=item["form"].cleaned_data["awarded"],
                    comment=item["form"].cleaned_data["comment"],
                )
        except QuizError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存阅卷结果。"))
            return redirect(reverse("quiz_grading:queue"))
    return TemplateResponse(
        request,
        "quizzes/admin/grade_attempt.html",
        {
            "attempt": attempt,
            "items": items,
            "page_title": _("阅卷：%(quiz)s") % {"quiz": attempt.quiz.title},
            "header_icon": "edit",
        },
    )


def item_analysis_view(request, quiz_id: int):
    _require(request, VIEW_QUIZ_PERMISSION)
    quiz = get_object_or_404(quizzes_for(request.user), pk=quiz_id)
    analysis = selectors.item_analysis(quiz=quiz)
    peak = max((b["count"] for b in analysis["histogram"]), default=0) or 1
    bars = [
        {**b, "height": round(b["count"] * 160 / peak), "x": 40 + i * 44}
        for i, b in enumerate(analysis["histogram"])
    ]
    for bar in bars:
        bar["y"] = 180 - bar["height"]
    return TemplateResponse(
        request,
        "quizzes/admin/item_analysis.html",
        {
            "quiz": quiz,
            "analysis": analysis,
            "bars": bars,
            "page_title": _("试题分析：%(quiz)s") % {"quiz": quiz.title},
            "header_icon": "table",
        },
    )


class GradingViewSet(ViewSet):
    icon = "edit"
    menu_label = gettext_lazy("简答题阅卷")
    name = "quiz_grading"
    menu_item_class = _menu_item_for(GRADE_PERMISSION)

    def get_urlpatterns(self):
        return [
            path("", grading_queue_view, name="queue"),
            path("attempts/<int:attempt_id>/", grade_attempt_view, name="grade"),
            path("quizzes/<int:quiz_id>/analysis/", item_analysis_view, name="analysis"),
        ]


question_import_viewset = QuestionImportViewSet()
duplicates_viewset = DuplicatesViewSet()
grading_viewset = GradingViewSet()
