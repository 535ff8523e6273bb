"""The font the /stats chart draws Chinese with: a subset of Noto Sans CJK SC shipped in the package.

A full CJK font is 16–100 MB (the PyPI packages that ship one are that size, or of doubtful
licence); the chart only ever draws its own few words, the topic names and digits. So the package
carries Noto Sans CJK SC (SIL Open Font License 1.1, see fonts/OFL.txt) cut down to exactly those
characters, a few dozen kB. `scripts/chart-font` makes it from a full Noto Sans CJK font;
tests/unit/test_chart_font.py fails when a catalog or topic change needs a character the file
lacks (then run the script again). The subset has a family name of its own, so an installed full
Noto Sans CJK is never confused with it.
"""

from __future__ import annotations

import string
from pathlib import Path

FONT = Path(__file__).with_name("fonts") / "chart-cjk.otf"
FAMILY = "studybot Chart CJK"
# The catalog's messages the chart draws (bot/core/features/stats.py: `stats_chart`, `chart_text`).
CHART_KEYS = ("stats.title", "chart.answers", "chart.score", "chart.period", "chart.mastery", "chart.empty")
# Dates, numbers, ids and the title's separator, whatever the language.
ALWAYS = string.digits + string.ascii_letters + string.punctuation + " ·"


def chart_characters(content_root: Path | None = None) -> str:
    """Every character a chart can draw in any language, sorted: its words, the topic names, ALWAYS."""
    # Imported here: the renderer's worker, which only needs FONT, never loads the bank's code.
    from bot.content.loader import DEFAULT_ROOT, load_topics
    from bot.core.i18n import LANGUAGES, catalog

    texts = [ALWAYS]
    for lang in LANGUAGES:
        texts += [catalog(lang)[key] for key in CHART_KEYS]
    topics, _ = load_topics(content_root or DEFAULT_ROOT)
    texts += [topic.name.get(lang) for topic in topics for lang in LANGUAGES]
    return "".join(sorted({ch for text in texts for ch in text if ch.isprintable()}))


def make_subset(source: Path, out: Path, characters: str, font_number: int = 0) -> None:
    """Cut `source` (an .otf, or one face of an .ttc) down to `characters`, renamed to FAMILY."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=font_number, lazy=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.layout_features = ["*"]  # matplotlib shapes nothing, but keep what other readers expect
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    _rename(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)


def _rename(font: object) -> None:
    # OFL 1.1: a modified font may keep a name that is not reserved (Noto's is not), but a name of
    # its own says plainly that this is not the whole font, and keeps it apart from an installed one.
    names = font["name"]  # type: ignore[index]
    postscript = FAMILY.replace(" ", "") + "-Regular"
    for record in names.names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID in (3, 4):
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = postscript
        elif record.nameID == 17:
            record.string = "Regular"
    if "CFF " in font:  # type: ignore[operator]
        cff = font["CFF "].cff  # type: ignore[index]
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} Regular", FAMILY
