"""The judge from Settings: None unless STUDYBOT_JUDGE_URL is set."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from bot.core.grading import Grader
from bot.judging.assessor import JudgeAssessor
from bot.judging.client import JudgeClient, JudgeEndpoint
from bot.judging.guard import GuardedJudge
from bot.settings import Settings


def judge_from(settings: Settings, offline: Grader) -> GuardedJudge | None:
    if settings.judge_url is None:
        return None
    key = settings.judge_api_key.get_secret_value() if settings.judge_api_key else None
    endpoint = JudgeEndpoint(settings.judge_url, settings.judge_model or "default", key, settings.judge_timeout)
    return GuardedJudge(offline, JudgeClient(endpoint), settings.judge_mode)


def assessor_from(settings: Settings, offline: Grader) -> JudgeAssessor | None:
    """The judge as the bot uses it (answers in /quiz, reviews and group rounds), or None."""
    judge = judge_from(settings, offline)
    if judge is None:
        return None
    return JudgeAssessor(judge, settings.judge_timeout, leaves_the_machine(judge.client.endpoint.url))


def leaves_the_machine(url: str) -> bool:
    """Answers sent to this URL leave this machine: anything but a loopback address or localhost."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name: it resolves somewhere else, as far as we can promise
