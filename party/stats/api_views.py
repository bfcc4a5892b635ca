"""REST views of the statistics: a unit's figures on a day and its year-end workbook, for units
in the caller's scope (unit_scope; outside it → 404)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from party.stats import dashboard, exports, params, selectors, tables
from party.stats.exceptions import StatsInputError
from party.stats.serializers import StatsOverviewSerializer

ERROR = OpenApiResponse(description='{"detail", "code": "invalid_date" | "future_date" | …}')


def _bad(error: StatsInputError) -> Response:
    return Response({"detail": error.message, "code": error.code}, status=400)


@extend_schema(tags=["party"])
class UnitStatsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="党员数据统计（某日）",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=False)],
        responses={200: StatsOverviewSerializer, 400: ERROR, 404: OpenApiResponse()},
    )
    def get(self, request, pk):
        unit = selectors.stats_unit(user=request.user, unit_id=pk)
        try:
            day = params.parse_day(request.query_params.get("date"))
        except StatsInputError as error:
            return _bad(error)
        return Response(StatsOverviewSerializer(dashboard.overview(unit=unit, day=day)).data)


@extend_schema(tags=["party"])
class YearEndWorkbookView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="年度党内统计表（xlsx）",
        parameters=[OpenApiParameter("year", int, required=False)],
        responses={
            (200, exports.XLSX): OpenApiTypes.BINARY,
            400: ERROR,
            404: OpenApiResponse(),
        },
    )
    def get(self, request, pk):
        unit = selectors.stats_unit(user=request.user, unit_id=pk)
        try:
            start, day = params.parse_year(request.query_params.get("year"))
        except StatsInputError as error:
            return _bad(error)
        return exports.xlsx_response(
            tables=tables.year_end_tables(unit=unit, day=day, start=start),
            unit=unit,
            user=request.user,
            at=timezone.now(),
            name=f"党内统计-{start.year}",
        )
