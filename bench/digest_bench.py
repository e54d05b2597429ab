"""Digest fan-out to many chats against the fake Bot API enforcing Telegram's flood limits.

    python -m bench.digest_bench --chats 1000

Ours (StrictRateLimiter) and PTB's AIORateLimiter as the baseline, in the same run; the floor
is chats / 30 seconds (Telegram's ~30 messages per second).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

NOW = datetime(2026, 11, 24, 0, 5)


async def fan_out(chats: int, limiter_name: str) -> dict[str, float]:
    from fakebotapi import FakeBotAPI
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.config import Settings
    from bot.digest.delivery import DigestDelivery
    from bot.digest.subscriptions import SubscriptionStore
    from bot.documents import NewDocument
    from bot.services import Services
    from bot.tg.ratelimit import StrictRateLimiter
    from bot.tg.sender import TelegramSender

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(tmp) / 'd.sqlite3'}",  # type: ignore[call-arg]
            data_dir=Path(tmp),
            index_dir=Path(tmp) / "index",
        )
        services = Services(settings)
        ids = [
            -(10_000 + i) if i % 2 else 100_000 + i for i in range(chats)
        ]  # half groups, half private
        store = SubscriptionStore(services.db)
        for chat in ids:
            store.enable(chat, "07:00", now=datetime(2026, 11, 23, 12, 0))
        for i in range(5):
            doc = services.documents.add(
                NewDocument(
                    title=f"Tin {i}",
                    text=f"Nội dung {i} về kết nạp đảng viên.",
                    external_id=f"b{i}",
                )
            )
            services.documents.set_topics(doc.document_id, {"admission": 0.9}, "b")
        limiter = StrictRateLimiter() if limiter_name == "strict" else AIORateLimiter(max_retries=5)
        async with FakeBotAPI(strict_chats=False, enforce_limits=True) as fake:
            async with ExtBot("1:B", base_url=fake.base_url, rate_limiter=limiter) as bot:
                delivery = DigestDelivery(services, TelegramSender(bot), clock=lambda: NOW)
                started = time.perf_counter()
                report = await delivery.run_once(NOW)
                seconds = time.perf_counter() - started
            per_chat = [len(fake.texts(c)) for c in ids]
        services.close()
    return {
        "seconds": seconds,
        "floor": chats / 30,
        "sent": len(report.sent),
        "429": fake.stats["429"],
        "duplicates": sum(1 for n in per_chat if n > 1),
        "missing": sum(1 for n in per_chat if n == 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=1000)
    args = parser.parse_args()
    print(
        f"fan-out to {args.chats} chats (half groups, half private), fake Bot API enforcing 30/s, 20/min/group"
    )
    print(
        f"{'limiter':16} {'seconds':>8} {'vs floor':>9} {'sent':>6} {'429s':>5} {'dupes':>6} {'missing':>8}"
    )
    for name in ("strict", "aiorate"):
        r = asyncio.run(fan_out(args.chats, name))
        label = "StrictRateLimiter" if name == "strict" else "AIORateLimiter"
        print(
            f"{label:16} {r['seconds']:8.1f} {r['seconds'] / r['floor'] - 1:+8.1%} {r['sent']:6.0f} {r['429']:5.0f} {r['duplicates']:6.0f} {r['missing']:8.0f}"
        )


if __name__ == "__main__":
    main()
