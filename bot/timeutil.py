"""Time zones: the database keeps naive UTC; people read Vietnam time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime, tz: ZoneInfo = VN) -> datetime:
    """A naive-UTC (or aware) datetime in ``tz``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


def format_date(value: datetime | None, *, with_time: bool = False, tz: ZoneInfo = VN) -> str:
    """``05/07/2022`` (or ``05/07/2022 09:38``) in Vietnam time; empty for None."""
    if value is None:
        return ""
    local = to_local(value, tz)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
