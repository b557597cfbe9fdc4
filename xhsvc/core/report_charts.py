"""Charts of the manager's reports, as text for a terminal (bars of block characters, sparklines)
and as the geometry of inline SVG for the HTML page: numbers and plain text, which the template
escapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BLOCKS = " ▏▎▍▌▋▊▉█"
SPARKS = "▁▂▃▄▅▆▇█"
WIDTH = 680

# Text charts ------------------------------------------------------------------------------------


def bar(value: float | None, maximum: float, width: int = 20) -> str:
    """`value` of `maximum` as a bar `width` cells long at most, in eighths of a cell."""
    if not value or maximum <= 0:
        return ""
    eighths = round(min(value / maximum, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


def sparkline(values: Sequence[float | None]) -> str:
    """One character a value, low to high (a blank where there is none): a month in 30 cells."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            out.append(
                SPARKS[round((v - low) / span * (len(SPARKS) - 1))] if span else SPARKS[3 if high else 0]
            )
    return "".join(out)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def minutes_text(value: float | None) -> str:
    """Minutes as a person reads them: 45m, 3h05m, 2d4h (days of 24 hours)."""
    if value is None:
        return "—"
    total = round(value)
    days, rest = divmod(total, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m"


# SVG geometry -----------------------------------------------------------------------------------


def hbars(title: str, items: Sequence[tuple[str, float | None, str]], *, maximum: float) -> dict[str, Any]:
    """Horizontal bars, one a (label, value, shown text)."""
    label_w, row_h, bar_w = 170, 24, WIDTH - 170 - 90
    bars = []
    for i, (label, value, text) in enumerate(items):
        y = 8 + i * row_h
        w = round(bar_w * min((value or 0) / maximum, 1.0), 1) if maximum > 0 else 0
        bars.append(
            {"label": label, "text": text, "x": label_w, "y": y, "w": w, "h": row_h - 8, "ty": y + 12}
        )
    return {
        "kind": "hbars",
        "title": title,
        "width": WIDTH,
        "height": 16 + len(items) * row_h,
        "label_x": label_w - 8,
        "bars": bars,
        "text_x": label_w + 6,
    }


def columns(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]]
) -> dict[str, Any]:
    """Stacked columns, one a day: `series` is (name, values, css class), bottom first."""
    height, top, bottom, left = 170, 10, 24, 40
    plot_h = height - top - bottom
    n = max(len(labels), 1)
    step = (WIDTH - left - 10) / n
    highest = max([sum(s[1][i] for s in series) for i in range(len(labels))] or [0]) or 1
    rects = []
    for i in range(len(labels)):
        base = height - bottom
        for _name, values, css in series:
            h = round(plot_h * values[i] / highest, 1)
            if h:
                rects.append(
                    {
                        "x": round(left + i * step + 1, 1),
                        "y": round(base - h, 1),
                        "w": round(step - 2, 1),
                        "h": h,
                        "css": css,
                    }
                )
            base -= h
    ticks = [
        {"x": round(left + i * step + step / 2, 1), "text": labels[i]}
        for i in range(len(labels))
        if i % 5 == 0 or i == len(labels) - 1
    ]
    return {
        "kind": "columns",
        "title": title,
        "width": WIDTH,
        "height": height,
        "rects": rects,
        "ticks": ticks,
        "tick_y": height - 8,
        "axis_y": height - bottom,
        "left": left,
        "max_text": f"{highest:g}",
        "max_y": top + 8,
        "legend": [{"name": name, "css": css} for name, _values, css in series],
    }


def line(
    title: str, labels: Sequence[str], values: Sequence[float | None], *, maximum: float = 100
) -> dict[str, Any]:
    """A line over the days (breaks where a day has no value), 0 to `maximum` on the axis."""
    height, top, bottom, left = 150, 10, 24, 40
    plot_h = height - top - bottom
    step = (WIDTH - left - 10) / max(len(values), 1)
    segments: list[list[str]] = [[]]
    dots = []
    for i, v in enumerate(values):
        if v is None:
            if segments[-1]:
                segments.append([])
            continue
        x, y = round(left + i * step + step / 2, 1), round(top + plot_h * (1 - v / maximum), 1)
        segments[-1].append(f"{x},{y}")
        dots.append({"x": x, "y": y})
    ticks = [
        {"x": round(left + i * step + step / 2, 1), "text": labels[i]}
        for i in range(len(labels))
        if i % 5 == 0 or i == len(labels) - 1
    ]
    return {
        "kind": "line",
        "title": title,
        "width": WIDTH,
        "height": height,
        "lines": [" ".join(s) for s in segments if s],
        "dots": dots,
        "ticks": ticks,
        "tick_y": height - 8,
        "axis_y": height - bottom,
        "left": left,
        "grid": [{"y": round(top + plot_h * (1 - f), 1), "text": f"{maximum * f:g}"} for f in (0, 0.5, 1)],
    }


def table(
    title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = ()
) -> dict[str, Any]:
    return {
        "title": title,
        "columns": [{"label": h, "numeric": i in numeric} for i, h in enumerate(headings)],
        "rows": [["" if c is None else c for c in row] for row in rows],
    }
