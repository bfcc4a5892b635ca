"""The site form a 支部书记 plans a meeting with on a phone; every choice list comes from the
scope selector."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from party.meetings.models import MeetingKind
from party.meetings.selectors import planning_units
from party.members.selectors import members_in_scope


class MeetingPlanForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("党组织"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("类型"), choices=MeetingKind.choices)
    topic = forms.CharField(label=_("主题"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration = forms.IntegerField(
        label=_("时长（分钟）"), min_value=10, max_value=12 * 60, initial=90
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_link = forms.URLField(label=_("线上会议链接"), required=False, assume_scheme="https")
    host = forms.ModelChoiceField(label=_("主持人"), queryset=None, required=False)
    speaker = forms.CharField(
        label=_("党课主讲人"), max_length=100, required=False, help_text=_("仅党课填写。")
    )
    agenda = forms.CharField(
        label=_("议程"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("谈话对象"),
        queryset=None,
        required=False,
        help_text=_("仅谈心谈话：选择参加谈话的党员。"),
    )
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = planning_units(user=user)
        members = members_in_scope(user=user).order_by("unit__path", "student_no")
        self.fields["host"].queryset = members
        self.fields["participants"].queryset = members
        if not self.is_bound:
            start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            self.initial.setdefault("starts_at", start + timezone.timedelta(days=1))
