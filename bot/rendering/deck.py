"""The /export deck as an Anki package (.apkg, via genanki), every text HTML-escaped."""

from __future__ import annotations

import hashlib
import tempfile
from html import escape
from pathlib import Path

from bot.core.documents import Deck

_MODEL_ID = 1_607_392_319  # fixed: Anki keys note types by id, so re-imports update rather than duplicate


def _stable_id(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def pack_deck(deck: Deck) -> bytes:
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
    package = genanki.Deck(_stable_id(deck.key), deck.name)
    for note in deck.notes:
        points = "".join(f"<li>{escape(point)}</li>" for point in note.key_points)
        package.add_note(
            genanki.Note(
                model=model,
                fields=[escape(note.prompt), escape(note.answer).replace("\n", "<br>"), points, escape(note.topic)],
                guid=genanki.guid_for("studybot", note.question_id, deck.lang),
                tags=[note.topic],
            )
        )
    # genanki writes a file; the package is handed on as bytes.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(package).write_to_file(str(path))
        return path.read_bytes()
