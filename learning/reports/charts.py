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
) -> SafeString:
    """Vertical bars with their value on top and the label underneath."""
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
