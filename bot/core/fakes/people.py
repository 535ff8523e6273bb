"""Learners, chats and link codes in memory (bot.core.ports.people)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.events import ChatKind, ChatRef, UserRef
from bot.core.fakes.state import MAX_NAME, ChatRow, LinkRow, State
from bot.core.ports.people import Chat, Learner


class MemoryLearners:
    def __init__(self, state: State) -> None:
        self.s = state

    async def resolve(self, user: UserRef, name: str, lang: str | None, now: datetime) -> Learner:
        name = name[:MAX_NAME]
        learner_id = self.s.identities.get((user.platform, user.id))
        if learner_id is None:
            learner = Learner(self.s.next_id("learners"), name, lang or "en", "UTC")
            self.s.learners[learner.id] = learner
            self.s.identities[(user.platform, user.id)] = learner.id
            return learner
        learner = self.s.learners[learner_id]
        if name and name != learner.name:
            learner = replace(learner, name=name)
        if lang and not learner.lang_set and lang != learner.lang:
            learner = replace(learner, lang=lang)  # follow the platform's locale until /lang pins one
        self.s.learners[learner_id] = learner
        return learner

    async def get(self, learner_id: int) -> Learner | None:
        return self.s.learners.get(learner_id)

    async def set_lang(self, learner_id: int, lang: str) -> None:
        if learner_id in self.s.learners:
            self.s.learners[learner_id] = replace(self.s.learners[learner_id], lang=lang, lang_set=True)

    async def set_tz(self, learner_id: int, tz: str) -> None:
        if learner_id in self.s.learners:
            self.s.learners[learner_id] = replace(self.s.learners[learner_id], tz=tz)

    async def identities(self, learner_id: int) -> list[UserRef]:
        return [UserRef(p, i) for (p, i), lid in self.s.identities.items() if lid == learner_id]

    async def merge(self, source_id: int, target_id: int) -> None:
        s = self.s
        for key, lid in list(s.identities.items()):
            if lid == source_id:
                s.identities[key] = target_id
        for row in s.answers.values():
            if row.learner_id == source_id:
                row.learner_id = target_id
        for aid, appeal in list(s.appeals.items()):
            if appeal.learner_id == source_id:
                s.appeals[aid] = replace(appeal, learner_id=target_id)
        for rid, rnd in list(s.rounds.items()):
            if rnd.started_by == source_id:
                s.rounds[rid] = replace(rnd, started_by=target_id)
        s.sessions = {k: v for k, v in s.sessions.items() if v.learner_id != source_id}
        s.links = {k: v for k, v in s.links.items() if v.learner_id != source_id}
        # Cards: the one with more reviews knows the learner better; ties go to the latest review.
        for (lid, qid), card in list(s.cards.items()):
            if lid != source_id:
                continue
            mine = s.cards.get((target_id, qid))
            if mine is None or (card.reps, card.last_review or card.due) > (mine.reps, mine.last_review or mine.due):
                s.cards[(target_id, qid)] = card
        for (lid, qid), at in list(s.asked.items()):
            mine_at = s.asked.get((target_id, qid))
            if lid == source_id and (mine_at is None or at > mine_at):
                s.asked[(target_id, qid)] = at
        # One answer per member and round: keep the better of the two.
        for (rid, lid), answer in list(s.round_answers.items()):
            if lid != source_id:
                continue
            kept = s.round_answers.get((rid, target_id))
            if kept is None or kept.score < answer.score:
                s.round_answers[(rid, target_id)] = replace(answer, learner_id=target_id)
        s.delete_learner(source_id)

    async def detach(self, user: UserRef, name: str, now: datetime) -> Learner:
        s = self.s
        key = (user.platform, user.id)
        current = s.identities.get(key)
        if current is None:
            return await self.resolve(user, name, None, now)
        if not any(k != key and v == current for k, v in s.identities.items()):
            return s.learners[current]  # shared with nobody: nothing to detach
        old = s.learners[current]
        new = Learner(s.next_id("learners"), name or old.name, old.lang, old.tz, old.lang_set)
        s.learners[new.id] = new
        s.identities[key] = new.id
        platform_chats = {c.id for c in s.chats.values() if c.ref.platform == user.platform}
        for row in s.answers.values():
            if row.learner_id == current and row.chat_id in platform_chats:
                row.learner_id = new.id
        for (lid, qid), card in list(s.cards.items()):
            if lid == current:
                s.cards[(new.id, qid)] = card
        for (lid, qid), at in list(s.asked.items()):
            if lid == current:
                s.asked[(new.id, qid)] = at
        s.sessions = {k: v for k, v in s.sessions.items() if v.learner_id != current}
        return new

    async def delete(self, learner_id: int) -> None:
        self.s.delete_learner(learner_id)


class MemoryChats:
    def __init__(self, state: State) -> None:
        self.s = state

    async def resolve(self, ref: ChatRef, kind: ChatKind, now: datetime) -> Chat:
        row = self.s.chat_by_ref(ref)
        if row is None:
            row = ChatRow(self.s.next_id("chats"), ref, kind)
            self.s.chats[row.id] = row
        row.active = True
        return row.chat()

    async def get(self, chat_id: int) -> Chat | None:
        row = self.s.chats.get(chat_id)
        return row.chat() if row else None

    async def find(self, ref: ChatRef) -> Chat | None:
        row = self.s.chat_by_ref(ref)
        return row.chat() if row else None

    async def set_active(self, ref: ChatRef, active: bool) -> bool:
        row = self.s.chat_by_ref(ref)
        if row is not None:
            row.active = active
        return row is not None

    async def move(self, old: ChatRef, new: ChatRef) -> bool:
        row = self.s.chat_by_ref(old)
        target = self.s.chat_by_ref(new)
        if target is not None:  # the new id was seen first: merge the old chat's rows into it
            if row is not None:
                self.s.merge_chat(row.id, target.id)
            return False
        if row is None:
            return False
        row.ref = new
        return True

    async def set_lang(self, chat_id: int, lang: str) -> None:
        if chat_id in self.s.chats:
            self.s.chats[chat_id].lang = lang

    async def set_tz(self, chat_id: int, tz: str) -> None:
        if chat_id in self.s.chats:
            self.s.chats[chat_id].tz = tz


class MemoryLinks:
    def __init__(self, state: State) -> None:
        self.s = state

    async def create(self, code: str, learner_id: int, platform: str, expires_at: datetime) -> None:
        if code in self.s.links:
            raise ValueError(f"link code {code!r} exists already")  # the primary key refuses it in SQL
        self.s.links[code] = LinkRow(learner_id, platform, expires_at)

    async def owner(self, code: str) -> int | None:
        row = self.s.links.get(code)
        return row.learner_id if row else None

    async def take(self, code: str, now: datetime) -> tuple[int, str] | None:
        row = self.s.links.get(code)
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        row.used_at = now
        return row.learner_id, row.platform
