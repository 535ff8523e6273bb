"""/timezone with a city name (or a typo of one) suggests the zone: "did you mean Europe/Berlin?"."""

from __future__ import annotations

import pytest

from bot.core.clock import suggest_zones
from tests.harness import Harness, keys, text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("berlin", "Europe/Berlin"),
        ("Berln", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("shanghai", "Asia/Shanghai"),
        ("tokyo", "Asia/Tokyo"),
    ],
)
def test_city_names_and_typos_find_their_zone(typed: str, expected: str) -> None:
    assert suggest_zones(typed)[0] == expected


async def test_the_bot_suggests_and_the_suggestion_works(harness: Harness) -> None:
    [reply] = await harness.say("/timezone berlin")
    assert reply.keys == ("tz.suggest",) and "Did you mean Europe/Berlin?" in reply.plain()
    assert keys(await harness.say("/timezone Europe/Berlin")) == ["tz.set"]
    assert keys(await harness.say("/timezone qqqqzzzz")) == ["tz.bad"]
    harness.locale = "zh"
    assert "你是不是指 Europe/Berlin" in text(await harness.say("/timezone berlin"))
