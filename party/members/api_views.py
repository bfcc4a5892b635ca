"""REST views of member records (v2 of docs/api.md): list/create, detail, timeline, stage
changes behind their gates, and a unit's pipeline. Every object comes through the scope selector;
outside it → 404. Views of a record are written to the access log."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from party.members.checklist import pipeline, progress_for_members
from party.members.documents_http import document_response
from party.members.exceptions import GateFailed, MemberError, OverrideError, StageTransitionError
from party.members.models import (
    AccessAction,
    Sponsor,
    Stage,
    StageChange,
    StepDefinition,
    StepRecord,
    TransferDirection,
)
from party.members.registry import (
    RegistryError,
    registry_import,
    registry_read,
    registry_xlsx,
    xlsx_response,
)
from party.members.selectors import (
    document_for_user,
    external_in_new_units,
    group_history,
    member_documents,
    members_in_scope,
    members_visible,
    registry_members,
    transfer_history,
)
from party.members.serializers import (
    DocumentSerializer,
    DocumentUploadSerializer,
    GateErrorSerializer,
    GroupChangeInputSerializer,
    GroupChangeSerializer,
    MemberDetailSerializer,
    MemberInputSerializer,
    MemberSerializer,
    PipelineSerializer,
    SponsorEndSerializer,
    SponsorInputSerializer,
    SponsorSerializer,
    StageChangeInputSerializer,
    StageChangeSerializer,
    StepRecordInputSerializer,
    StepRecordReturnSerializer,
    StepRecordSerializer,
    TimelineSerializer,
    TransferInNewInputSerializer,
    TransferInNewSerializer,
    TransferInputSerializer,
    TransferSerializer,
)
from party.members.services import (
    access_log_write,
    member_create,
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
from party.organisation.selectors import unit_scope
from tabular.reader import TableError


def _visible_member(request, pk: int):
    member = members_visible(user=request.user).select_related("unit", "group").filter(pk=pk)
    member = member.first()
    if member is None:
        raise Http404
    return member


def _error(exc: MemberError, http_status: int) -> Response:
    return Response({"detail": exc.message, "code": exc.code}, status=http_status)


def gate_error_body(exc: GateFailed) -> dict:
    return {
        "detail": exc.message,
        "code": exc.code,
        "rule": exc.rule.cited,
        "gates": [
            {"code": gate.code, "detail": message, "rule": gate.cited}
            for gate, message in exc.failures
        ],
    }


class MemberListParams(serializers.Serializer):
    """The list's filters: validated (an unknown stage or a unit that is not a number is a 400, not
    an unfiltered list) and, through extend_schema, the schema's description of them."""

    unit = serializers.IntegerField(
        required=False, min_value=1, help_text="党组织 id（含下级）；不存在或不可见时列表为空"
    )
    stage = serializers.ChoiceField(choices=Stage.values, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True, help_text="姓名或学号/工号")


@extend_schema(tags=["party"], parameters=[MemberListParams])
class MemberListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MemberSerializer

    def get_queryset(self):
        qs = members_visible(user=self.request.user)
        params = MemberListParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        params = params.validated_data
        if unit_id := params.get("unit"):
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None:
                return qs.none()
            qs = qs.filter(unit__path__startswith=unit.path)
        if stage := params.get("stage"):
            qs = qs.filter(current_stage=stage)
        if q := params.get("q", "").strip():
            qs = qs.filter(Q(name__contains=q) | Q(student_no__startswith=q))
        return qs.order_by("unit__path", "student_no")

    def paginate_queryset(self, queryset):
        # Every record in the answer is a view of it: one access-log row each (one query).
        page = super().paginate_queryset(queryset)
        access_log_write(
            user=self.request.user,
            members=page if page is not None else list(queryset),
            action=AccessAction.VIEW,
            what="API 党员列表",
        )
        return page

    @extend_schema(
        summary="登记党员/入党申请人",
        request=MemberInputSerializer,
        responses={201: MemberSerializer},
    )
    def post(self, request):
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        scope = unit_scope(user=request.user)
        units = Unit.objects.filter(scope.q(), pk__in=[values["unit"], values["group"] or 0])
        by_id = {u.pk: u for u in units}
        unit = by_id.get(values.pop("unit"))
        group_id = values.pop("group")
        if unit is None:
            raise exceptions.ValidationError({"unit": [_("党支部不存在或不在管理范围内。")]})
        group = by_id.get(group_id) if group_id else None
        if group_id and group is None:
            raise exceptions.ValidationError({"group": [_("党小组不存在或不在管理范围内。")]})
        try:
            member = member_create(by_user=request.user, unit=unit, group=group, **values)
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        member = members_in_scope(user=request.user).get(pk=member.pk)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["party"], summary="党员档案", responses=MemberDetailSerializer)
class MemberDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what="API 档案"
        )
        return Response(MemberDetailSerializer(member).data)


@extend_schema(tags=["party"], summary="发展纪实：阶段变更与步骤", responses=TimelineSerializer)
class MemberTimelineView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what="API 发展纪实"
        )
        (progress,) = progress_for_members(members=[member], today=timezone.localdate())
        return Response(TimelineSerializer(progress).data)


class StageChangeCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="记录阶段变更（规则不满足时 400，不写入）",
        request=StageChangeInputSerializer,
        responses={
            201: StageChangeSerializer,
            400: OpenApiResponse(GateErrorSerializer, description="规则不允许（code: gate_…）"),
            403: OpenApiResponse(description="只能查看（本人档案）或无权放行"),
            409: OpenApiResponse(description="当前阶段不能变更为该阶段"),
        },
    )
    def post(self, request, pk: int):
        member = _visible_member(request, pk)
        if not unit_scope(user=request.user).covers(member.unit):
            raise exceptions.PermissionDenied(_("只能查看本人的档案，不能修改。"))
        data = StageChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            change = stage_change_record(
                member=member,
                stage=values["to_stage"],
                decided_on=values["date"],
                decided_by=values["decided_by"],
                note=values["note"],
                extension_months=values["extension_months"],
                override_gates=values["override_gates"],
                override_reason=values["override_reason"],
                by_user=request.user,
            )
        except GateFailed as exc:
            return Response(gate_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
        except StageTransitionError as exc:
            return _error(exc, status.HTTP_409_CONFLICT)
        except OverrideError as exc:
            return _error(exc, status.HTTP_403_FORBIDDEN)
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(StageChangeSerializer(change).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["party"], summary="党组织发展工作进度：各阶段人数与到期事项")
class UnitPipelineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PipelineSerializer)
    def get(self, request, pk: int):
        scope = unit_scope(user=request.user)
        unit = get_object_or_404(Unit.objects.filter(scope.q()), pk=pk)
        members = list(
            members_in_scope(user=request.user, scope=scope).filter(
                unit__path__startswith=unit.path
            )
        )
        result = pipeline(members=members, today=timezone.localdate())
        access_log_write(
            user=request.user,
            members=[None],
            action=AccessAction.VIEW,
            what=_("API 发展党员工作进度：%(unit)s") % {"unit": unit.name},
        )
        return Response(
            PipelineSerializer({"unit": unit.pk, "counts": result.counts, "due": result.due}).data
        )


class RegistryImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="名册文件：.xlsx/.xls/.csv（UTF-8/GBK），第一个工作表")
    commit = serializers.BooleanField(
        default=False, help_text="false（默认）只预览；true 导入（全部成功或全部不导入）"
    )


class RegistryRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    name = serializers.CharField()
    student_no = serializers.CharField()
    unit = serializers.IntegerField(source="unit.pk")
    group = serializers.IntegerField(source="group.pk", default=None, allow_null=True)
    action = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    def get_action(self, row) -> str:
        return "update" if row.existing else "create"

    def get_history(self, row) -> list[dict]:
        return [{"stage": stage, "date": day} for stage, day in row.history if row.history_new]


class DefaultedSerializer(serializers.Serializer):
    column = serializers.CharField()
    value = serializers.CharField()
    rows = serializers.ListField(child=serializers.IntegerField())


class RegistryPlanSerializer(serializers.Serializer):
    header_row = serializers.IntegerField()
    format = serializers.CharField(source="format_label")
    ignored = serializers.ListField(child=serializers.CharField(), help_text="未使用的列")
    defaulted = DefaultedSerializer(many=True, help_text="按默认或推断登记的取值")
    to_create = serializers.IntegerField()
    to_update = serializers.IntegerField()
    histories = serializers.IntegerField(help_text="将补录发展阶段的人数")
    rows = RegistryRowSerializer(many=True)


class RegistryResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    histories = serializers.IntegerField()


class RegistryErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    total = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


def _registry_error_body(exc: RegistryError) -> dict:
    return {
        "detail": _("名册有 %(n)s 处错误，未导入任何数据。") % {"n": exc.total},
        "code": "invalid_rows",
        "total": exc.total,
        "errors": [
            {"row": e.row, "column": e.column, "message": e.message, "text": str(e)}
            for e in exc.errors
        ],
    }


class RegistryImportView(APIView):
    """Import the member registry from a spreadsheet: preview (default) or commit."""

    permission_classes = [IsAuthenticated]
    # JSON too, so a body without a file is a 400 naming the field, not a 415.
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=["party"],
        summary="导入党员名册（先预览；commit=true 时全部导入或全部不导入）",
        request={"multipart/form-data": RegistryImportInputSerializer},
        responses={
            200: OpenApiResponse(RegistryPlanSerializer, description="预览：将新建、更新的人员"),
            201: OpenApiResponse(RegistryResultSerializer, description="已导入"),
            400: OpenApiResponse(RegistryErrorSerializer, description="行错误，未导入任何数据"),
            404: OpenApiResponse(description="调用者没有可管理的党组织"),
        },
    )
    def post(self, request):
        if unit_scope(user=request.user).empty:
            raise Http404
        data = RegistryImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file = data.validated_data["file"]
        try:
            if data.validated_data["commit"]:
                result = registry_import(file=file, by_user=request.user)
                return Response(
                    RegistryResultSerializer(result).data, status=status.HTTP_201_CREATED
                )
            plan = registry_read(file, user=request.user)
        except RegistryError as exc:
            return Response(_registry_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
        except TableError as exc:  # too big or empty
            return Response(
                {"detail": str(exc), "code": "invalid_file"}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(RegistryPlanSerializer(plan).data)


class RegistryExportView(APIView):
    """A unit's member registry as .xlsx (the import's columns), logged per member."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="导出党员名册（.xlsx，含导出人和时间，写入档案访问记录）",
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY
        },
    )
    def get(self, request, pk: int):
        scope = unit_scope(user=request.user)
        unit = get_object_or_404(Unit.objects.filter(scope.q()), pk=pk)
        members = list(registry_members(user=request.user, scope=scope, unit=unit))
        now = timezone.now()
        access_log_write(
            user=request.user,
            members=members,
            action=AccessAction.EXPORT,
            what=_("API 导出党员名册：%(unit)s") % {"unit": unit.name},
        )
        content = registry_xlsx(
            members=members,
            title=_("%(unit)s 党员名册") % {"unit": unit.name},
            user=request.user,
            at=now,
        )
        return xlsx_response(content, f"{unit.name}-党员名册-{timezone.localtime(now):%Y%m%d}.xlsx")


def _managed_member(request, pk: int):
    """A member record the caller may change: 404 outside what they see, 403 for their own."""
    member = _visible_member(request, pk)
    if not unit_scope(user=request.user).covers(member.unit):
        raise exceptions.PermissionDenied(_("只能查看本人的档案，不能修改。"))
    return member


class SponsorListView(APIView):
    """培养联系人 (细则 art. 9) and 入党介绍人 (art. 14) of a member: list, name one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"], summary="培养联系人/入党介绍人", responses=SponsorSerializer(many=True)
    )
    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        access_log_write(
            user=request.user,
            members=[member],
            action=AccessAction.VIEW,
            what="API 培养联系人/入党介绍人",
        )
        rows = member.sponsors.select_related("sponsor").order_by("role", "assigned_on")
        return Response(SponsorSerializer(rows, many=True).data)

    @extend_schema(
        tags=["party"],
        summary="指定培养联系人/入党介绍人（正式党员；各至多两名，先结束一名再替换）",
        request=SponsorInputSerializer,
        responses={
            201: SponsorSerializer,
            400: OpenApiResponse(
                description="code: sponsor_not_full_member / sponsor_limit / out_of_scope / invalid"
            ),
            403: OpenApiResponse(description="只能查看（本人档案）"),
        },
    )
    def post(self, request, pk: int):
        member = _managed_member(request, pk)
        data = SponsorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sponsor = members_in_scope(user=request.user).filter(pk=values["sponsor"]).first()
        if sponsor is None:
            raise exceptions.ValidationError({"sponsor": [_("党员不存在或不在管理范围内。")]})
        try:
            row = sponsor_assign(
                member=member,
                sponsor=sponsor,
                role=values["role"],
                assigned_on=values["assigned_on"],
                by_user=request.user,
            )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(SponsorSerializer(row).data, status=status.HTTP_201_CREATED)


def _letter_kwargs(values) -> dict:
    """The 介绍信 fields of a validated transfer input (TransferInputSerializer,
    TransferInNewInputSerializer) as the services take them: the day, the outside organisation,
    the letter's number and date, the note, and the scan (none or one) as `documents`."""
    return {
        "on": values["on"],
        "external_org": values["external_org"],
        "letter_no": values["letter_no"],
        "letter_date": values["letter_date"],
        "note": values["note"],
        "documents": [values.get("document")],
    }


class TransferListView(APIView):
    """组织关系转接 of a member: the history (oldest first), and a new transfer — 校内转接,
    转入本校 or 转出本校 (append-only: no PUT, PATCH or DELETE)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["party"], summary="组织关系转接记录", responses=TransferSerializer(many=True)
    )
    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what="API 组织关系转接"
        )
        return Response(TransferSerializer(transfer_history(member=member), many=True).data)

    @extend_schema(
        tags=["party"],
        summary="办理组织关系转接（转出、转入党支部都须在管理范围内）",
        request=TransferInputSerializer,
        responses={
            201: TransferSerializer,
            400: OpenApiResponse(
                description="code: out_of_scope / same_unit / invalid / post_after_transfer / "
                "left（已转出本校）/ not_outside（转入本校：组织关系在本校）"
            ),
            403: OpenApiResponse(description="只能查看（本人档案）"),
        },
    )
    def post(self, request, pk: int):
        member = _managed_member(request, pk)
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        direction = values["direction"]
        to_unit = None
        if direction != TransferDirection.OUT:
            to_unit = Unit.objects.filter(pk=values["to_unit"] or 0).first()
            if to_unit is None:
                raise exceptions.ValidationError({"to_unit": [_("党支部不存在。")]})
        letter = _letter_kwargs(values)
        try:
            if direction == TransferDirection.OUT:
                row = member_transfer_out(member=member, by_user=request.user, **letter)
            elif direction == TransferDirection.IN:
                row = member_transfer_in(
                    member=member, to_unit=to_unit, by_user=request.user, **letter
                )
            else:  # 校内转接: no outside organisation, letter date or scan
                row = member_transfer(
                    member=member,
                    to_unit=to_unit,
                    by_user=request.user,
                    on=letter["on"],
                    letter_no=letter["letter_no"],
                    note=letter["note"],
                )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(TransferSerializer(row).data, status=status.HTTP_201_CREATED)


class TransferInNewView(APIView):
    """转入本校 of a person not on record yet, in one step: the record, their Party history as the
    介绍信 states it and the 转入, in one transaction (services.member_transfer_in_new)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["party"],
        summary="转入本校（新建档案并办理转入，一步完成）",
        request=TransferInNewInputSerializer,
        responses={
            201: TransferInNewSerializer,
            400: OpenApiResponse(
                description="code: out_of_scope / invalid / duplicate（学号/工号已登记）/ "
                "attachment_…（介绍信文件）"
            ),
            404: OpenApiResponse(description="没有可办理转入本校的党支部"),
        },
    )
    def post(self, request):
        scope = unit_scope(user=request.user)
        if not external_in_new_units(scope=scope).exists():
            raise Http404
        data = TransferInNewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        to_unit = Unit.objects.filter(scope.q(), pk=values.pop("to_unit")).first()
        if to_unit is None:
            raise exceptions.ValidationError({"to_unit": [_("党支部不存在或不在管理范围内。")]})
        letter = _letter_kwargs(values)
        person = {k: v for k, v in values.items() if k not in letter and k != "document"}
        try:
            transfer = member_transfer_in_new(
                by_user=request.user, to_unit=to_unit, **person, **letter
            )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        member = members_in_scope(user=request.user, scope=scope).get(pk=transfer.member_id)
        body = {"member": member, "transfer": transfer}
        return Response(TransferInNewSerializer(body).data, status=status.HTTP_201_CREATED)


class GroupChangeListView(APIView):
    """党小组调整 of a member: the history (oldest first), and a new change (append-only: no PUT,
    PATCH or DELETE). Who manages the member's branch records it (支部书记/支委, 组织员, 组织部)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"], summary="党小组调整记录", responses=GroupChangeSerializer(many=True)
    )
    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what="API 党小组调整"
        )
        return Response(GroupChangeSerializer(group_history(member=member), many=True).data)

    @extend_schema(
        tags=["party"],
        summary="调整党小组（本党支部内，记录生效日期）",
        request=GroupChangeInputSerializer,
        responses={
            201: GroupChangeSerializer,
            400: OpenApiResponse(
                description="code: out_of_scope / same_group / invalid / post_after_transfer"
            ),
            403: OpenApiResponse(description="只能查看（本人档案）"),
        },
    )
    def post(self, request, pk: int):
        member = _managed_member(request, pk)
        data = GroupChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        to_group = None
        if values["to_group"] is not None:
            to_group = Unit.objects.filter(pk=values["to_group"]).first()
            if to_group is None:
                raise exceptions.ValidationError({"to_group": [_("党小组不存在。")]})
        try:
            row = member_group_change(
                member=member,
                to_group=to_group,
                on=values["on"],
                note=values["note"],
                by_user=request.user,
            )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(GroupChangeSerializer(row).data, status=status.HTTP_201_CREATED)


class SponsorEndView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="结束培养联系人/入党介绍人（保留记录，自结束日起不再计入规则）",
        request=SponsorEndSerializer,
        responses={200: SponsorSerializer, 400: OpenApiResponse(description="code: invalid")},
    )
    def post(self, request, pk: int, sponsor_id: int):
        member = _managed_member(request, pk)
        row = get_object_or_404(
            Sponsor.objects.select_related("sponsor"), pk=sponsor_id, member=member
        )
        data = SponsorEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended_on = data.validated_data.get("ended_on") or timezone.localdate()
        try:
            row = sponsor_end(sponsor=row, ended_on=ended_on, by_user=request.user)
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(SponsorSerializer(row).data)


# --- documents of the path (docs/party.md, "Documents of the path") ---------------------------


def _document_data(document, kind: str) -> dict:
    document.kind = kind
    document.download = reverse("api-document", kwargs={"kind": kind, "pk": document.pk})
    return DocumentSerializer(document).data


class MemberDocumentListView(APIView):
    """The documents of a member's path the caller may download."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="发展材料列表（管理者：全部；本人：本人上传的）",
        responses=DocumentSerializer(many=True),
    )
    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        documents = member_documents(user=request.user, member=member)
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what="API 发展材料列表"
        )
        return Response([_document_data(d, d.kind) for d in documents])


_UPLOAD_RESPONSES = {
    201: DocumentSerializer,
    400: OpenApiResponse(
        description=(
            "文件不符合要求（code: attachment_kind / attachment_size / attachment_content / "
            "attachment_active / attachment_virus / attachment_unscanned）"
        )
    ),
    403: OpenApiResponse(description="只能查看（本人档案）"),
}


class StageChangeDocumentView(APIView):
    """Add a document to a stage change (the change itself stays as recorded)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=["party"],
        summary="为阶段变更上传材料（可补传；写入档案访问记录）",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses=_UPLOAD_RESPONSES,
    )
    def post(self, request, pk: int, change_id: int):
        member = _managed_member(request, pk)
        change = get_object_or_404(StageChange, pk=change_id, member=member)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            document = stage_change_document_add(
                change=change, upload=data.validated_data["file"], by_user=request.user
            )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(_document_data(document, "stage"), status=status.HTTP_201_CREATED)


class StepRecordListView(APIView):
    """A member's step records; record one (managers: done at once, with an optional file; the
    member themself: their 思想汇报/入党申请书 with its file, pending until the branch confirms)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=["party"], summary="步骤记录", responses=StepRecordSerializer(many=True))
    def get(self, request, pk: int):
        member = _visible_member(request, pk)
        records = StepRecord.objects.filter(member=member).select_related("step")
        access_log_write(
            user=request.user, members=[member], action=AccessAction.VIEW, what="API 步骤记录"
        )
        return Response(StepRecordSerializer(records.order_by("-done_on", "-id"), many=True).data)

    @extend_schema(
        tags=["party"],
        summary="记录步骤（可附材料）；本人提交思想汇报、入党申请书（须附文件，待支部确认）",
        request={"multipart/form-data": StepRecordInputSerializer},
        responses={
            201: StepRecordSerializer,
            400: OpenApiResponse(
                description="未知步骤、日期晚于今天、文件不符合要求、本人不能提交该步骤"
            ),
        },
    )
    def post(self, request, pk: int):
        member = _visible_member(request, pk)
        data = StepRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        step = StepDefinition.objects.filter(code=values["step"], active=True).first()
        try:
            if step is None:
                raise MemberError(_("未知的步骤。"), code="invalid")
            if unit_scope(user=request.user).covers(member.unit):
                record = step_record(
                    member=member,
                    step=step,
                    done_on=values["done_on"],
                    responsible=values["responsible"],
                    note=values["note"],
                    documents=[values.get("file")],
                    by_user=request.user,
                )
            else:  # the member's own record (members_visible: nobody else's)
                record = own_step_submit(
                    user=request.user,
                    step=step,
                    done_on=values["done_on"],
                    upload=values.get("file"),
                    note=values["note"],
                )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(StepRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class StepRecordDocumentView(APIView):
    """Add a document to a step record afterwards."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=["party"],
        summary="为步骤记录补传材料（写入档案访问记录）",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses=_UPLOAD_RESPONSES,
    )
    def post(self, request, pk: int, record_id: int):
        member = _managed_member(request, pk)
        record = get_object_or_404(StepRecord, pk=record_id, member=member)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            document = step_document_add(
                record=record, upload=data.validated_data["file"], by_user=request.user
            )
        except MemberError as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(_document_data(document, "step"), status=status.HTTP_201_CREATED)


class StepRecordConfirmView(APIView):
    """The branch confirms a record the member submitted: from then on it counts as done."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="确认本人提交的步骤记录",
        request=None,
        responses={
            200: StepRecordSerializer,
            403: OpenApiResponse(description="只能查看（本人档案）"),
            409: OpenApiResponse(description="无需确认或已确认（code: already_confirmed）"),
        },
    )
    def post(self, request, pk: int, record_id: int):
        member = _managed_member(request, pk)
        record = get_object_or_404(StepRecord, pk=record_id, member=member)
        try:
            record = step_record_confirm(record=record, by_user=request.user)
        except MemberError as exc:
            return _error(exc, status.HTTP_409_CONFLICT)
        return Response(StepRecordSerializer(record).data)


class StepRecordReturnView(APIView):
    """The branch returns a record the member submitted, with a reason: it never counts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="退回本人提交的步骤记录（须填写理由，本人可见）",
        request=StepRecordReturnSerializer,
        responses={
            200: StepRecordSerializer,
            403: OpenApiResponse(description="只能查看（本人档案）"),
            409: OpenApiResponse(description="无需确认或已确认（code: already_confirmed）"),
        },
    )
    def post(self, request, pk: int, record_id: int):
        member = _managed_member(request, pk)
        record = get_object_or_404(StepRecord, pk=record_id, member=member)
        data = StepRecordReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            record = step_record_return(
                record=record, by_user=request.user, reason=data.validated_data["reason"]
            )
        except MemberError as exc:
            http_status = (
                status.HTTP_400_BAD_REQUEST
                if exc.code == "reason_required"
                else status.HTTP_409_CONFLICT
            )
            return _error(exc, http_status)
        return Response(StepRecordSerializer(record).data)


class DocumentDownloadView(APIView):
    """A document's bytes: scoped (404 outside), written to the access log, as an attachment."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["party"],
        summary="下载发展材料（写入档案访问记录）",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, kind: str, pk: int):
        document = document_for_user(user=request.user, kind=kind, pk=pk)
        if document is None:
            raise Http404
        return document_response(request, document)
