"""Text the database can store: lone surrogates become U+FFFD before anything else sees an update.

A `str` may hold a lone surrogate ("\\ud800") that no UTF-8 encoder accepts: piped bytes that are
not UTF-8 arrive that way (Python reads stdin with surrogateescape), and so may a JSON "\\ud800"
escape. SQLite would refuse to store it and the update would fail; replaced, it is stored as "�".
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.events import ChatRef, Incoming, UserRef
from bot.core.names import storable_name

_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def storable_incoming(inc: Incoming) -> Incoming:
    """`inc` unchanged when all its text is valid Unicode (the usual case, checked cheaply); its
    sender's name always without invisible or direction-changing characters (bot.core.names)."""
    name = storable_name(inc.user_name)
    if name != inc.user_name:
        inc = replace(inc, user_name=name)
    texts = (inc.text, inc.user_name, inc.locale or "", inc.chat.id, inc.user.id)
    if not any(_SURROGATE.search(t) for t in texts):
        return inc
    return replace(
        inc,
        text=storable(inc.text),
        user_name=storable(inc.user_name),
        locale=storable(inc.locale) if inc.locale is not None else None,
        chat=ChatRef(inc.chat.platform, storable(inc.chat.id)),
        user=UserRef(inc.user.platform, storable(inc.user.id)),
    )
