"""Site pages of 民主评议党员, made for a phone: the campaigns, the 自我评价 (saved as typed), the
secret ballot on one page, the committee's page (tallies, 自我评价, proposals, the 支部大会's
decision, follow-ups) and the report per branch / 院系党委 with its xlsx."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from party.appraisal import exports, selectors, services
from party.appraisal.exceptions import AppraisalError
from party.appraisal.models import FollowUpAction, Grade, Phase
from party.meetings.models import MeetingKind
from party.meetings.selectors import meetings_managed
from party.organisation.models import UnitKind
from party.organisation.selectors import unit_scope, units_in_scope


def _visible(request, pk):
    campaign = selectors.campaigns_visible(user=request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def _managed(request, pk):
    campaign = (
        selectors.campaigns_managed(user=request.user).select_related("unit").filter(pk=pk).first()
    )
    if campaign is None:
        raise Http404
    return campaign


def _opening_units(user):
    return units_in_scope(user=user).filter(
        kind__in=[UnitKind.BRANCH, UnitKind.COLLEGE, UnitKind.UNIVERSITY]
    )


@login_required
def campaign_list(request):
    campaigns = selectors.campaigns_visible(user=request.user).order_by("-year", "unit__path")
    return render(
        request,
        "appraisal/campaign_list.html",
        {
            "campaigns": campaigns[:200],
            "opening_units": _opening_units(request.user),
            "year": timezone.localdate().year,
            "report_units": units_in_scope(user=request.user).exclude(kind=UnitKind.GROUP)[:1],
        },
    )


@login_required
@require_POST
def campaign_open(request):
    unit = _opening_units(request.user).filter(pk=request.POST.get("unit") or 0).first()
    if unit is None:
        raise Http404
    year = request.POST.get("year", "")
    try:
        opened = services.campaign_open(
            by_user=request.user, unit=unit, year=int(year) if year.isdigit() else 0
        )
    except AppraisalError as exc:
        messages.error(request, exc.message)
        return redirect("appraisal:list")
    messages.success(request, _("已开启 %(n)d 个党支部的民主评议。") % {"n": len(opened)})
    return (
        redirect("appraisal:detail", pk=opened[0].pk)
        if len(opened) == 1
        else redirect("appraisal:list")
    )


@login_required
def campaign_detail(request, pk):
    campaign = _visible(request, pk)
    manage = selectors.can_manage(user=request.user, campaign=campaign)
    participant = selectors.participant_of(user=request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        "manage": manage,
        "participant": participant,
        "has_voted": bool(participant)
        and selectors.has_voted(campaign=campaign, member_id=participant.member_id),
        "participation": selectors.participation(campaign=campaign) if manage else None,
        "phases": _phase_rows(campaign),
        "my_row": None,
    }
    if participant and campaign.phase == Phase.PUBLISHED:
        context["my_row"] = next(
            (
                r
                for r in selectors.result_rows(campaign=campaign)
                if r.participant.pk == participant.pk
            ),
            None,
        )
    return render(request, "appraisal/campaign_detail.html", context)


def _phase_rows(campaign):
    rows = []
    for value, label in Phase.choices:
        field = services.PHASE_DATE_FIELD[value]
        rows.append(
            {
                "label": label,
                "date": getattr(campaign, field),
                "current": campaign.phase == value,
                "done": campaign.reached(value) and campaign.phase != value,
            }
        )
    return rows


@login_required
@require_POST
def campaign_advance(request, pk):
    _managed(request, pk)
    try:
        campaign = services.campaign_advance(by_user=request.user, campaign_id=pk)
    except AppraisalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已进入“%(phase)s”阶段。") % {"phase": campaign.get_phase_display()}
        )
    return redirect("appraisal:detail", pk=pk)


@login_required
def self_assessment(request, pk):
    campaign = _visible(request, pk)
    participant = selectors.participant_of(user=request.user, campaign=campaign)
    if participant is None:
        raise Http404
    return render(
        request,
        "appraisal/self_assessment.html",
        {
            "campaign": campaign,
            "participant": participant,
            "editable": not campaign.reached(Phase.PROPOSAL),
        },
    )


@login_required
def ballot(request, pk):
    """One page with every other member and the four grades; POST casts the ballot once."""
    campaign = _visible(request, pk)
    participant = selectors.participant_of(user=request.user, campaign=campaign)
    if participant is None:
        raise Http404
    members = selectors.ballot_members(campaign=campaign, participant=participant)
    chosen, error, status = {}, "", 200
    if request.method == "POST":
        chosen = {p.member_id: request.POST.get(f"m{p.member_id}", "") for p in members}
        ratings = {m: g for m, g in chosen.items() if g}
        try:
            services.vote_cast(user=request.user, campaign_id=campaign.pk, ratings=ratings)
        except AppraisalError as exc:
            error, status = exc.message, exc.status if exc.status != 404 else 400
        else:
            messages.success(request, _("投票成功，谢谢参与。"))
            return redirect("appraisal:detail", pk=campaign.pk)
    rows = [{"participant": p, "chosen": chosen.get(p.member_id, "")} for p in members]
    return render(
        request,
        "appraisal/ballot.html",
        {
            "campaign": campaign,
            "rows": rows,
            "grades": Grade.choices,
            "error": error,
            "open": campaign.phase == Phase.PEER_RATING,
            "has_voted": selectors.has_voted(campaign=campaign, member_id=participant.member_id),
            "counted": selectors.ballot_counted(campaign=campaign, participant=participant),
        },
        status=status,
    )


def _grades_from_post(request, prefix: str, participants) -> dict[int, str]:
    grades = {}
    for p in participants:
        grade = request.POST.get(f"{prefix}{p.member_id}", "")
        if grade:
            grades[p.member_id] = grade
    return grades


@login_required
def committee(request, pk):
    """The 支委会's page: tallies (after the close) and 自我评价 side by side, proposals, the
    支部大会's decision and follow-ups."""
    campaign = _managed(request, pk)
    if not selectors.results_visible(campaign):
        messages.error(request, _("民主测评结束后才能查看结果。"))
        return redirect("appraisal:detail", pk=pk)
    status = 200
    if request.method == "POST":
        participants = list(campaign.participants.all())
        action = request.POST.get("action")
        try:
            if action == "propose":
                services.proposals_set(
                    by_user=request.user,
                    campaign_id=pk,
                    proposals=_grades_from_post(request, "p", participants),
                    notes={
                        p.member_id: request.POST.get(f"n{p.member_id}", "") for p in participants
                    },
                )
                messages.success(request, _("支委会意见已保存。"))
            elif action == "decide":
                meeting = (
                    meetings_managed(user=request.user)
                    .filter(pk=request.POST.get("meeting") or 0)
                    .first()
                )
                try:
                    decided_on = date.fromisoformat(request.POST.get("decided_on", ""))
                except ValueError as exc:
                    raise AppraisalError(_("请填写支部大会的日期。"), code="decided_on") from exc
                services.decision_record(
                    by_user=request.user,
                    campaign_id=pk,
                    decided_on=decided_on,
                    grades=_grades_from_post(request, "d", participants),
                    meeting=meeting,
                )
                messages.success(request, _("支部大会的评定结果已记录。"))
            elif action == "follow_up":
                deadline = request.POST.get("deadline", "")
                services.follow_up_add(
                    by_user=request.user,
                    participant_id=int(request.POST.get("participant") or 0),
                    action=request.POST.get("follow_up_action", ""),
                    deadline=date.fromisoformat(deadline) if deadline else None,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("处置记录已保存。"))
            elif action == "close_follow_up":
                follow_up = (
                    selectors.follow_ups(campaign=campaign)
                    .filter(pk=request.POST.get("follow_up") or 0, closed_on__isnull=True)
                    .first()
                )
                if follow_up is None:
                    raise AppraisalError(_("处置记录不存在或已办结。"), code="follow_up")
                closed_on = request.POST.get("closed_on", "")
                services.follow_up_close(
                    by_user=request.user,
                    follow_up_id=follow_up.pk,
                    outcome=request.POST.get("outcome", ""),
                    closed_on=date.fromisoformat(closed_on) if closed_on else timezone.localdate(),
                )
                messages.success(request, _("处置记录已办结。"))
            else:
                raise AppraisalError(_("未知的操作。"), code="action")
        except AppraisalError as exc:
            messages.error(request, exc.message)
            status = exc.status if exc.status != 404 else 400
        except ValueError:
            messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
            status = 400
        else:
            return redirect("appraisal:committee", pk=pk)
        campaign.refresh_from_db()
    rows = selectors.result_rows(campaign=campaign)
    return render(
        request,
        "appraisal/committee.html",
        {
            "campaign": campaign,
            "rows": rows,
            "grades": Grade.choices,
            "participation": selectors.participation(campaign=campaign),
            "counts_shown": selectors.counts_shown(campaign=campaign),
            "min_counted_ballots": services.rules.min_counted_ballots(),
            "limit": services.rules.excellent_limit(len(rows), campaign.excellent_max_percent),
            "meetings": meetings_managed(user=request.user)
            .filter(unit=campaign.unit, kind=MeetingKind.PARTY_CONGRESS)
            .order_by("-starts_at")[:20],
            "follow_ups": selectors.follow_ups(campaign=campaign),
            "follow_up_actions": FollowUpAction.choices,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _report_context(request):
    scope = unit_scope(user=request.user)
    units = units_in_scope(user=request.user, scope=scope).exclude(kind=UnitKind.GROUP)
    unit_id = request.GET.get("unit", "")
    unit = units.filter(pk=unit_id).first() if unit_id.isdigit() else units.first()
    if unit is None:
        raise Http404
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    rows = selectors.report_rows(unit=unit, year=year)
    return {
        "unit": unit,
        "units": units,
        "year": year,
        "rows": rows,
        "total": selectors.report_total(rows),
        "grades": Grade.choices,
    }


@login_required
def report(request):
    return render(request, "appraisal/report.html", _report_context(request))


@login_required
def report_xlsx(request):
    context = _report_context(request)
    return exports.report_xlsx_response(
        unit=context["unit"],
        year=context["year"],
        rows=context["rows"],
        total=context["total"],
        user=request.user,
        at=timezone.now(),
    )
