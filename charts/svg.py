"""Report charts as inline SVG built on the server: no CDN, no JavaScript, prints as is."""

from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 42
RED = "#b71c1c"
GOLD = "#c9a13b"
GREY = "#888"
STATUS_COLOURS = {
    "not_started": "#9e9e9e",
    "in_progress": "#1e88e5",
    "hours_met": "#f9a825",
    "completed": "#2e7d32",
    "failed": "#c62828",
}


def _svg(title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 — every text part below passes through escape()
        f'<svg class="report-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


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
            f'stroke="#e5e5e5"/>'
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
            f'fill="#333">{escape(label)}</text>'
        )
    for index, text in markers or []:
        x = LEFT + slot * index
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 2}" y2="{TOP + plot_h}" '
            f'stroke="{GOLD}" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x + 3:.1f}" y="{TOP + 10}" fill="#7a5d12">{escape(text)}</text>'
        )
    return _svg(title, parts)


def status_chart(statuses: list[tuple[str, str, int]], *, title: str) -> SafeString:
    return bar_chart(
        [(label, n) for _value, label, n in statuses],
        title=title,
        colours=[STATUS_COLOURS.get(value, RED) for value, _label, _n in statuses],
    )


def daily_chart(daily: list[tuple[date, Decimal]], *, title: str, empty_text: str) -> SafeString:
    """Daily credited 学时 as bars, and the running total as a gold line on its own scale."""
    if not daily:
        return _svg(
            title,
            [
                f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="{GREY}">'
                f"{escape(empty_text)}</text>"
            ],
        )
    days = [d for d, _h in daily]
    values = [float(h) for _d, h in daily]
    running, total = [], 0.0
    for value in values:
        total += value
        running.append(total)
    top = _nice_max(max(values))
    top_total = _nice_max(total)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    bar_w = max(1.5, min(18.0, plot_w / (span + 1) * 0.7))

    def x_of(day: date) -> float:
        return LEFT + plot_w * ((day - first).days / span if span else 0.5)

    parts = _axis(top)
    for day, value in zip(days, values, strict=True):
        h = plot_h * value / top
        parts.append(
            f'<rect x="{x_of(day) - bar_w / 2:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}" fill="{RED}">'
            f"<title>{day.isoformat()}: {value:g}</title></rect>"
        )
    points = " ".join(
        f"{x_of(day):.1f},{TOP + plot_h - plot_h * value / top_total:.1f}"
        for day, value in zip(days, running, strict=True)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="{GOLD}" stroke-width="2"/>')
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{TOP - 4}" text-anchor="end" fill="{GOLD}">'
        f"∑ {total:g}</text>"
    )
    for day in {first, last}:
        parts.append(
            f'<text x="{x_of(day):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
            f'fill="#333">{day.strftime("%m-%d")}</text>'
        )
    return _svg(title, parts)


# --- charts of many rows (party statistics) ---------------------------------------------------

ROW_H = 22
LABEL_W = 150
SERIES_COLOURS = ["#9e9e9e", "#f9a825", "#ef6c00", "#1e88e5", "#5e35b1", "#b71c1c", "#2e7d32"]


def _svg_sized(title: str, width: float, height: float, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 — every text part passes through escape()
        f'<svg class="report-chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
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
            f'<text x="{x + 14}" y="{y}" fill="#333">{escape(name)}</text>'
        )
    for row_index, (label, values) in enumerate(rows):
        y = top + ROW_H * row_index
        x = float(LABEL_W)
        parts.append(
            f'<text x="{LABEL_W - 4}" y="{y + 14}" text-anchor="end" fill="#333">'
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
    return _svg_sized(title, WIDTH, height, parts)


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
            f'<text x="{LABEL_W - 4}" y="{y + 15}" text-anchor="end" fill="#333">'
            f"{escape(label)}</text>"
            f'<rect x="{centre - w / 2:.1f}" y="{y + 2}" width="{w:.1f}" height="18" '
            f'fill="{RED}" opacity="{1 - 0.12 * index:.2f}"><title>{escape(label)}: {n}</title>'
            f"</rect>"
            f'<text x="{centre:.1f}" y="{y + 15}" text-anchor="middle" fill="#fff" '
            f'stroke="{RED}" stroke-width="0.3">{n}</text>'
        )
        if note:
            parts.append(
                f'<text x="{centre:.1f}" y="{y + 31}" text-anchor="middle" fill="{GREY}">'
                f"↓ {escape(note)}</text>"
            )
    return _svg_sized(title, WIDTH, height, parts)


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
            f'<text x="{LABEL_W - 4}" y="{y + 14}" text-anchor="end" fill="#333">'
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
                f'fill="{"#fff" if share is not None and share > 0.6 else "#333"}" '
                f'font-size="9">{text}</text>'
            )
    return _svg_sized(title, WIDTH, height, parts)
