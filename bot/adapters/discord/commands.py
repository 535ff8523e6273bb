"""Slash commands: one per visible core command, each turned into the command line the core reads.

`/quiz topic:rag` reaches the core as "/quiz rag". Names and descriptions carry `locale_str`
extras that `ZhTranslator` turns into Chinese localisations (Discord's zh-CN and zh-TW); the
English descriptions come from the core's catalog (`cmd.<name>`).
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any, Literal, Protocol

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.adapters.discord import zh_tw
from bot.core.commands import SPECS, VISIBLE, CommandSpec, Where, description

DESCRIPTION_LIMIT = 100
CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100

# Chinese command names (lowercase letters only, as Discord requires: CJK counts as letters).
ZH_NAMES = {
    "start": "开始",
    "help": "帮助",
    "quiz": "问答",
    "mc": "选择题",
    "review": "复习",
    "interview": "模拟面试",
    "hint": "提示",
    "reveal": "答案",
    "skip": "跳过",
    "stats": "统计",
    "topics": "主题",
    "leaderboard": "排行榜",
    "link": "关联账号",
    "export": "导出",
    "appeal": "申诉",
    "forget": "删除数据",
    "lang": "语言",
    "timezone": "时区",
    "daily": "每日一题",
    "remind": "提醒",
}
# Option names, descriptions and choice names: (English, Chinese).
OPTIONS: dict[str, tuple[str, str]] = {
    "topic": ("topic", "主题"),
    "topic.desc": ("a topic (leave empty for any)", "主题（留空则随机）"),
    "mode": ("mode", "模式"),
    "mode.desc": ("cards: flashcards you rate yourself", "cards：自评的闪卡模式"),
    "mode.cards": ("flashcards", "闪卡"),
    "period": ("period", "时间范围"),
    "period.desc": ("this week or all time", "本周或全部"),
    "period.week": ("this week", "本周"),
    "period.all": ("all time", "全部"),
    "code": ("code", "代码"),
    "code.desc": ("a code from your other platform, or off to unlink", "另一个平台上的代码，或 off 取消关联"),
    "why": ("why", "理由"),
    "why.desc": ("why the grade was wrong", "评分为什么不对"),
    "language": ("language", "语言"),
    "language.desc": ("en or zh", "en 或 zh"),
    "zone": ("zone", "时区"),
    "zone.desc": ("an IANA time zone, e.g. Europe/Berlin", "IANA 时区，例如 Asia/Shanghai"),
    "when": ("when", "时间"),
    "when.desc": ("HH:MM, Area/City, days, topic, in any order; or off", "HH:MM、时区、星期、主题，顺序随意；或 off"),
    "role": ("role", "身份组"),
    "role.desc": ("a role to notify with each question", "每道题发布时提醒的身份组"),
    "setting": ("setting", "设置"),
    "questions": ("questions", "题数"),
    "questions.desc": ("how many questions (default 5)", "题目数量（默认 5）"),
    "setting.desc": ("on, HH:MM, or off", "on、HH:MM 或 off"),
}
ZH_LOCALES = (discord.Locale.chinese, discord.Locale.taiwan_chinese)
# Group admins on Discord are members with Manage Server (the adapter's `is_admin` reads the same).
GROUP_ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)


class Runner(Protocol):
    """What the commands call (the adapter)."""

    async def on_command(self, interaction: discord.Interaction[Any], line: str) -> None: ...

    async def topic_choices(self, interaction: discord.Interaction[Any], current: str) -> list[tuple[str, str]]: ...


def runner_of(interaction: discord.Interaction[Any]) -> Runner:
    return interaction.client.studybot_handler  # type: ignore[no-any-return]


def command_description(name: str) -> locale_str:
    return locale_str(description(name, "en")[:DESCRIPTION_LIMIT], command=name)


def opt(key: str) -> locale_str:
    return locale_str(OPTIONS[key][0], zh=OPTIONS[key][1])


class ZhTranslator(app_commands.Translator):
    """Chinese names and descriptions for the commands, from the core's catalog and ZH_NAMES."""

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale not in ZH_LOCALES:
            return None
        taiwan = locale is discord.Locale.taiwan_chinese
        extras = string.extras
        if "command" in extras:
            name = extras["command"]
            return (zh_tw.DESCRIPTIONS[name] if taiwan else description(name, "zh"))[:DESCRIPTION_LIMIT]
        if "zh" in extras:
            simplified = str(extras["zh"])
            if not taiwan:
                return simplified
            return zh_tw.NAMES.get(extras.get("name", ""), "") or zh_tw.OPTIONS[simplified]
        return None


async def _run(interaction: discord.Interaction[Any], name: str, *args: str | None) -> None:
    line = " ".join(["/" + name, *(a.strip() for a in args if a and a.strip())])
    await runner_of(interaction).on_command(interaction, line)


async def _topics(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=label, value=value)
        for label, value in await runner_of(interaction).topic_choices(interaction, current)
    ]


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


async def _zone_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().casefold()
    found = (
        [z for z in _zones() if needle in z.casefold()]
        if needle
        else ["UTC", "Europe/Berlin", "Asia/Shanghai", "America/New_York"]
    )
    return [app_commands.Choice(name=z, value=z) for z in found[:CHOICES_LIMIT]]


@app_commands.describe(topic=opt("topic.desc"))
@app_commands.rename(topic=opt("topic"))
@app_commands.autocomplete(topic=_topics)
async def quiz(interaction: discord.Interaction[Any], topic: app_commands.Range[str, 1, 64] | None = None) -> None:
    await _run(interaction, "quiz", topic)


@app_commands.describe(topic=opt("topic.desc"))
@app_commands.rename(topic=opt("topic"))
@app_commands.autocomplete(topic=_topics)
async def mc(interaction: discord.Interaction[Any], topic: app_commands.Range[str, 1, 64] | None = None) -> None:
    await _run(interaction, "mc", topic)


@app_commands.describe(topic=opt("topic.desc"), questions=opt("questions.desc"))
@app_commands.rename(topic=opt("topic"), questions=opt("questions"))
@app_commands.autocomplete(topic=_topics)
async def interview(
    interaction: discord.Interaction[Any],
    topic: app_commands.Range[str, 1, 64] | None = None,
    questions: app_commands.Range[int, 1, 10] | None = None,
) -> None:
    await _run(interaction, "interview", topic, str(questions) if questions else None)


@app_commands.describe(mode=opt("mode.desc"))
@app_commands.rename(mode=opt("mode"))
@app_commands.choices(mode=[app_commands.Choice(name=opt("mode.cards"), value="cards")])
async def review(interaction: discord.Interaction[Any], mode: str | None = None) -> None:
    await _run(interaction, "review", mode)


@app_commands.describe(period=opt("period.desc"))
@app_commands.rename(period=opt("period"))
@app_commands.choices(
    period=[
        app_commands.Choice(name=opt("period.week"), value="week"),
        app_commands.Choice(name=opt("period.all"), value="all"),
    ]
)
async def leaderboard(interaction: discord.Interaction[Any], period: str | None = None) -> None:
    await _run(interaction, "leaderboard", period)


@app_commands.describe(code=opt("code.desc"))
@app_commands.rename(code=opt("code"))
async def link(interaction: discord.Interaction[Any], code: app_commands.Range[str, 1, 32] | None = None) -> None:
    await _run(interaction, "link", code)


@app_commands.describe(why=opt("why.desc"))
@app_commands.rename(why=opt("why"))
async def appeal(interaction: discord.Interaction[Any], why: app_commands.Range[str, 1, 1000] | None = None) -> None:
    await _run(interaction, "appeal", why)


@app_commands.describe(language=opt("language.desc"))
@app_commands.rename(language=opt("language"))
async def lang(interaction: discord.Interaction[Any], language: Literal["en", "zh"] | None = None) -> None:
    await _run(interaction, "lang", language)


@app_commands.describe(zone=opt("zone.desc"))
@app_commands.rename(zone=opt("zone"))
@app_commands.autocomplete(zone=_zone_choices)
async def timezone(interaction: discord.Interaction[Any], zone: app_commands.Range[str, 1, 64] | None = None) -> None:
    await _run(interaction, "timezone", zone)


@app_commands.describe(when=opt("when.desc"), role=opt("role.desc"))
@app_commands.rename(when=opt("when"), role=opt("role"))
async def daily(
    interaction: discord.Interaction[Any],
    when: app_commands.Range[str, 1, 200] | None = None,
    role: discord.Role | None = None,
) -> None:
    await _run(interaction, "daily", when, f"<@&{role.id}>" if role is not None else None)


@app_commands.describe(setting=opt("setting.desc"))
@app_commands.rename(setting=opt("setting"))
async def remind(interaction: discord.Interaction[Any], setting: app_commands.Range[str, 1, 32] | None = None) -> None:
    await _run(interaction, "remind", setting)


Callback = Callable[..., Coroutine[Any, Any, None]]
WITH_OPTIONS: dict[str, Callback] = {
    "quiz": quiz,
    "mc": mc,
    "review": review,
    "interview": interview,
    "leaderboard": leaderboard,
    "link": link,
    "appeal": appeal,
    "lang": lang,
    "timezone": timezone,
    "daily": daily,
    "remind": remind,
}


def _plain(name: str) -> Callback:
    async def callback(interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, name)

    callback.__name__ = name
    return callback


def build_commands() -> list[app_commands.Command[Any, ..., None]]:
    """A slash command for every command the core lists, in the core's order."""
    out: list[app_commands.Command[Any, ..., None]] = []
    for name in VISIBLE:
        callback = WITH_OPTIONS.get(name) or _plain(name)
        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=locale_str(name, zh=ZH_NAMES.get(name, name), name=name),
            description=command_description(name),
            callback=callback,
            allowed_contexts=contexts(SPECS[name]),
        )
        # Hidden in servers from members without Manage Server (a server's admins may change that);
        # in DMs everyone keeps their own /lang, /timezone and /daily.
        command.default_permissions = GROUP_ADMIN_PERMISSIONS if SPECS[name].group_admin else None
        out.append(command)
    return out


def contexts(spec: CommandSpec) -> app_commands.AppCommandContext:
    """Where Discord offers the command: DMs for personal ones, servers for group ones, else both."""
    return app_commands.AppCommandContext(
        guild=spec.where is not Where.PRIVATE, dm_channel=spec.where is not Where.GROUP, private_channel=False
    )


async def command_payload(tree: app_commands.CommandTree[Any], translator: app_commands.Translator) -> list[Any]:
    """What a sync sends: the translated payload of every global command."""
    return [await c.get_translated_payload(tree, translator) for c in tree.get_commands()]


def payload_hash(payload: list[Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
