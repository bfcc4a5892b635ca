"""The report charts meet WCAG 2.1 AA: colours that carry meaning ≥ 3:1 against the page (1.4.11),
text ≥ 4.5:1 against what it is drawn on (1.4.3); each chart is role="img" with a title and a
description; the daily-hours chart keeps its labels inside the picture."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest

from charts import svg
from charts.svg import BACKGROUNDS, contrast_ratio, text_colour_on

NS = "{http://www.w3.org/2000/svg}"
GRAPHIC, TEXT = 3.0, 4.5


def test_contrast_ratio_matches_the_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1)
    # WebAIM's checker: #767676 on white is the lightest grey that passes 4.5:1.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") < TEXT


def _palette():
    from party.stats.views import GRADE_COLOURS

    named = {"RED": svg.RED, "GOLD": svg.GOLD}
    named |= {f"STATUS_COLOURS[{k}]": v for k, v in svg.STATUS_COLOURS.items()}
    named |= {f"SERIES_COLOURS[{i}]": v for i, v in enumerate(svg.SERIES_COLOURS)}
    named |= {f"GRADE_COLOURS[{k}]": v for k, v in GRADE_COLOURS.items()}
    return named


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_every_palette_colour_stands_out_from_the_page(background):
    weak = {
        name: round(contrast_ratio(colour, background), 2)
        for name, colour in _palette().items()
        if contrast_ratio(colour, background) < GRAPHIC
    }
    assert weak == {}


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_every_text_colour_reads_on_the_page(background):
    for colour in (svg.GREY, svg.INK, svg.GOLD, svg.RED):
        assert contrast_ratio(colour, background) >= TEXT, colour


def test_heat_map_cell_text_reads_on_every_shade():
    for step in range(101):
        fill = svg._heat_colour(step / 100)
        assert contrast_ratio(fill, text_colour_on(fill)) >= TEXT, (step, fill)


def _charts():
    days = [date(2026, 3, 1) + timedelta(days=n) for n in (0, 1, 4, 9, 20, 30)]
    return {
        "bar": svg.bar_chart(
            [("未开始", 3), ("学习中", 12), ("很长很长的一个标签名字", 7)],
            title="状态分布",
            markers=[(1, "32")],
        ),
        "status": svg.status_chart(
            [(key, key, n) for n, key in enumerate(svg.STATUS_COLOURS, start=1)], title="状态"
        ),
        "daily": svg.daily_chart(
            [(d, Decimal("1.5") * (i + 1)) for i, d in enumerate(days)],
            title="每日计入学时",
            empty_text="暂无",
        ),
        "daily_empty": svg.daily_chart([], title="每日计入学时", empty_text="暂无学时记录"),
        "stacked": svg.stacked_bars(
            [("第一党支部", [1, 2, 3, 4, 5, 6, 7]), ("第二党支部", [7, 6, 5, 4, 3, 2, 1])],
            series=["群众", "积极分子", "发展对象", "预备党员", "正式党员", "其他", "又一"],
            title="各单位",
        ),
        "funnel": svg.funnel(
            [("申请入党", 120, "30 天"), ("积极分子", 60, ""), ("预备党员", 2, "")], title="流程"
        ),
        "heat": svg.heat_map(
            [("第一党支部", [0.0, 0.33, 0.66, 0.84, 1.0, None])],
            columns=["1", "2", "3", "4", "5", "6"],
            title="三会一课",
        ),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_each_chart_is_an_image_with_a_title_and_a_description(name):
    root = ET.fromstring(str(_charts()[name]))
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.find(f"{NS}title").text == root.get("aria-label")
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text.strip()


def test_descriptions_carry_the_figures():
    charts = _charts()
    bar = ET.fromstring(str(charts["bar"])).find(f"{NS}desc").text
    assert bar == "未开始：3；学习中：12；很长很长的一个标签名字：7"
    daily = ET.fromstring(str(charts["daily"])).find(f"{NS}desc").text
    assert "2026-03-01 至 2026-03-31" in daily and "共 31.5 学时" in daily
    assert "最多的一天 2026-03-31，9 学时" in daily
    assert "积极分子：60" in ET.fromstring(str(charts["funnel"])).find(f"{NS}desc").text


@pytest.mark.parametrize("name", list(_charts()))
def test_every_text_and_shape_in_a_chart_meets_contrast(name):
    root = ET.fromstring(str(_charts()[name]))
    shapes = [el for el in root.iter() if el.tag in (f"{NS}rect", f"{NS}polyline", f"{NS}line")]
    for shape in shapes:
        colour = shape.get("fill") if shape.tag == f"{NS}rect" else shape.get("stroke")
        if colour in (None, "none", svg.GRIDLINE) or name == "heat":
            continue  # gridlines guide only; heat cells carry their figure as text (below)
        for background in BACKGROUNDS:
            assert contrast_ratio(colour, background) >= GRAPHIC, (name, colour)
    rects = list(root.iter(f"{NS}rect"))
    for text in root.iter(f"{NS}text"):
        colour = text.get("fill") or "#000000"
        x, y = float(text.get("x")), float(text.get("y"))
        # Drawn on a shape (a funnel count, a heat cell) or on the page.
        under = [
            r.get("fill")
            for r in rects
            if float(r.get("x")) <= x <= float(r.get("x")) + float(r.get("width"))
            and float(r.get("y")) <= y - 3 <= float(r.get("y")) + float(r.get("height"))
        ]
        for background in under[-1:] or BACKGROUNDS:
            assert contrast_ratio(colour, background) >= TEXT, (name, text.text, colour, background)


def _extent(text) -> tuple[float, float]:
    x, width = float(text.get("x")), svg._text_width(text.text or "")
    anchor = text.get("text-anchor") or "start"
    start = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return start, start + width


def test_the_daily_chart_keeps_its_labels_inside_and_apart():
    days = [date(2026, 9, 1) + timedelta(days=n) for n in range(0, 92, 3)]
    root = ET.fromstring(
        str(
            svg.daily_chart(
                [(d, Decimal("12.5")) for d in days], title="每日计入学时", empty_text="暂无"
            )
        )
    )
    width = float(root.get("viewBox").split()[2])
    texts = list(root.iter(f"{NS}text"))
    for text in texts:
        start, end = _extent(text)
        assert start >= 0 and end <= width, (text.text, start, end)
    # The dates under the axis: first and last shown, at most six, none overlapping.
    dates = [t for t in texts if t.text and t.text[:2].isdigit() and "-" in t.text]
    labels = [t.text for t in dates]
    assert labels[0] == "09-01" and labels[-1] == "11-30" and 3 <= len(labels) <= 6
    extents = sorted(_extent(t) for t in dates)
    assert all(a[1] + 4 <= b[0] for a, b in zip(extents, extents[1:], strict=False))
    # Both scales are labelled: 学时 per day on the left, the running total on the right.
    right_axis = [t.text for t in texts if t.get("fill") == svg.GOLD and t.text[0].isdigit()]
    assert right_axis[-1] == "400" and len(right_axis) == 5


def test_a_bar_label_wider_than_its_bar_is_shortened_with_the_full_text_in_the_title():
    root = ET.fromstring(
        str(svg.bar_chart([(f"第{n}个很长很长的党支部名称", n) for n in range(1, 9)], title="t"))
    )
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("fill") == svg.INK]
    assert all(label.endswith("…") for label in labels)
    titles = [r.find(f"{NS}title").text for r in root.iter(f"{NS}rect")]
    assert titles[0] == "第1个很长很长的党支部名称: 1"


def test_description_punctuation_follows_the_interface_language():
    """Full-width ；：，（） only in a Chinese interface; English reads "label: n; label: n"."""
    from django.utils import translation

    def descs() -> dict[str, str]:
        return {
            name: ET.fromstring(str(chart)).find(f"{NS}desc").text
            for name, chart in _charts().items()
        }

    with translation.override("en"):
        english = descs()
    assert english["bar"] == "未开始: 3; 学习中: 12; 很长很长的一个标签名字: 7"
    assert english["funnel"] == "申请入党: 120 (30 天); 积极分子: 60; 预备党员: 2"
    assert english["stacked"].startswith("第一党支部: 群众 1, 积极分子 2, ")
    assert english["heat"] == "第一党支部: 1 0%, 2 33%, 3 66%, 4 84%, 5 100%, 6 —"
    for name, text in english.items():
        assert not set(text) & set("；：，（）"), (name, text)
    with translation.override("zh-hans"):
        chinese = descs()
    assert chinese["funnel"] == "申请入党：120（30 天）；积极分子：60；预备党员：2"
    assert chinese["stacked"].startswith("第一党支部：群众 1，积极分子 2，")
