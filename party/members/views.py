"""Pages of member development: a unit's pipeline board (and its .xlsx export), a person's
timeline with the stage-change form, and 我的入党进程 for the member on a phone. Every record
shown or exported is written to the access log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from party.members.checklist import pipeline, progress_for_members
from party.members.documents_http import document_response
from party.members.education import own_yearly_standing
from party.members.exceptions import GateFailed, MemberError
from party.members.exports import pipeline_xlsx_response
from party.members.models import (
    AccessAction,
    DecidingBody,
    Gender,
    Member,
    Sponsor,
    SponsorRole,
    Stage,
    StageChange,
    StageChangeAttachment,
    StepDefinition,
    StepDocument,
    StepRecord,
    TransferDirection,
)
from party.members.selectors import (
    document_for_user,
    external_in_new_units,
    external_in_units,
    group_choices,
    group_history,
    member_of_user,
    members_in_scope,
    members_visible,
    sponsor_candidates,
    transfer_history,
    transfer_target_units,
    transfers_external,
)
from party.members.services import (
    access_log_write,
    member_group_change,
    member_transfer,
    member_transfer_in,
    member_transfer_in_new,
    member_transfer_out,
    own_step_submit,
    sponsor_assign,
    sponsor_end,
    stage_change_document_add,
    stage_change_record,
    step_document_add,
    step_record,
    step_record_confirm,
    step_record_return,
)
from party.organisation.models import Unit
from party.organisation.selectors import can_manage_all_units, unit_scope, units_in_scope

BOARD_STAGES = [
    Stage.APPLICANT,
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.PROBATIONARY,
    Stage.PROBATION_EXTENDED,
]


class BoardFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=gettext_lazy("阶段"),
        required=False,
        choices=[("", gettext_lazy("全部阶段"))] + Stage.choices,
    )
    q = forms.CharField(label=gettext_lazy("姓名或学号"), required=False, max_length=30)
    due = forms.ChoiceField(
        label=gettext_lazy("到期事项"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("overdue", gettext_lazy("只看逾期")),
            ("soon", gettext_lazy("逾期或30天内到期")),
        ],
    )


DOCUMENT_HELP = gettext_lazy("PDF、JPG/PNG 图片或 Word/WPS 文档。")


class DocumentForm(forms.Form):
    """One more document for a past stage change or step record (the record stays unedited)."""

    document = forms.FileField(label=gettext_lazy("材料"), help_text=DOCUMENT_HELP)


class OwnSubmissionForm(forms.Form):
    """我的入党进程: the member uploads their own 思想汇报 or 入党申请书."""

    step = forms.ModelChoiceField(
        label=gettext_lazy("材料"), queryset=StepDefinition.objects.none(), empty_label=None
    )
    done_on = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    document = forms.FileField(label=gettext_lazy("文件"), help_text=DOCUMENT_HELP)
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = StepDefinition.objects.filter(
            active=True, member_may_submit=True
        ).order_by("order")
        self.fields["step"].label_from_instance = lambda step: step.documents or step.title
        recurring = self.fields["step"].queryset.filter(repeat_months__isnull=False).first()
        if recurring is not None:  # the quarterly 思想汇报 is what members upload most
            self.initial.setdefault("step", recurring.pk)


class StageChangeForm(forms.Form):
    to_stage = forms.ChoiceField(label=gettext_lazy("变更为"), choices=Stage.choices)
    date = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    decided_by = forms.ChoiceField(label=gettext_lazy("决定机构"), choices=DecidingBody.choices)
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=gettext_lazy("放行理由（仅组织部）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    extension_months = forms.IntegerField(
        label=gettext_lazy("延长月数"), required=False, min_value=1, max_value=24
    )
    document = forms.FileField(
        label=gettext_lazy("材料（可选：会议记录、批复等）"),
        required=False,
        help_text=DOCUMENT_HELP,
    )


class StepRecordForm(forms.Form):
    step = forms.ModelChoiceField(
        label=gettext_lazy("步骤"), queryset=StepDefinition.objects.none()
    )
    done_on = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    responsible = forms.CharField(label=gettext_lazy("责任人"), required=False, max_length=50)
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(label=gettext_lazy("材料"), required=False, help_text=DOCUMENT_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = StepDefinition.objects.filter(
            active=True, completes_stage=""
        ).order_by("order")


class SponsorForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("身份"), choices=SponsorRole.choices)
    sponsor = forms.ModelChoiceField(label=gettext_lazy("正式党员"), queryset=Member.objects.none())
    assigned_on = forms.DateField(
        label=gettext_lazy("确定日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, member=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = sponsor_candidates(user=user, member=member)
        self.fields["sponsor"].label_from_instance = lambda m: f"{m.name}（{m.unit.name}）"


class TransferForm(forms.Form):
    """组织关系转接 from the timeline: the target list is transfer_target_units (the branches the
    user manages, not the member's own)."""

    to_unit = forms.ModelChoiceField(label=gettext_lazy("转入党支部"), queryset=Unit.objects.none())
    on = forms.DateField(
        label=gettext_lazy("转入日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    letter_no = forms.CharField(label=gettext_lazy("介绍信编号"), required=False, max_length=50)
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, member=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = transfer_target_units(user=user, member=member)


class GroupChangeForm(forms.Form):
    """党小组调整 from the timeline: the 党小组 of the member's branch (group_choices), or none."""

    to_group = forms.ModelChoiceField(
        label=gettext_lazy("新党小组"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不属于任何党小组）"),
    )
    on = forms.DateField(
        label=gettext_lazy("生效日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, member=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = group_choices(user=user, member=member)
        self.fields["to_group"].label_from_instance = lambda g: g.name


class TransferLetterForm(forms.Form):
    """The 介绍信 of a 转入/转出本校, one set of fields for ExternalTransferForm (the timeline) and
    TransferInNewForm (one step): the branch it comes into, the outside Party organisation, the
    day, the letter's number and date, a note and its scan. Each form names the outside
    organisation (and TransferInNewForm the day) for its own case."""

    to_unit = forms.ModelChoiceField(label=gettext_lazy("转入党支部"), queryset=Unit.objects.none())
    external_org = forms.CharField(label=gettext_lazy("校外党组织"), max_length=200)
    on = forms.DateField(
        label=gettext_lazy("转接日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    letter_no = forms.CharField(label=gettext_lazy("介绍信编号"), required=False, max_length=50)
    letter_date = forms.DateField(
        label=gettext_lazy("介绍信日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(
        label=gettext_lazy("介绍信（扫描件，可选）"), required=False, help_text=DOCUMENT_HELP
    )


class ExternalTransferForm(TransferLetterForm):
    """转入本校 / 转出本校 from the timeline (the 组织员 of the 院系党委, 组织部)."""

    def __init__(self, *args, direction=None, units=None, **kwargs):
        super().__init__(*args, prefix=direction, **kwargs)
        self.direction = direction
        if direction == TransferDirection.OUT:
            del self.fields["to_unit"]
            self.fields["external_org"].label = gettext_lazy("转往党组织")
        else:
            self.fields["to_unit"].queryset = units
            self.fields["external_org"].label = gettext_lazy("原所在党组织")


class TransferInNewForm(TransferLetterForm):
    """转入本校 of a person not on record yet (services.member_transfer_in_new): who they are, the
    Party history the 介绍信 states, and the 转入 (the letter's fields after the person's)."""

    field_order = [
        "name",
        "student_no",
        "gender",
        "ethnicity",
        "birth_date",
        "phone",
        "probationary_on",
        "full_member_on",
    ]

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    student_no = forms.CharField(label=gettext_lazy("学号/工号"), max_length=30)
    gender = forms.ChoiceField(label=gettext_lazy("性别"), choices=Gender.choices)
    ethnicity = forms.CharField(label=gettext_lazy("民族"), max_length=20, initial="汉族")
    birth_date = forms.DateField(
        label=gettext_lazy("出生日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    phone = forms.CharField(label=gettext_lazy("手机号"), required=False, max_length=20)
    probationary_on = forms.DateField(
        label=gettext_lazy("入党日期（接收为预备党员）"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    full_member_on = forms.DateField(
        label=gettext_lazy("转正日期（正式党员填写）"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units
        self.fields["external_org"].label = gettext_lazy("原所在党组织")
        self.fields["on"].label = gettext_lazy("转入日期")


@login_required
@require_http_methods(["GET", "POST"])
def transfer_in_new(request):
    """转入本校 of a person not on record yet, in one step (the 组织员 of a 院系党委, 组织部): the
    record, their Party history and the 转入 in one transaction; then the member's page. Anyone
    with no branch to take a 转入 into → 404."""
    units = external_in_new_units(scope=unit_scope(user=request.user))
    if not units.exists():
        raise Http404
    form = TransferInNewForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        initial={"on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values["documents"] = [values.pop("document")]
        try:
            transfer = member_transfer_in_new(by_user=request.user, **values)
        except MemberError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("party:member_timeline", pk=transfer.member_id)
    return render(request, "party/transfer_in_new.html", {"form": form})


def _scoped_unit(request, pk: int):
    scope = unit_scope(user=request.user)
    unit = get_object_or_404(Unit.objects.filter(scope.q()), pk=pk)
    return unit, scope


def _board_rows(request, unit, scope, data):
    members = members_in_scope(user=request.user, scope=scope).filter(
        unit__path__startswith=unit.path
    )
    if data.get("stage"):
        members = members.filter(current_stage=data["stage"])
    if q := (data.get("q") or "").strip():
        members = members.filter(name__contains=q) | members.filter(student_no__startswith=q)
    members = list(members.select_related("unit", "group").order_by("unit__path", "student_no"))
    result = pipeline(members=members, today=timezone.localdate())
    due = result.due
    if data.get("due") == "overdue":
        due = [item for item in due if item.overdue]
    if data.get("due") in ("overdue", "soon"):
        with_due = {item.member.pk for item in due}
        result.progress = [p for p in result.progress if p.member.pk in with_due]
    return result, due


@login_required
def board_home(request):
    """The caller's top unit(s): straight to the board when there is one."""
    units = list(units_in_scope(user=request.user)[:200])
    if not units:
        raise Http404
    top = min(u.depth for u in units)
    roots = [u for u in units if u.depth == top]
    if len(roots) == 1:
        return redirect("party:unit_board", pk=roots[0].pk)
    return render(request, "party/board_home.html", {"units": roots})


@login_required
def unit_board(request, pk: int):
    unit, scope = _scoped_unit(request, pk)
    form = BoardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    result, due = _board_rows(request, unit, scope, data)
    access_log_write(
        user=request.user,
        members=[None],
        action=AccessAction.VIEW,
        what=_("发展党员工作进度：%(unit)s") % {"unit": unit.name},
    )
    columns = []
    for stage in BOARD_STAGES:
        people = [p for p in result.progress if p.stage == stage]
        columns.append({"stage": stage, "label": Stage(stage).label, "people": people})
    children = unit.get_children().order_by("path") if unit.kind != "group" else []
    return render(
        request,
        "party/unit_board.html",
        {
            "unit": unit,
            "ancestors": [a for a in unit.get_ancestors() if scope.covers(a)],
            "children": children,
            "form": form,
            "columns": columns,
            "counts": result.counts,
            "due": due,
            "today": timezone.localdate(),
            "query": request.GET.urlencode(),
            "may_transfer_in": external_in_new_units(scope=scope).exists(),
        },
    )


@login_required
def unit_board_export(request, pk: int):
    unit, scope = _scoped_unit(request, pk)
    form = BoardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    result, due = _board_rows(request, unit, scope, data)
    members = [p.member for p in result.progress]
    access_log_write(
        user=request.user,
        members=members,
        action=AccessAction.EXPORT,
        what=_("导出发展党员工作进度：%(unit)s") % {"unit": unit.name},
    )
    return pipeline_xlsx_response(
        unit=unit, progress=result.progress, due=due, user=request.user, at=timezone.now()
    )


DOCUMENT_ACTIONS = ("stage_document", "step_document")


def step_records_of(member):
    """The member's step records, newest first, with their documents (two queries)."""
    return list(
        StepRecord.objects.filter(member=member)
        .select_related("step", "recorded_by", "confirmed_by", "returned_by")
        .prefetch_related(
            Prefetch("documents", queryset=StepDocument.objects.select_related("uploaded_by"))
        )
        .order_by("-done_on", "-id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_timeline(request, pk: int):
    member = members_visible(user=request.user).select_related("unit", "group").filter(pk=pk)
    member = member.first()
    if member is None:
        raise Http404
    scope = unit_scope(user=request.user)
    left = member.left_on is not None
    # After a 转出本校 the record is read-only (组织部 reads it); only a 转入本校 may follow.
    manages = scope.covers(member.unit) and not left
    form = step_form = sponsor_form = document_form = transfer_form = group_form = None
    out_form = in_form = None
    action = request.POST.get("action", "stage") if request.method == "POST" else ""
    if not left and scope.covers(member.unit) and transfers_external(scope, member.unit):
        out_form = ExternalTransferForm(
            request.POST if action == "out" else None,
            request.FILES if action == "out" else None,
            direction=TransferDirection.OUT,
            initial={"on": timezone.localdate()},
        )
    in_units = external_in_units(scope=scope, member=member)
    if in_units is not None:
        in_form = ExternalTransferForm(
            request.POST if action == "in" else None,
            request.FILES if action == "in" else None,
            direction=TransferDirection.IN,
            units=in_units,
            initial={"on": timezone.localdate(), "to_unit": member.unit_id},
        )
    if action in ("in", "out"):
        external_form = in_form if action == "in" else out_form
        if external_form is None:
            raise Http404
        if external_form.is_valid():
            values = external_form.cleaned_data
            common = {
                "member": member,
                "on": values["on"],
                "external_org": values["external_org"],
                "letter_no": values["letter_no"],
                "letter_date": values["letter_date"],
                "note": values["note"],
                "documents": [values["document"]],
                "by_user": request.user,
            }
            try:
                if action == "in":
                    member_transfer_in(to_unit=values["to_unit"], **common)
                else:
                    member_transfer_out(**common)
            except MemberError as exc:
                external_form.add_error(None, exc.message)
            else:
                readable = members_visible(user=request.user, scope=scope).filter(pk=member.pk)
                if action == "out" and not readable.exists():
                    # The record is now 组织部's to read: the 组织员 goes back to the branch, told
                    # what was recorded (the timeline would be a 404 for them).
                    messages.success(
                        request,
                        _(
                            "已办理转出本校：%(name)s 的组织关系于 %(day)s 转往%(org)s，档案只读，由组织部查阅。"
                        )
                        % {
                            "name": member.name,
                            "day": values["on"].isoformat(),
                            "org": values["external_org"].strip(),
                        },
                    )
                    return redirect("party:unit_board", pk=member.unit_id)
                return redirect("party:member_timeline", pk=member.pk)
    gate_error = record_error = None
    if manages:
        form = StageChangeForm(
            request.POST if action == "stage" else None,
            request.FILES if action == "stage" else None,
            initial={"date": timezone.localdate()},
        )
        step_form = StepRecordForm(
            request.POST if action == "step" else None,
            request.FILES if action == "step" else None,
            initial={"done_on": timezone.localdate()},
        )
        document_form = DocumentForm(
            request.POST if action in DOCUMENT_ACTIONS else None,
            request.FILES if action in DOCUMENT_ACTIONS else None,
        )
        sponsor_form = SponsorForm(
            request.POST if action == "sponsor" else None,
            member=member,
            user=request.user,
            initial={"assigned_on": timezone.localdate()},
        )
        transfer_form = TransferForm(
            request.POST if action == "transfer" else None,
            member=member,
            user=request.user,
            initial={"on": timezone.localdate()},
        )
        if not transfer_form.fields["to_unit"].queryset.exists():
            transfer_form = None
        group_form = GroupChangeForm(
            request.POST if action == "group" else None,
            member=member,
            user=request.user,
            initial={"on": timezone.localdate(), "to_group": member.group_id},
        )
        if member.group_id is None and not group_form.fields["to_group"].queryset.exists():
            group_form = None  # a branch without 党小组, and the member in none
        done = False
        if (
            action in ("transfer", "group")
            and {"transfer": transfer_form, "group": group_form}[action] is None
        ):
            raise Http404
        if action == "group" and group_form.is_valid():
            values = group_form.cleaned_data
            try:
                member_group_change(
                    member=member,
                    to_group=values["to_group"],
                    on=values["on"],
                    note=values["note"],
                    by_user=request.user,
                )
            except MemberError as exc:
                group_form.add_error(None, exc.message)
            else:
                done = True
        elif action == "transfer" and transfer_form.is_valid():
            values = transfer_form.cleaned_data
            try:
                member_transfer(
                    member=member,
                    to_unit=values["to_unit"],
                    on=values["on"],
                    letter_no=values["letter_no"],
                    note=values["note"],
                    by_user=request.user,
                )
            except MemberError as exc:
                transfer_form.add_error(None, exc.message)
            else:
                done = True
        elif action == "step" and step_form.is_valid():
            values = step_form.cleaned_data
            try:
                step_record(
                    member=member,
                    step=values["step"],
                    done_on=values["done_on"],
                    responsible=values["responsible"],
                    note=values["note"],
                    documents=[values["document"]],
                    by_user=request.user,
                )
            except MemberError as exc:
                step_form.add_error(None, exc.message)
            else:
                done = True
        elif action in DOCUMENT_ACTIONS and document_form.is_valid():
            upload = document_form.cleaned_data["document"]
            target = request.POST.get("target") or 0
            try:
                if action == "stage_document":
                    change = get_object_or_404(StageChange, pk=target, member=member)
                    stage_change_document_add(change=change, upload=upload, by_user=request.user)
                else:
                    record = get_object_or_404(StepRecord, pk=target, member=member)
                    step_document_add(record=record, upload=upload, by_user=request.user)
            except MemberError as exc:
                document_form.add_error(None, exc.message)
            else:
                done = True
        elif action == "return":
            record = get_object_or_404(
                StepRecord, pk=request.POST.get("target") or 0, member=member
            )
            try:
                step_record_return(
                    record=record, by_user=request.user, reason=request.POST.get("reason", "")
                )
            except MemberError as exc:
                record_error = exc.message
            else:
                done = True
        elif action == "confirm":
            record = get_object_or_404(
                StepRecord, pk=request.POST.get("target") or 0, member=member
            )
            try:
                step_record_confirm(record=record, by_user=request.user)
            except MemberError as exc:
                record_error = exc.message
            else:
                done = True
        elif action == "sponsor" and sponsor_form.is_valid():
            values = sponsor_form.cleaned_data
            try:
                sponsor_assign(
                    member=member,
                    sponsor=values["sponsor"],
                    role=values["role"],
                    assigned_on=values["assigned_on"],
                    by_user=request.user,
                )
            except MemberError as exc:
                sponsor_form.add_error(None, exc.message)
            else:
                done = True
        elif action == "sponsor_end":
            row = get_object_or_404(Sponsor, pk=request.POST.get("sponsor_id") or 0, member=member)
            try:
                sponsor_end(sponsor=row, ended_on=timezone.localdate(), by_user=request.user)
            except MemberError as exc:
                sponsor_form.add_error(None, exc.message)
            else:
                done = True
        elif action == "stage" and form.is_valid():
            values = form.cleaned_data
            overrides = request.POST.getlist("override_gates")
            try:
                stage_change_record(
                    member=member,
                    stage=values["to_stage"],
                    decided_on=values["date"],
                    decided_by=values["decided_by"],
                    note=values["note"],
                    extension_months=values["extension_months"],
                    override_gates=overrides,
                    override_reason=values["override_reason"],
                    documents=[values["document"]],
                    by_user=request.user,
                )
            except GateFailed as exc:
                gate_error = exc
            except MemberError as exc:
                form.add_error(None, exc.message)
            else:
                done = True
        if done:
            return redirect("party:member_timeline", pk=member.pk)
    elif request.method == "POST" and action not in ("in", "out"):
        raise Http404
    access_log_write(
        user=request.user, members=[member], action=AccessAction.VIEW, what=_("发展纪实页面")
    )
    (progress,) = progress_for_members(members=[member], today=timezone.localdate())
    sponsors = member.sponsors.select_related("sponsor").order_by("role", "assigned_on")
    documents = {
        change.pk: list(change.attachments.all())
        for change in StageChange.objects.filter(member=member).prefetch_related(
            Prefetch(
                "attachments",
                queryset=StageChangeAttachment.objects.select_related("uploaded_by"),
            )
        )
    }
    for change in progress.changes:
        change.documents = documents.get(change.pk, [])
    return render(
        request,
        "party/member_timeline.html",
        {
            "member": member,
            "progress": progress,
            "sponsors": sponsors,
            "form": form,
            "step_form": step_form,
            "sponsor_form": sponsor_form,
            "document_form": document_form,
            "transfer_form": transfer_form,
            "transfers": transfer_history(member=member),
            "group_form": group_form,
            "out_form": out_form,
            "in_form": in_form,
            "group_changes": group_history(member=member),
            "record_error": record_error,
            "document_action": action if action in DOCUMENT_ACTIONS else "",
            "step_records": step_records_of(member),
            "gate_error": gate_error,
            "may_override": can_manage_all_units(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_progress(request):
    """我的入党进程: the member's own path, what is next and when; the member uploads their own
    思想汇报/入党申请书 here (pending until the branch confirms it)."""
    member = member_of_user(user=request.user)
    progress = None
    submit_form = None
    if member is not None:
        submit_form = OwnSubmissionForm(
            request.POST or None,
            request.FILES or None,
            initial={"done_on": timezone.localdate()},
        )
        if request.method == "POST" and submit_form.is_valid():
            values = submit_form.cleaned_data
            try:
                own_step_submit(
                    user=request.user,
                    step=values["step"],
                    done_on=values["done_on"],
                    upload=values["document"],
                    note=values["note"],
                )
            except MemberError as exc:
                submit_form.add_error(None, exc.message)
            else:
                return redirect("party:my_progress")
    elif request.method == "POST":
        raise Http404
    if member is not None:
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what=_("我的入党进程")
        )
        (progress,) = progress_for_members(members=[member], today=timezone.localdate())
    scope = unit_scope(user=request.user)
    return render(
        request,
        "party/my_progress.html",
        {
            "member": member,
            "progress": progress,
            "manages_units": not scope.empty,
            "today": timezone.localdate(),
            "yearly": own_yearly_standing(member=member, year=timezone.localdate().year),
            "submit_form": submit_form,
            "submissions": [
                record
                for record in (step_records_of(member) if member else [])
                if record.submitted_by_member
            ],
            "open_steps": sorted(
                (row for row in (progress.rows if progress else []) if row.due_on),
                key=lambda row: row.due_on,
            ),
        },
    )


@login_required
def document_download(request, kind: str, pk: int):
    """A document of a member's path: only for those whose scope covers the member's branch (and
    the member's own uploads); 404 otherwise. Written to the access log; sent as an attachment with
    its original name, by nginx when PARTY_DOCUMENTS_X_ACCEL_PREFIX is set."""
    document = document_for_user(user=request.user, kind=kind, pk=pk)
    if document is None:
        raise Http404
    return document_response(request, document)
