"""Feed source settings that are not stored data: the polling interval syntax."""

from __future__ import annotations

import re

from bot.errors import InputError


def parse_every(value: str) -> int:
    """``30m``, ``2h``, ``1d``, ``90s`` or a number of minutes → seconds (at least 60)."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*([smhd]?)\s*", value or "")
    if not match:
        raise InputError(f"invalid interval {value!r}; use e.g. 30m, 2h, 1d")
    number, unit = int(match.group(1)), match.group(2) or "m"
    seconds = number * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    if seconds < 60:
        raise InputError("poll at most once a minute")
    if seconds > MAX_EVERY:
        raise InputError("poll at least once every 30 days (e.g. 1d, 7d, 30d)")
    return seconds


def every_text(seconds: int) -> str:
    """An interval as it would be typed: "90s", "15m", "2h", "1d" (90 s was shown "1 min")."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


MAX_EVERY = 30 * 86400  # a feed polled less often than monthly has long dropped its items
