"""PurgeRepo on SQL: one DELETE per table, on the columns the tables already index or key on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_

from bot.storage.connection import Conn
from bot.storage.tables import deliveries, link_codes, refs


class SqlPurge:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def refs_expired_before(self, cutoff: datetime) -> int:
        result = await self.conn.execute(delete(refs).where(refs.c.expires_at <= cutoff))
        return int(result.rowcount or 0)

    async def link_codes_done_before(self, cutoff: datetime) -> int:
        done = or_(link_codes.c.expires_at <= cutoff, link_codes.c.used_at <= cutoff)
        result = await self.conn.execute(delete(link_codes).where(done))
        return int(result.rowcount or 0)

    async def deliveries_claimed_before(self, cutoff: datetime) -> int:
        result = await self.conn.execute(delete(deliveries).where(deliveries.c.claimed_at < cutoff))
        return int(result.rowcount or 0)
