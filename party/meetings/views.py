"""Site pages of organisation life, made for a phone: meetings, planning, the QR shown at the
meeting, checking in, 请假, the secretary's attendance list, and the notices."""

import io
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from party.meetings import absence, compliance, selectors, services
from party.meetings import minutes as minutes_services
from party.meetings import yearly as yearly_hours
from party.meetings.checkin import checkin_code
from party.meetings.exceptions import MeetingError
from party.meetings.forms import MeetingPlanForm
from party.meetings.models import AttendanceStatus, MeetingKind
from party.meetings.rules import (
    ABSENCE_MONTHS,
    ABSENCE_SOURCE,
    CHECKIN_CODE_REFRESH_SECONDS,
    COMPLIANCE_RULES,
)
from party.members.education import (
    COMMITTEE_SOURCE,
    MEMBER_SOURCE,
    hours_text,
    required_hours,
)
from party.members.models import AccessAction, Member
from party.members.services import access_log_write
from party.organisation.models import UnitKind
from party.organisation.selectors import unit_scope, units_in_scope


@login_required
def meeting_list(request):
    scope = unit_scope(user=request.user)
    meetings = (
        selectors.meetings_visible(user=request.user, scope=scope)
        .select_related("unit")
        .order_by("-starts_at")[:100]
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": meetings,
            "can_plan": selectors.planning_units(user=request.user).exists(),
            "now": timezone.now(),
        },
    )


@login_required
def meeting_plan(request):
    if not selectors.planning_units(user=request.user).exists():
        raise Http404
    form = MeetingPlanForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                by_user=request.user,
                unit=data["unit"],
                kind=data["kind"],
                topic=data["topic"],
                starts_at=data["starts_at"],
                ends_at=data["starts_at"] + timedelta(minutes=data["duration"]),
                place=data["place"],
                online_link=data["online_link"],
                host=data["host"],
                speaker=data["speaker"],
                agenda=data["agenda"],
                participants=list(data["participants"]),
                attachments=[data["attachment"]] if data["attachment"] else [],
            )
        except MeetingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("会议已安排，应到党员已收到通知。"))
            return redirect("meetings:detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/meeting_plan.html", {"form": form}, status=status)


def _visible_meeting(request, pk):
    return get_object_or_404(
        selectors.meetings_visible(user=request.user).select_related("unit", "host"), pk=pk
    )


@login_required
def meeting_detail(request, pk):
    meeting = _visible_meeting(request, pk)
    manage = selectors.can_manage(user=request.user, meeting=meeting)
    now = timezone.now()
    member = Member.objects.filter(user=request.user).first()
    context = {
        "meeting": meeting,
        "manage": manage,
        "counts": selectors.attendance_counts(meeting=meeting),
        "mine": selectors.my_attendance(meeting=meeting, user=request.user),
        "expected_me": member is not None and selectors.is_expected(meeting=meeting, member=member),
        "ended": now > meeting.ends_at,
        "attachments": meeting.attachments.all(),
        "statuses": AttendanceStatus,
        "is_talk": meeting.kind == MeetingKind.TALK,
    }
    if manage:
        context["rows"] = selectors.attendance_rows(meeting=meeting)
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_qr(request, pk):
    meeting = get_object_or_404(selectors.meetings_managed(user=request.user), pk=pk)
    code = checkin_code(meeting_id=meeting.pk)
    url = request.build_absolute_uri(reverse("meetings:check-in", args=[meeting.pk]))
    url = f"{url}?code={code}"
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return render(
        request,
        "meetings/meeting_qr.html",
        {
            "meeting": meeting,
            "qr_svg": mark_safe(buffer.getvalue().decode()),  # our own generated SVG
            "checkin_url": url,
            "refresh": CHECKIN_CODE_REFRESH_SECONDS,
            "counts": selectors.attendance_counts(meeting=meeting),
        },
    )


@login_required
def meeting_check_in(request, pk):
    code = request.POST.get("code") or request.GET.get("code", "")
    if request.method != "POST":
        meeting = get_object_or_404(selectors.meetings_visible(user=request.user), pk=pk)
        return render(request, "meetings/check_in.html", {"meeting": meeting, "code": code})
    try:
        services.meeting_check_in(meeting_id=pk, user=request.user, code=code)
    except MeetingError as exc:
        if exc.status == 404:
            raise Http404 from exc
        return render(
            request,
            "meetings/check_in.html",
            {"error": exc.message, "code": ""},
            status=exc.status,
        )
    messages.success(request, _("签到成功。"))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def meeting_leave(request, pk):
    meeting = _visible_meeting(request, pk)
    try:
        services.leave_request(
            meeting=meeting, user=request.user, reason=request.POST.get("reason", "")
        )
    except MeetingError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:detail", pk=pk)
    messages.success(request, _("请假申请已提交，等待支部书记批准。"))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def meeting_attendance(request, pk):
    meeting = get_object_or_404(
        selectors.meetings_managed(user=request.user).select_related("unit"), pk=pk
    )
    try:
        member_id = int(request.POST.get("member", ""))
    except ValueError as exc:
        raise Http404 from exc
    try:
        services.attendance_set(
            meeting=meeting,
            member_id=member_id,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            by_user=request.user,
        )
    except MeetingError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('meetings:detail', args=[pk])}#attendance")


@login_required
@require_POST
def meeting_attendance_bulk(request, pk):
    """Bulk marking on the attendance list: the ticked members (or, with `remaining`, every
    member still 缺席) get one status at once; all or nothing."""
    meeting = get_object_or_404(
        selectors.meetings_managed(user=request.user).select_related("unit"), pk=pk
    )
    if request.POST.get("remaining"):
        member_ids = selectors.absent_member_ids(meeting=meeting)
    else:
        try:
            member_ids = [int(value) for value in request.POST.getlist("members")]
        except ValueError as exc:
            raise Http404 from exc
    try:
        marked = services.attendance_set_many(
            meeting=meeting,
            member_ids=member_ids,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            by_user=request.user,
        )
    except MeetingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记 %(n)d 名党员。") % {"n": len(marked)})
    return redirect(f"{reverse('meetings:detail', args=[pk])}#attendance")


@login_required
def notice_list(request):
    notices = list(selectors.notices_for(user=request.user)[:50])
    services.notices_mark_read(user=request.user)
    return render(request, "meetings/notice_list.html", {"notices": notices})


def _year(request) -> int:
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() else timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@login_required
def unit_compliance(request, pk):
    """A branch's calendar: each rule's periods, done / due / overdue."""
    unit = get_object_or_404(units_in_scope(user=request.user).filter(kind=UnitKind.BRANCH), pk=pk)
    year = _year(request)
    return render(
        request,
        "meetings/unit_compliance.html",
        {"unit": unit, "year": year, "rules": compliance.unit_compliance(unit=unit, year=year)},
    )


@login_required
def compliance_overview(request):
    """The branches in the caller's scope side by side (a 院系党委 sees its branches)."""
    branches = list(units_in_scope(user=request.user).filter(kind=UnitKind.BRANCH))
    if not branches:
        raise Http404
    year = _year(request)
    states = compliance.branches_compliance(branches=branches, year=year)
    rows = [{"branch": b, "rules": states[b.pk]} for b in branches]
    kinds = [MeetingKind(rule["kind"]).label for rule in COMPLIANCE_RULES]
    return render(
        request,
        "meetings/compliance_overview.html",
        {"rows": rows, "year": year, "kinds": kinds},
    )


@login_required
def meeting_minutes(request, pk):
    """Write (a draft) or read the minutes; the secretary signs them off, which locks them."""
    meeting = _visible_meeting(request, pk)
    manage = selectors.can_manage(user=request.user, meeting=meeting)
    versions = list(meeting.minutes.select_related("written_by", "signed_off_by"))
    if not manage:
        versions = [v for v in versions if v.locked]  # members read signed minutes only
        if not versions:
            raise Http404
    latest = versions[-1] if versions else None
    status = 200
    if request.method == "POST":
        if not manage:
            raise Http404
        try:
            if "sign_off" in request.POST:
                minutes_services.minutes_sign_off(meeting=meeting, by_user=request.user)
                messages.success(request, _("会议记录已审签，此后的修改将成为新版本。"))
            else:
                minutes_services.minutes_save(
                    meeting=meeting,
                    by_user=request.user,
                    content=request.POST.get("content", ""),
                    decisions=request.POST.get("decisions", ""),
                    summary=request.POST.get("summary", ""),
                    photos=request.FILES.getlist("photos"),
                )
                messages.success(request, _("会议记录已保存。"))
        except MeetingError as exc:
            if exc.status == 404:
                raise Http404 from exc
            messages.error(request, exc.message)
            status = exc.status
        else:
            return redirect("meetings:minutes", pk=pk)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "manage": manage,
            "versions": versions,
            "latest": latest,
            "is_theme_day": meeting.kind == MeetingKind.THEME_DAY,
        },
        status=status,
    )


@login_required
def unit_yearly_hours(request, pk):
    """The unit's Party members with their yearly 学时, those below the line first."""
    unit = get_object_or_404(units_in_scope(user=request.user), pk=pk)
    year = _year(request)
    rows = yearly_hours.unit_yearly_rows(user=request.user, unit=unit, year=year)
    access_log_write(
        user=request.user,
        members=[None],
        action=AccessAction.VIEW,
        what=_("年度学时：%(unit)s") % {"unit": unit.name},
    )
    below = [r for r in rows if r.standing.below]
    return render(
        request,
        "meetings/unit_yearly_hours.html",
        {
            "unit": unit,
            "year": year,
            "rows": rows,
            "below": len(below),
            "member_line": hours_text(required_hours(committee=False)),
            "member_source": MEMBER_SOURCE,
            "committee_line": hours_text(required_hours(committee=True)),
            "committee_source": COMMITTEE_SOURCE,
        },
    )


@login_required
def unit_yearly_hours_xlsx(request, pk):
    unit = get_object_or_404(units_in_scope(user=request.user), pk=pk)
    year = _year(request)
    rows = yearly_hours.unit_yearly_rows(user=request.user, unit=unit, year=year)
    access_log_write(
        user=request.user,
        members=[r.member for r in rows],
        action=AccessAction.EXPORT,
        what=_("导出年度学时：%(unit)s %(year)s") % {"unit": unit.name, "year": year},
    )
    return yearly_hours.yearly_xlsx_response(unit=unit, year=year, rows=rows, user=request.user)


@login_required
def unit_absence(request, pk):
    """Members absent from organisation life without 请假 for six consecutive months (党章 art. 9):
    a flag for the branch to act on."""
    unit = get_object_or_404(units_in_scope(user=request.user), pk=pk)
    rows = absence.absence_flags(units=[unit])
    access_log_write(
        user=request.user,
        members=[None],
        action=AccessAction.VIEW,
        what=_("连续六个月未参加组织生活：%(unit)s") % {"unit": unit.name},
    )
    return render(
        request,
        "meetings/unit_absence.html",
        {"unit": unit, "rows": rows, "months": ABSENCE_MONTHS, "source": ABSENCE_SOURCE},
    )
