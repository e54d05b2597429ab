"""A strict outgoing rate limiter for python-telegram-bot.

PTB's ``AIORateLimiter`` uses leaky buckets that allow a burst of 30 messages and then 30 per
second, so the first second of a large fan-out can carry almost 60 messages — more than
Telegram's "about 30 per second" (measured: 339 refusals in a 1,000-chat fan-out). This
limiter instead

- spaces requests evenly (``1/overall_rate`` apart overall, ``60/group_per_minute`` per group)
  on a grid: a waiter that wakes a little late does not push every later slot back (over a
  1,000-message fan-out that drift alone cost a second), and after an idle spell the grid
  restarts from now, so there is no burst;
- never starts a request before the one 30 places earlier has *completed* and a second has
  passed since: a request reaches Telegram after it starts and before it completes, so no
  second at Telegram's end can hold more than 30, whatever the network jitter;
- waits out a 429's ``retry_after`` before retrying, pausing everyone (429s are often global);
- calls the hook in :data:`BEFORE_REQUEST`, if the caller set one, once it holds a slot and right
  before the request leaves: the digest engine records "part k in flight" there, so a crash
  can leave in doubt only a request that was really on its way, not every message queued
  behind the limiter.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

WINDOW = 30  # Telegram: about 30 messages per second overall

#: Awaited right before each attempt of a request made in this context leaves (after every
#: wait). Set by :class:`bot.tg.sender.TelegramSender`; ``None`` elsewhere.
BEFORE_REQUEST: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "partybot_before_request", default=None
)


class _Spacer:
    """Hands out evenly spaced start times."""

    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self.interval = interval
        self.clock = clock
        self.next_slot = 0.0
        self.lock = asyncio.Lock()

    async def wait(
        self, before_start: Callable[[], Coroutine[Any, Any, None]] | None = None
    ) -> None:
        async with self.lock:
            if before_start is not None:
                await before_start()
            now = self.clock()
            slot = max(self.next_slot, now)
            if slot > now:
                await asyncio.sleep(slot - now)
            self.next_slot = slot + self.interval


class StrictRateLimiter(BaseRateLimiter[int]):
    """Even spacing overall and per group, a hard 30-per-second window, retries after 429."""

    def __init__(
        self,
        overall_rate: float = 29.8,
        group_per_minute: float = 19.5,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
        per_second: int = WINDOW,
    ) -> None:
        self.overall = _Spacer(1.0 / overall_rate, clock)
        self.group_interval = 60.0 / group_per_minute
        self.groups: dict[int | str, _Spacer] = {}
        self.max_retries = max_retries
        self.clock = clock
        self.resume_at = 0.0
        self.retries = 0  # 429s seen, for reports and tests
        # Completion times (futures) of the last `per_second` requests that count against the
        # limit (tests against a fake server may raise it; Telegram's is 30).
        self.per_second = per_second
        self.recent: collections.deque[asyncio.Future[float]] = collections.deque(maxlen=per_second)

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

    async def _window(self) -> None:
        if len(self.recent) < self.per_second:
            return
        done_at = await asyncio.shield(self.recent[0])
        delay = done_at + 1.0 - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

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
            finished: asyncio.Future[float] | None = None
            if chat_id is not None:
                if group is not None:
                    spacer = self.groups.get(group)
                    if spacer is None:
                        spacer = self.groups[group] = _Spacer(self.group_interval, self.clock)
                    await spacer.wait()
                await self.overall.wait(self._window)
                finished = asyncio.get_running_loop().create_future()
                self.recent.append(finished)
            try:
                hook = BEFORE_REQUEST.get()
                if hook is not None:
                    await hook()
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.retries += 1
                if attempt == retries:
                    raise
                with warnings.catch_warnings():  # PTB 22 warns that the type will change
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    retry_after = exc.retry_after
                wait = (
                    retry_after
                    if isinstance(retry_after, int | float)
                    else retry_after.total_seconds()
                )
                log.info("429 from Telegram on %s; waiting %.1f s", endpoint, wait)
                self.resume_at = max(self.resume_at, self.clock() + float(wait) + 0.1)
            finally:
                if finished is not None and not finished.done():
                    finished.set_result(self.clock())
        raise AssertionError("unreachable")
