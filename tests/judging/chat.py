"""The bot with the LLM judge configured, as tests build it (through bootstrap, settings and all)."""

from __future__ import annotations

from bot.bootstrap import System
from bot.content.bank import Bank
from bot.core.clock import Clock
from bot.core.grading import KeyPointGrader
from bot.core.limits import Limits
from bot.core.ports.store import Store
from bot.judging.assessor import JudgeAssessor
from bot.judging.build import judge_from
from tests import wiring
from tests.judging.fake_openai import FakeOpenAI


def judged_system(
    bank: Bank,
    store: Store,
    clock: Clock,
    fake: FakeOpenAI,
    *,
    timeout: float = 5.0,
    remote: bool = False,
    limits: Limits | None = None,
) -> System:
    """A System whose judge is `fake`; `remote` treats its 127.0.0.1 as another machine (the privacy notice)."""
    settings = wiring.test_settings(judge_url=fake.url, judge_model="fake-model", judge_timeout=timeout)
    assessor = None
    if remote:
        judge = judge_from(settings, KeyPointGrader())
        assert judge is not None
        assessor = JudgeAssessor(judge, timeout, leaves_the_machine=True)
    system = wiring.system(bank, store, clock, settings=settings, assessor=assessor, limits=limits)
    assert system.services.assessor is not None
    fake.clients.append(system.services.assessor.close)
    return system
