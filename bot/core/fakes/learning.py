"""Sessions, answers, cards, rounds, appeals and refs in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime

from bot.core.fakes.state import MAX_NAME, MAX_REASON, MAX_REF_KEY, MAX_TEXT, AnswerRow, State
from bot.core.ports.answers import (
    Appeal,
    DayStat,
    LastAnswer,
    NewAnswer,
    NewAppeal,
    QuestionHistory,
    TopicAccuracy,
)
from bot.core.ports.cards import CardState
from bot.core.ports.rounds import LeaderRow, NewRound, Round, RoundAnswer
from bot.core.ports.sessions import OpenQuestion, SessionStart


class MemorySessions:
    def __init__(self, state: State) -> None:
        self.s = state

    async def get(self, chat_id: int, learner_id: int | None) -> OpenQuestion | None:
        mine = [q for q in self.s.sessions.values() if q.chat_id == chat_id and q.learner_id == learner_id]
        return max(mine, key=lambda q: q.id, default=None)

    async def open(self, start: SessionStart, now: datetime) -> OpenQuestion:
        return open_session(self.s, start, now)

    async def asked_at(self, learner_id: int) -> dict[str, datetime]:
        return {qid: at for (lid, qid), at in self.s.asked.items() if lid == learner_id}

    async def add_hint(self, session_id: int) -> int:
        session = self.s.sessions.get(session_id)
        if session is None:
            return 0
        self.s.sessions[session_id] = replace(session, hints=session.hints + 1)
        return session.hints + 1

    async def close(self, session_id: int) -> bool:
        return self.s.sessions.pop(session_id, None) is not None


def open_session(s: State, start: SessionStart, now: datetime) -> OpenQuestion:
    """Replace what was open for that learner in that chat; the question counts as asked now."""
    s.sessions = {
        k: q for k, q in s.sessions.items() if not (q.chat_id == start.chat_id and q.learner_id == start.learner_id)
    }
    s.asked[(start.learner_id, start.question_id)] = now
    session = OpenQuestion(
        s.next_id("sessions"), start.chat_id, start.learner_id, start.question_id, start.mode, 0, start.options, now
    )
    s.sessions[session.id] = session
    return session


class MemoryAnswers:
    def __init__(self, state: State) -> None:
        self.s = state

    def _of(self, learner_id: int) -> list[AnswerRow]:
        return sorted((a for a in self.s.answers.values() if a.learner_id == learner_id), key=lambda a: a.id)

    async def add(self, answer: NewAnswer) -> int:
        a = answer
        row = AnswerRow(
            self.s.next_id("answers"),
            a.learner_id,
            a.chat_id,
            a.question_id,
            a.topic,
            a.mode,
            a.score,
            a.verdict,
            a.hints,
            a.text[:MAX_TEXT],
            a.answered_at,
            a.local_day,
        )
        self.s.answers[row.id] = row
        return row.id

    async def history(self, learner_id: int) -> list[QuestionHistory]:
        by_question: dict[str, list[AnswerRow]] = defaultdict(list)
        for row in self._of(learner_id):
            by_question[row.question_id].append(row)
        return [
            QuestionHistory(
                qid, rows[-1].topic, len(rows), rows[-1].answered_at, rows[-1].score, max(r.score for r in rows)
            )
            for qid, rows in by_question.items()
        ]

    async def topic_accuracy(self, learner_id: int) -> list[TopicAccuracy]:
        by_topic: dict[str, list[float]] = defaultdict(list)
        for row in self._of(learner_id):
            by_topic[row.topic].append(row.score)
        return [TopicAccuracy(t, len(v), sum(v) / len(v)) for t, v in sorted(by_topic.items())]

    async def last(self, learner_id: int) -> LastAnswer | None:
        rows = self._of(learner_id)
        if not rows:
            return None
        r = rows[-1]
        return LastAnswer(r.id, r.question_id, r.mode, r.score, r.verdict, r.text, r.answered_at)

    async def daily(self, learner_id: int, since: date) -> list[DayStat]:
        by_day: dict[date, list[float]] = defaultdict(list)
        for row in self._of(learner_id):
            if row.local_day >= since:
                by_day[row.local_day].append(row.score)
        return [DayStat(d, len(v), sum(v) / len(v)) for d, v in sorted(by_day.items())]

    async def active_days(self, learner_id: int) -> list[date]:
        return sorted({row.local_day for row in self._of(learner_id)})


class MemoryCards:
    def __init__(self, state: State) -> None:
        self.s = state

    async def get(self, learner_id: int, question_id: str) -> CardState | None:
        return self.s.cards.get((learner_id, question_id))

    async def put(self, learner_id: int, card: CardState) -> None:
        self.s.cards[(learner_id, card.question_id)] = card

    async def due(self, learner_id: int, now: datetime, limit: int = 20) -> list[CardState]:
        due = [c for (lid, _), c in self.s.cards.items() if lid == learner_id and c.due <= now]
        return sorted(due, key=lambda c: (c.due, c.question_id))[:limit]

    async def all(self, learner_id: int) -> list[CardState]:
        return sorted((c for (lid, _), c in self.s.cards.items() if lid == learner_id), key=lambda c: c.question_id)

    async def next_due(self, learner_id: int) -> datetime | None:
        return min((c.due for (lid, _), c in self.s.cards.items() if lid == learner_id), default=None)


def open_round(s: State, new: NewRound, now: datetime) -> Round:
    rnd = Round(
        s.next_id("rounds"), new.chat_id, new.question_id, new.mode, new.options, new.started_by, now, new.closes_at
    )
    s.rounds[rnd.id] = rnd
    return rnd


class MemoryRounds:
    def __init__(self, state: State) -> None:
        self.s = state

    async def open(self, new: NewRound, now: datetime) -> Round:
        return open_round(self.s, new, now)

    async def current(self, chat_id: int) -> Round | None:
        mine = [r for r in self.s.rounds.values() if r.chat_id == chat_id and r.closed_at is None]
        return max(mine, key=lambda r: r.id, default=None)

    async def used_questions(self, chat_id: int) -> set[str]:
        return {r.question_id for r in self.s.rounds.values() if r.chat_id == chat_id}

    async def get(self, round_id: int) -> Round | None:
        return self.s.rounds.get(round_id)

    async def answer(self, round_id: int, answer: RoundAnswer) -> bool:
        key = (round_id, answer.learner_id)
        replaced = key in self.s.round_answers
        self.s.round_answers[key] = replace(answer, name=answer.name[:MAX_NAME], text=answer.text[:MAX_TEXT])
        return replaced

    async def answers(self, round_id: int) -> list[RoundAnswer]:
        mine = [a for (rid, _), a in self.s.round_answers.items() if rid == round_id]
        return sorted(mine, key=lambda a: (-a.score, a.answered_at, a.learner_id))

    async def close(self, round_id: int, now: datetime) -> bool:
        rnd = self.s.rounds.get(round_id)
        if rnd is None or rnd.closed_at is not None:
            return False
        self.s.rounds[round_id] = replace(rnd, closed_at=now)
        return True

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[Round]:
        due = [r for r in self.s.rounds.values() if r.closed_at is None and r.closes_at <= now]
        return sorted(due, key=lambda r: r.closes_at)[:limit]

    async def leaderboard(self, chat_id: int, since: datetime | None, limit: int = 10) -> list[LeaderRow]:
        points: dict[int, list[float]] = defaultdict(list)
        for (rid, lid), answer in self.s.round_answers.items():
            rnd = self.s.rounds.get(rid)
            if rnd is None or rnd.chat_id != chat_id or lid not in self.s.learners:
                continue
            if since is None or rnd.started_at >= since:
                points[lid].append(answer.score)
        rows = [LeaderRow(lid, self.s.learners[lid].name, sum(v), len(v)) for lid, v in points.items()]
        return sorted(rows, key=lambda r: (-r.points, r.name, r.learner_id))[:limit]


class MemoryAppeals:
    def __init__(self, state: State) -> None:
        self.s = state

    async def add(self, appeal: NewAppeal, now: datetime) -> int:
        a = appeal
        row = Appeal(
            self.s.next_id("appeals"),
            a.learner_id,
            a.question_id,
            a.answer_text[:MAX_TEXT],
            a.score,
            a.verdict,
            a.reason[:MAX_REASON],
            now,
        )
        self.s.appeals[row.id] = row
        if a.answer_id is not None:
            self.s.appealed_answers[row.id] = a.answer_id
        return row.id

    async def exists(self, answer_id: int) -> bool:
        return any(aid == answer_id and pid in self.s.appeals for pid, aid in self.s.appealed_answers.items())

    async def all(self) -> list[Appeal]:
        newest_first = sorted(self.s.appeals.values(), key=lambda a: (a.created_at, a.id), reverse=True)
        return sorted(newest_first, key=lambda a: a.question_id)


class MemoryRefs:
    def __init__(self, state: State) -> None:
        self.s = state

    async def put(self, key: str, value: str, expires_at: datetime) -> None:
        self.s.refs[key[:MAX_REF_KEY]] = (value, expires_at)

    async def get(self, key: str, now: datetime) -> str | None:
        found = self.s.refs.get(key[:MAX_REF_KEY])
        return found[0] if found is not None and found[1] > now else None
