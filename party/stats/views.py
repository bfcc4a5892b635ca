"""The statistics pages: the dashboard of a unit on a day (charts, each with its table and
xlsx), the xlsx of one table and the year-end workbook. Scoped by unit_scope (outside → 404)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from charts import svg
from party.appraisal.models import Grade
from party.members.models import Stage
from party.organisation.selectors import unit_scope
from party.stats import dashboard, exports, params, rules, selectors, tables
from party.stats.exceptions import StatsInputError

GRADE_COLOURS = {
    Grade.EXCELLENT: "#b71c1c",
    Grade.QUALIFIED: "#2e7d32",
    Grade.BASIC: "#b26a00",
    Grade.UNQUALIFIED: "#616161",
}


def _unit_id(value):
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise Http404
    return int(value)


def _charts(overview: dict) -> dict:
    stages = overview["stages"]
    stage_list = list(rules.ACTIVE_STAGES)
    pipeline = overview["pipeline"]
    medians = {step["from"]: step["median_days"] for step in pipeline["steps"]}
    totals = stages["totals"]
    funnel_steps = []
    for stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY):
        count = totals[stage]
        if stage == Stage.PROBATIONARY:
            count += totals[Stage.PROBATION_EXTENDED]
        median = medians.get(stage)
        note = _("中位 %(days)s 天") % {"days": f"{median:g}"} if median is not None else ""
        funnel_steps.append((str(Stage(stage).label), count, note))
    funnel_steps.append((str(Stage.FULL_MEMBER.label), totals[Stage.FULL_MEMBER], ""))
    compliance = overview["compliance"]
    dues = overview["dues"]["months"]
    appraisal = overview["appraisal"]["grades"]
    profile = overview["profile"]
    development = overview["development"]
    hours = overview["yearly_hours"]
    band_width = dashboard.HOURS_BAND_WIDTH
    return {
        "yearly_hours": svg.bar_chart(
            [(band["label"], band["members"]) for band in hours["bands"]],
            title=_("党员年度学时分布"),
            colours=[
                svg.RED if index * band_width < Decimal(hours["required"]) else svg.GOLD
                for index in range(len(hours["bands"]))
            ],
            markers=[
                (int(Decimal(hours["required"]) // band_width), hours["required"]),
                (
                    int(Decimal(hours["required_committee"]) // band_width),
                    hours["required_committee"],
                ),
            ]
            if hours["bands"]
            else [],
        ),
        "stages": svg.stacked_bars(
            [(row["name"], [row["counts"][s] for s in stage_list]) for row in stages["units"]],
            series=[str(Stage(s).label) for s in stage_list],
            title=_("各单位党员和入党积极分子等数量"),
        ),
        "pipeline": svg.funnel(funnel_steps, title=_("发展党员流程")),
        "development": svg.bar_chart(
            [
                (str(e["label"])[:6], development["totals"][e["stage"]])
                for e in development["events"]
            ],
            title=_("发展党员情况（期间内）"),
        ),
        "gender": svg.bar_chart(
            [(row["label"], row["total"]) for row in profile["gender"]], title=_("党员性别")
        ),
        "ethnicity": svg.bar_chart(
            [(row["label"], row["total"]) for row in profile["ethnicity"][:8]],
            title=_("党员民族"),
        ),
        "age": svg.bar_chart(
            [(row["label"].replace("岁", ""), row["total"]) for row in profile["age_bands"]],
            title=_("党员年龄"),
        ),
        "compliance": svg.heat_map(
            [(row["label"], row["shares"]) for row in compliance["rows"]],
            columns=[str(m) for m in compliance["months"]],
            title=_("三会一课按月落实情况"),
        ),
        "dues": svg.bar_chart(
            [(row["month"][5:], round((row["paid_share"] or 0) * 100, 1)) for row in dues],
            title=_("党费交清比例（百分比）"),
        ),
        "appraisal": svg.bar_chart(
            [(row["label"], row["count"]) for row in appraisal],
            title=_("民主评议党员等次"),
            colours=[GRADE_COLOURS[row["grade"]] for row in appraisal],
        ),
    }


def _indented(units):
    top = min((u.depth for u in units), default=1)
    for u in units:
        u.label = "\u3000" * (u.depth - top) + u.name
    return units


@login_required
def stats_dashboard(request):
    scope = unit_scope(user=request.user)
    unit = selectors.stats_unit(
        user=request.user, unit_id=_unit_id(request.GET.get("unit")), scope=scope
    )
    error = None
    try:
        day = params.parse_day(request.GET.get("date"))
    except StatsInputError as exc:
        error, day = exc.message, timezone.localdate()
    overview = dashboard.overview(unit=unit, day=day)
    table_map = tables.dashboard_tables(overview)
    charts = _charts(overview)
    panels = [
        {"key": key, "table": table_map[key], "chart": charts[key]}
        for key in (
            "stages",
            "pipeline",
            "compliance",
            "dues",
            "appraisal",
            "yearly_hours",
            "development",
            "age",
            "gender",
            "ethnicity",
        )
    ]
    response = render(
        request,
        "stats/dashboard.html",
        {
            "unit": unit,
            "units": _indented(selectors.stats_units(user=request.user, scope=scope)),
            "day": day,
            "error": error,
            "overview": overview,
            "panels": panels,
            "stuck": overview["pipeline"]["stuck"],
            "year": day.year,
        },
    )
    if error:
        response.status_code = 400
    return response


@login_required
def table_xlsx(request, pk: int, key: str):
    unit = selectors.stats_unit(user=request.user, unit_id=pk)
    try:
        day = params.parse_day(request.GET.get("date"))
    except StatsInputError as exc:
        return render(request, "stats/error.html", {"message": exc.message}, status=400)
    table_map = tables.dashboard_tables(dashboard.overview(unit=unit, day=day))
    if key not in table_map:
        raise Http404
    table = table_map[key]
    return exports.xlsx_response(
        tables=[table], unit=unit, user=request.user, at=timezone.now(), name=table.title
    )


@login_required
def year_end_xlsx(request, pk: int):
    unit = selectors.stats_unit(user=request.user, unit_id=pk)
    try:
        start, day = params.parse_year(request.GET.get("year"))
    except StatsInputError as exc:
        return render(request, "stats/error.html", {"message": exc.message}, status=400)
    return exports.xlsx_response(
        tables=tables.year_end_tables(unit=unit, day=day, start=start),
        unit=unit,
        user=request.user,
        at=timezone.now(),
        name=_("党内统计%(year)d") % {"year": start.year},
    )
