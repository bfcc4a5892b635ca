"""Admin screens beyond CRUD: Excel import/export, duplicates, 简答 grading, item analysis, regrading."""

from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
from learning.quizzes.models import Attempt, AttemptState, QuestionBank, QuestionType, Quiz
from learning.quizzes.viewsets import quizzes_for
from tabular import selectors as tabular_selectors
from tabular import services as tabular_services
from tabular.models import UploadKind, UploadStatus
from tabular.reader import TableError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSION = "quizzes.add_question"
VIEW_QUESTIONS_PERMISSION = "quizzes.view_question"
GRADE_PERMISSION = "quizzes.change_attemptanswer"
VIEW_QUIZ_PERMISSION = "quizzes.view_quiz"
CHANGE_QUIZ_PERMISSION = "quizzes.change_quiz"


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


PREVIEW_ROWS = 100


def import_view(request):
    """Upload a file: it is kept for its preview, nothing is imported yet."""
    _require(request, IMPORT_PERMISSION)
    if request.method == "POST":
        form = QuestionImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                upload = tabular_services.upload_stage(
                    owner=request.user,
                    kind=UploadKind.QUESTIONS,
                    file=form.cleaned_data["file"],
                    options={"bank_name": form.bank_name},
                )
            except TableError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(reverse("question_import:preview", args=[upload.pk]))
    else:
        form = QuestionImportForm(user=request.user)
    return TemplateResponse(
        request,
        "quizzes/admin/import.html",
        {
            "form": form,
            "banks": QuestionBank.objects.all(),  # every bank may be exported (read-only)
            "page_title": _("导入试题"),
            "header_icon": "upload",
        },
    )


def import_preview_view(request, upload_id: int):
    """The parsed questions with their errors and warnings; “确认导入” imports them, all or none."""
    _require(request, IMPORT_PERMISSION)
    upload = tabular_selectors.upload_for(
        user=request.user, upload_id=upload_id, kind=UploadKind.QUESTIONS
    )
    if upload is None or upload.status != UploadStatus.STAGED:
        raise Http404
    bank_name = upload.options.get("bank_name", "")
    confirm_error = ""
    if request.method == "POST":
        accepted = request.POST.get("accept_warnings") == "1"
        result = excel.parse_file(tabular_services.upload_file(upload))
        if result.ok and (accepted or not result.warnings):
            if not tabular_services.upload_claim(upload_id=upload.pk):
                raise Http404  # already confirmed (a double click)
            with transaction.atomic():
                result = excel.import_questions(
                    file=tabular_services.upload_file(upload),
                    bank_name=bank_name,
                    user=request.user,
                    accept_warnings=True,
                )
                tabular_services.upload_finish(
                    upload_id=upload.pk,
                    result={"created": result.created, "bank": bank_name},
                    failed=not result.imported,
                )
            if result.imported:
                messages.success(
                    request,
                    _("已导入 %(n)s 道试题到题库「%(bank)s」。")
                    % {"n": result.created, "bank": bank_name},
                )
                return redirect(reverse("question_import:import"))
        elif result.ok:
            confirm_error = _("请先勾选确认上面的提示。")
    else:
        result = excel.parse_file(tabular_services.upload_file(upload))
    if not result.ok:
        messages.error(
            request, _("文件有 %(n)s 处错误，未导入任何试题。") % {"n": result.error_total}
        )
    return TemplateResponse(
        request,
        "quizzes/admin/import_preview.html",
        {
            "upload": upload,
            "bank_name": bank_name,
            "result": result,
            "rows": [
                {
                    "row": q.import_row,
                    "type": excel.TYPE_EXPORT_NAMES[q.type],
                    "stem": q.stem,
                    "options": q.options,
                    "answer": excel.answer_cell(q),
                    "score": q.score,
                    "difficulty": excel.DIFFICULTY_EXPORT_NAMES.get(q.difficulty, ""),
                }
                for q in result.questions[:PREVIEW_ROWS]
            ],
            "more_rows": max(0, len(result.questions) - PREVIEW_ROWS),
            "confirm_error": confirm_error,
            "page_title": _("导入试题：预览"),
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
            path("<int:upload_id>/", import_preview_view, name="preview"),
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
    key_changes = selectors.quiz_key_changes(quiz=quiz)
    listed = set()
    for question in analysis["questions"]:
        question["key_change"] = key_changes.get(question["id"])
        listed.add(question["id"])
    return TemplateResponse(
        request,
        "quizzes/admin/item_analysis.html",
        {
            "quiz": quiz,
            "analysis": analysis,
            "bars": bars,
            # Questions only attempts in progress or waiting for 简答 grading hold.
            "other_key_changes": [c for qid, c in key_changes.items() if qid not in listed],
            "regrade_logs": selectors.regrade_logs(quiz=quiz),
            "focus_attempts": selectors.focus_loss_attempts(quiz=quiz),
            "can_regrade": _may_regrade(request.user),
            "page_title": _("试题分析：%(quiz)s") % {"quiz": quiz.title},
            "header_icon": "table",
        },
    )


def _may_regrade(user) -> bool:
    return user.has_perm(GRADE_PERMISSION) and user.has_perm(CHANGE_QUIZ_PERMISSION)


def _regrade_quiz(request, quiz_id: int) -> Quiz:
    """The quiz, if the user grades and edits quizzes and the quiz is theirs (403 / 404 otherwise)."""
    _require(request, GRADE_PERMISSION)
    _require(request, CHANGE_QUIZ_PERMISSION)
    return get_object_or_404(quizzes_for(request.user), pk=quiz_id)


def _regrade_page(request, quiz: Quiz, question_id: int | None):
    analysis_url = reverse("quiz_grading:analysis", args=[quiz.pk])

    def run(dry_run: bool):
        if question_id is None:
            return services.quiz_regrade(quiz=quiz, by=request.user, dry_run=dry_run)
        return services.quiz_question_rekey(
            quiz=quiz, question_id=question_id, by=request.user, dry_run=dry_run
        )

    try:
        summary = run(dry_run=request.method != "POST")
    except QuizError as exc:
        messages.error(request, exc.message)
        return redirect(analysis_url)
    if request.method == "POST":
        messages.success(
            request,
            _(
                "已重新评分：%(changed)s 份答卷成绩变化，其中 %(lost)s 份由通过变为未通过，"
                "%(gained)s 份由未通过变为通过。"
            )
            % {
                "changed": len(summary.changes),
                "lost": len(summary.pass_to_fail),
                "gained": len(summary.fail_to_pass),
            },
        )
        if summary.certificates_to_review:
            messages.warning(
                request,
                _("以下学员已持有结业证书但不再通过考试，请复核（系统未自动撤销）：%(names)s")
                % {
                    "names": "、".join(
                        f"{c['trainee']}（{c['certificate']}）"
                        for c in summary.certificates_to_review
                    )
                },
            )
        return redirect(analysis_url)
    question = None
    if question_id is not None:
        question = selectors.quiz_key_changes(quiz=quiz).get(question_id)
    return TemplateResponse(
        request,
        "quizzes/admin/regrade_confirm.html",
        {
            "quiz": quiz,
            "summary": summary,
            "key_change": question,
            "question_id": question_id,
            "analysis_url": analysis_url,
            "page_title": (
                _("按题库当前答案重新评分：%(quiz)s") % {"quiz": quiz.title}
                if question_id is not None
                else _("重新评分全部答卷：%(quiz)s") % {"quiz": quiz.title}
            ),
            "header_icon": "resubmit",
        },
    )


def regrade_quiz_view(request, quiz_id: int):
    return _regrade_page(request, _regrade_quiz(request, quiz_id), None)


def rekey_question_view(request, quiz_id: int, question_id: int):
    return _regrade_page(request, _regrade_quiz(request, quiz_id), question_id)


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
            path("quizzes/<int:quiz_id>/regrade/", regrade_quiz_view, name="regrade"),
            path(
                "quizzes/<int:quiz_id>/questions/<int:question_id>/rekey/",
                rekey_question_view,
                name="rekey",
            ),
        ]


question_import_viewset = QuestionImportViewSet()
duplicates_viewset = DuplicatesViewSet()
grading_viewset = GradingViewSet()
