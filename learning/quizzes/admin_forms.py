"""Admin forms: a question edited as options A–H plus an answer written as in the Excel template."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from learning.classes.selectors import can_view_all_classes, classes_for_trainer
from learning.quizzes import grading, selectors
from learning.quizzes.models import (
    CHOICE_TYPES,
    OPTION_KEYS,
    Question,
    QuestionBank,
    QuestionType,
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
        return data
