"""Report charts as inline SVG built on the server: no CDN, no JavaScript, prints as is.

Accessible (WCAG 2.1 AA): every chart is role="img" with a <title> (its name) and a <desc> (what
it shows, values included), and the page shows the same figures in a data table beside it. Every
colour that carries meaning has at least 3:1 contrast against the page (1.4.11, non-text), every
text 4.5:1 (1.4.3) — against white and the site's cream background (BACKGROUNDS); the palette
values are checked by tests/charts/test_contrast.py."""

from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 42
# The pages charts are drawn on: the admin's and cards' white, the site's cream (--bg).
BACKGROUNDS = ("#ffffff", "#faf7f2")
RED = "#b71c1c"
# Dark gold: the running-total line and its labels, the markers (text contrast ≥ 4.5:1).
GOLD = "#7a5d12"
# Axis labels and notes (#666 as the site's --muted: 5.4:1 on cream).
GREY = "#666666"
INK = "#333333"
STATUS_COLOURS = {
    "not_started": "#757575",
    "in_progress": "#1976d2",
    "hours_met": "#b26a00",
    "completed": "#2e7d32",
    "failed": "#c62828",
}
# Only a faint guide, never information: exempt from the contrast rule.
GRIDLINE = "#e5e5e5"
# Labels wider than their bar are shortened (the full text in the bar's <title> and the table).
CJK_WIDTH, LATIN_WIDTH = 11.0, 6.2


def _text_width(text: str) -> float:
    return sum(CJK_WIDTH if ord(c) > 0x2E7F else LATIN_WIDTH for c in text)


def _fit(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _chinese() -> bool:
    """The interface is Chinese: a <desc> then uses full-width punctuation (；：，（）), and ASCII
    punctuation in any other language (the labels themselves stay as the data has them)."""
    return (get_language() or "zh-hans").lower().startswith("zh")


def _summary(items: list[tuple[str, object]]) -> str:
    if _chinese():
        return "；".join(f"{label}：{value}" for label, value in items)
    return "; ".join(f"{label}: {value}" for label, value in items)


def _figures(parts) -> str:
    return ("，" if _chinese() else ", ").join(parts)


def _noted(figure: object, note: str) -> str:
    return f"{figure}（{note}）" if _chinese() else f"{figure} ({note})"


def _svg(title: str, body: list[str], desc: str = "") -> SafeString:
    return _svg_sized(title, WIDTH, HEIGHT, body, desc)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    # Multiples of 4, so the four gridline steps of a count axis are whole numbers.
    for step in (4, 8, 12, 20, 40, 60, 100, 200, 400, 1000, 2000, 4000, 10000, 20000):
        if value <= step:
            return step
    return float(value)


def _axis(max_value: float, fmt=lambda v: f"{v:g}") -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = max_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRIDLINE}"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{GREY}">'
            f"{escape(fmt(value))}</text>"
        )
    return parts


def bar_chart(
    bars: list[tuple[str, float | int | Decimal]],
    *,
    title: str,
    colours: list[str] | None = None,
    markers: list[tuple[int, str]] | None = None,
) -> SafeString:
    """Vertical bars with their value on top and the label underneath; each marker (index,
    text) is a dashed line drawn before bar `index`, with its text on top (e.g. a required
    line between two bands)."""
    values = [float(v) for _label, v in bars]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(bars))
    parts = _axis(top)
    for index, ((label, _v), value) in enumerate(zip(bars, values, strict=True)):
        shown = _fit(str(label), slot - 4)
        h = plot_h * value / top
        x = LEFT + slot * index + slot * 0.15
        y = TOP + plot_h - h
        colour = colours[index] if colours else RED
        cx = x + slot * 0.35
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {value:g}</title></rect>'
            f'<text x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle">{value:g}</text>'
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
            f'fill="{INK}">{escape(shown)}</text>'
        )
    for index, text in markers or []:
        x = LEFT + slot * index
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 2}" y2="{TOP + plot_h}" '
            f'stroke="{GOLD}" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x + 3:.1f}" y="{TOP + 10}" fill="{GOLD}">{escape(text)}</text>'
        )
    return _svg(
        title,
        parts,
        _summary([(label, f"{v:g}") for (label, _v), v in zip(bars, values, strict=True)]),
    )


def status_chart(statuses: list[tuple[str, str, int]], *, title: str) -> SafeString:
    return bar_chart(
        [(label, n) for _value, label, n in statuses],
        title=title,
        colours=[STATUS_COLOURS.get(value, RED) for value, _label, _n in statuses],
    )


DAILY_RIGHT = 40  # room for the running total's own axis, on the right
DATE_TICKS = 6


def daily_chart(daily: list[tuple[date, Decimal]], *, title: str, empty_text: str) -> SafeString:
    """Daily credited 学时 as bars on the left axis, and the running total as a gold line on its
    own axis on the right; a legend on top, up to DATE_TICKS dates under the axis (the first and
    last always, kept inside the chart)."""
    if not daily:
        return _svg(
            title,
            [
                f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="{GREY}">'
                f"{escape(empty_text)}</text>"
            ],
            empty_text,
        )
    days = [d for d, _h in daily]
    values = [float(h) for _d, h in daily]
    running, total = [], 0.0
    for value in values:
        total += value
        running.append(total)
    top = _nice_max(max(values))
    top_total = _nice_max(total)
    legend_h = 16
    plot_top = TOP + legend_h
    right = WIDTH - DAILY_RIGHT
    plot_w, plot_h = right - LEFT, HEIGHT - plot_top - BOTTOM
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    bar_w = max(1.5, min(18.0, plot_w / (span + 1) * 0.7))

    def x_of(day: date) -> float:
        # Half a bar of room at each end, so the first and last bars stay inside the axes.
        inner = plot_w - bar_w
        return LEFT + bar_w / 2 + inner * ((day - first).days / span if span else 0.5)

    def y_of(value: float, scale: float) -> float:
        return plot_top + plot_h - plot_h * value / scale

    parts = []
    for i in range(5):
        y = plot_top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRIDLINE}"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{GREY}">'
            f"{top * i / 4:g}</text>"
            f'<text x="{right + 4}" y="{y + 4:.1f}" fill="{GOLD}">{top_total * i / 4:g}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{right}" y1="{plot_top + plot_h}" y2="{plot_top + plot_h}" '
        f'stroke="{GREY}"/>'
    )
    for day, value in zip(days, values, strict=True):
        h = plot_h * value / top
        parts.append(
            f'<rect x="{x_of(day) - bar_w / 2:.1f}" y="{y_of(value, top):.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}" fill="{RED}">'
            f"<title>{day.isoformat()}: {value:g}</title></rect>"
        )
    points = " ".join(
        f"{x_of(day):.1f},{y_of(value, top_total):.1f}"
        for day, value in zip(days, running, strict=True)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="{GOLD}" stroke-width="2"/>')
    # Legend: what the bars and the line are, with the total.
    daily_label, total_label = _("每日学时"), _("累计学时 %(total)s") % {"total": f"{total:g}"}
    parts.append(
        f'<rect x="{LEFT}" y="{TOP - 9}" width="10" height="10" fill="{RED}"/>'
        f'<text x="{LEFT + 14}" y="{TOP}" fill="{INK}">{escape(daily_label)}</text>'
        f'<line x1="{LEFT + 110}" x2="{LEFT + 128}" y1="{TOP - 4}" y2="{TOP - 4}" '
        f'stroke="{GOLD}" stroke-width="2"/>'
        f'<text x="{LEFT + 132}" y="{TOP}" fill="{GOLD}">{escape(total_label)}</text>'
    )
    # Dates: evenly spread over the span, whole days, first and last anchored inside.
    ticks = sorted(
        {first.toordinal() + round(span * i / (DATE_TICKS - 1)) for i in range(DATE_TICKS)}
    )
    if span < DATE_TICKS:
        ticks = sorted({d.toordinal() for d in days})
    for ordinal in ticks:
        day = date.fromordinal(ordinal)
        x = x_of(day)
        anchor = (
            "start"
            if day == first and len(ticks) > 1
            else "end"
            if day == last and len(ticks) > 1
            else "middle"
        )
        if anchor == "start":
            x = max(x - bar_w / 2, LEFT)
        elif anchor == "end":
            x = min(x + bar_w / 2, right)
        parts.append(
            f'<line x1="{x_of(day):.1f}" x2="{x_of(day):.1f}" y1="{plot_top + plot_h}" '
            f'y2="{plot_top + plot_h + 4}" stroke="{GREY}"/>'
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}" '
            f'fill="{INK}">{day.strftime("%m-%d")}</text>'
        )
    busiest = max(range(len(days)), key=lambda i: values[i])
    desc = _(
        "%(first)s 至 %(last)s，%(n)s 天有学时记录，共 %(total)s 学时；"
        "最多的一天 %(day)s，%(most)s 学时。"
    ) % {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "n": len(days),
        "total": f"{total:g}",
        "day": days[busiest].isoformat(),
        "most": f"{values[busiest]:g}",
    }
    return _svg(title, parts, desc)


# --- charts of many rows (party statistics) ---------------------------------------------------

ROW_H = 22
LABEL_W = 150
SERIES_COLOURS = ["#757575", "#b26a00", "#e65100", "#1976d2", "#5e35b1", "#b71c1c", "#2e7d32"]
# Longest <desc>: a chart of many rows says its first figures; the table beside it has them all.
DESC_LIMIT = 600


def _svg_sized(
    title: str, width: float, height: float, body: list[str], desc: str = ""
) -> SafeString:
    if len(desc) > DESC_LIMIT:
        desc = desc[: DESC_LIMIT - 1] + "…"
    description = f"<desc>{escape(desc)}</desc>" if desc else ""
    return mark_safe(  # noqa: S308 — every text part passes through escape()
        f'<svg class="report-chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{description}{''.join(body)}</svg>"
    )


def _short(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def stacked_bars(
    rows: list[tuple[str, list[float | int]]],
    *,
    series: list[str],
    title: str,
    colours: list[str] | None = None,
) -> SafeString:
    """One horizontal bar per row (a unit), split into the series (stages), total at its end,
    legend on top. Height grows with the rows, so a phone scrolls rather than squeezes."""
    colours = colours or SERIES_COLOURS
    legend_h = 18 * ((len(series) + 3) // 4)
    top = TOP + legend_h
    height = top + ROW_H * max(1, len(rows)) + 8
    plot_w = WIDTH - LABEL_W - 40
    biggest = max((sum(values) for _label, values in rows), default=0) or 1
    parts = []
    for index, name in enumerate(series):
        x = LEFT + (index % 4) * 110
        y = TOP + 18 * (index // 4)
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colours[index % len(colours)]}"/>'
            f'<text x="{x + 14}" y="{y}" fill="{INK}">{escape(name)}</text>'
        )
    for row_index, (label, values) in enumerate(rows):
        y = top + ROW_H * row_index
        x = float(LABEL_W)
        parts.append(
            f'<text x="{LABEL_W - 4}" y="{y + 14}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        for index, value in enumerate(values):
            if not value:
                continue
            w = plot_w * float(value) / biggest
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 8}" '
                f'fill="{colours[index % len(colours)]}"><title>{escape(label)} · '
                f"{escape(series[index])}: {value:g}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}" fill="{GREY}">{sum(values):g}</text>')
    desc = _summary(
        [
            (
                label,
                _figures(f"{name} {value:g}" for name, value in zip(series, values, strict=False)),
            )
            for label, values in rows
        ]
    )
    return _svg_sized(title, WIDTH, height, parts, desc)


def funnel(steps: list[tuple[str, int, str]], *, title: str) -> SafeString:
    """The stages of a path as centred bars narrowing with the count; `note` (e.g. the median
    days to the next stage) written between the bars."""
    step_h = 34
    height = TOP + step_h * max(1, len(steps)) + 4
    biggest = max((n for _label, n, _note in steps), default=0) or 1
    centre = (WIDTH + LABEL_W) / 2
    plot_w = WIDTH - LABEL_W - 20
    parts = []
    for index, (label, n, note) in enumerate(steps):
        y = TOP + step_h * index
        w = max(2.0, plot_w * n / biggest)
        parts.append(
            f'<text x="{LABEL_W - 4}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
            f'<rect x="{centre - w / 2:.1f}" y="{y + 2}" width="{w:.1f}" height="18" '
            f'fill="{RED}"><title>{escape(label)}: {n}</title></rect>'
        )
        # The count in the bar (white on red) when it fits, else beside it (ink on the page).
        if w >= _text_width(str(n)) + 6:
            parts.append(
                f'<text x="{centre:.1f}" y="{y + 15}" text-anchor="middle" fill="#ffffff">{n}</text>'
            )
        else:
            parts.append(f'<text x="{centre + w / 2 + 4:.1f}" y="{y + 15}" fill="{INK}">{n}</text>')
        if note:
            parts.append(
                f'<text x="{centre:.1f}" y="{y + 31}" text-anchor="middle" fill="{GREY}">'
                f"↓ {escape(note)}</text>"
            )
    desc = _summary([(label, _noted(n, note) if note else n) for label, n, note in steps])
    return _svg_sized(title, WIDTH, height, parts, desc)


def text_colour_on(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (≥ 4.5:1 for the heat map's cells)."""
    return (
        "#000000"
        if contrast_ratio(fill, "#000000") >= contrast_ratio(fill, "#ffffff")
        else "#ffffff"
    )


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb or #rgb colour."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _heat_colour(share: float | None) -> str:
    if share is None:
        return "#f0f0f0"
    # white-ish red (none held) → green (all held)
    red = (0xEF, 0x9A, 0x9A)
    green = (0x2E, 0x7D, 0x32)
    mix = [round(r + (g - r) * share) for r, g in zip(red, green, strict=True)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def heat_map(
    rows: list[tuple[str, list[float | None]]], *, columns: list[str], title: str
) -> SafeString:
    """Rows (units) × columns (months), each cell coloured by a share from 0 (red) to 1 (green);
    None = nothing due (grey). The share is written in the cell as a percentage."""
    cell_w = (WIDTH - LABEL_W - 8) / max(1, len(columns))
    height = TOP + 14 + ROW_H * max(1, len(rows)) + 4
    parts = []
    for index, column in enumerate(columns):
        parts.append(
            f'<text x="{LABEL_W + cell_w * index + cell_w / 2:.1f}" y="{TOP + 6}" '
            f'text-anchor="middle" fill="{GREY}">{escape(column)}</text>'
        )
    for row_index, (label, shares) in enumerate(rows):
        y = TOP + 14 + ROW_H * row_index
        parts.append(
            f'<text x="{LABEL_W - 4}" y="{y + 14}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        for index, share in enumerate(shares):
            x = LABEL_W + cell_w * index
            text = "" if share is None else f"{share * 100:.0f}"
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y + 1}" width="{cell_w - 2:.1f}" height="{ROW_H - 2}" '
                f'fill="{_heat_colour(share)}"><title>{escape(label)} · {escape(columns[index])}: '
                f"{escape(text or '—')}%</title></rect>"
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 15}" text-anchor="middle" '
                f'fill="{text_colour_on(_heat_colour(share))}" font-size="9">{text}</text>'
            )
    desc = _summary(
        [
            (
                label,
                _figures(
                    f"{column} {'—' if share is None else f'{share * 100:.0f}%'}"
                    for column, share in zip(columns, shares, strict=False)
                ),
            )
            for label, shares in rows
        ]
    )
    return _svg_sized(title, WIDTH, height, parts, desc)
