"""Admin form of a member record; the unit and 党小组 choices come from the scope selector."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from party.members.models import Member
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

    def clean(self):
        cleaned = super().clean()
        unit, group = cleaned.get("unit"), cleaned.get("group")
        if unit and group and not group.path.startswith(unit.path):
            self.add_error("group", _("党小组不属于所选党支部。"))
        return cleaned
