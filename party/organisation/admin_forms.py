"""Admin forms of the organisation tree; every choice list comes from the scope selector."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from party.organisation.models import OrganiserAssignment, PostRole, Unit, UnitKind, UnitPost
from party.organisation.selectors import unit_scope, units_in_scope
from party.organisation.services import term_end

ORGANISERS_GROUP = "组织员"  # cms.roles.ORGANISERS; party/ may not import cms/.


def _unit_label(unit: Unit) -> str:
    return f"{'— ' * (unit.depth - 1)}{unit.name}（{unit.get_kind_display()}）"


class UnitForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label=_("上级党组织"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("留空表示最上级（校党委）。"),
    )

    class Meta:
        model = Unit
        fields = ["kind", "name", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        parents = units_in_scope(user=user).exclude(kind=UnitKind.GROUP)
        if self.instance.pk:
            # Not under itself or its own subtree.
            parents = parents.exclude(path__startswith=self.instance.path)
            self.fields["kind"].disabled = True
            parent = self.instance.get_parent()
            self.fields["parent"].initial = parent.pk if parent else None
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = _unit_label


class UnitPostForm(WagtailAdminModelForm):
    class Meta:
        model = UnitPost
        fields = ["unit", "member", "role", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        scope = unit_scope(user=user)
        self.fields["unit"].queryset = units_in_scope(user=user, scope=scope)
        self.fields["unit"].label_from_instance = _unit_label
        # The member model by relation: organisation imports nothing from party.members.
        Member = UnitPost._meta.get_field("member").related_model
        self.fields["member"].queryset = Member.objects.filter(scope.q("unit__")).order_by("name")

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and not ends_on:
            cleaned["ends_on"] = term_end(starts_on)
            self.instance.ends_on = cleaned["ends_on"]
        elif starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("任期结束不能早于任期开始。"))
        role, unit = cleaned.get("role"), cleaned.get("unit")
        if role == PostRole.GROUP_LEADER and unit and unit.kind != UnitKind.GROUP:
            self.add_error("role", _("党小组组长只能在党小组任职。"))
        return cleaned


class OrganiserAssignmentForm(WagtailAdminModelForm):
    class Meta:
        model = OrganiserAssignment
        fields = ["user", "unit", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        self.fields["unit"].queryset = units_in_scope(user=user).filter(kind=UnitKind.COLLEGE)
        self.fields["unit"].label_from_instance = _unit_label
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(groups__name=ORGANISERS_GROUP, is_active=True)
            .order_by("username")
        )
