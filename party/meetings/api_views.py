"""REST API v2 of organisation life (docs/api.md): meetings, attendance, check-in, 请假.
Lists and objects are limited by the one scope selector; outside it → 404."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from party.meetings import absence, compliance, selectors, services
from party.meetings import minutes as minutes_services
from party.meetings.exceptions import MeetingError
from party.meetings.models import AttendanceStatus, Meeting, MeetingKind
from party.meetings.rules import BULK_ATTENDANCE_MAX
from party.meetings.services import SECRETARY_STATUSES
from party.meetings.yearly import unit_yearly_rows
from party.members.education import own_yearly_standing
from party.members.models import AccessAction
from party.members.selectors import member_of_user, members_in_scope
from party.members.services import access_log_write
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import unit_scope, units_in_scope


class MeetingRefused(exceptions.APIException):
    """A MeetingError in the API's error format, with its code (`{"detail", "code"}`)."""

    def __init__(self, error: MeetingError):
        super().__init__(detail=error.message)
        self.status_code = error.status
        self.public_code = error.code


def _refused(error: MeetingError):
    if error.status == 404:
        return Http404()
    return MeetingRefused(error)


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 200,
        # What Django's URLValidator accepts, as a schema can say it (`format: uri` alone allows more:
        # other schemes, hosts without a dot), so a client knows before sending.
        "pattern": r"^$|^https?://[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*"
        r"\.[a-z]{2,63}(:[0-9]{1,5})?(/[!-~]*)?$",
    }
)
class OnlineLinkField(serializers.URLField):
    """An online meeting's address: http or https, at most 200 characters (the model's column)."""


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    topic = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="默认开始后 90 分钟"
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = OnlineLinkField(
        required=False, allow_blank=True, default="", max_length=200, help_text="http(s) 地址"
    )
    host = serializers.IntegerField(source="host_id", required=False, allow_null=True)
    speaker = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    participants = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        write_only=True,
        help_text="仅谈心谈话：谈话党员的 id",
    )


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="应到")
    present = serializers.IntegerField(help_text="实到")
    leave = serializers.IntegerField(help_text="请假（已批准）")
    leave_requested = serializers.IntegerField(help_text="请假待批")
    absent = serializers.IntegerField(help_text="缺席")


class AttendanceRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    reason = serializers.CharField()
    late_changes = serializers.IntegerField(help_text="会后更正次数")


class MeetingDetailSerializer(MeetingSerializer):
    expected = serializers.IntegerField()
    present = serializers.IntegerField()
    leave = serializers.IntegerField()
    leave_requested = serializers.IntegerField()
    absent = serializers.IntegerField()
    attendance = AttendanceRowSerializer(many=True, required=False, help_text="仅管理者可见")


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="会场二维码中的签到码")


class AttendanceInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in SECRETARY_STATUSES])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class LeaveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AttendanceResultSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting_id")
    member = serializers.IntegerField(source="member_id")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    reason = serializers.CharField()


def _attendance_result(attendance) -> dict:
    """AttendanceResultSerializer(attendance).data as a plain dict, for the check-in's hot path
    (tests/party/meetings/test_checkin.py compares the two)."""
    return {
        "meeting": attendance.meeting_id,
        "member": attendance.member_id,
        "status": attendance.status,
        "reason": attendance.reason,
    }


def _detail(meeting: Meeting, *, manage: bool) -> dict:
    data = dict(MeetingSerializer(meeting).data)
    counts = selectors.attendance_counts(meeting=meeting)
    data.update(
        expected=counts.expected,
        present=counts.present,
        leave=counts.leave,
        leave_requested=counts.leave_requested,
        absent=counts.absent,
    )
    if manage:
        data["attendance"] = AttendanceRowSerializer(
            selectors.attendance_rows(meeting=meeting), many=True
        ).data
    return data


NOT_FOUND = OpenApiResponse(description="会议不存在或无权查看")


class MeetingListParams(serializers.Serializer):
    """The list's filter, validated (a unit that is not a number is a 400) and in the schema."""

    unit = serializers.IntegerField(required=False, min_value=1, help_text="只列出这个党组织的会议")


@extend_schema_view(get=extend_schema(parameters=[MeetingListParams]))
class MeetingListView(ListAPIView):
    """Meetings the caller may see (managed units, own branch/党小组/谈话), newest first; POST plans one."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeetingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        qs = selectors.meetings_visible(user=self.request.user).select_related("unit")
        params = MeetingListParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        if unit := params.validated_data.get("unit"):
            qs = qs.filter(unit_id=unit)
        return qs.order_by("-starts_at", "-id")

    @extend_schema(
        request=MeetingSerializer,
        responses={
            201: MeetingDetailSerializer,
            400: OpenApiResponse(description="数据有误"),
            404: OpenApiResponse(description="党组织不存在或不在调用者的范围内"),
        },
    )
    def post(self, request):
        data = MeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = Unit.objects.filter(pk=values["unit_id"]).first()
        if unit is None or not unit_scope(user=request.user).covers(unit):
            raise Http404
        members = members_in_scope(user=request.user)
        host = None
        if values.get("host_id"):
            host = members.filter(pk=values["host_id"]).first()
            if host is None:
                raise exceptions.ValidationError({"host": ["主持人必须是本支部的党员。"]})
        participants = list(members.filter(pk__in=values.get("participants") or []))
        if len(participants) != len(set(values.get("participants") or [])):
            raise exceptions.ValidationError({"participants": ["谈话对象必须是本支部的党员。"]})
        try:
            meeting = services.meeting_plan(
                by_user=request.user,
                unit=unit,
                kind=values["kind"],
                topic=values["topic"],
                starts_at=values["starts_at"],
                ends_at=values.get("ends_at"),
                place=values["place"],
                online_link=values["online_link"],
                host=host,
                speaker=values["speaker"],
                agenda=values["agenda"],
                participants=participants,
            )
        except MeetingError as exc:
            raise _refused(exc) from exc
        return Response(_detail(meeting, manage=True), status=status.HTTP_201_CREATED)


def _visible(request, pk) -> Meeting:
    meeting = selectors.meetings_visible(user=request.user).select_related("unit").filter(pk=pk)
    meeting = meeting.first()
    if meeting is None:
        raise Http404
    return meeting


class MeetingDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeetingDetailSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        meeting = _visible(request, pk)
        manage = selectors.can_manage(user=request.user, meeting=meeting)
        return Response(_detail(meeting, manage=manage))


class CheckInView(APIView):
    """A member checks in with the code of the QR shown at the meeting."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CheckInSerializer,
        responses={
            201: AttendanceResultSerializer,
            400: OpenApiResponse(description="签到码过期/无效/属于另一次会议，会议未开始或已结束"),
            403: OpenApiResponse(description="不在应到名单中"),
            404: NOT_FOUND,
            409: OpenApiResponse(description="已签到"),
        },
    )
    def post(self, request, pk):
        # The hot path of a hall scanning at once: a code of printable ASCII (what the QR holds)
        # is taken as CheckInSerializer would validate it (whitespace trimmed), and the answer is
        # a plain dict of AttendanceResultSerializer's fields; anything else goes through the
        # serializer, for its usual 400 or value.
        code = request.data.get("code") if isinstance(request.data, dict) else None
        code = code.strip() if isinstance(code, str) else ""
        if not (code and code.isascii() and code.isprintable()):
            data = CheckInSerializer(data=request.data)
            if not data.is_valid():
                _visible(request, pk)  # a meeting the caller cannot see does not exist for them
                raise exceptions.ValidationError(data.errors)
            code = data.validated_data["code"]
        try:  # the service answers 404 for a meeting the caller cannot see, before anything else
            attendance = services.meeting_check_in(meeting_id=pk, user=request.user, code=code)
        except MeetingError as exc:
            raise _refused(exc) from exc
        return Response(_attendance_result(attendance), status=status.HTTP_201_CREATED)


class LeaveRequestView(APIView):
    """A member asks for 请假 with a reason; the secretary approves it (attendance → leave)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LeaveInputSerializer,
        responses={201: AttendanceResultSerializer, 404: NOT_FOUND, 409: OpenApiResponse()},
    )
    def post(self, request, pk):
        meeting = _visible(request, pk)
        data = LeaveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attendance = services.leave_request(
                meeting=meeting, user=request.user, reason=data.validated_data["reason"]
            )
        except MeetingError as exc:
            raise _refused(exc) from exc
        return Response(AttendanceResultSerializer(attendance).data, status=status.HTTP_201_CREATED)


class AttendanceView(APIView):
    """The secretary records a member: present, leave (approve 请假) or absent."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AttendanceInputSerializer,
        responses={200: AttendanceResultSerializer, 400: OpenApiResponse(), 404: NOT_FOUND},
    )
    def put(self, request, pk, member_id):
        meeting = (
            selectors.meetings_managed(user=request.user).select_related("unit").filter(pk=pk)
        ).first()
        if meeting is None:
            raise Http404
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attendance = services.attendance_set(
                meeting=meeting,
                member_id=member_id,
                by_user=request.user,
                **data.validated_data,
            )
        except MeetingError as exc:
            raise _refused(exc) from exc
        if attendance is None:  # 缺席 with nothing recorded before
            return Response(
                {"meeting": meeting.pk, "member": member_id, "status": "absent", "reason": ""}
            )
        return Response(AttendanceResultSerializer(attendance).data)


class AttendanceBulkInputSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=BULK_ATTENDANCE_MAX,
        help_text="要登记的党员 id；与 remaining 二选一",
    )
    remaining = serializers.BooleanField(
        required=False, default=False, help_text="true：登记所有仍为缺席的应到党员"
    )
    status = serializers.ChoiceField(choices=[s.value for s in SECRETARY_STATUSES])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if bool(attrs.get("members")) == bool(attrs.get("remaining")):
            raise serializers.ValidationError(
                _("请选择党员（members），或登记全部未到（remaining）。")
            )
        return attrs


class AttendanceBulkView(APIView):
    """Bulk marking: the secretary marks several (or all remaining 缺席) members at once; one
    transaction, all or nothing; one log line per member changed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AttendanceBulkInputSerializer,
        responses={
            200: AttendanceResultSerializer(many=True),
            400: OpenApiResponse(description="未选择党员、不在应到名单中、会后更正缺少原因等"),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk):
        meeting = (
            selectors.meetings_managed(user=request.user).select_related("unit").filter(pk=pk)
        ).first()
        if meeting is None:
            raise Http404
        data = AttendanceBulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["remaining"]:
            member_ids = selectors.absent_member_ids(meeting=meeting)
        else:
            member_ids = values["members"]
        try:
            marked = services.attendance_set_many(
                meeting=meeting,
                member_ids=member_ids,
                status=values["status"],
                reason=values["reason"],
                by_user=request.user,
            )
        except MeetingError as exc:
            raise _refused(exc) from exc
        return Response(
            [
                AttendanceResultSerializer(row).data
                if row is not None
                else {"meeting": meeting.pk, "member": member_id, "status": "absent", "reason": ""}
                for member_id, row in marked.items()
            ]
        )


class PeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    state = serializers.ChoiceField(choices=["done", "due", "overdue", "upcoming"])
    held = serializers.IntegerField()
    note = serializers.CharField(help_text="按党小组/党员计时：已完成/应完成")


class RuleStateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    period = serializers.ChoiceField(choices=["month", "quarter", "year"])
    source = serializers.CharField(help_text="规则依据")
    applies = serializers.BooleanField()
    required = serializers.IntegerField(help_text="已开始的期数")
    held = serializers.IntegerField(source="done", help_text="已完成的期数")
    overdue = serializers.IntegerField(help_text="逾期的期数")
    periods = PeriodSerializer(many=True)


class BranchComplianceSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    rules = RuleStateSerializer(many=True)


class ComplianceParams(serializers.Serializer):
    """`?year=` (default this year): validated, and the schema states its range."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class UnitComplianceView(APIView):
    """Compliance for `year` (default this year): a branch's rules, or for a 院系党委/校党委 each
    branch under it side by side."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ComplianceParams],
        responses={200: BranchComplianceSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk):
        unit = units_in_scope(user=request.user).filter(pk=pk).first()
        if unit is None:
            raise Http404
        params = ComplianceParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year") or timezone.localdate().year
        branches = list(
            units_in_scope(user=request.user).filter(
                kind=UnitKind.BRANCH, path__startswith=unit.path
            )
        )
        states = compliance.branches_compliance(branches=branches, year=year)
        rows = [{"unit": b.pk, "name": b.name, "rules": states[b.pk]} for b in branches]
        return Response(BranchComplianceSerializer(rows, many=True).data)


class MinutesSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    content = serializers.CharField()
    decisions = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="主题党日小结"
    )
    written_at = serializers.DateTimeField(read_only=True)
    signed_off_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MinutesView(APIView):
    """The minutes' versions (members: signed ones only); PUT saves the draft (or starts a new
    version after a sign-off)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MinutesSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        meeting = _visible(request, pk)
        versions = meeting.minutes.all()
        if not selectors.can_manage(user=request.user, meeting=meeting):
            versions = versions.filter(signed_off_at__isnull=False)
        return Response(MinutesSerializer(versions, many=True).data)

    @extend_schema(request=MinutesSerializer, responses={200: MinutesSerializer, 404: NOT_FOUND})
    def put(self, request, pk):
        meeting = _visible(request, pk)
        if not selectors.can_manage(user=request.user, meeting=meeting):
            raise Http404
        data = MinutesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            minutes = minutes_services.minutes_save(
                meeting=meeting, by_user=request.user, **data.validated_data
            )
        except MeetingError as exc:
            raise _refused(exc) from exc
        return Response(MinutesSerializer(minutes).data)


class MinutesSignOffView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: MinutesSerializer,
            404: NOT_FOUND,
            409: OpenApiResponse(description="已审签"),
        },
    )
    def post(self, request, pk):
        meeting = _visible(request, pk)
        try:
            minutes = minutes_services.minutes_sign_off(meeting=meeting, by_user=request.user)
        except MeetingError as exc:
            raise _refused(exc) from exc
        return Response(MinutesSerializer(minutes).data)


def _year_param(request) -> int:
    params = ComplianceParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("year") or timezone.localdate().year


class YearlyHoursRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    student_no = serializers.CharField(source="member.student_no")
    unit = serializers.IntegerField(source="member.unit_id")
    unit_name = serializers.CharField(source="member.unit.name")
    earned = serializers.DecimalField(
        source="standing.earned", max_digits=8, decimal_places=2, allow_null=True
    )
    required = serializers.DecimalField(source="standing.required", max_digits=8, decimal_places=2)
    missing = serializers.DecimalField(source="standing.missing", max_digits=8, decimal_places=2)
    below = serializers.BooleanField(source="standing.below")
    committee = serializers.BooleanField(
        source="standing.committee", help_text="书记或支委：56 学时"
    )


class UnitYearlyHoursView(APIView):
    """The Party members of a unit (and everything under it) with their 学时 in `year` (default
    this year) and the line they must reach (32, or 56 for 书记 and 支委), below the line first.
    One access-log row naming the unit."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ComplianceParams],
        responses={200: YearlyHoursRowSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk):
        unit = units_in_scope(user=request.user).filter(pk=pk).first()
        if unit is None:
            raise Http404
        year = _year_param(request)
        rows = unit_yearly_rows(user=request.user, unit=unit, year=year)
        access_log_write(
            user=request.user,
            members=[None],
            action=AccessAction.VIEW,
            what=f"年度学时（API）：{unit.name}",
        )
        return Response(YearlyHoursRowSerializer(rows, many=True).data)


class MyYearlyHoursSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    earned = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    required = serializers.DecimalField(max_digits=8, decimal_places=2)
    missing = serializers.DecimalField(max_digits=8, decimal_places=2)
    below = serializers.BooleanField()
    source = serializers.CharField()


class MyYearlyHoursView(APIView):
    """The caller's own 学时 in `year` against their line ("今年已修 x / 32 学时"); 404 for someone
    who is not a Party member. The entries are the caller's ledger (/api/v1/me/records/)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ComplianceParams],
        responses={200: MyYearlyHoursSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        year = _year_param(request)
        standing = own_yearly_standing(member=member_of_user(user=request.user), year=year)
        if standing is None:
            raise Http404
        data = {
            "year": year,
            "earned": standing.earned,
            "required": standing.required,
            "missing": standing.missing,
            "below": standing.below,
            "source": standing.source,
        }
        return Response(MyYearlyHoursSerializer(data).data)


class AbsenceRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    student_no = serializers.CharField(source="member.student_no")
    unit = serializers.IntegerField(source="member.unit_id")
    unit_name = serializers.CharField(source="member.unit.name")
    missed_months = serializers.ListField(child=serializers.CharField(), help_text="YYYY-MM")
    missed_meetings = serializers.IntegerField()
    last_taken_part = serializers.DateField(allow_null=True)


class UnitAbsenceView(APIView):
    """Party members of the unit's branches who missed the branch's organisation life without
    approved 请假 for six consecutive months (党章 art. 9) — a flag for the branch, never a
    decision. How the months are read: docs/party.md, "Absence flag"."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AbsenceRowSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        unit = units_in_scope(user=request.user).filter(pk=pk).first()
        if unit is None:
            raise Http404
        rows = absence.absence_flags(units=[unit])
        access_log_write(
            user=request.user,
            members=[None],
            action=AccessAction.VIEW,
            what=f"连续六个月未参加组织生活（API）：{unit.name}",
        )
        return Response(AbsenceRowSerializer(rows, many=True).data)
