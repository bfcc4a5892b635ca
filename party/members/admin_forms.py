"""Admin form of a member record; the unit and 党小组 choices come from the scope selector. An
existing record's branch and 党小组 are shown, not edited: they change only through their dated
histories on the member page (组织关系转接, 党小组调整), never by an overwrite."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from party.members.models import Member
from party.members.services import group_first_record
from party.organisation.models import UnitKind
from party.organisation.selectors import unit_scope, units_in_scope


class MemberForm(WagtailAdminModelForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "student_no",
            "unit",
            "group",
            "phone",
            "user",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        units = units_in_scope(user=user, scope=unit_scope(user=user))
        self.fields["unit"].queryset = units.filter(kind=UnitKind.BRANCH)
        self.fields["group"].queryset = units.filter(kind=UnitKind.GROUP)
        self.fields["group"].label_from_instance = lambda g: g.name
        # Records moved from trainee profiles may lack 性别; whoever edits one completes it.
        self.fields["gender"].required = True
        if self.instance.pk:
            for name in ("unit", "group"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.fields["unit"].help_text = _("转到其他党支部请在档案页面办理组织关系转接。")
            self.fields["group"].help_text = _("调整党小组请在档案页面办理（记录生效日期）。")

    def clean(self):
        cleaned = super().clean()
        unit, group = cleaned.get("unit"), cleaned.get("group")
        if unit and group and not group.path.startswith(unit.path):
            self.add_error("group", _("党小组不属于所选党支部。"))
        return cleaned

    def save(self, commit=True):
        creating = self.instance.pk is None
        member = super().save(commit=commit)
        if commit and creating:  # the 党小组 it is registered in: the first record of its history
            group_first_record(member=member, by_user=getattr(self, "for_user", None))
        return member
