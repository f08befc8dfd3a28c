"""Charts as inline SVG, drawn on the server: no script, no external asset.

Each chart has a title and a description for screen readers, a <title> on every mark for
pointer users, and the page puts a table with the same numbers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from bot.dashboard.pages import ForecastDay
from bot.dashboard.progress import Activity, MonthScore

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# 0 answers, then 1, 2, 3, 4+: a light grey and greens dark enough to tell apart on white.
LEVELS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
INK = "#1f2328"
MUTED = "#57606a"
ACCENT = "#0b5cad"
CELL, GAP = 11, 2
STEP = CELL + GAP


def day_name(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def month_name(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _svg(
    chart_id: str,
    width: int,
    height: int,
    title: str,
    desc: str,
    body: list[str],
    wide: bool = True,
) -> Markup:
    """Wide charts grow with the page (up to a limit); small multiples keep their size."""
    kind = "chart wide" if wide else "chart"
    head = (
        f'<svg class="{kind}" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def heatmap(activity: Activity, chart_id: str = "activity") -> Markup:
    """A year of days, a column per week (Monday on top), darker for more answers."""
    weeks = activity.columns
    left, top = 30, 16
    width, height = left + len(weeks) * STEP, top + 7 * STEP
    body = []
    for row in (0, 2, 4):
        y = top + row * STEP + CELL - 2
        body.append(f'<text x="0" y="{y}" font-size="9" fill="{MUTED}">{WEEKDAYS[row]}</text>')
    last_month = 0
    for column, days in enumerate(weeks):
        x = left + column * STEP
        monday = days[0][0]
        if monday.month != last_month and column < len(weeks) - 2:
            body.append(
                f'<text x="{x}" y="10" font-size="9" fill="{MUTED}">'
                f"{MONTHS[monday.month - 1]}</text>"
            )
            last_month = monday.month
        for weekday, (day, count) in enumerate(days):
            if count is None:
                continue
            y = top + weekday * STEP
            colour = LEVELS[min(count, len(LEVELS) - 1)]
            body.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" fill="{colour}">'
                f"<title>{day_name(day)}: {_plural(count, 'answer')}</title></rect>"
            )
    active = sum(1 for c in activity.counts.values() if c)
    desc = (
        f"{_plural(activity.total, 'answer')} on {_plural(active, 'day')} "
        f"between {day_name(activity.start)} and {day_name(activity.today)}."
    )
    return _svg(chart_id, width, height, "Answers per day, last 52 weeks", desc, body)


def trend(months: Sequence[MonthScore], title: str, chart_id: str) -> Markup:
    """Mean score per month, 0 to 100, as a line with a dot per month."""
    width, height, left, top, bottom = 240, 80, 24, 6, 16
    plot_w, plot_h = width - left - 6, height - top - bottom
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 6}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        f'<text x="0" y="{top + 8}" font-size="9" fill="{MUTED}">100</text>',
        f'<text x="8" y="{top + plot_h}" font-size="9" fill="{MUTED}">0</text>',
    ]
    count = len(months)
    points = []
    for index, month in enumerate(months):
        x = left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)
        y = top + plot_h * (1 - month.mean / 100)
        points.append((round(x, 1), round(y, 1), month))
    if len(points) > 1:
        line = " ".join(f"{x},{y}" for x, y, _ in points)
        body.append(f'<polyline points="{line}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
    for x, y, month in points:
        body.append(
            f'<circle cx="{x}" cy="{y}" r="3" fill="{ACCENT}"><title>{month_name(month.month)}: '
            f"mean {round(month.mean)} over {_plural(month.answers, 'answer')}</title></circle>"
        )
    if months:
        body.append(
            f'<text x="{left}" y="{height - 3}" font-size="9" fill="{MUTED}">'
            f"{month_name(months[0].month)}</text>"
        )
    desc = "; ".join(f"{month_name(m.month)} {round(m.mean)}" for m in months) or "No answers."
    return _svg(chart_id, width, height, title, desc, body, wide=False)


def bars(
    items: Sequence[tuple[str, float]], title: str, chart_id: str, top_value: float | None = None
) -> Markup:
    """Horizontal bars with their labels and values, for short ranked lists."""
    label_w, bar_w, row = 140, 180, 18
    width, height = label_w + bar_w + 40, max(row * len(items), row)
    peak = top_value or max((v for _, v in items), default=1) or 1
    body = []
    for index, (label, value) in enumerate(items):
        y = index * row
        length = round(bar_w * value / peak, 1)
        short = label if len(label) <= 22 else label[:21] + "…"
        shown = f"{value:g}" if isinstance(value, int) else str(round(value))
        body.append(
            f'<text x="0" y="{y + 12}" font-size="11" fill="{INK}">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row - 6}" '
            f'fill="{ACCENT}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{label_w + length + 4}" y="{y + 12}" font-size="11" '
            f'fill="{INK}">{shown}</text>'
        )
    desc = "; ".join(f"{label} {round(value)}" for label, value in items) or "Nothing yet."
    return _svg(chart_id, width, height, title, desc, body)


def forecast(days: Sequence[ForecastDay], chart_id: str = "forecast") -> Markup:
    """Review cards due per day, for the days ahead."""
    items = [(day_name(d.day), float(d.due)) for d in days]
    return bars(items, "Reviews due per day", chart_id)
