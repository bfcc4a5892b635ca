"""Admin pages of offline sessions (记录线下培训): from a class, record a session and tick who
attended; list, detail, late sign-ins (补记) and corrections. Reached from a class's pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.viewsets.base import ViewSet

from learning.classes.models import OfflineSession, TrainingClass, hours_text
from learning.classes.selectors import classes_for_trainer, enrolled_trainees
from learning.progress.admin_forms import (
    AttendeesAddForm,
    EntryCorrectForm,
    LeaveRecordForm,
    OfflineSessionForm,
)
from learning.progress.exceptions import LeaveAlreadyWithdrawn
from learning.progress.models import LedgerSource
from learning.progress.offline_sessions import (
    offline_leave_record,
    offline_leave_withdraw,
    offline_session_add_attendees,
    offline_session_record,
)
from learning.progress.selectors import (
    class_sessions,
    session_entries,
    session_for_trainer,
    session_leaves,
)
from learning.progress.services import ledger_correction_add

# The same rights as the ledger's own 添加 and list views: a session is a batch of ledger entries.
LEDGER_ADD_PERMISSION = "progress.add_hoursledgerentry"
LEDGER_VIEW_PERMISSION = "progress.view_hoursledgerentry"


def _scoped_class(request, class_id, permission) -> TrainingClass:
    # Classes the user does not train do not exist for them: 404 before any permission check.
    training_class = classes_for_trainer(user=request.user).filter(pk=class_id).first()
    if training_class is None:
        raise Http404
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return training_class


def _scoped_session(request, session_id, permission) -> OfflineSession:
    session = session_for_trainer(user=request.user, session_id=session_id)
    if session is None:
        raise Http404
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return session


def _add_service_errors(form, exc: ValidationError) -> None:
    for field, field_messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _class_breadcrumbs(training_class, *extra) -> list[dict]:
    return [
        {"url": reverse("training_classes:index"), "label": _("培训班")},
        {
            "url": reverse("training_classes:inspect", args=[training_class.pk]),
            "label": str(training_class),
        },
        *extra,
    ]


def _sessions_crumb(training_class) -> dict:
    return {
        "url": reverse("offline_sessions:list", args=[training_class.pk]),
        "label": _("线下培训"),
    }


def session_create_view(request, class_id):
    training_class = _scoped_class(request, class_id, LEDGER_ADD_PERMISSION)
    trainees = list(enrolled_trainees(training_class=training_class))
    if request.method == "POST":
        form = OfflineSessionForm(request.POST, trainees=trainees)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = offline_session_record(
                    training_class=training_class,
                    source=data["source"],
                    occurred_on=data["occurred_on"],
                    topic=data["topic"],
                    location=data["location"],
                    amount=data["amount"],
                    days=data["days"],
                    trainee_ids=data["trainees"],
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已为 %(count)s 名学员记入 %(hours)s 学时。")
                    % {"count": session.attendee_count, "hours": session.hours_text},
                )
                return redirect("offline_sessions:detail", session.pk)
    else:
        form = OfflineSessionForm(
            trainees=trainees,
            initial={
                "source": LedgerSource.OFFLINE_LECTURE,
                "occurred_on": timezone.localdate(),
                "trainees": [t.pk for t in trainees],
            },
        )
    return TemplateResponse(
        request,
        "progress/admin/offline_session_form.html",
        {
            "form": form,
            "training_class": training_class,
            "ticked": form.ticked(),
            "total": len(trainees),
            "submit_label": _("记录并记入学时"),
            "page_title": _("记录线下培训"),
            "page_subtitle": str(training_class),
            "header_icon": "time",
            "breadcrumbs_items": _class_breadcrumbs(
                training_class, _sessions_crumb(training_class), {"label": _("记录线下培训")}
            ),
        },
    )


def session_list_view(request, class_id):
    training_class = _scoped_class(request, class_id, LEDGER_VIEW_PERMISSION)
    return TemplateResponse(
        request,
        "progress/admin/offline_session_list.html",
        {
            "training_class": training_class,
            "sessions": class_sessions(training_class=training_class),
            "may_add": request.user.has_perm(LEDGER_ADD_PERMISSION),
            "page_title": _("线下培训"),
            "page_subtitle": str(training_class),
            "header_icon": "time",
            "breadcrumbs_items": _class_breadcrumbs(training_class, {"label": _("线下培训")}),
        },
    )


def session_detail_view(request, session_id):
    session = _scoped_session(request, session_id, LEDGER_VIEW_PERMISSION)
    entries = list(session_entries(session=session))
    leaves = list(session_leaves(session=session))
    for entry in entries:
        entry.remaining = entry.amount + entry.corrected
        entry.amount_text = hours_text(entry.amount)
        entry.remaining_text = hours_text(entry.remaining)
    return TemplateResponse(
        request,
        "progress/admin/offline_session_detail.html",
        {
            "session": session,
            "training_class": session.training_class,
            "entries": entries,
            "leaves": leaves,
            "active_leave_count": sum(1 for leave in leaves if leave.is_active),
            "may_add": request.user.has_perm(LEDGER_ADD_PERMISSION),
            "page_title": session.topic,
            "page_subtitle": str(session.training_class),
            "header_icon": "time",
            "breadcrumbs_items": _class_breadcrumbs(
                session.training_class,
                _sessions_crumb(session.training_class),
                {"label": str(session)},
            ),
        },
    )


def session_attendees_view(request, session_id):
    session = _scoped_session(request, session_id, LEDGER_ADD_PERMISSION)
    credited = set(session_entries(session=session).values_list("user_id", flat=True))
    trainees = [
        t
        for t in enrolled_trainees(training_class=session.training_class)
        if t.user_id not in credited
    ]
    if request.method == "POST":
        form = AttendeesAddForm(request.POST, trainees=trainees)
        if form.is_valid():
            try:
                result = offline_session_add_attendees(
                    session=session,
                    trainee_ids=form.cleaned_data["trainees"],
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已为 %(count)s 名学员补记 %(hours)s 学时。")
                    % {"count": result.added, "hours": session.hours_text},
                )
                return redirect("offline_sessions:detail", session.pk)
    else:
        form = AttendeesAddForm(trainees=trainees)
    return TemplateResponse(
        request,
        "progress/admin/offline_session_attendees.html",
        {
            "form": form,
            "session": session,
            "training_class": session.training_class,
            "ticked": form.ticked(),
            "total": len(trainees),
            "submit_label": _("补记学时"),
            "page_title": _("补记学员"),
            "page_subtitle": str(session),
            "header_icon": "time",
            "breadcrumbs_items": _class_breadcrumbs(
                session.training_class,
                _sessions_crumb(session.training_class),
                {
                    "url": reverse("offline_sessions:detail", args=[session.pk]),
                    "label": str(session),
                },
                {"label": _("补记学员")},
            ),
        },
    )


def session_entry_correct_view(request, session_id, entry_id):
    """Take a wrongly ticked attendee's 学时 back by the ledger's correction (a negative entry)."""
    session = _scoped_session(request, session_id, LEDGER_ADD_PERMISSION)
    entry = session_entries(session=session).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    remaining = entry.amount + entry.corrected
    if request.method == "POST":
        form = EntryCorrectForm(request.POST)
        if remaining <= 0:
            messages.error(request, _("这条记录的学时已全部更正，无需再更正。"))
            return redirect("offline_sessions:detail", session.pk)
        if form.is_valid():
            try:
                ledger_correction_add(
                    entry=entry,
                    amount=-remaining,
                    granted_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已更正：扣除%(name)s的 %(hours)s 学时，原记录保留。")
                    % {"name": entry.user.trainee_profile.name, "hours": hours_text(remaining)},
                )
                return redirect("offline_sessions:detail", session.pk)
    else:
        form = EntryCorrectForm()
    return TemplateResponse(
        request,
        "progress/admin/offline_session_correct.html",
        {
            "form": form,
            "session": session,
            "entry": entry,
            "remaining": remaining,
            "remaining_text": hours_text(remaining),
            "page_title": _("更正学时"),
            "page_subtitle": str(session),
            "header_icon": "time",
            "breadcrumbs_items": _class_breadcrumbs(
                session.training_class,
                _sessions_crumb(session.training_class),
                {
                    "url": reverse("offline_sessions:detail", args=[session.pk]),
                    "label": str(session),
                },
                {"label": _("更正学时")},
            ),
        },
    )


def session_leave_view(request, session_id):
    """记录请假 for a trainee who missed the session; the reason is required (issue 14)."""
    session = _scoped_session(request, session_id, LEDGER_ADD_PERMISSION)
    credited = set(session_entries(session=session).values_list("user_id", flat=True))
    on_leave = set(session_leaves(session=session).active().values_list("trainee_id", flat=True))
    trainees = [
        t
        for t in enrolled_trainees(training_class=session.training_class)
        if t.user_id not in credited and t.pk not in on_leave
    ]
    if request.method == "POST":
        form = LeaveRecordForm(request.POST, trainees=trainees)
        if form.is_valid():
            try:
                leave = offline_leave_record(
                    session=session,
                    trainee_id=form.cleaned_data["trainee"],
                    reason=form.cleaned_data["reason"],
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("已记录%(name)s的请假。") % {"name": leave.trainee.name}
                )
                return redirect("offline_sessions:detail", session.pk)
    else:
        form = LeaveRecordForm(trainees=trainees)
    training_class = session.training_class
    return TemplateResponse(
        request,
        "progress/admin/offline_session_leave.html",
        {
            "form": form,
            "session": session,
            "training_class": training_class,
            "allowance": hours_text(training_class.leave_allowance_percent),
            "allowance_hours": hours_text(training_class.leave_allowance_hours()),
            "page_title": _("记录请假"),
            "page_subtitle": str(session),
            "header_icon": "time",
            "breadcrumbs_items": _class_breadcrumbs(
                training_class,
                _sessions_crumb(training_class),
                {
                    "url": reverse("offline_sessions:detail", args=[session.pk]),
                    "label": str(session),
                },
                {"label": _("记录请假")},
            ),
        },
    )


def session_leave_withdraw_view(request, session_id, leave_id):
    """撤销请假 (POST only): a leave recorded by mistake, e.g. the trainee came after all."""
    session = _scoped_session(request, session_id, LEDGER_ADD_PERMISSION)
    leave = session_leaves(session=session).filter(pk=leave_id).first()
    if leave is None:
        raise Http404
    if request.method != "POST":
        return redirect("offline_sessions:detail", session.pk)
    try:
        offline_leave_withdraw(leave=leave, withdrawn_by=request.user)
    except LeaveAlreadyWithdrawn as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销%(name)s的请假。") % {"name": leave.trainee.name})
    return redirect("offline_sessions:detail", session.pk)


class OfflineSessionViewSet(ViewSet):
    """Pages reached from a class (no menu item of their own)."""

    icon = "time"
    name = "offline_sessions"

    def get_urlpatterns(self):
        return [
            path("class/<int:class_id>/", session_list_view, name="list"),
            path("class/<int:class_id>/add/", session_create_view, name="add"),
            path("<int:session_id>/", session_detail_view, name="detail"),
            path("<int:session_id>/attendees/", session_attendees_view, name="attendees"),
            path("<int:session_id>/leave/", session_leave_view, name="leave"),
            path(
                "<int:session_id>/leave/<int:leave_id>/withdraw/",
                session_leave_withdraw_view,
                name="leave_withdraw",
            ),
            path(
                "<int:session_id>/correct/<int:entry_id>/",
                session_entry_correct_view,
                name="correct",
            ),
        ]


offline_session_viewset = OfflineSessionViewSet()
