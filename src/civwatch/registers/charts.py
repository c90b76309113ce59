"""Server-rendered SVG charts: readable without JavaScript, printable, accessible."""

import datetime
from dataclasses import dataclass

# Colour-blind-safe palette (Okabe & Ito), one colour per legal basis.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class StackedMonthlyChart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    legend: list[tuple[str, str]]
    plot_left: int
    plot_bottom: int


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def stacked_monthly_chart(
    rows: list[dict], labels: dict[str, str], width: int = 960, height: int = 360
) -> StackedMonthlyChart | None:
    """Bars per month (rows of month, legal_basis, count), stacked by legal basis."""
    if not rows:
        return None
    months = month_range(rows[0]["month"], rows[-1]["month"])
    series = sorted({row["legal_basis"] or "" for row in rows})
    colours = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(series)}
    totals = {month: 0 for month in months}
    for row in rows:
        totals[row["month"]] += row["count"]
    peak = max(totals.values())
    left, bottom, top = 40, height - 30, 10
    step = (width - left - 10) / len(months)
    scale = (bottom - top) / peak
    bars, stacked = [], dict.fromkeys(months, 0)
    for row in rows:
        month, code = row["month"], row["legal_basis"] or ""
        y = bottom - (stacked[month] + row["count"]) * scale
        bars.append(
            Bar(
                x=left + months.index(month) * step,
                y=round(y, 1),
                width=max(step - 1, 1),
                height=round(row["count"] * scale, 1),
                colour=colours[code],
                title=f"{month:%Y-%m}: {row['count']} · {labels.get(code, code)}",
            )
        )
        stacked[month] += row["count"]
    tick_every = max(1, round(peak / 5))
    y_ticks = [(bottom - v * scale, v) for v in range(0, peak + 1, tick_every)]
    x_ticks = [(left + i * step, f"{m:%Y}") for i, m in enumerate(months) if m.month == 1 or i == 0]
    legend = [(colours[code], labels.get(code, code)) for code in series]
    return StackedMonthlyChart(width, height, bars, y_ticks, x_ticks, legend, left, bottom)
