"""The member registry (one record per person) and each person's dated stage history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from party.organisation.documents import private_storage
from party.organisation.records import Recorded


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Stage(models.TextChoices):
    """Where a person stands on the way into the Party. The five stages of docs/domain.md (same values
    as learning's TraineeStage) plus the three events that end or prolong a path."""

    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    PROBATION_EXTENDED = "probation_extended", _("预备党员（延长预备期）")
    FULL_MEMBER = "full_member", _("正式党员")
    PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")
    STOPPED = "stopped", _("停止培养")


# The allowed transitions, in one place. The key None is a person with no history yet.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({Stage.APPLICANT}),
    Stage.APPLICANT: frozenset({Stage.ACTIVIST, Stage.STOPPED}),
    Stage.ACTIVIST: frozenset({Stage.CANDIDATE, Stage.STOPPED}),
    Stage.CANDIDATE: frozenset({Stage.PROBATIONARY, Stage.ACTIVIST, Stage.STOPPED}),
    Stage.PROBATIONARY: frozenset(
        {Stage.FULL_MEMBER, Stage.PROBATION_EXTENDED, Stage.PROBATION_CANCELLED}
    ),
    Stage.PROBATION_EXTENDED: frozenset({Stage.FULL_MEMBER, Stage.PROBATION_CANCELLED}),
    Stage.FULL_MEMBER: frozenset(),
    Stage.PROBATION_CANCELLED: frozenset(),
    Stage.STOPPED: frozenset(),
}
# Stages in which a person is a Party member (may be an 入党介绍人 only when full).
MEMBER_STAGES = frozenset({Stage.PROBATIONARY, Stage.PROBATION_EXTENDED, Stage.FULL_MEMBER})


class DecidingBody(models.TextChoices):
    APPLICANT = "applicant", _("本人递交")
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会")
    BRANCH_CONGRESS = "branch_congress", _("支部大会")
    HIGHER_FILING = "higher_filing", _("上级党委备案")
    HIGHER_APPROVAL = "higher_approval", _("上级党委审批")
    RECORDS = "records", _("档案补录")


class Member(models.Model):
    """A person in the Party's development work or in the Party: one record per person."""

    name = models.CharField(_("姓名"), max_length=50)
    # Blank only for people whose record came from learning's trainee profiles, which never held
    # 性别 (the 0005 migration of learning.classes); forms and imports still require it.
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    student_no = models.CharField(_("学号/工号"), max_length=30, unique=True)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("党支部"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    group = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_member",
    )
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now)
    # 转出本校: the day the member's 组织关系 left the university (MemberTransfer with no to_unit);
    # None while it is here. Set and cleared only by the transfer services, like `unit`.
    left_on = models.DateField(_("转出本校日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员/发展对象档案")
        verbose_name_plural = _("党员/发展对象档案")
        ordering = ["student_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.student_no}）"


class StageChange(Recorded):
    """One dated step on a person's path (申请入党, 确定为积极分子, …). Never edited: a correction is a
    new record. The person's current stage is the latest of these (by date, then id). Who
    recorded it, when, a note: Recorded."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    decided_on = models.DateField(_("日期"))
    decided_by = models.CharField(_("决定机构"), max_length=20, choices=DecidingBody.choices)
    extension_months = models.PositiveSmallIntegerField(
        _("延长月数"), null=True, blank=True, help_text=_("仅延长预备期时填写（6–12 个月）。")
    )
    overridden_gates = models.JSONField(_("组织部放行的规则"), default=list, blank=True)
    override_reason = models.TextField(_("放行理由"), blank=True)

    class Meta:
        verbose_name = _("发展阶段记录")
        verbose_name_plural = _("发展阶段记录")
        ordering = ["member", "decided_on", "id"]
        indexes = [
            models.Index(fields=["member", "-decided_on", "-id"], name="members_stage_latest")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.decided_on} {self.get_stage_display()}"


def _private_name(folder: str, member_id: int, filename: str) -> str:
    """A random stored name (the original name is kept in the row, never on disk)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{member_id}/{uuid.uuid4().hex}.{suffix}"


def _attachment_path(instance, filename: str) -> str:
    return _private_name("stage-changes", instance.stage_change.member_id, filename)


class DocumentFields(models.Model):
    """What every uploaded document of a member's path keeps: the file in the private storage
    (party.organisation.documents; no URL), its original name, type, size, who uploaded it, when."""

    name = models.CharField(_("名称"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class StageChangeAttachment(DocumentFields):
    """A document behind a stage change (入党申请书, 会议记录, 批复). May be added after the change
    was recorded (the change itself is never edited)."""

    stage_change = models.ForeignKey(
        StageChange,
        verbose_name=_("发展阶段记录"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path, storage=private_storage)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["stage_change", "id"]


class SponsorRole(models.TextChoices):
    CONTACT = "contact", _("培养联系人")
    INTRODUCER = "introducer", _("入党介绍人")


class Sponsor(models.Model):
    """A 培养联系人 (art. 9) or 入党介绍人 (art. 14) of a person: a Party member of record."""

    member = models.ForeignKey(
        Member, verbose_name=_("发展对象"), on_delete=models.CASCADE, related_name="sponsors"
    )
    sponsor = models.ForeignKey(
        Member, verbose_name=_("联系人/介绍人"), on_delete=models.PROTECT, related_name="sponsoring"
    )
    role = models.CharField(_("身份"), max_length=20, choices=SponsorRole.choices)
    assigned_on = models.DateField(_("确定日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("培养联系人/入党介绍人")
        verbose_name_plural = _("培养联系人/入党介绍人")
        ordering = ["member", "role", "assigned_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "sponsor", "role"], name="members_sponsor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} ← {self.sponsor}（{self.get_role_display()}）"


class Phase(models.IntegerChoices):
    APPLICATION = 1, _("申请入党")
    ACTIVIST = 2, _("入党积极分子的确定和培养教育")
    CANDIDATE = 3, _("发展对象的确定和考察")
    ADMISSION = 4, _("预备党员的接收")
    PROBATION = 5, _("预备党员的教育考察和转正")


class DueAnchor(models.TextChoices):
    APPLIED = "applied", _("递交入党申请书")
    ACTIVIST = "activist", _("确定为入党积极分子")
    CANDIDATE = "candidate", _("确定为发展对象")
    PROBATIONARY = "probationary", _("接收为预备党员")
    PROBATION_END = "probation_end", _("预备期满")


class StepDefinition(models.Model):
    """One step of the checklist (the 25 steps of 细则 2014, plus local steps), as data: its phase,
    the stage change that completes it (if any), when it is due, and the rule it comes from."""

    code = models.CharField(_("编号"), max_length=10, unique=True)
    order = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("名称"), max_length=100)
    phase = models.PositiveSmallIntegerField(_("阶段"), choices=Phase.choices)
    completes_stage = models.CharField(
        _("对应阶段变更"), max_length=20, choices=Stage.choices, blank=True
    )
    applies_to = models.CharField(
        _("适用阶段"),
        max_length=200,
        blank=True,
        help_text=_("处于这些阶段（逗号分隔）时才计算到期和逾期。"),
    )
    due_anchor = models.CharField(
        _("期限起算"), max_length=20, choices=DueAnchor.choices, blank=True
    )
    due_months = models.SmallIntegerField(_("期限（月）"), null=True, blank=True)
    repeat_months = models.PositiveSmallIntegerField(
        _("周期（月）"), null=True, blank=True, help_text=_("周期性事项，如思想汇报每季度一次。")
    )
    documents = models.CharField(_("材料"), max_length=200, blank=True)
    member_may_submit = models.BooleanField(
        _("本人可提交"),
        default=False,
        help_text=_("本人可在“我的入党进程”上传（如思想汇报、入党申请书），经支部确认后计为完成。"),
    )
    rule_text = models.TextField(_("规定"), blank=True)
    source = models.CharField(_("出处"), max_length=200, blank=True)
    is_local = models.BooleanField(_("本校增加的步骤"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("发展党员步骤")
        verbose_name_plural = _("发展党员步骤")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def applies_to_stages(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.applies_to.split(",") if s.strip())


class StepRecord(Recorded):
    """A step done for a member (a 谈话, a 思想汇报, a 考察): date, who is responsible, documents
    (who recorded it, when, a note: Recorded)."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="step_records"
    )
    step = models.ForeignKey(
        StepDefinition, verbose_name=_("步骤"), on_delete=models.PROTECT, related_name="records"
    )
    done_on = models.DateField(_("日期"))
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    # A member's own upload (思想汇报, 入党申请书) is a record submitted by the member: it counts
    # as done only once someone who manages the member's branch confirms it.
    submitted_by_member = models.BooleanField(_("本人提交"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # …or returns it with a reason (wrong file, not a 思想汇报): it never counts; the member may
    # submit again. The record and its document stay (nothing is deleted).
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("步骤记录")
        verbose_name_plural = _("步骤记录")
        ordering = ["member", "done_on", "id"]
        indexes = [models.Index(fields=["member", "step", "-done_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.step} {self.done_on}"

    @property
    def pending(self) -> bool:
        """Submitted by the member and not yet confirmed by the branch: does not count as done."""
        return self.submitted_by_member and self.confirmed_at is None and self.returned_at is None

    @property
    def counts(self) -> bool:
        """Done for the checklist: recorded by the branch, or submitted and confirmed."""
        return not self.submitted_by_member or self.confirmed_at is not None


def _step_document_path(instance, filename: str) -> str:
    return _private_name("steps", instance.step_record.member_id, filename)


class StepDocument(DocumentFields):
    """A document of a checklist step record (a quarter's 思想汇报, a 培养考察 record, the 政治审查
    conclusion, the 入党志愿书, the 转正申请)."""

    step_record = models.ForeignKey(
        StepRecord, verbose_name=_("步骤记录"), on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("文件"), upload_to=_step_document_path, storage=private_storage)

    class Meta:
        verbose_name = _("步骤材料")
        verbose_name_plural = _("步骤材料")
        ordering = ["step_record", "id"]


class TransferDirection(models.TextChoices):
    INTERNAL = "internal", _("校内转接")
    IN = "in", _("转入本校")
    OUT = "out", _("转出本校")


class MemberTransfer(Recorded):
    """One 组织关系转接: inside the university (`from_unit` → `to_unit`), into it from outside
    (转入本校: no `from_unit`, `external_org` names where from) or out of it (转出本校: no
    `to_unit`, `external_org` names where to). The member belongs to `to_unit` (to none, for a
    转出) from `on`. Append-only: never edited or deleted (a mistake is corrected by a new
    transfer back). The member's unit on a day is read from these rows (selectors.unit_on_
    expression, UnitHistory); `Member.unit` is the unit today (the last one, after a 转出). Who
    recorded it, when, a note: Recorded."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("转出党支部"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
    )
    # The 党小组 the member left (a transfer clears Member.group; GroupChange has the history).
    from_group = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("原党小组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("转入党支部"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
    )
    external_org = models.CharField(
        _("校外党组织"),
        max_length=200,
        blank=True,
        help_text=_("转入本校：原所在党组织；转出本校：转往的党组织。"),
    )
    on = models.DateField(_("转接日期"))
    letter_no = models.CharField(_("介绍信编号"), max_length=50, blank=True)
    letter_date = models.DateField(_("介绍信日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["member", "on", "id"]
        indexes = [
            models.Index(fields=["member", "-on", "-id"], name="members_transfer_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_unit__isnull=False) | models.Q(to_unit__isnull=False),
                name="members_transfer_has_a_side_inside",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.on} {self.from_label} → {self.to_label}"

    @property
    def direction(self) -> str:
        if self.from_unit_id is None:
            return TransferDirection.IN
        if self.to_unit_id is None:
            return TransferDirection.OUT
        return TransferDirection.INTERNAL

    @property
    def from_label(self) -> str:
        return self.from_unit.name if self.from_unit_id else self.external_org

    @property
    def to_label(self) -> str:
        return self.to_unit.name if self.to_unit_id else self.external_org


def _transfer_document_path(instance, filename: str) -> str:
    return _private_name("transfers", instance.transfer.member_id, filename)


class TransferDocument(DocumentFields):
    """The 介绍信 (or another document) of a transfer, in the private storage."""

    transfer = models.ForeignKey(
        MemberTransfer,
        verbose_name=_("组织关系转接"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    file = models.FileField(_("文件"), upload_to=_transfer_document_path, storage=private_storage)

    class Meta:
        verbose_name = _("转接材料")
        verbose_name_plural = _("转接材料")
        ordering = ["transfer", "id"]


class GroupChange(Recorded):
    """One change of a member's 党小组 inside their branch (or out of any 党小组: a transfer to
    another branch ends it), effective from `on`. Append-only, like MemberTransfer: never edited
    or deleted (a mistake is corrected by a new change back). The 党小组 on a day is read from
    these rows (selectors.in_group_on_q, GroupHistory); `Member.group` is the 党小组 today. Who
    recorded it, when, a note: Recorded."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="group_changes"
    )
    from_group = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("原党小组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_group = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("新党小组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_changes_in",
    )
    on = models.DateField(_("生效日期"))
    # The 党小组 the record was registered in (建档 / 档案补录: services.group_first_record): the
    # member's first row. It counts from the day the member joined the branch, not from `on` (the
    # record's creation): the record was only entered late (selectors, "the 党小组 on a day").
    at_registration = models.BooleanField(_("建档时登记"), default=False)
    # The 组织关系转接 that took the member out of the 党小组 (the transfer's own record).
    transfer = models.ForeignKey(
        MemberTransfer,
        verbose_name=_("组织关系转接"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_changes",
    )

    class Meta:
        verbose_name = _("党小组调整")
        verbose_name_plural = _("党小组调整")
        ordering = ["member", "on", "id"]
        indexes = [
            models.Index(fields=["member", "on", "id"], name="members_group_change_on"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.on} {self.from_group or '—'} → {self.to_group or '—'}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("查看")
    EXPORT = "export", _("导出")
    UPLOAD = "upload", _("上传材料")
    DOWNLOAD = "download", _("下载材料")
    TRANSFER = "transfer", _("组织关系转接")
    GROUP = "group", _("党小组调整")


class MemberAccessLog(models.Model):
    """Who viewed or exported which member's record, when (个人信息保护法: access is traceable)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log",
    )
    action = models.CharField(_("操作"), max_length=10, choices=AccessAction.choices)
    what = models.CharField(_("内容"), max_length=200)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("档案访问记录")
        verbose_name_plural = _("档案访问记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.what}"
