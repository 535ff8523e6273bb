"""The offline grader guards the judge: what may be asked, how far its word counts, what falls back.

- The offline grade is computed first, always. Its flags for answers that are not answers
  (empty, too short, the question copied back, instructions to the grader, "I don't know")
  skip the judge: there is nothing for a model to weigh, and no reason to send the text away.
- `assist` (default): the judge's score is clamped to ASSIST_BAND around the offline score,
  so a judge that was talked into a full score moves it by at most the band.
  `replace`: the judge's score is the score (the offline flags still skip it).
- A key point the offline grader saw contradicted counts as covered only if the judge names an
  answer sentence that really is in the answer and covers it.
- Time-outs, HTTP errors, rate limits, invalid JSON and an open circuit fall back to the offline
  grade, marked "offline-fallback" (logged, and written by `studybot grade --judge`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from cachetools import LRUCache

from bot.core.grading import Flag, Grade, Grader, Rubric
from bot.core.grading.grade import verdict_for
from bot.judging.breaker import CircuitBreaker
from bot.judging.client import JudgeClient, JudgeUnavailable
from bot.judging.prompt import PROMPT_VERSION, Misconception, system_message, user_message
from bot.judging.verdict import JudgeVerdict, WrongClaim

log = logging.getLogger(__name__)

ASSIST_BAND = 0.25
SKIP_FLAGS = frozenset({Flag.EMPTY, Flag.TOO_SHORT, Flag.COPIED_QUESTION, Flag.INJECTION, Flag.DONT_KNOW})
CACHE_SIZE = 10_000

Source = Literal["llm", "offline-fallback", "offline"]


@dataclass(frozen=True)
class Judged:
    """A grade and where it came from; `reason` says why the judge was not used (or "")."""

    grade: Grade
    source: Source
    reason: str = ""
    wrong_claims: tuple[WrongClaim, ...] = ()
    feedback: str = ""


@dataclass(frozen=True)
class _Cached:
    owner: str
    verdict: JudgeVerdict


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


class GuardedJudge:
    """Grades with the offline grader, then asks the judge to refine it within the rules above."""

    def __init__(
        self,
        offline: Grader,
        client: JudgeClient,
        mode: Literal["assist", "replace"] = "assist",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.offline = offline
        self.client = client
        self.mode = mode
        self.breaker = CircuitBreaker(clock)
        self._cache: LRUCache[str, _Cached] = LRUCache(maxsize=CACHE_SIZE)

    async def grade(
        self,
        rubric: Rubric,
        answer: str,
        lang: str,
        *,
        owner: str = "",
        misconceptions: Sequence[Misconception] = (),
        contradicted: Sequence[int] = (),
    ) -> Judged:
        offline = self.offline.grade(rubric, answer, lang)
        if SKIP_FLAGS & set(offline.flags):
            return Judged(offline, "offline", "flagged")
        key = _digest(*rubric.prompts, rubric.reference(lang), answer, self.client.endpoint.model, PROMPT_VERSION)
        cached = self._cache.get(key)
        if cached is not None:
            verdict = cached.verdict
        elif not self.breaker.allow():
            return Judged(offline, "offline-fallback", "circuit-open")
        else:
            try:
                verdict = await self.client.ask(system_message(rubric, lang, misconceptions), user_message(answer))
            except JudgeUnavailable as exc:
                self.breaker.failed()
                log.warning("judge unavailable (%s): the offline grade stands", exc.reason)
                return Judged(offline, "offline-fallback", exc.reason)
            self.breaker.succeeded()
            self._cache[key] = _Cached(owner, verdict)
        seen_wrong = contradicted or [w.index for w in offline.wrong if w.kind == "point"]
        return self._combine(rubric, offline, verdict, answer, set(seen_wrong))

    def forget(self, owner: str) -> int:
        """Drop every cached verdict on `owner`'s answers (a learner's /forget)."""
        keys = [k for k, v in self._cache.items() if v.owner == owner]
        for k in keys:
            del self._cache[k]
        return len(keys)

    def _combine(self, rubric: Rubric, offline: Grade, verdict: JudgeVerdict, answer: str, contra: set[int]) -> Judged:
        n = len(rubric.points)
        covered: set[int] = set()
        for point in verdict.key_points:
            i = point.index - 1
            if not 0 <= i < n or point.status != "covered":
                continue
            if i in contra and not _quotes(answer, point.evidence):
                continue  # the offline grader saw it contradicted; an unsupported claim does not overturn that
            covered.add(i)
        score = verdict.score
        if self.mode == "assist":
            score = min(max(score, offline.score - ASSIST_BAND), offline.score + ASSIST_BAND)
        score = round(min(max(score, 0.0), 1.0), 4)
        if n:
            # A point the judge showed covered (with its sentence) is no longer contradicted or only named;
            # every point stays in exactly one of covered, named, wrong and missed.
            wrong = tuple(w for w in offline.wrong if w.kind != "point" or w.index not in covered)
            named = tuple(i for i in offline.named if i not in covered)
            elsewhere = covered | set(named) | {w.index for w in wrong if w.kind == "point"}
            missed = tuple(i for i in range(n) if i not in elsewhere)
            grade = replace(
                offline,
                score=score,
                verdict=verdict_for(score),
                covered=tuple(sorted(covered)),
                missed=missed,
                wrong=wrong,
                named=named,
            )
        else:
            grade = replace(offline, score=score, verdict=verdict_for(score))
        return Judged(grade, "llm", "", tuple(verdict.wrong_claims), verdict.feedback)


def _quotes(answer: str, evidence: str) -> bool:
    """The judge's evidence is really (a part of) the answer, white space aside."""
    squeeze = "".join
    needle = squeeze(evidence.split())
    return len(needle) >= 8 and needle in squeeze(answer.split())
