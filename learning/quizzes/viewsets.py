"""Wagtail admin viewsets: question banks, questions (search and filter) and quizzes with draw rules."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from learning.quizzes import selectors
from learning.quizzes.admin_forms import QuestionBankForm, QuestionForm, QuizForm
from learning.quizzes.models import Question, QuestionBank, QuestionType, Quiz
from learning.quizzes.services import quiz_problems


class BankIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(question_count=Count("questions"))


class EditableBankMixin:
    """Change and delete only what selectors.banks_editable_by allows; other banks are read-only
    (403: they are visible in the list, their questions may be viewed and drawn)."""

    def bank_id_of(self, obj) -> int:
        return obj.bank_id if isinstance(obj, Question) else obj.pk

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not selectors.bank_is_editable(user=self.request.user, bank_id=self.bank_id_of(obj)):
            raise PermissionDenied
        return obj


class BankEditView(EditableBankMixin, generic.EditView):
    pass


class BankDeleteView(EditableBankMixin, generic.DeleteView):
    pass


class QuestionEditView(EditableBankMixin, generic.EditView):
    pass


class QuestionDeleteView(EditableBankMixin, generic.DeleteView):
    pass


class QuestionBankViewSet(ModelViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("题库")
    index_view_class = BankIndexView
    edit_view_class = BankEditView
    delete_view_class = BankDeleteView
    list_display = [
        "name",
        Column("question_count", label=_("试题数")),
        "owner",
        "training_class",
        "created_at",
    ]

    def get_form_class(self, for_update=False):
        return QuestionBankForm

    search_fields = ["name", "description"]
    # Plain database lookups: banks and questions are not in the site's search index.
    search_backend_name = None
    copy_view_enabled = False


class QuestionViewSet(ModelViewSet):
    model = Question
    icon = "help"
    menu_label = _("试题")
    edit_view_class = QuestionEditView
    delete_view_class = QuestionDeleteView
    list_display = [
        Column("stem", label=_("题干"), accessor="__str__"),
        Column("type", label=_("题型"), accessor="get_type_display"),
        "bank",
        "category",
        Column("difficulty", label=_("难度"), accessor="get_difficulty_display"),
        "score",
    ]
    list_filter = ["bank", "type", "difficulty", "category"]
    search_fields = ["stem", "category", "tags", "explanation"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return QuestionForm


class QuestionChooserFilterForm(BaseFilterForm):
    q = forms.CharField(label=_("题干"), required=False)
    bank = forms.ModelChoiceField(
        label=_("题库"), queryset=QuestionBank.objects.all(), required=False
    )
    type = forms.ChoiceField(
        label=_("题型"), choices=[("", _("全部题型")), *QuestionType.choices], required=False
    )

    def filter(self, objects):
        objects = super().filter(objects)
        data = self.cleaned_data
        if data.get("q"):
            objects = objects.filter(stem__icontains=data["q"])
            self.is_searching = True
            self.search_query = data["q"]
        if data.get("bank"):
            objects = objects.filter(bank=data["bank"])
        if data.get("type"):
            objects = objects.filter(type=data["type"])
        return objects


class QuestionsOnlyForQuizEditors:
    """The chooser lists question stems: for those who may view questions (not editors)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("quizzes.view_question"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class QuestionChooseView(QuestionsOnlyForQuizEditors, chooser_views.ChooseView):
    filter_form_class = QuestionChooserFilterForm


class QuestionChooseResultsView(QuestionsOnlyForQuizEditors, chooser_views.ChooseResultsView):
    filter_form_class = QuestionChooserFilterForm


class QuestionChosenView(QuestionsOnlyForQuizEditors, chooser_views.ChosenView):
    pass


class QuestionChosenMultipleView(QuestionsOnlyForQuizEditors, chooser_views.ChosenMultipleView):
    pass


class QuestionChooserViewSet(ChooserViewSet):
    """Pick fixed questions of a quiz from a searchable list instead of a 5,000-item select."""

    model = Question
    icon = "help"
    choose_one_text = _("选择试题")
    choose_another_text = _("选择其他试题")
    edit_item_text = _("编辑试题")
    per_page = 30

    choose_view_class = QuestionChooseView
    choose_results_view_class = QuestionChooseResultsView
    chosen_view_class = QuestionChosenView
    chosen_multiple_view_class = QuestionChosenMultipleView


question_chooser_viewset = QuestionChooserViewSet("question_chooser")


# --- quizzes and exams: a trainer sees practice quizzes and the exams of their own classes -----


def quizzes_for(user):
    qs = Quiz.objects.all()
    limit = selectors.trainer_classes_filter(user=user)
    if limit is not None:
        qs = qs.filter(Q(training_class__isnull=True) | Q(**limit)).distinct()
    return qs


class ScopedQuizMixin:
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not quizzes_for(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class QuizIndexView(generic.IndexView):
    def get_base_queryset(self):
        return quizzes_for(self.request.user).select_related("training_class", "lesson")


class LeakWarningMixin:
    """After saving, warn when a practice quiz would show the keys of exam questions."""

    def form_valid(self, form):
        response = super().form_valid(form)
        for warning in selectors.practice_leaks(quiz=self.object):
            messages.warning(self.request, warning)
        return response


class QuizCreateView(LeakWarningMixin, generic.CreateView):
    pass


class QuizEditView(LeakWarningMixin, ScopedQuizMixin, generic.EditView):
    pass


class QuizDeleteView(ScopedQuizMixin, generic.DeleteView):
    pass


class QuizHistoryView(generic.HistoryView):
    # Found by the permission matrix: another class's exam history was open to every trainer.
    def get_base_object_queryset(self):
        return quizzes_for(self.request.user)


class QuizUsageView(ScopedQuizMixin, generic.UsageView):
    pass


class QuizInspectView(ScopedQuizMixin, generic.InspectView):
    template_name = "quizzes/admin/quiz_inspect.html"

    def get_field_display_value(self, field_name, field):
        """Words, not Python: 是/否 for yes-no settings and “—” for what is not set (not None)."""
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problems"] = quiz_problems(quiz=self.object)
        context["leaks"] = selectors.practice_leaks(quiz=self.object)
        context["attempt_counts"] = dict(
            self.object.attempts.values_list("state").annotate(n=Count("id")).order_by()
        )
        return context


class QuizViewSet(ModelViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("测验与考试")
    index_view_class = QuizIndexView
    add_view_class = QuizCreateView
    edit_view_class = QuizEditView
    delete_view_class = QuizDeleteView
    history_view_class = QuizHistoryView
    usage_view_class = QuizUsageView
    inspect_view_class = QuizInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "title",
        Column("kind", label=_("类型"), accessor="get_kind_display"),
        "training_class",
        "lesson",
        "is_final_exam",
        "time_limit_minutes",
        "pass_mark",
    ]
    list_filter = ["kind", "is_final_exam"]
    search_fields = ["title"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldPanel("kind"),
                    FieldPanel("description"),
                    PageChooserPanel("lesson", settings.LESSON_PAGE_MODELS),
                    FieldPanel("training_class"),
                    FieldRowPanel([FieldPanel("is_final_exam"), FieldPanel("makeup_of")]),
                ],
                heading=_("基本信息"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                    FieldRowPanel(
                        [FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]
                    ),
                    FieldRowPanel([FieldPanel("grading_method"), FieldPanel("pass_mark")]),
                    FieldRowPanel(
                        [FieldPanel("review_after_submit"), FieldPanel("review_after_close")]
                    ),
                    FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                    FieldPanel("multiple_partial_credit"),
                    FieldPanel("class_hours_credit"),
                    FieldPanel("max_focus_losses"),
                ],
                heading=_("考试规则"),
            ),
            InlinePanel(
                "draw_rules",
                heading=_("随机抽题规则"),
                label=_("抽题规则"),
                panels=[
                    FieldRowPanel([FieldPanel("bank"), FieldPanel("type")]),
                    FieldRowPanel(
                        [
                            FieldPanel("category"),
                            FieldPanel("difficulty"),
                            FieldPanel("count"),
                            FieldPanel("score"),
                        ]
                    ),
                ],
            ),
            InlinePanel(
                "fixed_questions",
                heading=_("固定试题"),
                label=_("试题"),
                panels=[
                    FieldPanel("question", widget=question_chooser_viewset.widget_class),
                    FieldPanel("score"),
                ],
            ),
        ],
        base_form_class=QuizForm,
    )


question_bank_viewset = QuestionBankViewSet("question_banks")
question_viewset = QuestionViewSet("questions")
quiz_viewset = QuizViewSet("quiz_admin")
