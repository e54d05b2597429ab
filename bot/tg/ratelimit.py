"""A strict outgoing rate limiter for python-telegram-bot.

PTB's ``AIORateLimiter`` uses leaky buckets that allow a burst of 30 messages and then 30 per
second, so the first second of a large fan-out can carry almost 60 messages — more than
Telegram's "about 30 per second". This limiter spaces requests evenly instead: one slot every
``1/overall_rate`` seconds overall and every ``60/group_per_minute`` seconds per group, and
waits out a 429's ``retry_after`` before retrying (pausing everyone, since 429s are often
global).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)


class _Spacer:
    """Hands out evenly spaced time slots."""

    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self.interval = interval
        self.clock = clock
        self.next_slot = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self.lock:
            now = self.clock()
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
        delay = slot - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)


class StrictRateLimiter(BaseRateLimiter[int]):
    """Even spacing overall and per group, and retries after 429."""

    def __init__(
        self,
        overall_rate: float = 29.5,
        group_per_minute: float = 19.5,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.overall = _Spacer(1.0 / overall_rate, clock)
        self.group_interval = 60.0 / group_per_minute
        self.groups: dict[int | str, _Spacer] = {}
        self.max_retries = max_retries
        self.clock = clock
        self.resume_at = 0.0
        self.retries = 0  # 429s seen, for reports and tests

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def _group(self, chat_id: Any) -> int | str | None:
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
            return chat_id
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a slot, send, and retry after a 429."""
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries
        chat_id = data.get("chat_id")
        group = self._group(chat_id) if chat_id is not None else None
        for attempt in range(retries + 1):
            pause = self.resume_at - self.clock()
            if pause > 0:
                await asyncio.sleep(pause)
            if chat_id is not None:
                if group is not None:
                    spacer = self.groups.get(group)
                    if spacer is None:
                        spacer = self.groups[group] = _Spacer(self.group_interval, self.clock)
                    await spacer.wait()
                await self.overall.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.retries += 1
                if attempt == retries:
                    raise
                wait = (
                    exc.retry_after
                    if isinstance(exc.retry_after, int | float)
                    else exc.retry_after.total_seconds()
                )
                log.info("429 from Telegram on %s; waiting %.1f s", endpoint, wait)
                self.resume_at = max(self.resume_at, self.clock() + float(wait) + 0.1)
        raise AssertionError("unreachable")
