"""`studybot appeals`: what learners said the grader got wrong, grouped by question for authors."""

from __future__ import annotations

import json
from itertools import groupby

from bot.bootstrap import bootstrap
from bot.settings import Settings


async def appeals_report(settings: Settings, *, as_json: bool = False) -> str:
    async with bootstrap(settings, adapters=(), warm=False) as system:
        bank = system.bank
        async with system.store.transaction() as tx:
            appeals = await tx.appeals.all()
    # Questions with the newest appeal first; within a question, newest first.
    groups = [(qid, list(items)) for qid, items in groupby(appeals, key=lambda a: a.question_id)]
    groups.sort(key=lambda g: max(a.created_at for a in g[1]), reverse=True)
    if as_json:
        return json.dumps(
            [
                {
                    "question_id": qid,
                    "prompt": bank.by_id[qid].prompt.en if qid in bank.by_id else None,
                    "appeals": [
                        {
                            "at": a.created_at.isoformat(),
                            "score": a.score,
                            "verdict": a.verdict,
                            "answer": a.answer_text,
                            "reason": a.reason,
                        }
                        for a in items
                    ],
                }
                for qid, items in groups
            ],
            ensure_ascii=False,
            indent=2,
        )
    if not groups:
        return "no appeals yet"
    lines = []
    for qid, items in groups:
        prompt = bank.by_id[qid].prompt.en if qid in bank.by_id else "(no longer in the bank)"
        lines.append(f"{qid} — {prompt} ({len(items)} appeal(s))")
        for a in items:
            when = f"{a.created_at:%Y-%m-%d %H:%M}"
            lines.append(f"  {when} score {round(a.score * 100)} ({a.verdict}): {a.reason or '-'}")
            lines.append(f"    answer: {a.answer_text[:300]!r}")
    return "\n".join(lines)
