"""The message catalog: every user-visible string, per language (en, zh).

A message that counts something is a mapping in the catalog: `count` names the parameter, and
one template per CLDR plural category the language uses (English `one` / `other`; Chinese has
only `other`). Which category a number falls in comes from Babel's CLDR plural rules, so no
message says "1 day(s)".
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

LANGUAGES = ("en", "zh")
DEFAULT_LANG = "en"
_DIR = Path(__file__).with_name("locales")

Plural = tuple[str, dict[str, str]]  # the counted parameter, and a template per plural category


@cache
def _raw(lang: str) -> dict[str, Any]:
    # libyaml's parser when present: the pure-Python one costs start-up a noticeable moment.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load((_DIR / f"{lang}.yaml").read_text(encoding="utf-8"), Loader=loader)
    return data


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every message as one template (a counted message by its `other` form)."""
    return {str(k): str(v["other"]) if isinstance(v, dict) else str(v) for k, v in _raw(lang).items()}


@cache
def plurals(lang: str) -> dict[str, Plural]:
    out: dict[str, Plural] = {}
    for key, value in _raw(lang).items():
        if isinstance(value, dict):
            forms = {str(k): str(v) for k, v in value.items() if k != "count"}
            out[str(key)] = (str(value["count"]), forms)
    return out


@cache
def _plural_rule(lang: str) -> Any:
    return Locale.parse(lang).plural_form


def plural_category(lang: str, n: float) -> str:
    """CLDR's plural category of `n` in `lang` ("one", "other", …)."""
    return str(_plural_rule(lang)(abs(n)))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def lang_from_locale(locale: str | None) -> str:
    """'zh' for any Chinese locale (zh, zh-CN, zh_TW, zh-hans), else English."""
    if locale and locale.strip().lower().replace("_", "-").split("-")[0] == "zh":
        return "zh"
    return DEFAULT_LANG


def t(lang: str, key: str, **params: Any) -> str:
    """The `key` message in `lang`, with params filled in (falls back to English)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANG
    if key not in catalog(lang):
        lang = DEFAULT_LANG
    counted = plurals(lang).get(key)
    if counted is not None and isinstance(params.get(counted[0]), int | float):
        param, forms = counted
        template = forms.get(plural_category(lang, params[param])) or forms["other"]
    else:
        template = catalog(lang)[key]
    return template.format(**params)
