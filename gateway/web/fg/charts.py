"""The FG's two charts as inline SVG, built here: no script, no inline style.

The portal's content security policy allows no script and no inline style, so the
charts are plain SVG elements with presentation attributes and classes from the
portal's stylesheet. Each has a title and a description (role="img"), and the page
shows the same numbers in a table beside it for whoever cannot see the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from markupsafe import Markup

from gateway.web import wording

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
PLOT_HEIGHT = 180


def purposes(counts: Mapping[str, int], *, chart_id: str = "grafiek-doelen") -> Markup:
    """Horizontal bars: accesses per purpose, most first."""
    items = list(counts.items())
    height = max(len(items), 1) * (BAR_HEIGHT + GAP) + GAP
    top = max((n for _, n in items), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 60
    parts = [_open(chart_id, height, "Toegang per doel", _purpose_desc(items))]
    if not items:
        parts.append(_text(GAP, height / 2 + 5, "Geen toegang in deze periode.", "leeg"))
    for index, (code, count) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = round(span * count / top, 1)
        label = _short(wording.first_upper(wording.officer_purpose(code)), 34)
        parts.append(_text(0, y + 16, label, "label"))
        parts.append(
            Markup(
                '<rect class="balk" x="{}" y="{}" width="{}" height="{}" fill="#00497f"/>'
            ).format(LABEL_WIDTH, y, length, BAR_HEIGHT)
        )
        parts.append(_text(LABEL_WIDTH + length + 6, y + 16, str(count), "getal"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def denials(per_day: Mapping[date, int], *, chart_id: str = "grafiek-weigeringen") -> Markup:
    """Columns: denials per day over the period."""
    days = list(per_day.items())
    top = max((n for _, n in days), default=0) or 1
    height = PLOT_HEIGHT + 40
    step = (WIDTH - 40) / max(len(days), 1)
    parts = [_open(chart_id, height, "Weigeringen per dag", _denial_desc(days))]
    parts.append(
        Markup('<line class="as" x1="30" y1="{}" x2="{}" y2="{}" stroke="#595959"/>').format(
            PLOT_HEIGHT + 5, WIDTH, PLOT_HEIGHT + 5
        )
    )
    parts.append(_text(0, 15, str(top), "getal"))
    for index, (day, count) in enumerate(days):
        x = 34 + index * step
        bar = round(PLOT_HEIGHT * count / top, 1)
        parts.append(
            Markup(
                '<rect class="kolom" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{}" '
                'fill="#a4000f"/>'
            ).format(x, PLOT_HEIGHT + 5 - bar, max(step - 4, 2), bar)
        )
        if index % max(len(days) // 7, 1) == 0:
            parts.append(_text(x, PLOT_HEIGHT + 25, f"{day.day}-{day.month}", "as-label"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _open(chart_id: str, height: float, title: str, desc: str) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="grafiek" role="img" '
        'viewBox="0 0 {width} {height}" width="100%" '
        'aria-labelledby="{id}-titel {id}-uitleg">'
        '<title id="{id}-titel">{title}</title><desc id="{id}-uitleg">{desc}</desc>'
    ).format(width=WIDTH, height=height, id=chart_id, title=title, desc=desc)


def _text(x: float, y: float, value: str, cls: str) -> Markup:
    return Markup('<text class="{}" x="{:.1f}" y="{:.1f}">{}</text>').format(cls, x, y, value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _purpose_desc(items: list[tuple[str, int]]) -> str:
    if not items:
        return "Geen toegang in deze periode."
    return "; ".join(f"{wording.officer_purpose(code)}: {count}" for code, count in items) + "."


def _denial_desc(days: list[tuple[date, int]]) -> str:
    total = sum(n for _, n in days)
    if not days:
        return "Geen dagen in deze periode."
    worst = max(days, key=lambda item: item[1])
    denied = wording.counted(total, "weigering", "weigeringen")
    return (
        f"{denied} van {wording.day(days[0][0])} tot en met "
        f"{wording.day(days[-1][0])}; de meeste op {wording.day(worst[0])} ({worst[1]})."
    )
