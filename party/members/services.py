"""Writes of member development: records, stage changes behind their gates, sponsors, steps, and
the access log. Keyword-only arguments; each write locks the member's row."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from party.members import rules
from party.members.checks import candidate_training_passed
from party.members.exceptions import (
    GateFailed,
    MemberError,
    OverrideError,
    StageTransitionError,
)
from party.members.models import (
    TRANSITIONS,
    AccessAction,
    DecidingBody,
    Gender,
    GroupChange,
    Member,
    MemberAccessLog,
    MemberTransfer,
    Sponsor,
    SponsorRole,
    Stage,
    StageChange,
    StageChangeAttachment,
    StepDefinition,
    StepDocument,
    StepRecord,
    TransferDocument,
)
from party.members.selectors import transfers_external
from party.organisation.documents import DocumentRejected, check_upload
from party.organisation.models import Unit, UnitKind, UnitPost
from party.organisation.selectors import can_manage_all_units, unit_scope

# --- stage dates (pure reads of a history, shared with the checklist) ---------------------------


def stage_dates(changes) -> dict[str, date]:
    """The date each stage was last entered, from a member's changes (oldest first)."""
    dates: dict[str, date] = {}
    for change in changes:
        dates[change.stage] = change.decided_on
    return dates


def probation_end(changes) -> date | None:
    """The last day of the 预备期: one year from the 支部大会 (党章 art. 7), plus any extension."""
    dates = stage_dates(changes)
    start = dates.get(Stage.PROBATIONARY)
    if start is None:
        return None
    months = rules.PROBATION_ONE_YEAR.setting
    months += sum(c.extension_months or 0 for c in changes if c.stage == Stage.PROBATION_EXTENDED)
    return start + relativedelta(months=months)


def stage_on(*, member: Member, day: date) -> str | None:
    """The member's stage on `day` (latest change decided on or before it)."""
    change = (
        StageChange.objects.filter(member=member, decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .values_list("stage", flat=True)
        .first()
    )
    return change


def _age_on(birth: date, day: date) -> int:
    return relativedelta(day, birth).years


# --- gates ------------------------------------------------------------------------------------


def stage_gate_failures(
    *, member: Member, stage: str, decided_on: date, extension_months: int | None, changes
) -> list[tuple[rules.GateRule, str]]:
    """Every rule that forbids `member` entering `stage` on `decided_on`: [(rule, message)]."""
    failures = []
    dates = stage_dates(changes)
    if stage == Stage.APPLICANT:
        gate = rules.MIN_AGE
        if member.birth_date is None:
            failures.append((gate, _("未登记出生日期，无法核对是否年满十八岁。")))
        elif _age_on(member.birth_date, decided_on) < gate.setting:
            failures.append((gate, _("递交入党申请时未满%(age)d岁。") % {"age": gate.setting}))
    elif stage == Stage.CANDIDATE:
        gate = rules.ACTIVIST_ONE_YEAR
        since = dates.get(Stage.ACTIVIST)
        earliest = since + relativedelta(months=gate.setting) if since else None
        if earliest is None or decided_on < earliest:
            failures.append(
                (
                    gate,
                    _(
                        "确定为入党积极分子未满一年（%(since)s 起），最早可在 %(earliest)s 确定为发展对象。"
                    )
                    % {"since": since, "earliest": earliest},
                )
            )
        gate = rules.CONTACTS
        contacts = _active_sponsors(member, SponsorRole.CONTACT, decided_on)
        if not 1 <= len(contacts) <= gate.setting:
            failures.append(
                (gate, _("应有一至两名培养联系人，现有 %(n)d 名。") % {"n": len(contacts)})
            )
    elif stage == Stage.PROBATIONARY:
        gate = rules.INTRODUCERS
        introducers = _active_sponsors(member, SponsorRole.INTRODUCER, decided_on)
        full = [s for s in introducers if stage_on(member=s, day=decided_on) == Stage.FULL_MEMBER]
        if len(full) != gate.setting:
            failures.append(
                (
                    gate,
                    _("应有两名正式党员作入党介绍人，现有 %(n)d 名。") % {"n": len(full)},
                )
            )
        gate = rules.CANDIDATE_TRAINING
        since = dates.get(Stage.CANDIDATE)
        passed = candidate_training_passed(member=member, since=since) if since else False
        if passed is None:
            failures.append((gate, _("无法核验发展对象培训结业证书（培训模块未启用）。")))
        elif not passed:
            failures.append(
                (
                    gate,
                    _("没有确定为发展对象（%(since)s）之后开班的发展对象培训班结业证书。")
                    % {"since": since},
                )
            )
    elif stage == Stage.FULL_MEMBER:
        gate = rules.PROBATION_ONE_YEAR
        end = probation_end(changes)
        if end is None or decided_on < end:
            failures.append((gate, _("预备期未满，预备期至 %(end)s。") % {"end": end}))
    elif stage == Stage.PROBATION_EXTENDED:
        gate = rules.EXTENSION
        if any(c.stage == Stage.PROBATION_EXTENDED for c in changes):
            failures.append((gate, _("预备期只能延长一次。")))
        if extension_months is None or not (
            rules.EXTENSION_MIN_MONTHS <= extension_months <= rules.EXTENSION_MAX_MONTHS
        ):
            failures.append((gate, _("延长预备期应为6至12个月。")))
    return failures


def _active_sponsors(member: Member, role: str, day: date) -> list[Member]:
    rows = Sponsor.objects.filter(member=member, role=role, assigned_on__lte=day).exclude(
        ended_on__lt=day
    )
    return [row.sponsor for row in rows.select_related("sponsor")]


# --- writes -----------------------------------------------------------------------------------


def _check_manages(*, by_user, member: Member) -> None:
    if not unit_scope(user=by_user).covers(member.unit):
        raise MemberError(_("无权管理该党员的档案。"), code="out_of_scope")
    _check_here(member)


@transaction.atomic
def stage_change_record(
    *,
    member: Member,
    stage: str,
    decided_on: date,
    decided_by: str,
    by_user,
    note: str = "",
    extension_months: int | None = None,
    override_gates: list[str] | None = None,
    override_reason: str = "",
    documents=(),
) -> StageChange:
    """Record a stage change after checking the transition and every gate. A failing gate raises
    GateFailed and nothing is written, unless 组织部 overrides that gate with a reason. Its
    documents (会议记录, 批复) are checked before anything is written."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    _check_manages(by_user=by_user, member=member)
    if stage not in Stage.values:
        raise MemberError(_("未知的阶段。"), code="invalid")
    if decided_by not in DecidingBody.values:
        raise MemberError(_("未知的决定机构。"), code="invalid")
    if decided_on > timezone.localdate():
        raise MemberError(_("日期不能晚于今天。"), code="invalid")
    changes = list(member.stage_changes.order_by("decided_on", "id"))
    current = changes[-1].stage if changes else None
    if stage not in TRANSITIONS[current]:
        raise StageTransitionError(
            _("当前阶段“%(current)s”不能变更为“%(stage)s”。")
            % {
                "current": Stage(current).label if current else _("未建档"),
                "stage": Stage(stage).label,
            }
        )
    if changes and decided_on < changes[-1].decided_on:
        raise MemberError(
            _("日期不能早于上一次阶段变更（%(day)s）。") % {"day": changes[-1].decided_on},
            code="invalid",
        )
    if stage != Stage.PROBATION_EXTENDED:
        extension_months = None
    failures = stage_gate_failures(
        member=member,
        stage=stage,
        decided_on=decided_on,
        extension_months=extension_months,
        changes=changes,
    )
    override_gates = sorted(set(override_gates or []))
    if override_gates:
        if not can_manage_all_units(by_user):
            raise OverrideError(_("只有组织部可以放行规则。"))
        if not override_reason.strip():
            raise OverrideError(_("放行规则须填写理由。"))
    remaining = [(gate, msg) for gate, msg in failures if gate.code not in override_gates]
    if remaining:
        raise GateFailed(remaining)
    uploads = [upload for upload in documents if upload]
    for upload in uploads:
        check_document(upload)
    used = sorted({gate.code for gate, _msg in failures})
    change = StageChange.objects.create(
        member=member,
        stage=stage,
        decided_on=decided_on,
        decided_by=decided_by,
        extension_months=extension_months,
        note=note,
        overridden_gates=used,
        override_reason=override_reason.strip() if used else "",
        recorded_by=by_user,
    )
    for upload in uploads:
        stage_change_document_add(change=change, upload=upload, by_user=by_user)
    return change


@transaction.atomic
def stage_history_import(
    *, member: Member, entries: list[tuple[str, date] | tuple[str, date, str]], by_user
) -> None:
    """Enter an existing person's documented history (档案补录) without gates: the decisions were
    taken before the platform, by the bodies named in the dossier. An entry may carry a note
    (e.g. how a missing date was filled in)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.stage_changes.exists():
        raise MemberError(_("该党员已有阶段记录，不能补录。"), code="invalid")
    for stage, day, *note in sorted(entries, key=lambda e: e[1]):
        StageChange.objects.create(
            member=member,
            stage=stage,
            decided_on=day,
            decided_by=DecidingBody.RECORDS,
            note=note[0] if note else "",
            recorded_by=by_user,
        )


@transaction.atomic
def member_create(
    *,
    by_user,
    name: str,
    student_no: str,
    gender: str,
    unit: Unit,
    ethnicity: str = "汉族",
    birth_date: date | None = None,
    group: Unit | None = None,
    phone: str = "",
    user=None,
) -> Member:
    """Register a person in a branch the user manages."""
    if unit.kind != UnitKind.BRANCH:
        raise MemberError(_("党员应登记在党支部。"), code="invalid")
    if not unit_scope(user=by_user).covers(unit):
        raise MemberError(_("无权管理该党支部。"), code="out_of_scope")
    if group is not None and (group.kind != UnitKind.GROUP or not group.path.startswith(unit.path)):
        raise MemberError(_("党小组不属于所选党支部。"), code="invalid")
    if Member.objects.filter(student_no=student_no.strip()).exists():
        raise MemberError(_("学号/工号“%(no)s”已登记。") % {"no": student_no}, code="duplicate")
    member = Member.objects.create(
        name=name.strip(),
        student_no=student_no.strip(),
        gender=gender,
        unit=unit,
        ethnicity=ethnicity or "汉族",
        birth_date=birth_date,
        group=group,
        phone=phone,
        user=user,
    )
    group_first_record(member=member, by_user=by_user)
    return member


def group_first_record(*, member: Member, by_user, note: str = "") -> GroupChange | None:
    """The 党小组 a new record is registered in (member_create, the registry import, the admin's
    add form): its first GroupChange, dated the day of registration (建档) and marked
    `at_registration`: it counts from the day the member joined the branch (selectors, "the 党小组
    on a day"), the record being entered late. None without a 党小组."""
    if member.group_id is None:
        return None
    return GroupChange.objects.create(
        member=member,
        to_group_id=member.group_id,
        on=timezone.localdate(member.created_at),
        at_registration=True,
        note=note or _("建档时登记的党小组"),
        recorded_by=by_user,
    )


SPONSOR_LIMITS = {SponsorRole.CONTACT: rules.CONTACTS, SponsorRole.INTRODUCER: rules.INTRODUCERS}


@transaction.atomic
def sponsor_assign(
    *, member: Member, sponsor: Member, role: str, assigned_on: date, by_user
) -> Sponsor:
    """Name a 培养联系人 (one or two, 细则 art. 9) or 入党介绍人 (two, art. 14): a 正式党员 on that
    date, not the person themself, a member record the user manages too. A third one is refused:
    end one first (sponsor_end), which is how a sponsor is replaced."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    _check_manages(by_user=by_user, member=member)
    if role not in SponsorRole.values:
        raise MemberError(_("未知的身份。"), code="invalid")
    if sponsor.pk == member.pk:
        raise MemberError(_("不能指定本人。"), code="invalid")
    if not unit_scope(user=by_user).covers(sponsor.unit):
        raise MemberError(_("只能指定您管理范围内的党员。"), code="out_of_scope")
    if assigned_on > timezone.localdate():
        raise MemberError(_("日期不能晚于今天。"), code="invalid")
    if stage_on(member=sponsor, day=assigned_on) != Stage.FULL_MEMBER:
        raise MemberError(
            _("%(name)s 在 %(day)s 不是正式党员。") % {"name": sponsor.name, "day": assigned_on},
            code="sponsor_not_full_member",
        )
    existing = Sponsor.objects.filter(member=member, sponsor=sponsor, role=role).first()
    if existing is not None and existing.ended_on is None:
        return existing
    limit = SPONSOR_LIMITS[role]
    active = Sponsor.objects.filter(member=member, role=role, ended_on__isnull=True).count()
    if active >= limit.setting:
        raise MemberError(
            _("已有 %(n)s 名%(role)s，请先结束其中一名再指定新的（%(rule)s）。")
            % {"n": active, "role": SponsorRole(role).label, "rule": limit.cited},
            code="sponsor_limit",
        )
    if existing is not None:  # named again after an earlier end
        existing.assigned_on, existing.ended_on = assigned_on, None
        existing.save(update_fields=["assigned_on", "ended_on"])
        return existing
    return Sponsor.objects.create(
        member=member, sponsor=sponsor, role=role, assigned_on=assigned_on
    )


@transaction.atomic
def sponsor_end(*, sponsor: Sponsor, ended_on: date, by_user) -> Sponsor:
    """End a 培养联系人/入党介绍人 (replaced, left, or no longer a member): kept in the record with
    the date, no longer counted by the gates from that day."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=sponsor.member_id)
    _check_manages(by_user=by_user, member=member)
    sponsor = Sponsor.objects.get(pk=sponsor.pk)
    if sponsor.ended_on is not None:
        raise MemberError(_("已经结束。"), code="invalid")
    if ended_on > timezone.localdate():
        raise MemberError(_("日期不能晚于今天。"), code="invalid")
    if ended_on < sponsor.assigned_on:
        raise MemberError(
            _("结束日期不能早于确定日期（%(day)s）。") % {"day": sponsor.assigned_on},
            code="invalid",
        )
    sponsor.ended_on = ended_on
    sponsor.save(update_fields=["ended_on"])
    return sponsor


# --- documents of the path (files are hostile: party.organisation.documents checks them) --------

DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "doc", "wps")


def check_document(upload) -> str:
    """Refuse a file that is not a PDF, JPEG/PNG or DOCX/DOC/WPS by its content, or is larger than
    settings.PARTY_DOCUMENTS_MAX_BYTES; return its MIME type."""
    try:
        return check_upload(
            upload, extensions=DOCUMENT_EXTENSIONS, max_bytes=settings.PARTY_DOCUMENTS_MAX_BYTES
        )
    except DocumentRejected as exc:
        raise MemberError(exc.message, code=exc.code) from None


def _document_fields(upload, content_type: str, by_user) -> dict:
    return {
        "file": upload,
        "name": (upload.name or "")[-200:],
        "content_type": content_type,
        "size": upload.size,
        "uploaded_by": by_user,
    }


def _log_upload(*, by_user, member: Member, what: str) -> None:
    access_log_write(user=by_user, members=[member], action=AccessAction.UPLOAD, what=what)


@transaction.atomic
def stage_change_document_add(*, change: StageChange, upload, by_user) -> StageChangeAttachment:
    """Add a document to a stage change, when it is recorded or afterwards (the change itself stays
    as recorded); written to the access log."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=change.member_id)
    _check_manages(by_user=by_user, member=member)
    content_type = check_document(upload)
    document = StageChangeAttachment.objects.create(
        stage_change=change, **_document_fields(upload, content_type, by_user)
    )
    _log_upload(
        by_user=by_user,
        member=member,
        what=_("上传材料：%(name)s（%(day)s %(stage)s）")
        % {"name": document.name, "day": change.decided_on, "stage": change.get_stage_display()},
    )
    return document


def _add_step_documents(*, record: StepRecord, uploads, types, by_user, member) -> None:
    for upload, content_type in zip(uploads, types, strict=True):
        document = StepDocument.objects.create(
            step_record=record, **_document_fields(upload, content_type, by_user)
        )
        _log_upload(
            by_user=by_user,
            member=member,
            what=_("上传材料：%(name)s（%(step)s %(day)s）")
            % {"name": document.name, "step": record.step.title, "day": record.done_on},
        )


@transaction.atomic
def step_record(
    *,
    member: Member,
    step: StepDefinition,
    done_on: date,
    by_user,
    responsible: str = "",
    note: str = "",
    documents=(),
) -> StepRecord:
    """Record a checklist step done for a member (a 谈话, a 思想汇报, a 考察), with its documents.
    Every file is checked before anything is written."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    _check_manages(by_user=by_user, member=member)
    if step.completes_stage:
        raise MemberError(_("该步骤通过阶段变更记录。"), code="invalid")
    if done_on > timezone.localdate():
        raise MemberError(_("日期不能晚于今天。"), code="invalid")
    uploads = [upload for upload in documents if upload]
    types = [check_document(upload) for upload in uploads]
    record = StepRecord.objects.create(
        member=member,
        step=step,
        done_on=done_on,
        responsible=responsible,
        note=note,
        recorded_by=by_user,
    )
    _add_step_documents(record=record, uploads=uploads, types=types, by_user=by_user, member=member)
    return record


@transaction.atomic
def step_document_add(*, record: StepRecord, upload, by_user) -> StepDocument:
    """Add a document to a step record afterwards (a manager of the member's branch)."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=record.member_id)
    _check_manages(by_user=by_user, member=member)
    content_type = check_document(upload)
    _add_step_documents(
        record=record, uploads=[upload], types=[content_type], by_user=by_user, member=member
    )
    return record.documents.order_by("-id").first()


@transaction.atomic
def own_step_submit(
    *, user, step: StepDefinition, done_on: date, upload, note: str = ""
) -> StepRecord:
    """A member uploads their own 思想汇报 or 入党申请书 (steps with member_may_submit): a record
    marked as submitted by the member, pending until the branch confirms it (step_record_confirm);
    until then it does not count as done and closes no overdue item."""
    member = Member.objects.select_for_update().filter(user=user).first() if user else None
    if member is None:
        raise MemberError(_("您还没有党员档案。"), code="no_member")
    if not step.active or not step.member_may_submit:
        raise MemberError(_("该步骤的材料由党支部上传。"), code="not_submittable")
    if done_on > timezone.localdate():
        raise MemberError(_("日期不能晚于今天。"), code="invalid")
    if not upload:
        raise MemberError(_("请选择要上传的文件。"), code="attachment_missing")
    content_type = check_document(upload)
    record = StepRecord.objects.create(
        member=member,
        step=step,
        done_on=done_on,
        responsible=member.name,
        note=note,
        recorded_by=user,
        submitted_by_member=True,
    )
    _add_step_documents(
        record=record, uploads=[upload], types=[content_type], by_user=user, member=member
    )
    return record


@transaction.atomic
def step_record_confirm(*, record: StepRecord, by_user) -> StepRecord:
    """The branch confirms a record the member submitted: from now on the step counts as done."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=record.member_id)
    _check_manages(by_user=by_user, member=member)
    record = StepRecord.objects.select_for_update().get(pk=record.pk)
    if not record.pending:
        raise MemberError(_("该记录无需确认或已确认。"), code="already_confirmed")
    record.confirmed_by, record.confirmed_at = by_user, timezone.now()
    record.save(update_fields=["confirmed_by", "confirmed_at"])
    return record


@transaction.atomic
def step_record_return(*, record: StepRecord, by_user, reason: str) -> StepRecord:
    """The branch returns a record the member submitted, with a reason: it never counts as done;
    the member sees the reason and may submit again. Nothing is deleted."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=record.member_id)
    _check_manages(by_user=by_user, member=member)
    if not reason.strip():
        raise MemberError(_("退回须填写理由。"), code="reason_required")
    record = StepRecord.objects.select_for_update().get(pk=record.pk)
    if not record.pending:
        raise MemberError(_("该记录无需确认或已确认。"), code="already_confirmed")
    record.returned_by, record.returned_at = by_user, timezone.now()
    record.return_reason = reason.strip()
    record.save(update_fields=["returned_by", "returned_at", "return_reason"])
    return record


@transaction.atomic
def member_transfer(
    *,
    member: Member,
    to_unit: Unit,
    on: date,
    by_user,
    letter_no: str = "",
    note: str = "",
) -> MemberTransfer:
    """组织关系转接 inside the university (《中国共产党党员组织关系转接工作规定（试行）》, 2011:
    the sending branch issues the 介绍信, the receiving branch takes the member in): the member
    belongs to `to_unit` from `on`. The caller's scope must cover both branches (a 支部书记 moves
    no one out of the branch; the 组织员 within the 院系党委; 组织部 anywhere). Refuses the same
    unit, a date after today, and a date before the member's last transfer. Writes the transfer,
    moves Member.unit and clears the 党小组 (kept on the transfer as from_group), logs the access, in one
    transaction; nothing is written on a refusal."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    scope = unit_scope(user=by_user)
    if not scope.covers(member.unit):
        raise MemberError(_("无权管理该党员的档案。"), code="out_of_scope")
    _check_here(member)
    if to_unit.kind != UnitKind.BRANCH:
        raise MemberError(_("只能转入党支部。"), code="invalid")
    if to_unit.pk == member.unit_id:
        raise MemberError(_("该党员已在%(unit)s。") % {"unit": to_unit.name}, code="same_unit")
    if not scope.covers(to_unit):
        raise MemberError(
            _("无权将党员转入%(unit)s：转出本单位须由同时管理两个党支部的上级党组织办理。")
            % {"unit": to_unit.name},
            code="out_of_scope",
        )
    if on > timezone.localdate():
        raise MemberError(_("转入日期不能晚于今天。"), code="invalid")
    last = member.transfers.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise MemberError(
            _("转入日期不能早于上一次转接（%(last)s）。") % {"last": last}, code="invalid"
        )
    # Posts (书记, 委员, 党小组组长) held in the old branch or its 党小组 end the day before the
    # transfer: a member cannot serve a branch they no longer belong to (docs/party.md). A post
    # whose term starts on or after the date is refused: it was recorded wrongly.
    ending = _end_posts(member=member, unit=member.unit, on=on)
    return _transfer_write(
        member=member,
        by_user=by_user,
        what=f"组织关系转接 {member.unit.name} → {to_unit.name}（{on}）",
        ending=ending,
        from_unit=member.unit,
        to_unit=to_unit,
        on=on,
        letter_no=letter_no.strip(),
        note=note.strip(),
    )


def _check_here(member: Member) -> None:
    if member.left_on is not None:
        raise MemberError(
            _("该党员的组织关系已于%(day)s转出本校。") % {"day": member.left_on}, code="left"
        )


def _check_external(*, on: date, external_org: str, letter_date: date | None, member: Member):
    today = timezone.localdate()
    if not external_org.strip():
        raise MemberError(_("请填写校外党组织的名称。"), code="invalid")
    if on > today:
        raise MemberError(_("转接日期不能晚于今天。"), code="invalid")
    if letter_date is not None and letter_date > today:
        raise MemberError(_("介绍信日期不能晚于今天。"), code="invalid")
    last = member.transfers.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise MemberError(
            _("转接日期不能早于上一次转接（%(last)s）。") % {"last": last}, code="invalid"
        )


def _transfer_write(
    *, member: Member, by_user, what: str, ending=(), uploads=(), types=(), **row
) -> MemberTransfer:
    """The write every 组织关系转接 ends with (校内转接, 转入本校, 转出本校), once its gates passed
    and its posts ended (`ending`, named in the log): the MemberTransfer `row`; when the member
    leaves a branch, the 党小组 they leave (kept as `from_group`) and the GroupChange that takes
    them out of it that day; Member.unit (the branch joined), .group and .left_on (a 转出's day,
    cleared by a 转入); the 介绍信 (`uploads`, already checked: their `types`), each upload
    logged; the access-log row (`what`). Inside the caller's transaction."""
    leaves = row.get("from_unit") is not None
    transfer = MemberTransfer.objects.create(
        member=member,
        from_group_id=member.group_id if leaves else None,
        recorded_by=by_user,
        **row,
    )
    if leaves and member.group_id is not None:  # the 党小组 history: out of it from the same day
        GroupChange.objects.create(
            member=member,
            from_group_id=member.group_id,
            to_group=None,
            on=transfer.on,
            transfer=transfer,
            note=_("组织关系转接") if transfer.to_unit_id else _("转出本校"),
            recorded_by=by_user,
        )
        member.group = None
    if transfer.to_unit_id is None:
        member.left_on = transfer.on
    else:
        member.unit, member.left_on = transfer.to_unit, None
    member.save(update_fields=["unit", "group", "left_on"])
    for upload, content_type in zip(uploads, types, strict=True):
        document = TransferDocument.objects.create(
            transfer=transfer, **_document_fields(upload, content_type, by_user)
        )
        _log_upload(
            by_user=by_user,
            member=member,
            what=_("上传材料：%(name)s（组织关系转接 %(day)s）")
            % {"name": document.name, "day": transfer.on},
        )
    access_log_write(
        user=by_user,
        members=[member],
        action=AccessAction.TRANSFER,
        what=what + "".join(f"；{p.unit.name}{p.get_role_display()}任期结束" for p in ending),
    )
    return transfer


@transaction.atomic
def member_transfer_out(
    *,
    member: Member,
    on: date,
    by_user,
    external_org: str,
    letter_no: str = "",
    letter_date: date | None = None,
    note: str = "",
    documents=(),
) -> MemberTransfer:
    """转出本校: the member's 组织关系 leaves the university for `external_org` on `on`
    (《中国共产党党员组织关系转接工作规定（试行）》: the 介绍信 is issued to the receiving
    organisation). From that day the member is in no unit (no 应到, compliance count, dues owed,
    学时 list, board or statistics); the record and its history stay, readable by 组织部.
    Scope: the 组织员 of the member's 院系党委 or 组织部. Refused (`out_of_scope`, `left`,
    `invalid`: no organisation named, a date after today or before the last transfer or 党小组
    change, `post_after_transfer`), nothing written. Posts and the 党小组 end as with a transfer."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if not transfers_external(unit_scope(user=by_user), member.unit):
        raise MemberError(_("转出本校由院系党委组织员或组织部办理。"), code="out_of_scope")
    _check_here(member)
    _check_external(on=on, external_org=external_org, letter_date=letter_date, member=member)
    regrouped = member.group_changes.order_by("-on", "-id").values_list("on", flat=True).first()
    if regrouped is not None and on < regrouped:
        raise MemberError(
            _("转接日期不能早于上一次党小组调整（%(last)s）。") % {"last": regrouped},
            code="invalid",
        )
    uploads = [upload for upload in documents if upload]
    types = [check_document(upload) for upload in uploads]
    ending = _end_posts(member=member, unit=member.unit, on=on, what=_("转出"))
    return _transfer_write(
        member=member,
        by_user=by_user,
        what=f"转出本校 {member.unit.name} → {external_org.strip()}（{on}）",
        ending=ending,
        uploads=uploads,
        types=types,
        from_unit=member.unit,
        to_unit=None,
        external_org=external_org.strip(),
        on=on,
        letter_no=letter_no.strip(),
        letter_date=letter_date,
        note=note.strip(),
    )


@transaction.atomic
def member_transfer_in(
    *,
    member: Member,
    to_unit: Unit,
    on: date,
    by_user,
    external_org: str,
    letter_no: str = "",
    letter_date: date | None = None,
    note: str = "",
    documents=(),
) -> MemberTransfer:
    """转入本校: the member's 组织关系 comes into the branch `to_unit` from `external_org` on
    `on`; before that day they are in no unit. For a record just registered (no transfer yet;
    registered with a 党小组, it must come into that branch no later than the 党小组 record) or
    one that left (转出本校) and comes back (no 党小组: one is set after, from the day of the 转入). Scope: the 组织员 of the branch's 院系党委 or 组织部 (a returning record is
    readable by 组织部 only). Refused with a code, nothing written: `out_of_scope`, `not_outside`
    (the record's 组织关系 is in the university: a move is a 校内转接), `invalid`."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("unit", "group")
        .get(pk=member.pk)
    )
    scope = unit_scope(user=by_user)
    if not (transfers_external(scope, to_unit) and scope.covers(member.unit)):
        raise MemberError(_("转入本校由院系党委组织员或组织部办理。"), code="out_of_scope")
    if to_unit.kind != UnitKind.BRANCH:
        raise MemberError(_("只能转入党支部。"), code="invalid")
    if member.left_on is None and member.transfers.exists():
        raise MemberError(
            _("该党员的组织关系在本校（%(unit)s）；校内调整请办理组织关系转接。")
            % {"unit": member.unit.name},
            code="not_outside",
        )
    if member.left_on is None and member.group_id is not None:
        # A record registered with a 党小组: the 转入 may not leave it in a 党小组 earlier than
        # its branch, nor in another branch's.
        since = member.group_changes.order_by("on", "id").values_list("on", flat=True).first()
        if to_unit.pk != member.unit_id or (since is not None and since < on):
            raise MemberError(
                _(
                    "该档案已登记在%(group)s（%(day)s 起）：转入日期不能晚于该日，且须转入其所在党支部。"
                )
                % {"group": member.group.name if member.group else "", "day": since},
                code="invalid",
            )
    _check_external(on=on, external_org=external_org, letter_date=letter_date, member=member)
    uploads = [upload for upload in documents if upload]
    types = [check_document(upload) for upload in uploads]
    return _transfer_write(
        member=member,
        by_user=by_user,
        what=f"转入本校 {external_org.strip()} → {to_unit.name}（{on}）",
        uploads=uploads,
        types=types,
        from_unit=None,
        to_unit=to_unit,
        external_org=external_org.strip(),
        on=on,
        letter_no=letter_no.strip(),
        letter_date=letter_date,
        note=note.strip(),
    )


@transaction.atomic
def member_transfer_in_new(
    *,
    by_user,
    name: str,
    student_no: str,
    gender: str,
    to_unit: Unit,
    on: date,
    external_org: str,
    probationary_on: date,
    full_member_on: date | None = None,
    ethnicity: str = "汉族",
    birth_date: date | None = None,
    phone: str = "",
    letter_no: str = "",
    letter_date: date | None = None,
    note: str = "",
    documents=(),
) -> MemberTransfer:
    """转入本校 of a person not on record yet, in one step: the record (member_create, in
    `to_unit`, without a 党小组 — one is set on the member page from the 转入's day), their Party
    history as the 介绍信 states it (档案补录, stage_history_import: 接收为预备党员 on
    `probationary_on`, and 转为正式党员 on `full_member_on` for a 正式党员; only a Party member's
    组织关系 is transferred) and the 转入 itself (member_transfer_in: its gates, the scanned
    介绍信, the access log). One transaction: any refusal writes nothing, not even the record.
    Scope as for every 转入本校: the 组织员 of the branch's 院系党委 or 组织部 (`out_of_scope`).
    Refused: `invalid` (an unknown 性别, no name, 入党日期 after the 转入 or 转正 before 入党 or
    after the 转入), `duplicate` (the 学号/工号 is registered: record the 转入 on that page), and
    member_transfer_in's codes."""
    if not transfers_external(unit_scope(user=by_user), to_unit):
        raise MemberError(_("转入本校由院系党委组织员或组织部办理。"), code="out_of_scope")
    if gender not in Gender.values or not name.strip() or not student_no.strip():
        raise MemberError(_("请填写姓名、学号/工号和性别。"), code="invalid")
    if probationary_on > on:
        raise MemberError(_("入党日期不能晚于转入日期。"), code="invalid")
    if full_member_on is not None and not probationary_on <= full_member_on <= on:
        raise MemberError(_("转正日期应在入党日期和转入日期之间。"), code="invalid")
    if Member.objects.filter(student_no=student_no.strip()).exists():
        raise MemberError(
            _("学号/工号“%(no)s”已登记：请在该党员的档案页面办理转入本校。")
            % {"no": student_no.strip()},
            code="duplicate",
        )
    member = member_create(
        by_user=by_user,
        name=name,
        student_no=student_no,
        gender=gender,
        unit=to_unit,
        ethnicity=ethnicity,
        birth_date=birth_date,
        phone=phone,
    )
    source = _("据组织关系介绍信（转入本校）")
    entries = [(Stage.PROBATIONARY, probationary_on, source)]
    if full_member_on is not None:
        entries.append((Stage.FULL_MEMBER, full_member_on, source))
    stage_history_import(member=member, entries=entries, by_user=by_user)
    return member_transfer_in(
        member=member,
        to_unit=to_unit,
        on=on,
        by_user=by_user,
        external_org=external_org,
        letter_no=letter_no,
        letter_date=letter_date,
        note=note,
        documents=documents,
    )


def _end_posts(*, member: Member, unit: Unit, on: date, what: str = "") -> list[UnitPost]:
    """End on the day before `on` every post `member` holds in `unit` or under it whose term
    covers `on` (or is open), and return them; refuse (nothing written) when one of those posts
    starts on or after `on`: it was recorded wrongly and must be corrected first."""
    posts = UnitPost.objects.select_for_update().filter(
        member=member, unit__path__startswith=unit.path
    )
    late = posts.filter(starts_on__gte=on).select_related("unit").first()
    if late is not None:
        raise MemberError(
            _(
                "该党员在%(unit)s担任%(role)s的任期自%(start)s开始，不早于%(what)s日期，"
                "请先更正该任期再办理。"
            )
            % {
                "unit": late.unit.name,
                "role": late.get_role_display(),
                "start": late.starts_on,
                "what": what or _("转入"),
            },
            code="post_after_transfer",
        )
    ending = list(posts.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on)).select_related("unit"))
    for post in ending:
        post.ends_on = on - timedelta(days=1)
    UnitPost.objects.bulk_update(ending, ["ends_on"])
    return ending


@transaction.atomic
def member_group_change(
    *, member: Member, to_group: Unit | None, on: date, by_user, note: str = ""
) -> GroupChange:
    """Move `member` into another 党小组 of their branch (or out of any: `to_group` None) from
    `on`: a dated, append-only record (who, when, from/to, note), Member.group updated, the
    access logged, in one transaction. Scope: whoever manages the member's branch (the one scope
    selector: its 支部书记/支委, the 组织员, 组织部). Refused with a code, nothing written:
    `out_of_scope`; `invalid` (not a 党小组 of the member's branch, a date after today, before
    the last 党小组 change, or before the member joined the branch by a transfer); `same_group`;
    `post_after_transfer` (a 党小组组长 term in the old 党小组 starting on or after the date).
    A 党小组组长 post in the old 党小组 ends the day before, as with a transfer."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("unit", "group")
        .get(pk=member.pk)
    )
    _check_manages(by_user=by_user, member=member)
    _check_here(member)
    if to_group is not None and (
        to_group.kind != UnitKind.GROUP or not to_group.path.startswith(member.unit.path)
    ):
        raise MemberError(
            _("%(group)s不是%(unit)s的党小组。")
            % {"group": to_group.name, "unit": member.unit.name},
            code="invalid",
        )
    if (to_group.pk if to_group else None) == member.group_id:
        raise MemberError(
            _("该党员已在%(group)s。") % {"group": to_group.name}
            if to_group
            else _("该党员不在任何党小组。"),
            code="same_group",
        )
    if on > timezone.localdate():
        raise MemberError(_("生效日期不能晚于今天。"), code="invalid")
    last = member.group_changes.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise MemberError(
            _("生效日期不能早于上一次党小组调整（%(last)s）。") % {"last": last}, code="invalid"
        )
    joined = member.transfers.order_by("-on", "-id").values_list("on", flat=True).first()
    if joined is not None and on < joined:
        raise MemberError(
            _("生效日期不能早于转入本党支部的日期（%(day)s）。") % {"day": joined},
            code="invalid",
        )
    ending = (
        _end_posts(member=member, unit=member.group, on=on, what=_("调整党小组"))
        if member.group
        else []
    )
    change = GroupChange.objects.create(
        member=member,
        from_group=member.group,
        to_group=to_group,
        on=on,
        note=note.strip(),
        recorded_by=by_user,
    )
    old = member.group.name if member.group else "—"
    member.group = to_group
    member.save(update_fields=["group"])
    access_log_write(
        user=by_user,
        members=[member],
        action=AccessAction.GROUP,
        what=f"党小组调整 {old} → {to_group.name if to_group else '—'}（{on}）"
        + "".join(f"；{p.unit.name}{p.get_role_display()}任期结束" for p in ending),
    )
    return change


def access_log_write(*, user, members, action: str, what: str) -> None:
    """One access-log row per member viewed or exported."""
    now = timezone.now()
    MemberAccessLog.objects.bulk_create(
        [
            MemberAccessLog(user=user, member=m, action=action, what=what[:200], at=now)
            for m in members
        ]
    )
