"""The statistics as tables: what the dashboard shows beside each chart, what each chart's xlsx
holds and the sheets of the year-end workbook (党内统计 style) — one set of tables for all three."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from party.members.models import Stage
from party.organisation.models import Unit
from party.stats import rules, selectors


@dataclass
class Table:
    key: str  # also the xlsx file/sheet id
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    period: str = ""  # "统计日期：…" or "统计期间：…"
    notes: list[str] = field(default_factory=list)


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def stages_table(result: dict, day: date) -> Table:
    stages = list(rules.ACTIVE_STAGES)
    table = Table(
        key="stages",
        title=_("党员和入党积极分子等数量（按单位）"),
        columns=[_("单位"), *(_stage_label(s) for s in stages), _("党员合计")],
        period=_("统计日期：%(day)s") % {"day": day.isoformat()},
    )
    for row in result["units"]:
        table.rows.append([row["name"], *(row["counts"][s] for s in stages), row["members"]])
    table.rows.append([_("合计"), *(result["totals"][s] for s in stages), result["members"]])
    return table


def _profile_rows(rows, label_key="label"):
    return [[row[label_key], row["total"], row["full"], row["probationary"]] for row in rows]


def profile_tables(profile: dict, day: date) -> list[Table]:
    columns = [_("党员"), _("正式党员"), _("预备党员")]
    period = _("统计日期：%(day)s") % {"day": day.isoformat()}
    total = [_("合计"), profile["total"]["total"], profile["total"]["full"]]
    total.append(profile["total"]["probationary"])
    gender = Table("gender", _("党员性别"), [_("性别"), *columns], period=period)
    gender.rows = [*_profile_rows(profile["gender"]), total]
    minority = profile["minority"]
    ethnicity = Table("ethnicity", _("党员民族"), [_("民族"), *columns], period=period)
    ethnicity.rows = [
        *_profile_rows(profile["ethnicity"]),
        [_("其中：少数民族"), minority["total"], minority["full"], minority["probationary"]],
        total,
    ]
    age = Table("age", _("党员年龄"), [_("年龄"), *columns], period=period)
    age.rows = [*_profile_rows(profile["age_bands"]), total]
    age.notes = [profile["age_bands_source"]]
    return [gender, ethnicity, age]


def development_table(result: dict) -> Table:
    kinds = [event["stage"] for event in result["events"]]
    table = Table(
        key="development",
        title=_("发展党员情况（期间内）"),
        columns=[_("单位"), *(event["label"] for event in result["events"])],
        period=_("统计期间：%(start)s 至 %(end)s")
        % {"start": result["start"].isoformat(), "end": result["end"].isoformat()},
        notes=[_("由发展对象退回入党积极分子的，不计入“确定为入党积极分子”。")],
    )
    for row in result["units"]:
        table.rows.append([row["name"], *(row["counts"][k] for k in kinds)])
    table.rows.append([_("合计"), *(result["totals"][k] for k in kinds)])
    return table


def pipeline_table(result: dict) -> Table:
    table = Table(
        key="pipeline",
        title=_("发展流程（期间内完成的步骤与超过规定期限的人员）"),
        columns=[_("项目"), _("人数"), _("中位天数"), _("依据")],
        period=_("统计期间：%(start)s 至 %(end)s")
        % {"start": result["since"].isoformat(), "end": result["day"].isoformat()},
    )
    for step in result["steps"]:
        table.rows.append([step["label"], step["completed"], step["median_days"], ""])
    for check in result["stuck"]:
        table.rows.append([check["label"], check["count"], None, check["rule"]])
    return table


def year_end_tables(*, unit: Unit, day: date, start: date) -> list[Table]:
    """Every table of the year-end workbook for `unit`'s subtree: counts on `day`, development
    from `start` to `day`."""
    return [
        stages_table(selectors.stage_counts(unit=unit, day=day), day),
        *profile_tables(selectors.member_profile(unit=unit, day=day), day),
        development_table(selectors.development(unit=unit, start=start, end=day)),
        pipeline_table(selectors.pipeline(unit=unit, day=day, since=start, people=0)),
    ]


def _percent(share) -> str:
    return "" if share is None else f"{share * 100:.0f}%"


def compliance_table(panel: dict) -> Table:
    table = Table(
        key="compliance",
        title=_("三会一课按月落实情况"),
        columns=[_("单位/会议"), *(_("%(m)d月") % {"m": m} for m in panel["months"])],
        period=_("年度：%(year)s") % {"year": panel["year"]},
        notes=[_("每格为当月到期的会议周期中按时召开的比例；空白表示当月没有到期的周期。")],
    )
    for row in panel["rows"]:
        table.rows.append([row["label"], *(_percent(s) for s in row["shares"])])
    return table


def dues_table(panel: dict) -> Table:
    table = Table(
        key="dues",
        title=_("党费按月交纳情况"),
        columns=[
            _("月份"),
            _("应交（元）"),
            _("已交（元）"),
            _("应交人数"),
            _("交清人数"),
            _("交清比例"),
        ],
        period=_("年度：%(year)s") % {"year": panel["year"]},
    )
    for row in panel["months"]:
        table.rows.append(
            [
                row["month"],
                row["owed"],
                row["paid"],
                row["members"],
                row["paid_members"],
                _percent(row["paid_share"]),
            ]
        )
    return table


def appraisal_table(panel: dict) -> Table:
    table = Table(
        key="appraisal",
        title=_("民主评议党员等次"),
        columns=[_("等次"), _("人数")],
        period=_("年度：%(year)s") % {"year": panel["year"] or "—"},
    )
    for grade in panel["grades"]:
        table.rows.append([grade["label"], grade["count"]])
    table.rows.append([_("尚未评定"), panel["undecided"]])
    table.rows.append([_("参评党员"), panel["participants"]])
    return table


def yearly_hours_table(panel: dict) -> Table:
    table = Table(
        key="yearly_hours",
        title=_("党员年度学时分布"),
        columns=[_("学时区间"), _("党员人数"), _("其中书记、支委")],
        period=_("年度：%(year)s") % {"year": panel["year"]},
        notes=[
            _(
                "党员每年应修 %(required)s 学时，书记、支委 %(committee)s 学时；按当年学时账统计"
                "（在线学习、培训和计入学时的组织生活）。"
            )
            % {"required": panel["required"], "committee": panel["required_committee"]},
            *panel["sources"],
        ],
    )
    if not panel["available"]:
        table.notes.insert(0, _("学时账不可用，无法统计。"))
        return table
    for band in panel["bands"]:
        table.rows.append([band["label"], band["members"], band["committee"]])
    table.rows.append([_("未达应修学时"), panel["below"], panel["below_committee"]])
    table.rows.append([_("党员合计"), panel["members"], None])
    return table


def dashboard_tables(overview: dict) -> dict[str, Table]:
    """Every table of the dashboard, keyed as the charts and their xlsx links are."""
    day = overview["date"]
    gender, ethnicity, age = profile_tables(overview["profile"], day)
    tables = [
        stages_table(overview["stages"], day),
        pipeline_table(overview["pipeline"]),
        development_table(overview["development"]),
        gender,
        ethnicity,
        age,
        compliance_table(overview["compliance"]),
        dues_table(overview["dues"]),
        appraisal_table(overview["appraisal"]),
        yearly_hours_table(overview["yearly_hours"]),
    ]
    return {table.key: table for table in tables}
