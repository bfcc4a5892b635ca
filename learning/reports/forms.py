"""Forms of learning.reports: report filters (shared by the admin pages and the API), revoking."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learning.classes.models import Branch, College, TraineeStage, TrainingClass
from learning.reports.selectors import SORTS, ReportFilters, ReportStatus


def _sort_choices():
    return [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class ReportFilterForm(forms.Form):
    """Narrow a report: branch, college, stage, status, a search box and the sort column."""

    college = forms.ModelChoiceField(
        label=_("学院"), queryset=College.objects.none(), required=False, empty_label=_("全部学院")
    )
    branch = forms.ModelChoiceField(
        label=_("党支部"), queryset=Branch.objects.none(), required=False, empty_label=_("全部支部")
    )
    stage = forms.ChoiceField(
        label=_("发展阶段"), choices=[("", _("全部阶段")), *TraineeStage.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *ReportStatus.choices], required=False
    )
    q = forms.CharField(label=_("搜索"), max_length=50, required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=_sort_choices, required=False)

    def __init__(self, *args, training_class: TrainingClass | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.select_related("college")
        colleges = College.objects.all()
        if training_class is not None:
            # Offer only the organisations that have trainees in this class.
            branches = branches.filter(trainees__enrolments__training_class=training_class)
            colleges = colleges.filter(trainees__enrolments__training_class=training_class)
        self.fields["branch"].queryset = branches.distinct()
        self.fields["college"].queryset = colleges.distinct()
        self.fields["q"].widget.attrs["placeholder"] = _("姓名或学号")

    def filters(self) -> ReportFilters:
        """The cleaned filters (call after is_valid())."""
        data = self.cleaned_data
        return ReportFilters(
            branch=data["branch"].pk if data.get("branch") else None,
            college=data["college"].pk if data.get("college") else None,
            stage=data.get("stage") or "",
            status=data.get("status") or "",
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "student_no",
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：考试作弊、学时记录有误。撤销后证书验证页面显示“已撤销”。"),
    )


class DisqualifyForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：结业考试作弊、严重违纪。记录会保留，恢复结业资格也需填写原因。"),
    )
