"""/export: the learner's missed and leech questions as an Anki deck (packed by the Renderer)."""

from __future__ import annotations

from bot.content.schema import Question
from bot.core.context import Ctx
from bot.core.documents import Deck, DeckNote
from bot.core.events import Attachment, Reply

# Answers below this (last attempt) count as missed.
MISSED_BELOW = 0.6


def deck_of(questions: list[Question], lang: str, name: str, key: str) -> Deck:
    """The notes of the deck: every text in `lang`, as the Renderer packs them."""
    notes = tuple(
        DeckNote(
            q.id,
            q.topic,
            q.prompt.get(lang),
            q.answer.get(lang) if q.answer else "",
            tuple(kp.text(lang) for kp in q.key_points),
        )
        for q in questions
    )
    return Deck(name, key, lang, notes)


async def export(ctx: Ctx) -> list[Reply]:
    history = await ctx.tx.answers.history(ctx.learner.id)
    leeches = {c.question_id for c in await ctx.tx.cards.all(ctx.learner.id) if c.leech}
    ids = {h.question_id for h in history if h.last_score < MISSED_BELOW} | leeches
    questions = sorted(
        (q for qid in ids if (q := ctx.question(qid)) is not None and q.answered), key=lambda q: (q.topic, q.id)
    )
    if not questions:
        return [ctx.say("export.nothing")]
    deck = deck_of(questions, ctx.lang, ctx.t("export.deck_name"), f"learner-{ctx.learner.id}")
    caption = ctx.t("export.caption", n=len(questions), leeches=len(leeches & ids))
    return [
        ctx.reply(
            (ctx.part("export.caption", n=len(questions), leeches=len(leeches & ids)),),
            attachment=Attachment(f"{ctx.file_prefix}missed.apkg", b"", "file", caption, deck),
        )
    ]
