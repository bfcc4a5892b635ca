"""Wagtail admin of the organisation tree (组织部; 组织员 within their 院系党委): units, posts and
组织员 assignments. Every list, object and choice is limited by the scope selector."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from party.organisation.admin_forms import OrganiserAssignmentForm, UnitForm, UnitPostForm
from party.organisation.exceptions import OrganisationError
from party.organisation.models import OrganiserAssignment, Unit, UnitPost
from party.organisation.selectors import unit_scope, units_in_scope
from party.organisation.services import unit_create, unit_delete, unit_update


class ServiceErrorsAsFormErrors:
    """A service's typed error becomes a form error; nothing was written (the view's atomic)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except OrganisationError as exc:
            form.add_error(None, exc.message)
            self.produced_error_message = exc.message
            return self.form_invalid(form)


class ScopedUnitMixin:
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not unit_scope(user=self.request.user).covers(obj):
            raise Http404
        return obj


class UnitIndexView(generic.IndexView):
    def get_base_queryset(self):
        return units_in_scope(user=self.request.user)


class UnitCreateView(ServiceErrorsAsFormErrors, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return unit_create(
            kind=data["kind"],
            name=data["name"],
            code=data.get("code", ""),
            parent=data.get("parent"),
            by_user=self.request.user,
        )


class UnitEditView(ServiceErrorsAsFormErrors, ScopedUnitMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return unit_update(
            unit=self.object,
            name=data["name"],
            code=data.get("code", ""),
            parent=data.get("parent"),
            by_user=self.request.user,
        )


class UnitDeleteView(ScopedUnitMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            unit_delete(unit=self.object, by_user=self.request.user)
        except OrganisationError as exc:
            messages.error(self.request, exc.message)
            return redirect(self.index_url_name)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class UnitViewSet(ModelViewSet):
    model = Unit
    icon = "site"
    menu_label = _("党组织")
    index_view_class = UnitIndexView
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    delete_view_class = UnitDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        Column("name", label=_("名称"), accessor=lambda u: f"{'— ' * (u.depth - 1)}{u.name}"),
        Column("kind", label=_("类型"), accessor="get_kind_display"),
        "code",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "code"]

    def get_form_class(self, for_update=False):
        return UnitForm


class ScopedByUnitMixin:
    """Posts and assignments: 404 unless their unit is in the user's scope."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not unit_scope(user=self.request.user).covers(obj.unit):
            raise Http404
        return obj


class PostIndexView(generic.IndexView):
    def get_base_queryset(self):
        scope = unit_scope(user=self.request.user)
        return UnitPost.objects.filter(scope.q("unit__")).select_related("unit", "member")


class PostEditView(ScopedByUnitMixin, generic.EditView):
    pass


class PostDeleteView(ScopedByUnitMixin, generic.DeleteView):
    pass


class UnitPostViewSet(ModelViewSet):
    model = UnitPost
    icon = "user"
    menu_label = _("支部委员")
    index_view_class = PostIndexView
    edit_view_class = PostEditView
    delete_view_class = PostDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "unit",
        "member",
        Column("role", label=_("职务"), accessor="get_role_display"),
        "starts_on",
        "ends_on",
    ]
    list_filter = ["role"]

    def get_form_class(self, for_update=False):
        return UnitPostForm


class AssignmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        scope = unit_scope(user=self.request.user)
        return OrganiserAssignment.objects.filter(scope.q("unit__")).select_related("unit", "user")


class AssignmentEditView(ScopedByUnitMixin, generic.EditView):
    pass


class AssignmentDeleteView(ScopedByUnitMixin, generic.DeleteView):
    pass


class OrganiserAssignmentViewSet(ModelViewSet):
    model = OrganiserAssignment
    icon = "user"
    menu_label = _("组织员")
    index_view_class = AssignmentIndexView
    edit_view_class = AssignmentEditView
    delete_view_class = AssignmentDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["unit", "user", "starts_on", "ends_on"]

    def get_form_class(self, for_update=False):
        return OrganiserAssignmentForm


unit_viewset = UnitViewSet("party_units")
unit_post_viewset = UnitPostViewSet("party_posts")
organiser_assignment_viewset = OrganiserAssignmentViewSet("party_organisers")
