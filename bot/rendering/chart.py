"""The /stats chart as a PNG: the average score over the last 30 days and mastery per topic.

matplotlib runs headless (Agg) and is imported on first use: a bot that never draws a chart
never pays for it. The chart speaks the learner's language when a CJK font is installed (any of
CJK_FAMILIES that matplotlib finds); without one a Chinese chart is drawn from its English twin
(`StatsChart.latin`, topic ids) rather than as boxes.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from bot.core.documents import StatsChart

# Fonts with Simplified Chinese glyphs, in order of preference (Noto/Source Han: SIL OFL).
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")


@cache
def cjk_font() -> str | None:
    """The first CJK-capable family matplotlib knows, or None."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def _needs_cjk(chart: StatsChart) -> bool:
    texts = [chart.title, *(name for name, _ in chart.readiness), *vars(chart.text).values()]
    return any(ord(ch) > 0x2E7F for text in texts for ch in text)


def draw_stats(chart: StatsChart) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    family = cjk_font() if _needs_cjk(chart) else None
    if _needs_cjk(chart) and family is None and chart.latin is not None:
        chart = chart.latin
    font: dict[str, Any] = {"font.sans-serif": [family, "DejaVu Sans"]} if family else {}
    with plt.rc_context(font):  # type: ignore[arg-type]
        return _draw(plt, chart)


def _draw(plt: Any, chart: StatsChart) -> bytes:
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
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
