"""REST API v2 of 党费 (docs/api.md): a branch's month, the behind list, payments and 冲正, a
statement import (preview or commit), the report per branch and month, and 我的党费. Amounts are
strings in 元 with two decimals (never floats). Scope as on the pages: amounts for whoever has the
branch in unit_scope, writes for its finance roles (组织委员, 书记); anything else → 404."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from party.dues import reports, selectors, services, statement
from party.dues.exceptions import DuesError
from party.dues.models import Payment, PaymentSource
from party.dues.values import month_label, parse_month
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import units_in_scope

NOT_FOUND = OpenApiResponse(description="党组织、党员或记录不存在，或无权查看")
MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}


class DuesRefused(exceptions.APIException):
    """A DuesError in the API's error format: `{"detail", "code"}` (row errors of an import are
    answered by the view itself, with `errors`)."""

    def __init__(self, error: DuesError):
        super().__init__(detail=error.message)
        self.status_code = error.status
        self.public_code = error.code


def _refused(error: DuesError):
    return Http404() if error.status == 404 else DuesRefused(error)


class MonthQuery(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM，默认本月"
    )


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="默认今年（晚于今年按今年）"
    )


def _month(request):
    query = MonthQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    text = query.validated_data.get("month")
    return parse_month(text) if text else selectors.this_month()


def _year(request) -> int:
    query = YearQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    this_year = selectors.this_month().year
    return min(query.validated_data.get("year", this_year), this_year)


def _report_unit(request, pk) -> Unit:
    unit = selectors.report_units(user=request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


class DuesMoveSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField()
    on = serializers.DateField(help_text="组织关系转接日期")


MOVED_TO = {
    "allow_null": True,
    "help_text": "校内转接转出本支部：转往的党支部和日期（null：没有）；此后的月份由该党支部收缴",
}
MOVED_FROM = {
    "allow_null": True,
    "help_text": "校内转接转入本支部：原党支部和日期（null：没有）；此前的月份由原党支部收缴",
}


class MonthRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    student_no = serializers.CharField(source="member.student_no")
    left_on = serializers.DateField(
        source="member.left_on",
        allow_null=True,
        help_text="转出本校日期（null：在本校）；此后不再应交，之前未交的月份仍可补交",
    )
    moved_to = DuesMoveSerializer(**MOVED_TO)
    moved_from = DuesMoveSerializer(**MOVED_FROM)
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)


class UnitDuesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="党支部某月的党费：每人应交、已交、未交",
        parameters=[MonthQuery],
        responses={200: MonthRowSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk):
        unit = _report_unit(request, pk)
        rows = selectors.month_rows(unit=unit, month=_month(request))
        return Response(MonthRowSerializer(rows, many=True).data)


class BehindSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    left_on = serializers.DateField(
        source="member.left_on", allow_null=True, help_text="转出本校日期（null：在本校）"
    )
    moved_to = DuesMoveSerializer(**MOVED_TO)
    moved_from = DuesMoveSerializer(**MOVED_FROM)
    late_months = serializers.ListField(child=serializers.CharField())
    outstanding = serializers.DecimalField(**MONEY)
    unpaid_run = serializers.IntegerField(help_text="连续未交且无原因的月数")
    flagged = serializers.BooleanField(help_text="党章第九条：连续六个月（提示，不是处理决定）")


class UnitBehindView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="欠交两个月及以上的党员，及连续六个月未交的提示",
        responses={200: BehindSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk):
        unit = _report_unit(request, pk)
        rows = selectors.arrears(members=selectors.branch_members(unit=unit), unit=unit)
        data = [
            {
                "member": a.member,
                "moved_to": a.moved_to,
                "moved_from": a.moved_from,
                "late_months": [month_label(m) for m in a.late_months],
                "outstanding": a.outstanding,
                "unpaid_run": a.unpaid_run,
                "flagged": a.flagged,
            }
            for a in rows
        ]
        return Response(BehindSerializer(data, many=True).data)


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-01", "description": "YYYY-MM"}
)
class MonthField(serializers.DateField):
    """A month, written "YYYY-MM" (the first day of the month inside): the schema says so, not
    `format: date`, which a "2026-01" would break (issue 15)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m")
        kwargs.setdefault("input_formats", ["%Y-%m"])
        super().__init__(**kwargs)


class PaymentMonthSerializer(serializers.Serializer):
    month = MonthField()
    amount = serializers.DecimalField(**MONEY)


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    amount = serializers.DecimalField(**MONEY, read_only=True)
    paid_on = serializers.DateField(read_only=True)
    # Text, not an enum: "source" already names other choice sets in the schema (learning).
    source = serializers.CharField(
        read_only=True, help_text=" | ".join(PaymentSource.values) + "（来源）"
    )
    reference = serializers.CharField(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)
    corrects = serializers.IntegerField(source="corrects_id", read_only=True, allow_null=True)
    months = PaymentMonthSerializer(many=True, read_only=True)


class PaymentInSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    months = serializers.ListField(
        child=serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$"),
        min_length=1,
        max_length=24,
        help_text='["YYYY-MM", …]',
    )
    amount = serializers.RegexField(
        r"^-?\d{1,9}(\.\d{1,2})?$", help_text='元，最多两位小数，如 "0.20"（须大于 0）'
    )
    paid_on = serializers.DateField(required=False)
    note = serializers.RegexField(r"^[^\x00]{0,200}$", required=False, allow_blank=True)


class PaymentsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="登记一笔党费（可一次交几个月）",
        request=PaymentInSerializer,
        responses={
            201: PaymentSerializer,
            400: OpenApiResponse(description="金额/月份有误"),
            404: NOT_FOUND,
        },
    )
    def post(self, request):
        data = PaymentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        member = selectors.members_managed(user=request.user).filter(pk=values["member"]).first()
        if member is None:
            raise Http404
        try:
            payment = services.payment_record(
                by_user=request.user,
                member=member,
                months=[parse_month(m) for m in values["months"]],
                amount=values["amount"],
                paid_on=values.get("paid_on"),
                note=values.get("note", ""),
            )
        except DuesError as exc:
            raise _refused(exc) from None
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class ReverseInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, help_text="冲正原因")


class PaymentReverseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="冲正一笔记录（新增一笔相反金额的记录，原记录保留）",
        request=ReverseInSerializer,
        responses={
            201: PaymentSerializer,
            409: OpenApiResponse(description="已冲正过"),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk):
        payment = Payment.objects.filter(
            member__in=selectors.members_managed(user=request.user), pk=pk
        ).first()
        if payment is None:
            raise Http404
        try:
            reversal = services.payment_reverse(
                by_user=request.user, payment=payment, note=request.data.get("note", "") or ""
            )
        except DuesError as exc:
            raise _refused(exc) from None
        return Response(PaymentSerializer(reversal).data, status=status.HTTP_201_CREATED)


class ImportInSerializer(serializers.Serializer):
    file = serializers.FileField()
    month = serializers.CharField(required=False, allow_blank=True, help_text="表中没有月份列时用")
    commit = serializers.BooleanField(required=False, default=False)


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    member = serializers.IntegerField()
    name = serializers.CharField()
    amount = serializers.CharField()
    months = serializers.ListField(child=serializers.CharField())
    paid_on = serializers.CharField()
    reference = serializers.CharField()
    note = serializers.CharField()


class ImportOutSerializer(serializers.Serializer):
    committed = serializers.BooleanField()
    rows = ImportRowSerializer(many=True)
    ignored_columns = serializers.ListField(child=serializers.CharField())
    defaulted = serializers.ListField(child=serializers.DictField())
    skipped_rows = serializers.ListField(child=serializers.IntegerField())
    payments = serializers.IntegerField()


class UnitDuesImportView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="导入缴费明细：预览（commit=false）或导入（commit=true），有一行错误全部不导入",
        request={"multipart/form-data": ImportInSerializer},
        responses={
            200: ImportOutSerializer,
            201: ImportOutSerializer,
            400: OpenApiResponse(description="行错误 errors[{row, column, message}]"),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk):
        unit = selectors.finance_units(user=request.user).filter(pk=pk).first()
        if unit is None:
            raise Http404
        data = ImportInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            default_month = parse_month(values["month"]) if values.get("month") else None
            plan = statement.statement_read(
                values["file"], user=request.user, unit=unit, default_month=default_month
            )
        except DuesError as exc:
            raise _refused(exc) from None
        except statement.StatementError as exc:
            return Response(
                {
                    "detail": _("有 %(n)d 处错误，全部未导入。") % {"n": exc.total},
                    "code": "rows_invalid",
                    "errors": [
                        {"row": e.row, "column": e.column, "message": e.message} for e in exc.errors
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        payments = 0
        if values.get("commit"):
            staged = statement.statement_stage(
                user=request.user, unit=unit, filename=values["file"].name or "", plan=plan
            )
            try:
                payments = statement.statement_import(user=request.user, statement=staged)
            except DuesError as exc:
                if exc.status == 404:
                    raise Http404 from None
                body = {"detail": exc.message, "code": exc.code, "errors": exc.errors}
                return Response(body, status=exc.status)
        body = {
            "committed": bool(values.get("commit")),
            "rows": [r.as_json() for r in plan.rows],
            "ignored_columns": plan.ignored,
            "defaulted": [
                {"column": d.column, "value": d.value, "rows": d.rows} for d in plan.defaulted
            ],
            "skipped_rows": plan.skipped,
            "payments": payments,
        }
        return Response(
            ImportOutSerializer(body).data,
            status=status.HTTP_201_CREATED if payments else status.HTTP_200_OK,
        )


class DuesReportMonthSerializer(serializers.Serializer):
    month = MonthField()
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    members = serializers.IntegerField(help_text="应交人数")
    paid_members = serializers.IntegerField(help_text="已交清人数")


class DuesReportBranchSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    months = DuesReportMonthSerializer(many=True)


class DuesReportSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    first = MonthField()
    last = MonthField()
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    months = DuesReportMonthSerializer(many=True)
    branches = DuesReportBranchSerializer(many=True)


class UnitDuesReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="党费收缴统计：党组织下各党支部各月应交、实交、未交",
        parameters=[YearQuery],
        responses={200: DuesReportSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk):
        unit = units_in_scope(user=request.user).exclude(kind=UnitKind.GROUP).filter(pk=pk).first()
        if unit is None:
            raise Http404
        first, last = reports.report_year_span(_year(request))
        report = reports.dues_report(user=request.user, unit=unit, first=first, last=last)
        return Response(DuesReportSerializer(report).data)


class MyMonthSerializer(serializers.Serializer):
    month = MonthField()
    unit_name = serializers.CharField(
        help_text="当月所在的党支部（校内转接过的党员；否则为空）：该月党费由它收缴"
    )
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)


class MyDuesSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    year = serializers.IntegerField()
    monthly_amount = serializers.DecimalField(**MONEY, allow_null=True)
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    months = MyMonthSerializer(many=True)
    receipts = PaymentSerializer(many=True)


class MyDuesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="我的党费：本年各月应交、已交，交纳凭证",
        parameters=[YearQuery],
        responses={200: MyDuesSerializer, 404: OpenApiResponse(description="不在党员名册中")},
    )
    def get(self, request):
        data = selectors.my_dues(user=request.user, year=_year(request))
        if data is None:
            raise Http404
        ledger = data["ledger"]
        current = data["bases"][0] if data["bases"] else None
        body = {
            "member": data["member"].pk,
            "year": data["year"],
            "monthly_amount": current.monthly_amount if current else None,
            "owed": ledger.owed,
            "paid": ledger.paid,
            "outstanding": ledger.outstanding,
            "months": ledger.lines,
            "receipts": data["receipts"],
        }
        return Response(MyDuesSerializer(body).data)
