"""The /stats chart draws Chinese with the font the package ships, on any machine, every glyph present."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

import pytest

from bot.content.loader import DEFAULT_ROOT, load_topics
from bot.core.documents import DayPoint, StatsChart
from bot.core.features.stats import chart_text
from bot.core.i18n import LANGUAGES, t
from bot.rendering import chart as chart_module
from bot.rendering.chart import DEFAULT_FAMILY, drawn, shipped_characters
from bot.rendering.chart_font import FAMILY, FONT, chart_characters


def test_the_shipped_font_has_every_character_a_chart_can_draw() -> None:
    missing = sorted(set(chart_characters()) - shipped_characters())
    assert not missing, f"the chart font lacks {''.join(missing)!r}: run scripts/chart-font and commit the result"
    assert FONT.stat().st_size < 500_000  # a subset, not a whole CJK font


def _full_chart(lang: str) -> StatsChart:
    """Every topic of the bank, in `lang`, beside 30 days of scores; its English twin as the core makes it."""
    topics, _ = load_topics(DEFAULT_ROOT)
    start = date(2026, 1, 1)
    days = tuple(DayPoint(start + timedelta(days=i), i % 4, None if i % 4 == 0 else 7.5 * (i % 13)) for i in range(30))
    latin = StatsChart("studybot · 2026-01-30", days, tuple((tp.id, 0.5) for tp in topics), chart_text("en", 30))
    readiness = tuple((tp.name.get(lang), (i % 5) / 4) for i, tp in enumerate(topics))
    return StatsChart(f"{t(lang, 'stats.title')} · 2026-01-30", days, readiness, chart_text(lang, 30), latin)


def _texts_and_fonts(chart: StatsChart) -> list[tuple[str, str]]:
    from matplotlib import font_manager
    from matplotlib.text import Text

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with drawn(chart) as fig:
            fig.canvas.draw()  # lays every glyph out: a missing one warns here
            shown = [
                (text.get_text(), str(font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)))
                for text in fig.findobj(Text)
                if text.get_text()
            ]
    assert not [str(w.message) for w in caught if "missing from" in str(w.message)]
    return shown


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_chart_of_every_topic_is_drawn_in_the_learners_language_with_no_missing_glyph(lang: str) -> None:
    chart = _full_chart(lang)
    shown = _texts_and_fonts(chart)
    texts = {text for text, _ in shown}
    assert chart.title in texts and {name for name, _ in chart.readiness} <= texts
    chinese = [(text, path) for text, path in shown if any(ord(ch) > 0x2E7F for ch in text)]
    if lang == "zh":
        assert chinese and all(path == str(FONT) for _, path in chinese)
    else:
        assert not chinese


def test_a_topic_name_beyond_the_shipped_font_falls_back_to_the_english_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    rare = "龘靐齉"  # in no chart string: the font has no glyph for them
    assert not set(rare) & shipped_characters()
    chart = _full_chart("zh")
    chart = StatsChart(chart.title, chart.days, ((rare, 0.2), *chart.readiness), chart.text, chart.latin)
    monkeypatch.setattr(chart_module, "chart_families", lambda: (FAMILY, DEFAULT_FAMILY))  # no CJK font installed
    texts = {text for text, _ in _texts_and_fonts(chart)}
    assert rare not in texts and "studybot · 2026-01-30" in texts and "rag" in texts
