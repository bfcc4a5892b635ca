"""API shapes of member records, stage changes, timelines and pipelines."""

from rest_framework import serializers

from party.members.models import DecidingBody, Gender, SponsorRole, Stage, TransferDirection


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=50)
    student_no = serializers.CharField(max_length=30)
    unit = serializers.IntegerField(source="unit_id", help_text="党支部 id")
    group = serializers.IntegerField(
        source="group_id", allow_null=True, required=False, help_text="党小组 id"
    )
    stage = serializers.CharField(source="current_stage", read_only=True, allow_null=True)
    stage_since = serializers.DateField(read_only=True, allow_null=True)


class MemberInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    student_no = serializers.CharField(max_length=30)
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.CharField(max_length=20, required=False, default="汉族")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    unit = serializers.IntegerField(help_text="党支部 id")
    group = serializers.IntegerField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class MemberDetailSerializer(MemberSerializer):
    gender = serializers.CharField()
    ethnicity = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    phone = serializers.CharField()
    unit_name = serializers.CharField(source="unit.name")
    group_name = serializers.CharField(source="group.name", allow_null=True, default=None)


class StageChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    stage_display = serializers.CharField(source="get_stage_display")
    date = serializers.DateField(source="decided_on")
    decided_by = serializers.CharField()
    decided_by_display = serializers.CharField(source="get_decided_by_display")
    extension_months = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    overridden_gates = serializers.ListField(child=serializers.CharField())
    override_reason = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", default=None)
    recorded_at = serializers.DateTimeField()


class StageChangeInputSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField()
    decided_by = serializers.ChoiceField(choices=DecidingBody.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    extension_months = serializers.IntegerField(required=False, allow_null=True, default=None)
    override_gates = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="组织部放行的规则编号",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class GateErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="gate_… 规则编号")
    rule = serializers.CharField(help_text="规则原文及出处")
    gates = serializers.ListField(child=serializers.DictField(), help_text="全部未通过的规则")


class ChecklistStepSerializer(serializers.Serializer):
    code = serializers.CharField(source="step.code")
    title = serializers.CharField(source="step.title")
    phase = serializers.IntegerField(source="step.phase")
    done_on = serializers.DateField(allow_null=True)
    times_done = serializers.IntegerField()
    due_date = serializers.DateField(source="due_on", allow_null=True)
    overdue = serializers.BooleanField()
    source = serializers.CharField(source="step.source")
    documents = serializers.CharField(source="step.documents", help_text="该步骤应有的材料")
    missing_document = serializers.BooleanField(help_text="已完成但没有上传材料")
    pending = serializers.BooleanField(help_text="本人已提交，待支部确认")


class NextSerializer(serializers.Serializer):
    stage = serializers.CharField()
    earliest = serializers.DateField(allow_null=True)
    rule = serializers.CharField(source="note")


class TimelineSerializer(serializers.Serializer):
    stage = serializers.CharField(allow_null=True)
    stage_since = serializers.DateField(allow_null=True)
    probation_ends = serializers.DateField(allow_null=True)
    stage_changes = StageChangeSerializer(many=True, source="changes")
    steps = ChecklistStepSerializer(many=True, source="rows")
    next = NextSerializer(allow_null=True)


class DueItemSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.name")
    step = serializers.CharField(source="step.code")
    step_title = serializers.CharField(source="step.title")
    due_date = serializers.DateField(source="due_on")
    overdue = serializers.BooleanField()
    pending = serializers.BooleanField(help_text="本人已提交，待支部确认")


class PipelineSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="各阶段人数")
    due = DueItemSerializer(many=True)


class SponsorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=SponsorRole.choices)
    sponsor = serializers.IntegerField(source="sponsor_id", help_text="正式党员的档案 id")
    sponsor_name = serializers.CharField(source="sponsor.name")
    assigned_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class SponsorInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=SponsorRole.choices)
    sponsor = serializers.IntegerField(help_text="正式党员的档案 id（须在管理范围内）")
    assigned_on = serializers.DateField()


class SponsorEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text="默认今天")


class TransferDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    download = serializers.SerializerMethodField(help_text="GET 下载（写入档案访问记录）")

    def get_download(self, document) -> str:
        return f"/api/v1/documents/transfer/{document.pk}/"


class TransferSerializer(serializers.Serializer):
    """One 组织关系转接 (append-only): 校内转接, 转入本校 (no from_unit) or 转出本校 (no to_unit)."""

    id = serializers.IntegerField()
    direction = serializers.ChoiceField(
        choices=TransferDirection.choices,
        help_text="internal 校内转接 / in 转入本校 / out 转出本校",
    )
    from_unit = serializers.IntegerField(source="from_unit_id", allow_null=True)
    from_unit_name = serializers.CharField(source="from_unit.name", default=None)
    from_group = serializers.IntegerField(source="from_group_id", allow_null=True)
    to_unit = serializers.IntegerField(source="to_unit_id", allow_null=True)
    to_unit_name = serializers.CharField(source="to_unit.name", default=None)
    external_org = serializers.CharField(help_text="转入本校：原党组织；转出本校：转往的党组织")
    on = serializers.DateField(
        help_text="转接日期：此日起属于转入党支部（转出本校：此日起不在本校）"
    )
    letter_no = serializers.CharField(help_text="介绍信编号")
    letter_date = serializers.DateField(allow_null=True, help_text="介绍信日期")
    note = serializers.CharField()
    documents = TransferDocumentSerializer(many=True, source="documents.all")
    recorded_by = serializers.CharField(source="recorded_by.username", default=None)
    recorded_at = serializers.DateTimeField()


class TransferInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=TransferDirection.choices,
        required=False,
        default=TransferDirection.INTERNAL,
        help_text="internal（默认）校内转接；in 转入本校；out 转出本校",
    )
    to_unit = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="转入党支部的 id（须在管理范围内）；转出本校时不填",
    )
    on = serializers.DateField(help_text="转接日期，不晚于今天，不早于上一次转接")
    external_org = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="转入/转出本校时必填",
    )
    letter_no = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    letter_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(
        required=False, help_text="介绍信等材料（转入/转出本校，可选；multipart）"
    )


class TransferInNewInputSerializer(serializers.Serializer):
    """转入本校 of a person not on record yet: the record, the Party history the 介绍信 states,
    and the 转入, in one step (services.member_transfer_in_new)."""

    name = serializers.CharField(max_length=50)
    student_no = serializers.CharField(max_length=30)
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.CharField(max_length=20, required=False, default="汉族")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    to_unit = serializers.IntegerField(help_text="转入党支部的 id（其院系党委的组织员或组织部）")
    on = serializers.DateField(help_text="转入日期：此日起属于该党支部，不晚于今天")
    external_org = serializers.CharField(max_length=200, help_text="原所在党组织")
    probationary_on = serializers.DateField(help_text="入党日期（接收为预备党员），不晚于转入日期")
    full_member_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="转正日期（正式党员填写）"
    )
    letter_no = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    letter_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(required=False, help_text="介绍信扫描件（可选；multipart）")


class TransferInNewSerializer(serializers.Serializer):
    member = MemberSerializer()
    transfer = TransferSerializer()


class GroupChangeSerializer(serializers.Serializer):
    """One 党小组调整 (append-only); a transfer's own row names it (`transfer`)."""

    id = serializers.IntegerField()
    from_group = serializers.IntegerField(source="from_group_id", allow_null=True)
    from_group_name = serializers.CharField(source="from_group.name", default=None)
    to_group = serializers.IntegerField(source="to_group_id", allow_null=True)
    to_group_name = serializers.CharField(source="to_group.name", default=None)
    on = serializers.DateField(help_text="生效日期：此日起属于新党小组（null：不在党小组）")
    transfer = serializers.IntegerField(
        source="transfer_id", allow_null=True, help_text="随组织关系转接离开党小组时的转接 id"
    )
    note = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", default=None)
    recorded_at = serializers.DateTimeField()


class GroupChangeInputSerializer(serializers.Serializer):
    to_group = serializers.IntegerField(
        allow_null=True, help_text="本党支部的党小组 id；null 表示不再属于任何党小组"
    )
    on = serializers.DateField(
        help_text="生效日期，不晚于今天，不早于上一次调整，不早于转入本党支部之日"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentSerializer(serializers.Serializer):
    """A document of a stage change or step record; `download` is its only address."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[("stage", "stage"), ("step", "step")])
    name = serializers.CharField(help_text="上传时的文件名")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)
    uploaded_at = serializers.DateTimeField()
    stage_change = serializers.IntegerField(source="stage_change_id", default=None, allow_null=True)
    step_record = serializers.IntegerField(source="step_record_id", default=None, allow_null=True)
    download = serializers.CharField(help_text="GET 下载（写入档案访问记录）")


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF、JPG/PNG、DOCX/DOC/WPS，按内容识别；大小上限见部署设置"
    )


class StepRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    step = serializers.CharField(source="step.code")
    step_title = serializers.CharField(source="step.title")
    done_on = serializers.DateField()
    responsible = serializers.CharField()
    note = serializers.CharField()
    submitted_by_member = serializers.BooleanField(help_text="本人提交")
    pending = serializers.BooleanField(help_text="本人提交、待支部确认：尚不计为完成")
    confirmed_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(
        allow_null=True, help_text="支部退回的时间（不计为完成）"
    )
    return_reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class StepRecordInputSerializer(serializers.Serializer):
    step = serializers.CharField(max_length=10, help_text="步骤编号，如 6.1（思想汇报）")
    done_on = serializers.DateField()
    responsible = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(
        required=False, help_text="材料；本人提交（思想汇报、入党申请书）时必填"
    )


class StepRecordReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="退回理由（本人可见）")
