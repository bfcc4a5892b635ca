"""Wagtail admin viewsets of the 培训管理 menu: trainees and training classes (学院 and 党支部 are
the Party tree's units, kept in the 党组织 menu: party.organisation)."""

import django_filters
from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from learning.classes.admin_forms import TraineeForm, TrainingClassForm
from learning.classes.membership import stage_label, units_of_trainees, with_organisation
from learning.classes.models import TraineeProfile, TrainingClass, hours_text
from learning.classes.selectors import (
    classes_for_trainer,
    trainees_for_trainer,
)
from party.organisation.selectors import in_college_q

# classes is the lowest layer of learning/: the layers above add to a class's admin pages through
# these Wagtail hooks instead of this module importing them.
# fn(request, training_class) -> [MenuItem]: more buttons of a class in the class list.
CLASS_LIST_BUTTONS_HOOK = "training_class_list_buttons"
# fn(request, training_class) -> [{"template": ..., **context}]: panels of a class's page.
CLASS_INSPECT_PANELS_HOOK = "training_class_inspect_panels"


class ProtectedDeleteView(generic.DeleteView):
    """Refuse, with a message, to delete what other records still point to (e.g. 学时 entries)."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError as exc:
            kinds = "、".join(
                sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
            )
            messages.error(
                self.request,
                _("无法删除“%(object)s”：仍有%(kinds)s与它关联，请先处理这些记录。")
                % {"object": self.object, "kinds": kinds},
            )
            return redirect(self.index_url_name)


class ScopedTraineeMixin:
    """A trainer sees the trainees of their classes and those in no class yet; others are 404."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not trainees_for_trainer(user=self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


def _trainee_branches(request):
    return units_of_trainees(trainees_for_trainer(user=request.user))[0]


def _trainee_colleges(request):
    return units_of_trainees(trainees_for_trainer(user=request.user))[1]


class TraineeFilterSet(WagtailFilterSet):
    """学院/党支部 of the member records, offering only the units of the trainees the user may see
    (an id outside them is an invalid choice and filters nothing)."""

    college = django_filters.ModelChoiceFilter(
        label=_("学院"), queryset=_trainee_colleges, method="filter_college"
    )
    branch = django_filters.ModelChoiceFilter(
        label=_("党支部"), queryset=_trainee_branches, field_name="member__unit"
    )

    class Meta:
        model = TraineeProfile
        fields = []

    def filter_college(self, queryset, name, value):
        return queryset.filter(in_college_q(value, "member__unit__")) if value else queryset


class TraineeIndexView(generic.IndexView):
    def get_base_queryset(self):
        return with_organisation(trainees_for_trainer(user=self.request.user))


class TraineeEditView(ScopedTraineeMixin, generic.EditView):
    pass


class TraineeInspectView(ScopedTraineeMixin, generic.InspectView):
    pass


class TraineeDeleteView(ScopedTraineeMixin, ProtectedDeleteView):
    pass


class TraineeHistoryView(generic.HistoryView):
    # Found by the permission matrix: history (and usage) of any trainee were open to every trainer.
    def get_base_object_queryset(self):
        return trainees_for_trainer(user=self.request.user)


class TraineeUsageView(ScopedTraineeMixin, generic.UsageView):
    pass


class TraineeCreateView(generic.CreateView):
    def get_success_message(self, instance):
        message = super().get_success_message(instance)
        password = getattr(instance, "initial_password", None)
        if password:
            message = _(
                "%(message)s 登录账号：%(username)s，初始密码：%(password)s（只显示这一次，"
                "请转交学员本人；首次登录须修改）。"
            ) % {"message": message, "username": instance.student_no, "password": password}
        return message


class TraineeViewSet(ModelViewSet):
    add_view_class = TraineeCreateView
    index_view_class = TraineeIndexView
    edit_view_class = TraineeEditView
    inspect_view_class = TraineeInspectView
    delete_view_class = TraineeDeleteView
    history_view_class = TraineeHistoryView
    usage_view_class = TraineeUsageView
    model = TraineeProfile
    icon = "user"
    menu_label = _("学员")
    list_display = [
        "name",
        "student_no",
        # 学院 and 党支部 of the member record, and the stage of the documented history (发展纪实),
        # not the profile's old fields (membership.with_organisation).
        Column("college_name", label=_("学院"), sort_key="college_name"),
        Column("branch_name", label=_("党支部"), sort_key="branch_name"),
        Column("stage", label=_("发展阶段"), accessor=lambda p: stage_label(p.current_stage)),
    ]
    filterset_class = TraineeFilterSet
    # Not by phone number: a search must not reveal whose number it is.
    search_fields = ["name", "student_no"]
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return TraineeForm


# --- training classes: a trainer sees only the classes they are assigned to -------------------


class ScopedObjectMixin:
    """404 for a class outside the user's scope, so its existence is not revealed."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not classes_for_trainer(user=self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class ClassIndexView(generic.IndexView):
    def get_base_queryset(self):
        return classes_for_trainer(user=self.request.user).prefetch_related("trainers")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for fn in hooks.get_hooks(CLASS_LIST_BUTTONS_HOOK):
            buttons.extend(fn(self.request, instance))
        return buttons


class ClassEditView(ScopedObjectMixin, generic.EditView):
    pass


class ClassDeleteView(ScopedObjectMixin, ProtectedDeleteView):
    pass


class ClassInspectView(ScopedObjectMixin, generic.InspectView):
    template_name = "classes/admin/class_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required_lessons"] = self.object.required_lessons.order_by("path")
        context["trainer_names"] = [
            u.get_full_name() or u.username for u in self.object.trainers.all()
        ]
        context["panels"] = [
            panel
            for fn in hooks.get_hooks(CLASS_INSPECT_PANELS_HOOK)
            for panel in fn(self.request, self.object)
        ]
        return context


class ClassHistoryView(generic.HistoryView):
    def get_base_object_queryset(self):
        return classes_for_trainer(user=self.request.user)


class ClassUsageView(ScopedObjectMixin, generic.UsageView):
    pass


def _required_hours(training_class) -> str:
    return hours_text(training_class.required_hours)


class TrainingClassViewSet(ModelViewSet):
    model = TrainingClass
    icon = "doc-full-inverse"
    menu_label = _("培训班")
    index_view_class = ClassIndexView
    edit_view_class = ClassEditView
    delete_view_class = ClassDeleteView
    inspect_view_class = ClassInspectView
    history_view_class = ClassHistoryView
    usage_view_class = ClassUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "name",
        "intake",
        Column("audience_stage", label=_("培训对象"), accessor="get_audience_stage_display"),
        "start_date",
        "end_date",
        Column(
            "required_hours",
            label=_("应修学时"),
            accessor=_required_hours,
            sort_key="required_hours",
        ),
    ]
    list_filter = ["audience_stage"]
    search_fields = ["name", "intake"]

    def get_form_class(self, for_update=False):
        return TrainingClassForm


trainee_viewset = TraineeViewSet("trainees")
training_class_viewset = TrainingClassViewSet("training_classes")
