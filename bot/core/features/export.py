"""/export: the learner's missed and leech questions as an Anki deck (.apkg, via genanki)."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from pathlib import Path

from bot.content.schema import Question
from bot.core.context import Ctx
from bot.core.events import Attachment, Reply

# Answers below this (last attempt) count as missed.
MISSED_BELOW = 0.6
_MODEL_ID = 1_607_392_319  # fixed: Anki keys note types by id, so re-imports update rather than duplicate


def _stable_id(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def build_apkg(questions: list[Question], lang: str, deck_name: str, deck_key: str) -> bytes:
    from html import escape

    import genanki

    model = genanki.Model(
        _MODEL_ID,
        "studybot question",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "KeyPoints"}, {"name": "Topic"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "<div class=topic>{{Topic}}</div>{{Question}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<ul>{{KeyPoints}}</ul>",
            }
        ],
    )
    deck = genanki.Deck(_stable_id(deck_key), deck_name)
    for q in questions:
        answer = escape(q.answer.get(lang) if q.answer else "").replace("\n", "<br>")
        points = "".join(f"<li>{escape(kp.text(lang))}</li>" for kp in q.key_points)
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[escape(q.prompt.get(lang)), answer, points, escape(q.topic)],
                guid=genanki.guid_for("studybot", q.id, lang),
                tags=[q.topic],
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(path))
        return path.read_bytes()


async def export(ctx: Ctx) -> list[Reply]:
    history = await ctx.tx.answers.history(ctx.learner.id)
    leeches = {c.question_id for c in await ctx.tx.cards.all(ctx.learner.id) if c.leech}
    ids = {h.question_id for h in history if h.last_score < MISSED_BELOW} | leeches
    questions = sorted(
        (q for qid in ids if (q := ctx.question(qid)) is not None and q.answered), key=lambda q: (q.topic, q.id)
    )
    if not questions:
        return [ctx.say("export.nothing")]
    name = ctx.t("export.deck_name")
    data = await asyncio.to_thread(build_apkg, questions, ctx.lang, name, f"learner-{ctx.learner.id}")
    caption = ctx.t("export.caption", n=len(questions), leeches=len(leeches & ids))
    return [
        ctx.reply(
            (ctx.part("export.caption", n=len(questions), leeches=len(leeches & ids)),),
            attachment=Attachment("studybot-missed.apkg", data, "file", caption),
        )
    ]
