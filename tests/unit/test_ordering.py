"""Per-chat order with concurrency across chats (bot/adapters/ordering.py), without timing."""

from __future__ import annotations

import asyncio

from bot.adapters.ordering import ChatQueues


async def test_one_chat_in_arrival_order_other_chats_meanwhile() -> None:
    queues = ChatQueues()
    done: list[str] = []
    gate = asyncio.Event()
    both_others = asyncio.Event()

    async def work(key: str | None, name: str, wait: bool = False) -> None:
        async with queues.turn(key):
            if wait:
                await gate.wait()
            done.append(name)
            if {"b1", "none"} <= set(done):
                both_others.set()

    tasks = [
        asyncio.create_task(work("a", "a1", wait=True)),
        asyncio.create_task(work("a", "a2")),
        asyncio.create_task(work("a", "a3")),
        asyncio.create_task(work("b", "b1")),
        asyncio.create_task(work(None, "none")),
    ]
    await asyncio.wait_for(both_others.wait(), timeout=30)
    assert sorted(done) == ["b1", "none"]  # chat b and chat-less work did not wait behind chat a
    gate.set()
    await asyncio.gather(*tasks)
    assert [n for n in done if n.startswith("a")] == ["a1", "a2", "a3"]
    assert len(queues) == 0  # nothing kept for idle chats


async def test_a_failing_update_does_not_block_its_chat() -> None:
    queues = ChatQueues()

    async def boom() -> None:
        async with queues.turn("a"):
            raise RuntimeError

    results = await asyncio.gather(boom(), boom(), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    async with queues.turn("a"):
        pass
    assert len(queues) == 0
