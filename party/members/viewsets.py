"""Wagtail admin of member records, limited to the user's scope (组织部, 组织员)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from party.members.admin_forms import MemberForm
from party.members.models import AccessAction, Member, MemberAccessLog, Stage, StepDefinition
from party.members.selectors import members_in_scope
from party.members.services import access_log_write


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

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        # The records listed on this page (name, 学号, stage) are a view of each: logged.
        access_log_write(
            user=self.request.user,
            members=list(context["object_list"]),
            action=AccessAction.VIEW,
            what=_("管理后台档案列表"),
        )
        return context


class MemberEditView(ScopedMemberMixin, generic.EditView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_write(
            user=request.user,
            members=[self.object],
            action=AccessAction.VIEW,
            what=_("管理后台档案"),
        )
        return response


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


# --- the access log: read-only, for 组织部 (view_memberaccesslog) -------------------------------


class ReadOnlyView:
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class AccessLogCreateView(ReadOnlyView, generic.CreateView):
    pass


class AccessLogEditView(ReadOnlyView, generic.EditView):
    pass


class AccessLogDeleteView(ReadOnlyView, generic.DeleteView):
    pass


class AccessLogIndexView(generic.IndexView):
    def get_base_queryset(self):
        return MemberAccessLog.objects.select_related("user", "member")


class AccessLogViewSet(ModelViewSet):
    """Who viewed or exported which member record, when. Nobody writes here but the pages."""

    model = MemberAccessLog
    icon = "history"
    menu_label = _("档案访问记录")
    index_view_class = AccessLogIndexView
    add_view_class = AccessLogCreateView
    edit_view_class = AccessLogEditView
    delete_view_class = AccessLogDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["what"]
    list_display = [
        "at",
        "user",
        Column("action", label=_("操作"), accessor="get_action_display"),
        "member",
        "what",
    ]
    list_filter = ["action"]
    search_fields = ["what", "member__name", "user__username"]


class StepDefinitionViewSet(ModelViewSet):
    """The checklist's steps as data: 组织部 adjusts deadlines and adds local steps."""

    model = StepDefinition
    icon = "list-ol"
    menu_label = _("发展党员步骤")
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = [
        "code",
        "order",
        "title",
        "phase",
        "completes_stage",
        "applies_to",
        "due_anchor",
        "due_months",
        "repeat_months",
        "documents",
        "member_may_submit",
        "rule_text",
        "source",
        "is_local",
        "active",
    ]
    list_display = ["code", "title", "phase", "due_months", "repeat_months", "source", "active"]


member_viewset = MemberViewSet("party_members")
access_log_viewset = AccessLogViewSet("party_access_log")
step_definition_viewset = StepDefinitionViewSet("party_steps")
