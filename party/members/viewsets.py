"""Wagtail admin of member records, limited to the user's scope (组织部, 组织员)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from party.members.admin_forms import MemberForm
from party.members.models import Member, Stage
from party.members.selectors import members_in_scope


def _stage_label(member) -> str:
    stage = getattr(member, "current_stage", None)
    return Stage(stage).label if stage else "—"


class ScopedMemberMixin:
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not members_in_scope(user=self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class MemberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return members_in_scope(user=self.request.user).select_related("unit", "group")


class MemberEditView(ScopedMemberMixin, generic.EditView):
    pass


class MemberDeleteView(ScopedMemberMixin, generic.DeleteView):
    pass


class MemberViewSet(ModelViewSet):
    model = Member
    icon = "user"
    menu_label = _("党员/发展对象档案")
    index_view_class = MemberIndexView
    edit_view_class = MemberEditView
    delete_view_class = MemberDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        "student_no",
        "unit",
        Column("current_stage", label=_("当前阶段"), accessor=_stage_label),
    ]
    # Not by phone number: a search must not reveal whose number it is.
    search_fields = ["name", "student_no"]

    def get_form_class(self, for_update=False):
        return MemberForm


member_viewset = MemberViewSet("party_members")
