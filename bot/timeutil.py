"""Time zones: the database keeps naive UTC; people read Vietnam time."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InputError

TIMEZONE = "Asia/Ho_Chi_Minh"  # the one default zone: dates shown, digests, articles without one
VN = ZoneInfo(TIMEZONE)
DEFAULT_DIGEST_TIME = "07:00"


def to_local(value: datetime, tz: ZoneInfo = VN) -> datetime:
    """A naive-UTC (or aware) datetime in ``tz``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


def format_date_iso(value: str) -> str:
    """``2021-10-28`` → ``28/10/2021`` (as Vietnamese readers write dates); unchanged if odd."""
    parts = value.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else value


def format_date(value: datetime | None, *, with_time: bool = False, tz: ZoneInfo = VN) -> str:
    """``05/07/2022`` (or ``05/07/2022 09:38``) in Vietnam time; empty for None."""
    if value is None:
        return ""
    local = to_local(value, tz)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def parse_time(value: str) -> str:
    """``7``, ``7:5``, ``07:00``, ``7h30`` → ``HH:MM``; raises :class:`InputError`."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:hg.](\d{1,2}))?\s*", value or "")
    if not match:
        raise InputError(f"invalid time {value!r}; use HH:MM, e.g. 07:00")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InputError(f"invalid time {value!r}; use HH:MM between 00:00 and 23:59")
    return f"{hour:02d}:{minute:02d}"


_OFFSET = re.compile(r"\s*(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?\s*", re.IGNORECASE)


def parse_timezone(value: str) -> str:
    """A valid IANA zone name (``Asia/Ho_Chi_Minh``), also typed in any case, or an offset
    of whole hours as admins write one (``UTC+7``, ``GMT+7``: ``Etc/GMT-7``, whose sign is
    POSIX's); raises :class:`InputError`."""
    offset = _OFFSET.fullmatch(value or "")
    if offset is not None and int(offset.group(2)) <= 14:
        hours = int(offset.group(2))
        # Etc/GMT-7 is seven hours ahead of UTC: the sign is the other way round.
        sign = "-" if offset.group(1) == "+" else "+"
        value = f"Etc/GMT{sign}{hours}" if hours else "UTC"
    name = _zone_names().get((value or "").strip().lower(), value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"unknown time zone {value!r}; e.g. Asia/Ho_Chi_Minh or UTC+7") from exc
    return name


def zone_label(name: str) -> str:
    """A zone as an admin reads it: "Etc/GMT-7" (POSIX's sign, seven hours ahead) is
    "UTC+7", which was typed and read as UTC−7 when echoed (a tester's); others as named."""
    offset = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if offset is None:
        return name
    return f"UTC{'-' if offset.group(1) == '+' else '+'}{offset.group(2)}"


@functools.cache
def _zone_names() -> dict[str, str]:
    """IANA zone names by their lower case ("asia/ho_chi_minh")."""
    return {name.lower(): name for name in available_timezones()}


def next_due(send_time: str, tz_name: str, after: datetime) -> datetime:
    """The first ``send_time`` in ``tz_name`` strictly after ``after`` (naive UTC in and out)."""
    tz = ZoneInfo(tz_name)
    hour, minute = (int(x) for x in send_time.split(":"))
    local_now = after.replace(tzinfo=UTC).astimezone(tz)
    candidate = datetime.combine(local_now.date(), time(hour, minute), tzinfo=tz)
    if candidate <= local_now:
        candidate = datetime.combine(
            local_now.date() + timedelta(days=1), time(hour, minute), tzinfo=tz
        )
    return candidate.astimezone(UTC).replace(tzinfo=None)
