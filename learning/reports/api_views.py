"""REST views of trainer reports and certificates (docs/api.md, "Training classes")."""

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from learning.classes.membership import stage_label
from learning.classes.selectors import classes_for_trainer, own_trainee_profile
from learning.reports import exports, services
from learning.reports.forms import ReportFilterForm
from learning.reports.models import Certificate
from learning.reports.selectors import (
    ReportFilters,
    ReportRow,
    class_for_user,
    class_report,
    iter_rows,
    my_class_standings,
    to_row,
    trainee_in_class,
)
from learning.reports.serializers import (
    CertificateSerializer,
    DisqualificationSerializer,
    IssueInputSerializer,
    IssuePreviewSerializer,
    MyClassSerializer,
    ReportSerializer,
    RevokeInputSerializer,
    TrainingClassSerializer,
)
from learning.reports.views import verify_url

# --- helpers -------------------------------------------------------------------------------


def class_json(tc, trainee_count: int | None = None) -> dict:
    return {
        "id": tc.pk,
        "name": tc.name,
        "intake": tc.intake,
        "audience_stage": tc.audience_stage,
        "start_date": tc.start_date.isoformat() if tc.start_date else None,
        "end_date": tc.end_date.isoformat() if tc.end_date else None,
        "required_hours": f"{tc.required_hours:.2f}",
        "pass_mark": f"{tc.pass_mark:.2f}",
        "trainee_count": trainee_count
        if trainee_count is not None
        else getattr(tc, "trainee_count", None),
    }


def row_json(row: ReportRow) -> dict:
    return {
        "trainee": {
            "id": row.trainee_id,
            "name": row.name,
            "student_no": row.student_no,
            "college": row.college,
            "branch": row.branch,
            "stage": row.stage,
        },
        "earned_hours": f"{row.earned_hours:.2f}",
        "required_hours": f"{row.required_hours:.2f}",
        "leave_hours": f"{row.leave_hours:.2f}",
        "excused_hours": f"{row.excused_hours:.2f}",
        "lessons_completed": row.lessons_completed,
        "lessons_total": row.lessons_total,
        "exam": row.exam_id,
        "exam_best_score": f"{row.exam_score:.2f}" if row.exam_score is not None else None,
        "exam_passed": row.exam_passed,
        "exam_by_makeup": row.exam_by_makeup,
        "makeup_exam": row.makeup_id,
        "missing": row.missing,
        "status": row.status,
        "status_display": row.status_label,
        "certificate_no": row.certificate_no,
        "disqualified_reason": row.disqualified_reason,
    }


def certificate_json(request, certificate: Certificate) -> dict:
    return {
        "number": certificate.number,
        "trainee": certificate.trainee_id,
        "training_class": certificate.training_class_id,
        "trainee_name": certificate.trainee_name,
        "class_name": certificate.class_name,
        "earned_hours": f"{certificate.earned_hours:.2f}",
        "exam_score": f"{certificate.exam_score:.2f}"
        if certificate.exam_score is not None
        else None,
        # ISO 8601 in the site's time zone, with its offset, as every other API date-time.
        "issued_at": timezone.localtime(certificate.issued_at).isoformat(),
        "revoked_at": timezone.localtime(certificate.revoked_at).isoformat()
        if certificate.revoked_at
        else None,
        "revoke_reason": certificate.revoke_reason,
        "verify_url": verify_url(request, certificate.number),
    }


def visible_class(request, pk):
    # Classes the user does not train do not exist for them: 404, never 403.
    tc = class_for_user(user=request.user, class_id=pk)
    if tc is None:
        raise Http404
    return tc


def parse_filters(request, tc) -> ReportFilters:
    form = ReportFilterForm(request.query_params, training_class=tc)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.filters()


FILTER_PARAMETERS = [
    OpenApiParameter("branch", int, description="党支部 id"),
    OpenApiParameter("college", int, description="学院 id"),
    OpenApiParameter(
        "stage",
        str,
        enum=["applicant", "activist", "candidate", "probationary", "full_member"],
    ),
    OpenApiParameter(
        "status", str, enum=["not_started", "in_progress", "hours_met", "completed", "failed"]
    ),
    OpenApiParameter("q", str, description="按姓名或学号搜索"),
    OpenApiParameter("sort", str, description="排序列，前加 - 为降序，例如 -earned"),
]


class ReportPaging(api_settings.DEFAULT_PAGINATION_CLASS):
    """The project's pagination rules (strict page and page_size, docs/api.md) with the report's
    own sizes: 100 rows by default, at most 1000."""

    page_size = 100
    max_page_size = 1000


REPORT_PAGE_PARAMETERS = [
    OpenApiParameter(p["name"], p["schema"], description=p["description"])
    for p in ReportPaging().get_schema_operation_parameters(view=None)
]


ISSUE_REQUEST_SCHEMA = {
    "type": "object",
    "properties": {
        "trainee": {"type": "integer", "description": "学员 id (a trainee of the class)"},
        "all": {
            "type": "boolean",
            "description": "向全部合格学员颁发 (every trainee who qualifies)",
        },
    },
    "anyOf": [
        {"required": ["trainee"]},
        {"required": ["all"], "properties": {"all": {"enum": [True]}}},
    ],
}


# --- views ---------------------------------------------------------------------------------


class ClassListView(ListAPIView):
    """The classes the user trains (all of them for staff with the permission)."""

    permission_classes = [IsAuthenticated]
    serializer_class = TrainingClassSerializer

    def get_queryset(self):
        return (
            classes_for_trainer(user=self.request.user)
            .annotate(trainee_count=Count("enrolments"))
            .order_by("-start_date", "-id")
        )

    @extend_schema(operation_id="classes_list", summary="我负责的培训班", tags=["classes"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ClassReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="class_report",
        summary="培训班学习情况报表",
        description="每名学员一行。不带 page 参数时返回全部行；带 page 时分页（page_size 默认 100，最多 1000）。",
        parameters=[
            *FILTER_PARAMETERS,
            *REPORT_PAGE_PARAMETERS,
        ],
        responses={
            200: ReportSerializer,
            404: OpenApiResponse(description="培训班不存在或无权查看"),
        },
        tags=["classes"],
    )
    def get(self, request, pk: int):
        tc = visible_class(request, pk)
        filters = parse_filters(request, tc)
        qs = class_report(training_class=tc, filters=filters)
        paging = ReportPaging()
        size = paging.get_page_size(request)
        number = paging.get_page_number(request, None)
        data = {
            "class": class_json(tc, trainee_count=tc.enrolments.count()),
            "filters": filters.as_params(),
        }
        if "page" not in request.query_params:
            rows = [row_json(row) for row in iter_rows(qs)]
            data.update(count=len(rows), next=None, previous=None, rows=rows)
            return Response(data)
        paginator = Paginator(qs, size)
        try:
            page = paginator.page(number)
        except EmptyPage as exc:
            raise Http404 from exc

        def link(n):
            return request.build_absolute_uri(
                f"{request.path}?{_replace_page(request.query_params, n)}"
            )

        data.update(
            count=paginator.count,
            next=link(page.next_page_number()) if page.has_next() else None,
            previous=link(page.previous_page_number()) if page.has_previous() else None,
            rows=[row_json(to_row(values)) for values in page.object_list],
        )
        return Response(data)


def _replace_page(params, number: int) -> str:
    query = params.copy()
    query["page"] = str(number)
    return query.urlencode()


class ClassReportXlsxView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="class_report_xlsx",
        summary="导出培训班报表（Excel）",
        parameters=FILTER_PARAMETERS,
        responses={
            (200, exports.XLSX_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="培训班不存在或无权查看"),
        },
        tags=["classes"],
    )
    def get(self, request, pk: int):
        tc = visible_class(request, pk)
        return exports.class_report_xlsx(training_class=tc, filters=parse_filters(request, tc))


class ClassReportCsvView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="class_report_csv",
        summary="导出培训班报表（CSV，UTF-8 带 BOM）",
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="培训班不存在或无权查看"),
        },
        tags=["classes"],
    )
    def get(self, request, pk: int):
        tc = visible_class(request, pk)
        return exports.class_report_csv(training_class=tc, filters=parse_filters(request, tc))


def _check_may_issue(request) -> None:
    if not request.user.has_perm("reports.issue_certificate"):
        raise exceptions.PermissionDenied(_("您没有颁发或撤销结业证书的权限。"))


class ClassCertificatesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="class_certificates_preview",
        summary="批量颁发预览：谁将获发结业证书，谁不发、为什么（不写入任何数据）",
        description=(
            "与后台“向合格学员颁发结业证书”的确认页同一函数（services.certificate_issue_preview）。"
            "What `POST {all: true}` would do now — the same function as the admin's confirmation "
            "page; nothing is written."
        ),
        responses={
            200: IssuePreviewSerializer,
            403: OpenApiResponse(description="没有颁发结业证书的权限"),
            404: OpenApiResponse(description="培训班不存在或无权查看"),
        },
        tags=["classes"],
    )
    def get(self, request, pk: int):
        tc = visible_class(request, pk)
        _check_may_issue(request)
        preview = services.certificate_issue_preview(training_class=tc)
        return Response(
            {
                "to_issue": [row_json(row) for row in preview.to_issue],
                "skipped": [
                    {"row": row_json(row), "reason": str(reason)} for row, reason in preview.skipped
                ],
            }
        )

    @extend_schema(
        operation_id="class_certificates_issue",
        summary="颁发结业证书（单人或全部合格学员）",
        description="`trainee`（学员 id）或 `all: true` 二选一；都没有为 400。"
        "Either `trainee` (a trainee id) or `all: true`; neither is a 400.",
        # The serializer cannot say "one of the two": the body's schema states it.
        request={"application/json": ISSUE_REQUEST_SCHEMA},
        responses={
            201: CertificateSerializer(many=True),
            400: OpenApiResponse(description="参数错误"),
            404: OpenApiResponse(description="培训班或学员不存在或无权查看"),
            409: OpenApiResponse(description="不符合结业条件或已有证书"),
        },
        tags=["classes"],
    )
    def post(self, request, pk: int):
        tc = visible_class(request, pk)
        _check_may_issue(request)
        data = IssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("all"):
            issued = services.certificate_issue_bulk(training_class=tc, issued_by=request.user)
        else:
            trainee_id = data.validated_data.get("trainee")
            if trainee_id is None:
                raise exceptions.ValidationError({"trainee": [_("请指定学员，或设置 all=true。")]})
            trainee = trainee_in_class(training_class=tc, trainee_id=trainee_id)
            if trainee is None:
                raise Http404
            issued = [
                services.certificate_issue(
                    training_class=tc, trainee=trainee, issued_by=request.user
                )
            ]
        return Response(
            [certificate_json(request, c) for c in issued], status=status.HTTP_201_CREATED
        )


class CertificateRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="certificate_revoke",
        summary="撤销结业证书",
        request=RevokeInputSerializer,
        responses={
            200: CertificateSerializer,
            404: OpenApiResponse(description="证书不存在或无权查看"),
            409: OpenApiResponse(description="证书已撤销"),
        },
        tags=["classes"],
    )
    def post(self, request, number: str):
        certificate = Certificate.objects.filter(
            number=number,
            training_class__in=classes_for_trainer(user=request.user),
        ).first()
        if certificate is None:
            raise Http404
        _check_may_issue(request)
        data = RevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            certificate=certificate,
            revoked_by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(certificate_json(request, certificate))


class _DisqualificationDecisionView(APIView):
    """POST a reason; scope, permission and 404s as for certificates."""

    permission_classes = [IsAuthenticated]
    service = None
    success_status = status.HTTP_200_OK

    def post(self, request, pk: int, trainee_id: int):
        tc = visible_class(request, pk)
        _check_may_issue(request)
        trainee = trainee_in_class(training_class=tc, trainee_id=trainee_id)
        if trainee is None:
            raise Http404
        data = RevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = type(self).service(
            training_class=tc,
            trainee=trainee,
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(DisqualificationSerializer(decision).data, status=self.success_status)


_DECISION_RESPONSES = {
    400: OpenApiResponse(description="未填写原因"),
    403: OpenApiResponse(description="无颁发/撤销结业证书的权限"),
    404: OpenApiResponse(description="培训班或学员不存在或无权查看"),
}


@extend_schema_view(
    post=extend_schema(
        operation_id="trainee_disqualify",
        summary="取消结业资格（如考试作弊）：报表显示未通过，有效证书一并撤销",
        request=RevokeInputSerializer,
        responses={
            201: DisqualificationSerializer,
            409: OpenApiResponse(description="已被取消结业资格"),
            **_DECISION_RESPONSES,
        },
        tags=["classes"],
    )
)
class DisqualifyView(_DisqualificationDecisionView):
    service = staticmethod(services.enrolment_disqualify)
    success_status = status.HTTP_201_CREATED


@extend_schema_view(
    post=extend_schema(
        operation_id="trainee_reinstate",
        summary="恢复结业资格：按正常结业条件判定（记录保留）",
        request=RevokeInputSerializer,
        responses={
            200: DisqualificationSerializer,
            409: OpenApiResponse(description="没有生效中的取消结业资格"),
            **_DECISION_RESPONSES,
        },
        tags=["classes"],
    )
)
class ReinstateView(_DisqualificationDecisionView):
    service = staticmethod(services.enrolment_reinstate)


class MeView(APIView):
    """我的学习: the user, stage, branch and classes with 学时 earned/required."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Me: stage, branch and my classes",
        responses=inline_serializer(
            name="Me",
            fields={
                "user": inline_serializer(
                    name="MeUser",
                    fields={
                        "id": serializers.IntegerField(),
                        "username": serializers.CharField(),
                        "name": serializers.CharField(),
                    },
                ),
                "student_no": serializers.CharField(allow_null=True),
                "stage": serializers.CharField(allow_null=True),
                "stage_display": serializers.CharField(allow_null=True),
                "college": serializers.CharField(allow_null=True),
                "branch": serializers.CharField(allow_null=True),
                "classes": MyClassSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        user = request.user
        profile = own_trainee_profile(user)
        stage = profile.current_stage if profile else None
        classes = [
            {
                "id": item.training_class.pk,
                "name": item.training_class.name,
                "intake": item.training_class.intake,
                "required_hours": f"{item.required_hours:.2f}",
                "earned_hours": f"{item.earned_hours:.2f}",
                "leave_hours": f"{item.row.leave_hours:.2f}",
                "excused_hours": f"{item.excused_hours:.2f}",
                "leave_allowance_percent": f"{item.row.leave_allowance_percent:.2f}",
                "missing": item.missing,
                "exam": item.exam,
                "exam_passed": item.exam_passed,
                "exam_by_makeup": item.row.exam_by_makeup,
                "makeup_exam": item.row.makeup_id,
                "lessons_completed": item.row.lessons_completed,
                "lessons_total": item.row.lessons_total,
                "status": item.status.value,
                "status_display": item.status_label,
                "certificate_no": item.certificate_no,
            }
            for item in my_class_standings(user=user)
        ]
        return Response(
            {
                "user": {
                    "id": user.pk,
                    "username": user.get_username(),
                    "name": profile.name if profile else (user.get_full_name() or user.username),
                },
                "student_no": profile.student_no if profile else None,
                "stage": stage if profile else None,
                "stage_display": stage_label(stage) if profile else None,
                "college": profile.college_name if profile else None,
                "branch": profile.branch_name if profile else None,
                "classes": classes,
            }
        )
