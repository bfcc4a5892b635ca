"""Wagtail admin for the 学时 ledger: list entries, record offline hours, add corrections; no edits."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from learning.classes.models import hours_text
from learning.classes.selectors import can_view_all_classes, classes_for_trainer
from learning.progress import services
from learning.progress.models import OFFLINE_SOURCES, HoursLedgerEntry, LedgerSource
from learning.progress.offline_hours import day_class_hours, max_session_hours
from learning.progress.selectors import (
    ledger_entries_correctable_by,
    ledger_entries_for_trainer,
)

ENTRY_CHOICES = [(s.value, s.label) for s in (*OFFLINE_SOURCES, LedgerSource.CORRECTION)]


class LedgerPermissionPolicy(ModelPermissionPolicy):
    """Nobody edits or deletes a ledger entry, superusers included: corrections are new entries."""

    def user_has_permission(self, user, action):
        if action in ("change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(HoursLedgerEntry, LedgerPermissionPolicy(HoursLedgerEntry))


class LedgerEntryForm(WagtailAdminModelForm):
    days = forms.DecimalField(
        label=_("天数"),
        required=False,
        min_value=0,
        max_digits=4,
        decimal_places=1,
    )
    source = forms.ChoiceField(label=_("来源"), choices=ENTRY_CHOICES)

    class Meta:
        model = HoursLedgerEntry
        fields = ["user", "training_class", "source", "amount", "occurred_on", "note", "corrects"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        classes = classes_for_trainer(user=user)
        self.fields["training_class"].queryset = classes
        self.fields["amount"].required = False
        self.fields["amount"].help_text = _("更正时填写增减的学时，可为负数，例如 -2。")
        # DANGKE["DAY_CLASS_HOURS"], not a number written into the form.
        self.fields["days"].help_text = _(
            "按天记录时填写（一天计 %(hours)s 学时，每次最多 %(max)s 学时），学时与天数填一项即可。"
        ) % {"hours": hours_text(day_class_hours()), "max": hours_text(max_session_hours())}
        self.fields["occurred_on"].help_text = _(
            "线下学时的日期须在本班开班日期至结业日期之间；更正记录沿用原记录的日期。"
        )
        users = get_user_model().objects.filter(trainee_profile__isnull=False)
        if not can_view_all_classes(user):
            users = users.filter(trainee_profile__enrolments__training_class__in=classes)
        self.fields["user"].queryset = users.select_related("trainee_profile").distinct()
        self.fields["user"].required = False  # a correction takes the trainee of its entry
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.trainee_profile.name}（{u.trainee_profile.student_no}）"
        )
        # Only entries that count for the user's classes alone (an online credit shared with another
        # trainer's class needs staff).
        self.fields["corrects"].queryset = ledger_entries_correctable_by(user=user).exclude(
            source=LedgerSource.CORRECTION
        )
        self.fields["corrects"].required = False
        self.fields["corrects"].help_text = _("仅在“更正”时选择被更正的记录。")
        self.fields["note"].required = True

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source == LedgerSource.CORRECTION:
            if not cleaned.get("corrects"):
                self.add_error("corrects", _("请选择要更正的记录。"))
            if cleaned.get("amount") in (None, ""):
                self.add_error("amount", _("请填写更正的学时。"))
        else:
            if not cleaned.get("user"):
                self.add_error("user", _("请选择学员。"))
            if not cleaned.get("training_class"):
                self.add_error("training_class", _("请选择培训班。"))
            if not cleaned.get("occurred_on"):
                self.add_error("occurred_on", _("请填写培训日期。"))
            if cleaned.get("amount") is None and cleaned.get("days") is None:
                self.add_error("amount", _("请填写学时或天数。"))
        return cleaned

    def save_through_services(self, *, granted_by) -> HoursLedgerEntry:
        data = self.cleaned_data
        try:
            if data["source"] == LedgerSource.CORRECTION:
                return services.ledger_correction_add(
                    entry=data["corrects"],
                    amount=data["amount"],
                    granted_by=granted_by,
                    note=data["note"],
                )
            return services.ledger_offline_add(
                user=data["user"],
                training_class=data["training_class"],
                source=data["source"],
                amount=data.get("amount"),
                days=data.get("days"),
                occurred_on=data.get("occurred_on"),
                granted_by=granted_by,
                note=data["note"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            raise


class LedgerIndexView(generic.IndexView):
    # Newest first by the day studied, then by when recorded, as the trainee's 学习档案
    # (HoursLedgerEntry.objects.by_study_date); a column's sort link orders by that column.
    default_ordering = "-study_date"

    def get_base_queryset(self):
        return (
            ledger_entries_for_trainer(user=self.request.user)
            .select_related("user__trainee_profile", "granted_by", "training_class")
            .by_study_date()
        )

    def order_queryset(self, queryset):
        if self.ordering == "-study_date":
            return queryset  # by_study_date's order, with its ties broken
        if self.ordering == "study_date":
            return queryset.order_by("study_date", "created_at", "id")
        return super().order_queryset(queryset)


def _person(user) -> str:
    """A person as trainers know them: the trainee's name, else the full name, else the username."""
    if user is None:
        return "—"
    profile = getattr(user, "trainee_profile", None)
    return (profile.name if profile else "") or user.get_full_name() or user.username


def _trainee_name(entry) -> str:
    return _person(entry.user)


def _granted_by_name(entry) -> str:
    return _person(entry.granted_by)


class LedgerCreateView(generic.CreateView):
    def form_valid(self, form):
        try:
            self.object = form.save_through_services(granted_by=self.request.user)
        except ValidationError:
            return self.form_invalid(form)
        self.form = form
        messages.success(self.request, _("学时记录已添加。"))
        return redirect(self.index_url_name)

    def get_success_buttons(self):
        return []


class LedgerInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not ledger_entries_for_trainer(user=self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj

    def get_amount_display_value(self):
        return hours_text(self.object.amount)


def _amount(entry) -> str:
    return hours_text(entry.amount)


class LedgerViewSet(ModelViewSet):
    model = HoursLedgerEntry
    icon = "time"
    menu_label = _("学时记录")
    index_view_class = LedgerIndexView
    add_view_class = LedgerCreateView
    inspect_view_class = LedgerInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "learning_day",
        "created_at",
        Column("user", label=_("学员"), accessor=_trainee_name),
        Column("source", label=_("来源"), accessor="get_source_display"),
        Column("amount", label=_("学时"), accessor=_amount, sort_key="amount"),
        "training_class",
        "lesson_title",
        Column("granted_by", label=_("记录人"), accessor=_granted_by_name),
    ]
    list_filter = ["source", "training_class"]
    search_fields = ["note", "lesson_title"]
    inspect_view_fields = [
        "user",
        "source",
        "amount",
        "created_at",
        "occurred_on",
        "granted_by",
        "training_class",
        "lesson_title",
        "reference",
        "note",
        "corrects",
    ]

    def get_form_class(self, for_update=False):
        return LedgerEntryForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        # Entries are never edited or deleted: those routes do not exist.
        allowed = {"index", "index_results", "add", "inspect"}
        return [p for p in super().get_urlpatterns() if getattr(p, "name", None) in allowed]


ledger_viewset = LedgerViewSet("hours_ledger")
