"""The geometry of the report's charts, drawn as inline SVG by its template.

The project's own small code rather than a plotting library: two kinds of chart (a
histogram and a bar of shares), a few dozen shapes, no network, and coordinates written
with fixed precision so that the page is byte-identical for the same results.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from autograder.outcomes import Outcome
from autograder.report.model import Bin


def _n(x: float) -> str:
    """A coordinate as the SVG holds it: one decimal, no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def points(x: float) -> str:
    """Points as people read them: 37, 2.5."""
    return f"{x:g}"


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    count: int
    label: str  #: the totals it holds, in words


@dataclass(frozen=True)
class Tick:
    at: str  #: where along its axis
    text: str


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    left: int  #: where the plot starts (room for the count axis)
    bottom: int  #: where the plot ends (room for the totals axis)
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def histogram(bins: Sequence[Bin], width: int = 760, height: int = 240) -> Histogram:
    """One bar per bin, heights to the largest count; ticks on both axes."""
    left, right, top, bottom = 44, 8, 10, height - 34
    plot_w, plot_h = width - left - right, bottom - top
    tallest = max((b.count for b in bins), default=0) or 1
    step = plot_w / max(len(bins), 1)
    gap = min(2.0, step * 0.15)
    bars, x_ticks = [], []
    every = max(1, -(-len(bins) // 12))  # at most about 12 labels along the totals
    for k, b in enumerate(bins):
        h = plot_h * b.count / tallest
        label = (f"{points(b.low)}" if b.high - b.low == 1 and float(b.low).is_integer()
                 else f"{points(b.low)} to under {points(b.high)}")
        bars.append(Bar(_n(left + k * step + gap / 2), _n(bottom - h), _n(step - gap), _n(h), b.count, label))
        if k % every == 0 or k == len(bins) - 1:
            x_ticks.append(Tick(_n(left + (k + 0.5) * step), points(b.low)))
    y_ticks = tuple(Tick(_n(bottom - plot_h * v / tallest), str(v)) for v in _count_ticks(tallest))
    return Histogram(width, height, left, bottom, tuple(bars), tuple(x_ticks), y_ticks)


def _count_ticks(tallest: int) -> list[int]:
    """0, the tallest count, and up to three round counts between."""
    step = 1
    while tallest / step > 4:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if tallest / step <= 4:
                break
    return sorted({*range(0, tallest + 1, step), tallest})


@dataclass(frozen=True)
class Segment:
    x: str
    width: str
    outcome: str  #: the outcome's word, which is also its CSS class (spaces as dashes)
    css: str
    count: int


def outcome_bar(outcomes: Sequence[tuple[Outcome, int]], width: int = 220) -> tuple[Segment, ...]:
    """A bar split among the outcomes in proportion to their counts (empty ones left out)."""
    total = sum(c for _, c in outcomes)
    segments, x = [], 0.0
    for outcome, count in outcomes:
        if not count:
            continue
        w = width * count / total
        segments.append(Segment(_n(x), _n(w), outcome.value, outcome.value.replace(" ", "-"), count))
        x += w
    return tuple(segments)
