"""A bot instance in its own process for the kill -9 test (``tests/test_digest_telegram.py``).

Runs one digest pass (``DigestDelivery.run_once``) through the real ``TelegramSender``, PTB's
``ExtBot`` and our ``StrictRateLimiter`` against the fake Bot API served by the test process,
then exits 0. The test SIGKILLs it in the middle of the fan-out. Configuration comes from the
environment:

- ``DIGEST_DATABASE_URL``: the database the test prepared (SQLite file or PostgreSQL);
- ``DIGEST_BASE_URL``: the fake Bot API's ``base_url``;
- ``DIGEST_NOW``: the frozen clock, ISO format, naive UTC;
- ``DIGEST_DATA_DIR``: a scratch folder for the settings;
- ``DIGEST_RATE`` (optional): the limiter's overall rate, messages per second.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))


async def main() -> None:
    from telegram.ext import ExtBot

    from bot.config import Settings
    from bot.digest.delivery import DigestDelivery
    from bot.services import Services
    from bot.tg.ratelimit import StrictRateLimiter
    from bot.tg.sender import TelegramSender

    data_dir = Path(os.environ["DIGEST_DATA_DIR"])
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=os.environ["DIGEST_DATABASE_URL"],
        data_dir=data_dir,
        index_dir=data_dir / "index",
        telegram_bot_token="",
        admin_ids=[],
        access_mode="open",  # the parent's chats are subscribed, not allowed one by one
    )
    now = datetime.fromisoformat(os.environ["DIGEST_NOW"])
    rate = float(os.environ.get("DIGEST_RATE", "29.8"))
    services = Services(settings)
    limiter = StrictRateLimiter(overall_rate=rate)
    async with ExtBot(
        "1:CHILD", base_url=os.environ["DIGEST_BASE_URL"], rate_limiter=limiter
    ) as bot:
        delivery = DigestDelivery(services, TelegramSender(bot), owner="child", clock=lambda: now)
        report = await delivery.run_once(now)
    services.close()
    print(f"child finished: {len(report.sent)} sent, {report.messages} messages", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
