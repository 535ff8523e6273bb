"""The /stats chart as a PNG: the average score over the last 30 days and mastery per topic.

matplotlib runs headless (Agg) and is imported on first use: a bot that never draws a chart
never pays for it. A Chinese chart is drawn with the font the package ships
(bot/rendering/chart_font.py: Noto Sans CJK SC cut down to what a chart can say), so it reads the
same on every machine. Only a bank of one's own, with topic names beyond that font, needs an
installed CJK font (any of CJK_FAMILIES) for them; without one that chart is drawn from its
English twin (`StatsChart.latin`, topic ids) rather than with empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from bot.core.documents import StatsChart
from bot.rendering.chart_font import FAMILY, FONT

# Installed fonts with Simplified Chinese glyphs, in order of preference (Noto/Source Han: SIL OFL).
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
DEFAULT_FAMILY = "DejaVu Sans"  # matplotlib's own


@cache
def chart_families() -> tuple[str, ...]:
    """The families a Chinese chart is drawn with, each glyph from the first that has it: the
    shipped subset, then an installed CJK font if there is one, then matplotlib's default."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT))
    known = {f.name for f in font_manager.fontManager.ttflist}
    installed = [family for family in CJK_FAMILIES if family in known]
    return (FAMILY, *installed[:1], DEFAULT_FAMILY)


@cache
def shipped_characters() -> frozenset[str]:
    from matplotlib.ft2font import FT2Font

    return frozenset(chr(code) for code in FT2Font(str(FONT)).get_charmap())


def _texts(chart: StatsChart) -> list[str]:
    return [chart.title, *(name for name, _ in chart.readiness), *vars(chart.text).values()]


def _needs_cjk(chart: StatsChart) -> bool:
    return any(ord(ch) > 0x2E7F for text in _texts(chart) for ch in text)


def _drawable(chart: StatsChart) -> bool:
    """Whether every character of `chart` has a glyph here: in the shipped font, or an installed CJK one."""
    if len(chart_families()) > 2:
        return True
    shipped = shipped_characters()
    return all(ch in shipped or ch.isspace() for text in _texts(chart) for ch in text)


def draw_stats(chart: StatsChart) -> bytes:
    with drawn(chart) as fig:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()


@contextmanager
def drawn(chart: StatsChart) -> Iterator[Any]:
    """The chart's matplotlib figure, closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    font: dict[str, Any] = {}
    if _needs_cjk(chart):
        if _drawable(chart) or chart.latin is None:
            font = {"font.family": "sans-serif", "font.sans-serif": list(chart_families())}
        else:
            chart = chart.latin
    with plt.rc_context(font):  # type: ignore[arg-type]
        fig = _figure(plt, chart)
        try:
            yield fig
        finally:
            plt.close(fig)


def _figure(plt: Any, chart: StatsChart) -> Any:
    words = chart.text
    days = [p.day for p in chart.days]
    accuracy = [p.accuracy if p.accuracy is not None else float("nan") for p in chart.days]
    counts = [p.answers for p in chart.days]
    readiness = chart.readiness

    rows = max(1, len(readiness))
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8, 4.2 + 0.28 * rows), gridspec_kw={"height_ratios": [3, max(2, 0.35 * rows)]}
    )
    fig.suptitle(chart.title)
    x = list(range(len(days)))
    top.bar(x, counts, color="#d0d7e2", label=words.answers)
    top.set_ylabel(words.answers)
    twin = top.twinx()
    twin.plot(x, accuracy, marker="o", color="#1f6feb", label=words.score)
    twin.set_ylim(0, 100)
    twin.set_ylabel(words.score)
    top.set_xticks(x[::5], [d.strftime("%m-%d") for d in days[::5]])
    top.set_title(words.period, fontsize=10)

    if readiness:
        names = [name for name, _ in readiness]
        values = [value * 100 for _, value in readiness]
        colors = ["#2da44e" if v >= 80 else "#d29922" if v >= 50 else "#cf222e" for v in values]
        bottom.barh(names, values, color=colors)
        bottom.set_xlim(0, 100)
        bottom.invert_yaxis()
        bottom.set_xlabel(words.mastery)
    else:
        bottom.text(0.5, 0.5, words.empty, ha="center", va="center")
        bottom.set_axis_off()
    fig.tight_layout()
    return fig
