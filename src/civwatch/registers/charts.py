"""Server-rendered SVG charts: readable without JavaScript, printable, accessible."""

import datetime
from dataclasses import dataclass, field

# Colour-blind-safe palette (Okabe & Ito), one colour per legal basis.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
UNKNOWN_BASIS = ""


@dataclass
class Bar:
    """One legal basis's share of a month's stack."""

    y: float
    height: float
    colour: str
    code: str
    count: int
    title: str


@dataclass
class MonthGroup:
    """A month's stack of bars; empty months keep their slot so the time axis stays honest."""

    month: datetime.date
    x: float
    width: float
    total: int
    bars: list[Bar] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # The counts in legend order, for the data table.
    cells: list[int] = field(default_factory=list)


@dataclass
class StackedMonthlyChart:
    width: int
    height: int
    months: list[MonthGroup]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    legend: list[tuple[str, str, str]]
    plot_left: int
    plot_top: int
    plot_bottom: int

    @property
    def plot_middle(self) -> float:
        return (self.plot_top + self.plot_bottom) / 2

    @property
    def months_with_data(self) -> list[MonthGroup]:
        return [month for month in self.months if month.total]


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def tick_step(peak: int, target_ticks: int = 5) -> int:
    """The smallest round step (1, 2, 5, 10, 20, 50…) giving at most target_ticks gridlines."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if peak / step <= target_ticks:
                return step
        magnitude *= 10


def stacked_monthly_chart(
    rows: list[dict], labels: dict[str, str], width: int = 960, height: int = 380
) -> StackedMonthlyChart | None:
    """Bars per month from rows of {month, legal_basis, count}, stacked by legal basis.

    labels maps legal basis codes to the names shown in tooltips and the legend.
    """
    if not rows:
        return None
    series = sorted({row["legal_basis"] or UNKNOWN_BASIS for row in rows})
    colours = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(series)}
    left, top, bottom = 56, 12, height - 46
    months = month_range(rows[0]["month"], rows[-1]["month"])
    step = (width - left - 10) / len(months)
    groups = {
        month: MonthGroup(month=month, x=round(left + i * step, 2), width=step, total=0)
        for i, month in enumerate(months)
    }
    for row in rows:
        group = groups[row["month"]]
        group.counts[row["legal_basis"] or UNKNOWN_BASIS] = row["count"]
        group.total += row["count"]
    peak = max(group.total for group in groups.values())
    scale = (bottom - top) / peak
    for group in groups.values():
        stacked = 0
        for code in series:
            count = group.counts.get(code, 0)
            if not count:
                continue
            stacked += count
            group.bars.append(
                Bar(
                    y=round(bottom - stacked * scale, 2),
                    height=round(count * scale, 2),
                    colour=colours[code],
                    code=code,
                    count=count,
                    title=f"{group.month:%Y-%m}: {count} · {labels.get(code, code)}",
                )
            )
        group.width = round(max(step - 1, 1), 2)
        group.cells = [group.counts.get(code, 0) for code in series]
    every = tick_step(peak)
    y_ticks = [(round(bottom - v * scale, 2), v) for v in range(0, peak + every, every)]
    y_ticks = [(y, v) for y, v in y_ticks if y >= top - 1]
    x_ticks = [
        (group.x, f"{group.month:%Y}")
        for i, group in enumerate(groups.values())
        if group.month.month == 1 or (i == 0 and group.month.month < 10)
    ]
    legend = [(code, colours[code], labels.get(code, code)) for code in series]
    return StackedMonthlyChart(
        width, height, list(groups.values()), y_ticks, x_ticks, legend, left, top, bottom
    )
