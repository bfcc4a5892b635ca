"""REST views of trainer reports and certificates (docs/api.md, "Training classes")."""

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from learning.classes.models import TraineeStage
from learning.classes.selectors import classes_for_trainer
from learning.reports import exports, services
from learning.reports.forms import ReportFilterForm
from learning.reports.models import Certificate
from learning.reports.selectors import (
    ReportFilters,
    ReportStatus,
    class_for_user,
    class_report,
    iter_rows,
    my_learning,
    to_row,
    trainee_in_class,
)
from learning.reports.serializers import (
    CertificateSerializer,
    DisqualificationSerializer,
    IssueInputSerializer,
    IssuePreviewSerializer,
    MeSerializer,
    ReportSerializer,
    RevokeInputSerializer,
    TrainingClassSerializer,
)

# --- helpers -------------------------------------------------------------------------------


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
    OpenApiParameter("stage", str, enum=TraineeStage.values),
    OpenApiParameter("status", str, enum=ReportStatus.values),
    OpenApiParameter("q", str, description="按姓名或学号搜索"),
    OpenApiParameter("sort", str, description="排序列，前加 - 为降序，例如 -earned"),
]


class ReportPaging(api_settings.DEFAULT_PAGINATION_CLASS):
    """The project's pagination rules (strict page and page_size, docs/api.md) with the report's
    own sizes: 100 rows by default, at most 1000. A report asked for without `page` is all its
    rows, so its links always name the page (DRF drops `page=1` from the previous link), and keep
    the request's other parameters as they came."""

    page_size = 100
    max_page_size = 1000
    # Past the last page: the plain "not found" the report has always answered.
    invalid_page_message = exceptions.NotFound.default_detail

    def _link(self, number: int) -> str:
        query = self.request.query_params.copy()
        query[self.page_query_param] = str(number)
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")

    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None


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
        tc.trainee_count = tc.enrolments.count()
        paging = ReportPaging()
        if "page" in request.query_params:
            page = [to_row(values) for values in paging.paginate_queryset(qs, request, view=self)]
            rows = {
                "count": paging.page.paginator.count,
                "next": paging.get_next_link(),
                "previous": paging.get_previous_link(),
                "rows": page,
            }
        else:
            # All rows; a bad page_size is still a 400, as everywhere.
            paging.get_page_size(request)
            page = list(iter_rows(qs))
            rows = {"count": len(page), "next": None, "previous": None, "rows": page}
        report = {"training_class": tc, "filters": filters.as_params(), **rows}
        return Response(ReportSerializer(report).data)


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
        skipped = [{"row": row, "reason": reason} for row, reason in preview.skipped]
        return Response(
            IssuePreviewSerializer({"to_issue": preview.to_issue, "skipped": skipped}).data
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
            CertificateSerializer(issued, many=True, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
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
        return Response(CertificateSerializer(certificate, context={"request": request}).data)


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

    @extend_schema(summary="Me: stage, branch and my classes", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(my_learning(user=request.user)).data)
