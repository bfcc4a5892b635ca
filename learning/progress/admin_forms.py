"""Admin forms of offline sessions (记录线下培训): the attendance checklist and a correction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learning.classes.models import OfflineSession, hours_text
from learning.progress.offline_hours import day_class_hours


def _branch_groups(trainees) -> list[tuple[str, list]]:
    """[(党支部, [trainees])] in the order given (classes.selectors.enrolled_trainees: sorted by
    the member's unit, `branch_name`)."""
    groups: list[tuple[str, list]] = []
    for trainee in trainees:
        if not groups or groups[-1][0] != trainee.branch_name:
            groups.append((trainee.branch_name, []))
        groups[-1][1].append(trainee)
    return groups


class _AttendanceForm(forms.Form):
    """A checklist of trainees; the template draws it grouped by 党支部 (self.groups)."""

    trainees = forms.TypedMultipleChoiceField(
        label=_("参加学员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        trainees = list(trainees)
        self.fields["trainees"].choices = [(t.pk, str(t)) for t in trainees]
        self.groups = _branch_groups(trainees)

    def ticked(self) -> set[int]:
        """The trainee ids to show ticked: what was posted, else the initial value."""
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("trainees"))
        else:
            values = self.initial.get("trainees") or []
        ticked = set()
        for value in values:
            try:
                ticked.add(int(value))
            except (TypeError, ValueError):
                continue
        return ticked


class OfflineSessionForm(_AttendanceForm):
    source = forms.ChoiceField(label=_("类型"), choices=())
    # The service says the same when it is called without them (the API's path).
    topic = forms.CharField(
        label=_("主题"), max_length=200, error_messages={"required": _("请填写培训主题。")}
    )
    occurred_on = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写培训日期。")},
    )
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("每人学时"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("学时与天数填一项即可。"),
    )
    days = forms.DecimalField(
        label=_("天数"),
        required=False,
        min_value=0,
        max_digits=4,
        decimal_places=1,
        help_text=_("按天记录时填写，一天计 %(hours)s 学时。"),
    )
    field_order = ["source", "topic", "occurred_on", "location", "amount", "days", "trainees"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = OfflineSession._meta.get_field("source").choices
        self.fields["days"].help_text = self.fields["days"].help_text % {
            "hours": hours_text(day_class_hours())
        }


class AttendeesAddForm(_AttendanceForm):
    """补记学员: the class's trainees not yet credited for the session, none ticked."""


class EntryCorrectForm(forms.Form):
    note = forms.CharField(
        label=_("更正原因"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("例如：未到场，误勾选")}),
    )


class LeaveRecordForm(forms.Form):
    """记录请假: one trainee of the class who missed the session, and the reason."""

    trainee = forms.TypedChoiceField(label=_("请假学员"), coerce=int)
    reason = forms.CharField(
        label=_("请假事由"),
        max_length=500,
        # Blank is refused by the service, in its words (no reason, no 请假).
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：病假（附医院证明）")}),
    )

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].choices = [("", "---------")] + [
            (t.pk, f"{t.name}（{t.student_no}）") for t in trainees
        ]
