"""The core's repositories, as explicit SQLAlchemy Core queries over one connection."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from bot.core.events import ChatKind, ChatRef, UserRef
from bot.core.modes import Mode
from bot.core.ports.answers import DayStat, LastAnswer, NewAnswer, QuestionHistory, TopicAccuracy
from bot.core.ports.people import Chat, Learner
from bot.core.ports.sessions import OpenQuestion, SessionStart
from bot.storage.connection import Conn
from bot.storage.locks import serialize_on
from bot.storage.merging import detach_identity, merge_chats, merge_learners
from bot.storage.prepared import Prepared, upsert
from bot.storage.tables import answers, asked, chats, identities, learners, refs, sessions

# Stored answer text is for appeals and authors, not an archive: keep it bounded.
MAX_STORED_ANSWER = 8000


# The statements of the answer and /quiz paths, built and compiled once (bot/storage/prepared.py).
_LEARNER_BY_IDENTITY = Prepared(
    select(learners)
    .join(identities, identities.c.learner_id == learners.c.id)
    .where(identities.c.platform == bindparam("platform"), identities.c.external_id == bindparam("external_id"))
)
_CHAT_BY_REF = Prepared(
    select(chats).where(chats.c.platform == bindparam("platform"), chats.c.external_id == bindparam("external_id"))
)
_SESSION_OF = {
    mine: Prepared(
        select(sessions)
        .where(
            sessions.c.chat_id == bindparam("chat_id"),
            sessions.c.learner_id == bindparam("learner_id") if mine else sessions.c.learner_id.is_(None),
        )
        .order_by(sessions.c.id.desc())
        .limit(1)
    )
    for mine in (True, False)
}
# Inserts take their values as parameters: `insert(t).values(...)` per call would build a new statement.
_NEW_SESSION = Prepared(insert(sessions))
_MARK_ASKED = upsert(asked, ("learner_id", "question_id"), ("asked_at",))
_NEW_ANSWER = Prepared(insert(answers))
_CLOSE_SESSION = Prepared(delete(sessions).where(sessions.c.id == bindparam("session_id")))
_CLOSE_SESSIONS_OF = {
    mine: Prepared(
        delete(sessions).where(
            sessions.c.chat_id == bindparam("chat_id"),
            sessions.c.learner_id == bindparam("learner_id") if mine else sessions.c.learner_id.is_(None),
        )
    )
    for mine in (True, False)
}
_ASKED_AT = Prepared(select(asked.c.question_id, asked.c.asked_at).where(asked.c.learner_id == bindparam("learner_id")))
_LAST_PER_QUESTION = (
    select(
        answers.c.question_id,
        func.max(answers.c.id).label("last_id"),
        func.count().label("attempts"),
        func.max(answers.c.score).label("best"),
    )
    .where(answers.c.learner_id == bindparam("learner_id"))
    .group_by(answers.c.question_id)
    .subquery()
)
_HISTORY = Prepared(
    select(
        answers.c.question_id,
        answers.c.topic,
        answers.c.answered_at,
        answers.c.score,
        _LAST_PER_QUESTION.c.attempts,
        _LAST_PER_QUESTION.c.best,
    ).join(_LAST_PER_QUESTION, answers.c.id == _LAST_PER_QUESTION.c.last_id)
)
_TOPIC_ACCURACY = Prepared(
    select(answers.c.topic, func.count().label("n"), func.avg(answers.c.score).label("mean"))
    .where(answers.c.learner_id == bindparam("learner_id"))
    .group_by(answers.c.topic)
)


def _learner(row: object) -> Learner:
    r = row._mapping  # type: ignore[attr-defined]
    return Learner(id=r["id"], name=r["name"], lang=r["lang"], tz=r["tz"], lang_set=bool(r["lang_set"]))


class SqlLearners:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def resolve(self, user: UserRef, name: str, lang: str | None, now: datetime) -> Learner:
        await serialize_on(self.conn, "user", user.platform, user.id)
        name = name[:128]
        row = await _LEARNER_BY_IDENTITY.first(self.conn, {"platform": user.platform, "external_id": user.id})
        if row is not None:
            learner = _learner(row)
            changes: dict[str, object] = {}
            if name and name != learner.name:
                changes["name"] = name
            if lang and not learner.lang_set and lang != learner.lang:
                changes["lang"] = lang  # follow the platform's locale until /lang pins one
            if changes:
                await self.conn.execute(update(learners).where(learners.c.id == learner.id).values(**changes))
                return Learner(
                    learner.id,
                    str(changes.get("name", learner.name)),
                    str(changes.get("lang", learner.lang)),
                    learner.tz,
                    learner.lang_set,
                )
            return learner
        result = await self.conn.execute(
            insert(learners).values(name=name, lang=lang or "en", lang_set=False, tz="UTC", created_at=now)
        )
        learner_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await self.conn.execute(
            insert(identities).values(platform=user.platform, external_id=user.id, learner_id=learner_id)
        )
        return Learner(id=learner_id, name=name, lang=lang or "en", tz="UTC")

    async def get(self, learner_id: int) -> Learner | None:
        row = (await self.conn.execute(select(learners).where(learners.c.id == learner_id))).first()
        return _learner(row) if row is not None else None

    async def set_lang(self, learner_id: int, lang: str) -> None:
        await self.conn.execute(update(learners).where(learners.c.id == learner_id).values(lang=lang, lang_set=True))

    async def set_tz(self, learner_id: int, tz: str) -> None:
        await self.conn.execute(update(learners).where(learners.c.id == learner_id).values(tz=tz))

    async def identities(self, learner_id: int) -> list[UserRef]:
        q = select(identities.c.platform, identities.c.external_id).where(identities.c.learner_id == learner_id)
        return [UserRef(r.platform, r.external_id) for r in await self.conn.execute(q)]

    async def merge(self, source_id: int, target_id: int) -> None:
        await merge_learners(self.conn, source_id, target_id)

    async def detach(self, user: UserRef, name: str, now: datetime) -> Learner:
        new_id = await detach_identity(self.conn, user, name, now)
        q = (
            select(learners)
            .join(identities, identities.c.learner_id == learners.c.id)
            .where(identities.c.platform == user.platform, identities.c.external_id == user.id)
        )
        if new_id is None and (await self.conn.execute(q)).first() is None:
            return await self.resolve(user, name, None, now)
        return _learner((await self.conn.execute(q)).one())

    async def delete(self, learner_id: int) -> None:
        # Foreign keys cascade to identities, answers, cards, sessions, rounds answered, codes, appeals.
        await self.conn.execute(delete(learners).where(learners.c.id == learner_id))


class SqlChats:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    @staticmethod
    def _chat(row: object) -> Chat:
        r = row._mapping  # type: ignore[attr-defined]
        return Chat(
            id=r["id"],
            ref=ChatRef(r["platform"], r["external_id"]),
            kind=ChatKind(r["kind"]),
            lang=r["lang"],
            tz=r["tz"],
        )

    async def resolve(self, ref: ChatRef, kind: ChatKind, now: datetime) -> Chat:
        await serialize_on(self.conn, "chat", ref.platform, ref.id)
        row = await _CHAT_BY_REF.first(self.conn, {"platform": ref.platform, "external_id": ref.id})
        if row is not None:
            if not row._mapping["active"]:
                await self.conn.execute(update(chats).where(chats.c.id == row._mapping["id"]).values(active=True))
            return self._chat(row)
        result = await self.conn.execute(
            insert(chats).values(
                platform=ref.platform, external_id=ref.id, kind=kind.value, active=True, created_at=now
            )
        )
        return Chat(id=int(result.inserted_primary_key[0]), ref=ref, kind=kind)  # type: ignore[index]

    async def get(self, chat_id: int) -> Chat | None:
        row = (await self.conn.execute(select(chats).where(chats.c.id == chat_id))).first()
        return self._chat(row) if row is not None else None

    async def find(self, ref: ChatRef) -> Chat | None:
        q = select(chats).where(chats.c.platform == ref.platform, chats.c.external_id == ref.id)
        row = (await self.conn.execute(q)).first()
        return self._chat(row) if row is not None else None

    async def set_active(self, ref: ChatRef, active: bool) -> bool:
        where = (chats.c.platform == ref.platform) & (chats.c.external_id == ref.id)
        return bool((await self.conn.execute(update(chats).where(where).values(active=active))).rowcount)

    async def move(self, old: ChatRef, new: ChatRef) -> bool:
        target = await self.find(new)
        if target is not None:  # the new id was seen first: merge the old chat's rows into it, never cascade
            source = await self.find(old)
            if source is not None:
                await merge_chats(self.conn, source.id, target.id)
            return False
        where = (chats.c.platform == old.platform) & (chats.c.external_id == old.id)
        return bool((await self.conn.execute(update(chats).where(where).values(external_id=new.id))).rowcount)

    async def set_lang(self, chat_id: int, lang: str) -> None:
        await self.conn.execute(update(chats).where(chats.c.id == chat_id).values(lang=lang))

    async def set_tz(self, chat_id: int, tz: str) -> None:
        await self.conn.execute(update(chats).where(chats.c.id == chat_id).values(tz=tz))


def _session(row: object) -> OpenQuestion:
    r = row._mapping  # type: ignore[attr-defined]
    options = tuple(int(x) for x in r["options"].split(",") if x)
    return OpenQuestion(
        id=r["id"],
        chat_id=r["chat_id"],
        learner_id=r["learner_id"],
        question_id=r["question_id"],
        mode=Mode(r["mode"]),
        hints=r["hints"],
        options=options,
        asked_at=r["asked_at"],
    )


class SqlSessions:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, chat_id: int, learner_id: int | None) -> OpenQuestion | None:
        q = _SESSION_OF[learner_id is not None]
        row = await q.first(self.conn, {"chat_id": chat_id, "learner_id": learner_id})
        return _session(row) if row is not None else None

    async def open(self, start: SessionStart, now: datetime) -> OpenQuestion:
        s = start
        close = _CLOSE_SESSIONS_OF[s.learner_id is not None]
        await close.write(self.conn, {"chat_id": s.chat_id, "learner_id": s.learner_id})
        await self.mark_asked(s.learner_id, s.question_id, now)
        values = dict(
            chat_id=s.chat_id,
            learner_id=s.learner_id,
            question_id=s.question_id,
            mode=s.mode,
            hints=0,
            options=",".join(str(o) for o in s.options),
            asked_at=now,
        )
        session_id = (await _NEW_SESSION.write(self.conn, values)).last_id
        assert session_id is not None
        return OpenQuestion(session_id, s.chat_id, s.learner_id, s.question_id, s.mode, 0, s.options, now)

    async def mark_asked(self, learner_id: int, question_id: str, now: datetime) -> None:
        params = {"learner_id": learner_id, "question_id": question_id, "asked_at": now}
        await _MARK_ASKED[self.conn.dialect.name].write(self.conn, params)

    async def asked_at(self, learner_id: int) -> dict[str, datetime]:
        rows = await _ASKED_AT.rows(self.conn, {"learner_id": learner_id})
        return {r.question_id: r.asked_at for r in rows}

    async def add_hint(self, session_id: int) -> int:
        await self.conn.execute(update(sessions).where(sessions.c.id == session_id).values(hints=sessions.c.hints + 1))
        hints = await self.conn.scalar(select(sessions.c.hints).where(sessions.c.id == session_id))
        return int(hints or 0)

    async def close(self, session_id: int) -> bool:
        return bool((await _CLOSE_SESSION.write(self.conn, {"session_id": session_id})).rowcount)


class SqlAnswers:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, answer: NewAnswer) -> int:
        a = answer
        values = {
            "learner_id": a.learner_id,
            "chat_id": a.chat_id,
            "question_id": a.question_id,
            "topic": a.topic,
            "mode": a.mode,
            "score": a.score,
            "verdict": a.verdict,
            "hints": a.hints,
            "text": a.text[:MAX_STORED_ANSWER],
            "answered_at": a.answered_at,
            "local_day": a.local_day,
        }
        answer_id = (await _NEW_ANSWER.write(self.conn, values)).last_id
        assert answer_id is not None
        return answer_id

    async def history(self, learner_id: int) -> list[QuestionHistory]:
        return [
            QuestionHistory(r.question_id, r.topic, r.attempts, r.answered_at, r.score, r.best)
            for r in await _HISTORY.rows(self.conn, {"learner_id": learner_id})
        ]

    async def topic_accuracy(self, learner_id: int) -> list[TopicAccuracy]:
        rows = await _TOPIC_ACCURACY.rows(self.conn, {"learner_id": learner_id})
        return [TopicAccuracy(r.topic, int(r.n), float(r.mean)) for r in rows]

    async def last(self, learner_id: int) -> LastAnswer | None:
        q = select(answers).where(answers.c.learner_id == learner_id).order_by(answers.c.id.desc()).limit(1)
        r = (await self.conn.execute(q)).first()
        if r is None:
            return None
        return LastAnswer(r.id, r.question_id, Mode(r.mode), r.score, r.verdict, r.text, r.answered_at)

    async def daily(self, learner_id: int, since: date) -> list[DayStat]:
        q = (
            select(answers.c.local_day, func.count().label("n"), func.avg(answers.c.score).label("mean"))
            .where(answers.c.learner_id == learner_id, answers.c.local_day >= since)
            .group_by(answers.c.local_day)
            .order_by(answers.c.local_day)
        )
        return [DayStat(r.local_day, int(r.n), float(r.mean)) for r in await self.conn.execute(q)]

    async def active_days(self, learner_id: int) -> list[date]:
        q = select(answers.c.local_day).where(answers.c.learner_id == learner_id).distinct()
        return sorted((await self.conn.execute(q)).scalars().all())


class SqlRefs:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def put(self, key: str, value: str, expires_at: datetime) -> None:
        await self.conn.execute(delete(refs).where(refs.c.key == key))
        await self.conn.execute(insert(refs).values(key=key[:160], value=value, expires_at=expires_at))

    async def get(self, key: str, now: datetime) -> str | None:
        q = select(refs.c.value).where(refs.c.key == key[:160], refs.c.expires_at > now)
        value: str | None = await self.conn.scalar(q)
        return value
