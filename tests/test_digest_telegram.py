"""Digest delivery through the real TelegramSender, PTB's ExtBot and the strict fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI
from telegram.ext import ExtBot

from bot.digest.delivery import DigestDelivery
from bot.digest.subscriptions import SubscriptionStore
from bot.documents import NewDocument
from bot.render import visible_length
from bot.services import Services
from bot.tg.ratelimit import StrictRateLimiter
from bot.tg.sender import TelegramSender
from tests.conftest import make_settings

NOW = datetime(2026, 11, 24, 0, 5)  # 07:05 in Hanoi


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[Services, FakeBotAPI, ExtBot]]:
    services = Services(make_settings(tmp_path, f"sqlite:///{tmp_path / 'd.sqlite3'}"))
    async with FakeBotAPI(strict_chats=False) as fake:
        bot = ExtBot(
            "1:T",
            base_url=fake.base_url,
            rate_limiter=StrictRateLimiter(overall_rate=500, group_per_minute=6000),
        )
        async with bot:
            yield services, fake, bot
    services.close()


def subscribe(services: Services, chats: list[int]) -> None:
    store = SubscriptionStore(services.db)
    for chat in chats:
        store.enable(chat, "07:00", now=datetime(2026, 11, 23, 12, 0))
    # Titles that would break careless HTML.
    for i, title in enumerate(
        ["Kết nạp <script>alert(1)</script> đảng viên", "Tham nhũng & lãng phí", "Chi bộ <b>"]
    ):
        doc = services.documents.add(
            NewDocument(
                title=title, text=f"Nội dung {i} về công tác xây dựng Đảng.", external_id=f"h{i}"
            )
        )
        services.documents.set_topics(doc.document_id, {"admission": 0.9}, "t")


def delivery(services: Services, bot: ExtBot, **kw) -> DigestDelivery:  # type: ignore[no-untyped-def]
    return DigestDelivery(
        services, TelegramSender(bot), clock=lambda: NOW, backoff=lambda attempt: 0.01, **kw
    )


async def test_hostile_titles_are_accepted_by_the_strict_parser(setup) -> None:  # type: ignore[no-untyped-def]
    services, fake, bot = setup
    subscribe(services, [-10])
    report = await delivery(services, bot).run_once(NOW)
    assert report.sent == [-10]
    texts = fake.texts(-10)
    assert len(texts) == 1 and "<script>" in texts[0] and "Tham nhũng & lãng phí" in texts[0]
    assert all(visible_length(t) <= 4096 for t in texts)
    assert fake.stats["400"] == 0


async def test_429_is_waited_out_and_the_digest_arrives_once(setup) -> None:  # type: ignore[no-untyped-def]
    services, fake, bot = setup
    subscribe(services, [-11])
    fake.fail_next("sendMessage", chat_id=-11, kind="flood", retry_after=0.05)
    report = await delivery(services, bot).run_once(NOW)
    assert report.sent == [-11]
    assert len(fake.texts(-11)) == 1 and fake.stats["429"] == 1


async def test_kicked_chat_is_disabled_and_others_still_get_theirs(setup) -> None:  # type: ignore[no-untyped-def]
    services, fake, bot = setup
    subscribe(services, [-12, -13])
    fake.kick(-12)
    report = await delivery(services, bot).run_once(NOW)
    assert report.disabled == [-12] and report.sent == [-13]
    sub = SubscriptionStore(services.db).get(-12)
    assert sub.enabled is False and "kicked" in sub.disabled_reason.lower()


async def test_group_upgraded_to_supergroup_moves_the_subscription(setup) -> None:  # type: ignore[no-untyped-def]
    services, fake, bot = setup
    subscribe(services, [-14])
    fake.migrate_chat(-14, -1000000000014)
    report = await delivery(services, bot).run_once(NOW)
    assert report.moved == {-14: -1000000000014}
    assert len(fake.texts(-1000000000014)) == 1 and fake.texts(-14) == []
    store = SubscriptionStore(services.db)
    assert store.get(-14) is None and store.get(-1000000000014).enabled


async def test_server_errors_are_retried_then_reported(setup) -> None:  # type: ignore[no-untyped-def]
    services, fake, bot = setup
    subscribe(services, [-15, -16])
    fake.fail_next("sendMessage", chat_id=-15, kind="server", status=502, times=1)
    fake.fail_next("sendMessage", chat_id=-16, kind="server", times=10)
    failures: list[int] = []

    async def on_failure(chat_id: int, error: str) -> None:
        failures.append(chat_id)

    report = await delivery(services, bot, on_failure=on_failure).run_once(NOW)
    assert report.sent == [-15] and len(fake.texts(-15)) == 1
    assert failures == [-16] and SubscriptionStore(services.db).get(-16).failures == 1


async def test_fan_out_stays_under_telegram_limits(tmp_path: Path) -> None:
    services = Services(make_settings(tmp_path, f"sqlite:///{tmp_path / 'f.sqlite3'}"))
    chats = [-(100 + i) for i in range(40)] + [5000 + i for i in range(20)]
    subscribe(services, chats)
    async with (
        FakeBotAPI(strict_chats=False, enforce_limits=True) as fake,
        ExtBot("1:T", base_url=fake.base_url, rate_limiter=StrictRateLimiter()) as bot,
    ):
        report = await delivery(services, bot).run_once(NOW)
    services.close()
    assert sorted(report.sent) == sorted(chats)
    assert fake.stats["429"] == 0
    assert all(len(fake.texts(c)) == 1 for c in chats)
