"""The /stats chart as a PNG: accuracy over the last 30 days and readiness per topic.

matplotlib runs headless (Agg) and is imported on first use: a bot that never draws a chart
never pays for it. Labels use topic ids (ASCII) so the picture renders without CJK fonts.
"""

from __future__ import annotations

import io

from bot.core.documents import StatsChart


def draw_stats(chart: StatsChart) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

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
    top.bar(x, counts, color="#d0d7e2", label="answers")
    top.set_ylabel("answers")
    twin = top.twinx()
    twin.plot(x, accuracy, marker="o", color="#1f6feb", label="accuracy %")
    twin.set_ylim(0, 100)
    twin.set_ylabel("accuracy %")
    top.set_xticks(x[::5], [d.strftime("%m-%d") for d in days[::5]])
    top.set_title(f"last {len(days)} days", fontsize=10)

    if readiness:
        names = [name for name, _ in readiness]
        values = [value * 100 for _, value in readiness]
        colors = ["#2da44e" if v >= 80 else "#d29922" if v >= 50 else "#cf222e" for v in values]
        bottom.barh(names, values, color=colors)
        bottom.set_xlim(0, 100)
        bottom.invert_yaxis()
        bottom.set_xlabel("readiness % (chance you recall it now)")
    else:
        bottom.text(0.5, 0.5, "no reviewed cards yet", ha="center", va="center")
        bottom.set_axis_off()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
