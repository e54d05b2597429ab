"""Digest fan-out to many chats against the fake Bot API enforcing Telegram's flood limits.

    python -m bench.digest_bench --chats 1000

Every chat (half groups, half private chats) is subscribed and due; one pass of
``DigestDelivery.run_once`` sends each its one-message digest through the real
``TelegramSender`` and PTB's ``ExtBot`` to ``FakeBotAPI(enforce_limits=True)`` on 127.0.0.1
(30 messages in any second overall, 20 a minute per group, about 1 a second per private chat;
a 429 with ``retry_after`` beyond that), on the real clock. Our ``StrictRateLimiter`` and PTB's
``AIORateLimiter`` (the baseline) run in the same invocation, each on a fresh SQLite database.

The floor is chats / 30 seconds: no sender that respects Telegram's limit can be faster.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 24, 0, 5)  # 07:05 in Hanoi: every 07:00 digest is due
SUBSCRIBED_AT = datetime(2026, 11, 23, 12, 0)
TELEGRAM_PER_SECOND = 30


@dataclass
class Result:
    limiter: str
    chats: int
    seconds: float  # the whole pass: claiming, rendering, sending, recording
    first_message: float  # from the start of the pass to Telegram accepting the first message
    sent: int
    rejected_429: int
    duplicates: int
    missing: int
    in_doubt: int
    busiest_second: int  # most messages Telegram accepted in any sliding 1-second window

    @property
    def floor(self) -> float:
        return self.chats / TELEGRAM_PER_SECOND

    @property
    def over_floor(self) -> float:
        return self.seconds / self.floor - 1


def busiest_window(times: list[float], width: float = 1.0) -> int:
    """The most timestamps in any half-open window [t, t + width)."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - width:
            start += 1
        best = max(best, end - start + 1)
    return best


async def fan_out(chats: int, limiter_name: str) -> Result:
    import sqlalchemy as sa
    from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

    from bot.config import Settings
    from bot.corpus.documents import NewDocument
    from bot.digest.delivery import DigestDelivery
    from bot.services import Services
    from bot.store.db import deliveries
    from bot.store.subscriptions import SubscriptionStore
    from bot.tg.ratelimit import StrictRateLimiter
    from bot.tg.sender import TelegramSender
    from tests.auxil.fakebotapi import FakeBotAPI

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{Path(tmp) / 'd.sqlite3'}",
            data_dir=Path(tmp),
            index_dir=Path(tmp) / "index",
            telegram_bot_token="",
            admin_ids=[],
        )
        services = Services(settings)
        # Half groups, half private chats, interleaved.
        ids = [-(10_000 + i) if i % 2 else 100_000 + i for i in range(chats)]
        store = SubscriptionStore(services.db)
        for chat in ids:
            store.enable(chat, "07:00", now=SUBSCRIBED_AT, start_after_doc=0)
        for i in range(5):
            doc = services.documents.add(
                NewDocument(
                    title=f"Tin {i}: kết nạp đảng viên <mới> & sinh hoạt chi bộ",
                    text=f"Nội dung {i} về kết nạp đảng viên ở chi bộ thôn.",
                    external_id=f"b{i}",
                )
            )
            services.documents.set_topics(doc.document_id, {"admission": 0.9}, "bench")
        limiter: BaseRateLimiter[Any] = (
            StrictRateLimiter() if limiter_name == "strict" else AIORateLimiter(max_retries=5)
        )
        async with FakeBotAPI(enforce_limits=True) as fake:
            for chat in ids:
                fake.add_chat(chat, "private" if chat > 0 else "group")
            accepted_at: list[float] = []
            accept = fake._api_sendMessage

            async def timed_accept(params: dict[str, Any]) -> Any:
                result = await accept(params)
                accepted_at.append(time.monotonic())
                return result

            fake._api_sendMessage = timed_accept  # type: ignore[method-assign]
            async with ExtBot("1:BENCH", base_url=fake.base_url, rate_limiter=limiter) as bot:
                delivery = DigestDelivery(services, TelegramSender(bot), clock=lambda: NOW)
                started = time.monotonic()
                report = await delivery.run_once(NOW)
                seconds = time.monotonic() - started
            per_chat = Counter(m["chat"]["id"] for m in fake.sent())
            rejected = fake.stats["429"]
        with services.db.begin() as conn:
            in_doubt = int(
                conn.execute(sa.select(sa.func.sum(deliveries.c.in_doubt))).scalar() or 0
            )
        services.close()
    return Result(
        limiter="StrictRateLimiter" if limiter_name == "strict" else "AIORateLimiter",
        chats=chats,
        seconds=seconds,
        first_message=accepted_at[0] - started if accepted_at else float("nan"),
        sent=len(report.sent),
        rejected_429=rejected,
        duplicates=sum(1 for chat in ids if per_chat[chat] > 1),
        missing=sum(1 for chat in ids if per_chat[chat] == 0),
        in_doubt=in_doubt,
        busiest_second=busiest_window(accepted_at),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Digest fan-out against the fake Bot API enforcing Telegram's limits."
    )
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument(
        "--limiter",
        choices=("both", "strict", "aio"),
        default="both",
        help="ours (strict), PTB's AIORateLimiter (aio), or both in this run (default)",
    )
    args = parser.parse_args()
    names = ("strict", "aio") if args.limiter == "both" else (args.limiter,)
    print(
        f"fan-out to {args.chats} chats (half groups, half private), one message each; "
        f"fake Bot API enforcing 30/s overall, 20/min per group; floor "
        f"{args.chats / TELEGRAM_PER_SECOND:.1f} s"
    )
    header = (
        f"{'limiter':18} {'seconds':>8} {'vs floor':>9} {'1st msg':>8} {'sent':>6} "
        f"{'429s':>5} {'dupes':>6} {'missing':>8} {'in doubt':>9} {'max/1s':>7}"
    )
    print(header)
    for name in names:
        r = asyncio.run(fan_out(args.chats, name))
        print(
            f"{r.limiter:18} {r.seconds:8.1f} {r.over_floor:+9.1%} {r.first_message:7.2f}s "
            f"{r.sent:6d} {r.rejected_429:5d} {r.duplicates:6d} {r.missing:8d} {r.in_doubt:9d} "
            f"{r.busiest_second:7d}",
            flush=True,
        )


if __name__ == "__main__":
    main()
