"""Forms of learning.reports: report filters (shared by the admin pages and the API), revoking."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learning.classes.membership import units_of_trainees
from learning.classes.models import TraineeProfile, TraineeStage, TrainingClass
from learning.classes.selectors import classes_for_trainer
from learning.reports.selectors import SORTS, ReportFilters, ReportStatus
from party.organisation.models import Unit


def _sort_choices():
    return [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


def report_unit_choices(*, training_class: TrainingClass | None = None, user=None):
    """(党支部, 院系党委) Unit querysets a report may be filtered by: the units of the member records
    of the class's trainees, or (the dashboard) of the trainees of the user's classes; nothing
    else, so an id outside them is an invalid choice. Lazy: one query each when listed."""
    if training_class is not None:
        classes = [training_class.pk]
    elif user is not None:
        classes = classes_for_trainer(user=user).values("pk")
    else:
        return Unit.objects.none(), Unit.objects.none()
    return units_of_trainees(TraineeProfile.objects.filter(enrolments__training_class__in=classes))


class ReportFilterForm(forms.Form):
    """Narrow a report: branch, college, stage, status, a search box and the sort column."""

    college = forms.ModelChoiceField(
        label=_("学院"), queryset=Unit.objects.none(), required=False, empty_label=_("全部学院")
    )
    branch = forms.ModelChoiceField(
        label=_("党支部"), queryset=Unit.objects.none(), required=False, empty_label=_("全部支部")
    )
    stage = forms.ChoiceField(
        label=_("发展阶段"), choices=[("", _("全部阶段")), *TraineeStage.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部状态")), *ReportStatus.choices], required=False
    )
    q = forms.CharField(label=_("搜索"), max_length=50, required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=_sort_choices, required=False)

    def __init__(self, *args, training_class: TrainingClass | None = None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        branches, colleges = report_unit_choices(training_class=training_class, user=user)
        self.fields["branch"].queryset = branches
        self.fields["college"].queryset = colleges
        self.fields["q"].widget.attrs["placeholder"] = _("姓名或学号")

    def filters(self) -> ReportFilters:
        """The cleaned filters (call after is_valid())."""
        data = self.cleaned_data
        return ReportFilters(
            branch=data["branch"].pk if data.get("branch") else None,
            college=data["college"].pk if data.get("college") else None,
            branch_unit=data.get("branch"),
            college_unit=data.get("college"),
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
