"""Admin forms: a question edited as options A–H plus an answer written as in the Excel template."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from learning.classes.models import hours_text
from learning.classes.selectors import can_view_all_classes, classes_for_trainer
from learning.quizzes import grading, selectors
from learning.quizzes.models import (
    CHOICE_TYPES,
    OPTION_KEYS,
    Question,
    QuestionBank,
    QuestionType,
    Quiz,
    QuizKind,
)


class QuestionBankForm(WagtailAdminModelForm):
    """A new bank is owned by its creator; only staff share a bank for editing by every trainer."""

    class Meta:
        model = QuestionBank
        fields = ["name", "description", "training_class", "shared_for_editing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        user = self.for_user
        self.fields["training_class"].queryset = classes_for_trainer(user=user)
        if not can_view_all_classes(user):
            del self.fields["shared_for_editing"]

    def save(self, commit=True):
        if not self.instance.pk:
            self.instance.owner = self.for_user
            self.instance.created_by = self.for_user
        return super().save(commit=commit)


class QuestionForm(WagtailAdminModelForm):
    answer_text = forms.CharField(
        label=_("答案"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "单选：B；多选：ABD 或 A,B,D；判断：正确/错误；填空：多个空用 ； 分隔，可接受的多个答案用 | 分隔；"
            "简答：参考答案（阅卷时显示）。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            # Only banks the user may edit: another trainer's answer keys grade their exams.
            self.fields["bank"].queryset = selectors.banks_editable_by(user=self.for_user)
        options = list(self.instance.options or []) if self.instance.pk else []
        for index, key in enumerate(OPTION_KEYS):
            self.fields[f"option_{key}"] = forms.CharField(
                label=_("选项%(key)s") % {"key": key},
                required=False,
                initial=options[index] if index < len(options) else "",
            )
        if self.instance.pk and self.instance.answer is not None:
            self.fields["answer_text"].initial = _answer_text(self.instance)
        self.order_fields(
            ["bank", "type", "stem"]
            + [f"option_{k}" for k in OPTION_KEYS]
            + ["answer_text", "explanation", "score", "difficulty", "category", "tags"]
        )

    class Meta:
        model = Question
        fields = ["bank", "type", "stem", "explanation", "score", "difficulty", "category", "tags"]

    def clean(self):
        data = super().clean()
        type_ = data.get("type")
        options = [(data.get(f"option_{k}") or "").strip() for k in OPTION_KEYS]
        while options and not options[-1]:
            options.pop()
        if type_ in CHOICE_TYPES:
            if "" in options:
                self.add_error(f"option_{OPTION_KEYS[options.index('')]}", _("选项不能跳空。"))
            elif len(options) < 2:
                self.add_error("option_B", _("选择题至少需要两个选项。"))
        else:
            options = []
        data["options"] = options
        raw = data.get("answer_text", "")
        if type_:
            if type_ != QuestionType.SHORT and not raw.strip():
                self.add_error("answer_text", _("答案不能为空。"))
            else:
                try:
                    data["answer"] = grading.normalise_key(type_, raw, option_count=len(options))
                except grading.AnswerError as exc:
                    self.add_error("answer_text", str(exc))
        return data

    def save(self, commit=True):
        self.instance.options = self.cleaned_data["options"]
        self.instance.answer = self.cleaned_data.get("answer")
        return super().save(commit=commit)


def _answer_text(question: Question) -> str:
    if question.type == QuestionType.MULTIPLE:
        return "".join(question.answer or [])
    return grading.display_answer({"type": question.type, "answer": question.answer})


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("试题文件"),
        help_text=_(
            "Excel（.xlsx 或 .xls）或 CSV（UTF-8 或 GBK）；表头可以不在第一行。上传后先预览，确认后才导入。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    bank = forms.ModelChoiceField(
        label=_("导入到已有题库"), queryset=QuestionBank.objects.none(), required=False
    )
    new_bank = forms.CharField(label=_("或新建题库"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = selectors.banks_editable_by(user=user)

    def clean(self):
        data = super().clean()
        if not data.get("bank") and not (data.get("new_bank") or "").strip():
            raise forms.ValidationError(_("请选择题库或填写新题库名称。"))
        if (
            not data.get("bank")
            and QuestionBank.objects.filter(name=data["new_bank"].strip()).exists()
        ):
            self.add_error("new_bank", _("已有同名题库，请直接选择它。"))
        return data

    @property
    def bank_name(self) -> str:
        bank = self.cleaned_data.get("bank")
        return bank.name if bank else self.cleaned_data["new_bank"].strip()


class ManualGradeForm(forms.Form):
    awarded = forms.DecimalField(label=_("得分"), min_value=0, max_digits=6, decimal_places=2)
    comment = forms.CharField(
        label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, maximum=None, **kwargs):
        super().__init__(*args, **kwargs)
        if maximum is not None:
            self.fields["awarded"].max_value = maximum
            self.fields["awarded"].validators.append(MaxValueValidator(maximum))
            self.fields["awarded"].help_text = _("满分 %(max)s") % {"max": maximum}


class QuizForm(WagtailAdminModelForm):
    """Practice quizzes belong to a lesson, exams to a class the trainer runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("training_class")
        if field is not None and self.for_user is not None:
            field.queryset = classes_for_trainer(user=self.for_user)
        limit = self.fields.get("max_focus_losses")
        if limit is not None:
            # Left empty means what 0 means: not limited, only recorded.
            limit.required = False
        makeup = self.fields.get("makeup_of")
        if makeup is not None:
            finals = Quiz.objects.filter(kind=QuizKind.EXAM, is_final_exam=True)
            if self.for_user is not None:
                finals = finals.filter(training_class__in=classes_for_trainer(user=self.for_user))
            makeup.queryset = finals.exclude(pk=self.instance.pk).select_related("training_class")
            makeup.label_from_instance = lambda q: f"{q.training_class} · {q.title}"
        mark = self.fields.get("pass_mark")
        instance = self.instance
        if (
            mark is not None
            and instance.pk
            and instance.training_class_id
            and (instance.is_final_exam or instance.makeup_of_id)
        ):
            # The class decides 结业 (scoring.pass_mark_for): show its value, edit it there.
            mark.initial = instance.training_class.pass_mark
            mark.disabled = True
            mark.help_text = _(
                "结业考试和补考的及格线就是培训班的“及格分”（当前 %(mark)s 分），请在培训班中修改。"
            ) % {"mark": hours_text(instance.training_class.pass_mark)}

    def clean_max_focus_losses(self):
        return self.cleaned_data.get("max_focus_losses") or 0

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == QuizKind.PRACTICE and not data.get("lesson"):
            self.add_error("lesson", _("课后练习须选择所属微党课。"))
        if kind == QuizKind.EXAM and not data.get("training_class"):
            self.add_error("training_class", _("考试须选择所属培训班。"))
        if kind == QuizKind.PRACTICE and data.get("training_class"):
            self.add_error("training_class", _("课后练习不属于培训班，请留空。"))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("关闭时间须晚于开放时间。"))
        self._clean_final_and_makeup(data)
        return data

    def _clean_final_and_makeup(self, data) -> None:
        """One 结业考试 per class; a 补考 belongs to its class's 结业考试; both pass at the class's
        及格分 (stored on the quiz too, so every page shows the value that decides)."""
        klass = data.get("training_class")
        final, makeup_of = data.get("is_final_exam"), data.get("makeup_of")
        if (final or makeup_of) and (data.get("kind") != QuizKind.EXAM or klass is None):
            self.add_error(
                "is_final_exam" if final else "makeup_of",
                _("结业考试和补考须是考试，并选择所属培训班。"),
            )
            return
        if final and makeup_of:
            self.add_error("makeup_of", _("结业考试本身不能再是补考，请只选一项。"))
            return
        if final:
            other = (
                Quiz.objects.filter(training_class=klass, is_final_exam=True)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if other is not None:
                self.add_error(
                    "is_final_exam",
                    _("培训班「%(klass)s」已有结业考试「%(quiz)s」；每个培训班只有一场结业考试。")
                    % {"klass": klass, "quiz": other.title},
                )
                return
        if makeup_of and makeup_of.training_class_id != klass.pk:
            self.add_error("makeup_of", _("补考须与它对应的结业考试属于同一个培训班。"))
            return
        if final or makeup_of:
            data["pass_mark"] = klass.pass_mark
