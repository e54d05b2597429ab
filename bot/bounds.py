"""Bounds on every number a user can send: pages, offsets, ids, limits.

Callback data, command arguments and CLI options are untrusted text. A page number of
400,000,000 once made the search engine allocate ~240 GB and abort the process, and a
20-digit document id overflowed SQLite's integers; so numbers are parsed here, at the
boundary, and never reach the engine or the database out of range.
"""

from __future__ import annotations

import re

MAX_PAGE = 1_000  # 5 results a page: nobody pages past 5,000 results
MAX_OFFSET = 10_000  # deepest result the engine will fetch (its top-k allocates this much)
MAX_LIMIT = 1_000  # results in one call
MAX_DB_ID = 2**31 - 1  # documents.id is a 32-bit INTEGER on PostgreSQL
MAX_CHAT_ID = 2**53  # Telegram ids fit in 52 bits (and a float64)

_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: "²".isdigit() is True, int("²") fails


def parse_int(text: object, *, low: int, high: int) -> int | None:
    """``text`` as an int in ``[low, high]``; None when it is not ASCII digits or out of range."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        value = text
    elif isinstance(text, str) and _DIGITS.fullmatch(text.strip()):
        value = int(text.strip())
    else:
        return None
    return value if low <= value <= high else None


def parse_page(text: object) -> int | None:
    """A page number from untrusted text: 1…:data:`MAX_PAGE` (a larger one becomes the
    largest: the caller shows the last page); None when it is not a number at all."""
    if isinstance(text, str) and text.strip() == "":
        return 1
    value = parse_int(text, low=0, high=10**18)
    if value is None:
        return None
    return clamp(value, 1, MAX_PAGE)


def parse_doc_id(text: object) -> int | None:
    """A database document id, or None when ``text`` cannot be one."""
    return parse_int(text, low=1, high=MAX_DB_ID)


def parse_chat_id(text: object) -> int | None:
    """A Telegram user or chat id (groups are negative), or None."""
    if isinstance(text, str):
        stripped = text.strip()
        negative = stripped.startswith("-")
        value = parse_int(stripped[1:] if negative else stripped, low=1, high=MAX_CHAT_ID)
        return None if value is None else (-value if negative else value)
    if isinstance(text, int) and not isinstance(text, bool) and 0 < abs(text) <= MAX_CHAT_ID:
        return text
    return None


def clamp(value: int, low: int, high: int) -> int:
    """``value`` limited to ``[low, high]``."""
    return max(low, min(high, value))
