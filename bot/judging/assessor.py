"""The judge as the core's `Assessor`: a Question in, an Assessment out, within the time-out."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from bot.content.schema import Question
from bot.core.grading import rubric_for
from bot.core.ports.assessing import Assessment, WrongClaim
from bot.judging.guard import GuardedJudge
from bot.judging.prompt import Misconception

log = logging.getLogger(__name__)


class JudgeAssessor:
    """Implements bot.core.ports.assessing.Assessor over a GuardedJudge."""

    def __init__(self, judge: GuardedJudge, timeout: float, leaves_the_machine: bool) -> None:
        self.judge = judge
        self.timeout = timeout
        url = judge.client.endpoint.url
        self._host = (urlsplit(url).hostname or url) if leaves_the_machine else None

    @property
    def sends_answers_to(self) -> str | None:
        return self._host

    async def assess(self, question: Question, answer: str, lang: str, owner: str) -> Assessment:
        rubric = rubric_for(question)
        wrong = tuple(Misconception(m.claim.get(lang), m.correction.get(lang)) for m in question.misconceptions)
        try:
            # The client's own time-out covers one request; this covers the JSON-mode retry too.
            judged = await asyncio.wait_for(
                self.judge.grade(rubric, answer, lang, owner=owner, misconceptions=wrong), self.timeout
            )
        except TimeoutError:
            self.judge.breaker.failed()
            log.warning("judge unavailable (timeout): the offline grade stands")
            return Assessment(self.judge.offline.grade(rubric, answer, lang), "offline-fallback", "timeout")
        claims = tuple(WrongClaim(c.claim, c.correction) for c in judged.wrong_claims)
        return Assessment(judged.grade, judged.source, judged.reason, claims, judged.feedback)

    def forget(self, owner: str) -> int:
        return self.judge.forget(owner)

    async def close(self) -> None:
        await self.judge.client.close()
