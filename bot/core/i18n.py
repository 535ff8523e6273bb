"""The message catalog: every user-visible string, per language (en, zh)."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("en", "zh")
DEFAULT_LANG = "en"
_DIR = Path(__file__).with_name("locales")


@cache
def catalog(lang: str) -> dict[str, str]:
    # libyaml's parser when present: the pure-Python one costs start-up a noticeable moment.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((_DIR / f"{lang}.yaml").read_text(encoding="utf-8"), Loader=loader)
    return {str(k): str(v) for k, v in data.items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def lang_from_locale(locale: str | None) -> str:
    """'zh' for any Chinese locale (zh, zh-CN, zh_TW, zh-hans), else English."""
    if locale and locale.strip().lower().replace("_", "-").split("-")[0] == "zh":
        return "zh"
    return DEFAULT_LANG


def t(lang: str, key: str, **params: Any) -> str:
    """The `key` message in `lang`, with params filled in (falls back to English)."""
    messages = catalog(lang if lang in LANGUAGES else DEFAULT_LANG)
    template = messages.get(key) or catalog(DEFAULT_LANG)[key]
    return template.format(**params)
