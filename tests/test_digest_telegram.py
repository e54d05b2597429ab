"""Digests over Telegram: the real ``TelegramSender``, PTB's ``ExtBot`` and ``Application``, our
``StrictRateLimiter``, against the strict fake Bot API on 127.0.0.1.

Scheduling uses a frozen clock (``clock=`` and ``now=``); nothing sleeps until 07:00. The
domain-level tests (recording sender) are in ``tests/test_digest.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from telegram.ext import Application, ExtBot

from bot.access.policy import AccessPolicy
from bot.corpus.documents import NewDocument
from bot.digest.delivery import MAX_ATTEMPTS, DigestDelivery, RunReport
from bot.services import Services
from bot.store.access import AccessStore
from bot.store.db import deliveries, subscriptions, utcnow
from bot.store.subscriptions import SubscriptionStore
from bot.tg.handlers.digest import send_due_digests
from bot.tg.ratelimit import StrictRateLimiter
from bot.tg.sender import TelegramSender
from tests.auxil.bots import polling_app
from tests.auxil.fakebotapi import FakeBotAPI
from tests.auxil.settings import make_settings

# PTB 22 warns on every RetryAfter it builds that `retry_after` will become a timedelta; our
# limiter reads either type.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "auxil" / "digest_child.py"

SUBSCRIBED_AT = datetime(2026, 11, 23, 12, 0)  # 19:00 in Hanoi, the evening before
NOW = datetime(2026, 11, 24, 0, 5)  # 07:05 in Hanoi: every 07:00 digest is due
LATER = NOW + timedelta(minutes=10)  # past the lease of anything claimed at NOW
BOT_NAME = "partybot_test_bot"  # the fake's default username

HOSTILE_TITLES = [
    "Kết nạp <script>alert(1)</script> đảng viên",
    "Tham nhũng & lãng phí: a & b",
    "Chi bộ <b> </i> &amp; &nbsp; 1 < 2",
]


# --- helpers ------------------------------------------------------------------------------------


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_doc(
    services: Services,
    title: str,
    topic: str = "inspection",
    *,
    key: str,
    url: str | None = None,
    long: bool = False,
) -> int:
    text = f"Bài viết {key} về công tác xây dựng Đảng ở cơ sở. " + (
        "Chi bộ tổ chức sinh hoạt chuyên đề, kiểm tra, giám sát việc thực hiện nghị quyết. " * 12
        if long
        else ""
    )
    result = services.documents.add(
        NewDocument(
            title=title,
            text=text,
            external_id=key,
            url=url,
            published_at=datetime(2026, 11, 20, 3, 0),
        )
    )
    services.documents.set_topics(result.document_id, {topic: 0.9}, "test")
    return result.document_id


def add_long_digest_docs(services: Services, per_topic: int = 25) -> None:
    """Enough documents, with long titles, for a digest of several 4096-character messages."""
    for slug in ("admission", "cadres", "grassroots"):
        for i in range(per_topic):
            add_doc(
                services,
                f"Tin {slug} số {i}: chi bộ thôn, bản vùng đồng bào dân tộc thiểu số kết nạp "
                "đảng viên mới, kiện toàn tổ chức cơ sở đảng và nâng cao chất lượng sinh hoạt",
                slug,
                key=f"{slug}-{i}",
                long=True,
            )


def subscribe(
    services: Services,
    chats: list[int],
    *,
    send_time: str = "07:00",
    topics: list[str] | None = None,
) -> None:
    store = SubscriptionStore(services.db)
    for chat in chats:
        store.enable(chat, send_time, now=SUBSCRIBED_AT, start_after_doc=0)
        if topics:
            store.set_topics(chat, topics)


def fast_limiter() -> StrictRateLimiter:
    """Our limiter with Telegram's numbers raised: the fake only enforces them when asked."""
    return StrictRateLimiter(overall_rate=1000, group_per_minute=60_000, per_second=1000)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for database state written by a background job (no fake call to wait for)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def sent_html(fake: FakeBotAPI, chat_id: int) -> list[str]:
    """The HTML the bot sent to a chat and Telegram accepted, in order."""
    return [p["text"] for p in fake.calls_to("sendMessage", ok=True) if p["chat_id"] == chat_id]


def attempts(fake: FakeBotAPI, chat_id: int) -> int:
    return sum(1 for p in fake.calls_to("sendMessage") if p["chat_id"] == chat_id)


def delivery_rows(services: Services) -> list[Any]:
    with services.db.begin() as conn:
        return list(conn.execute(sa.select(deliveries).order_by(deliveries.c.id)).all())


@dataclass
class Env:
    services: Services
    fake: FakeBotAPI
    bot: ExtBot
    limiter: StrictRateLimiter
    backoffs: list[int] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)

    def delivery(self, clock: Callable[[], datetime] = lambda: NOW, **kw: Any) -> DigestDelivery:
        def backoff(attempt: int) -> float:
            self.backoffs.append(attempt)
            return 0.02

        async def on_failure(chat_id: int, error: str) -> None:
            self.failures.append((chat_id, error))

        return DigestDelivery(
            self.services,
            TelegramSender(self.bot),
            owner="test",
            bot_username=BOT_NAME,
            clock=clock,
            backoff=backoff,
            on_failure=on_failure,
            **kw,
        )


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    """SQLite services, a strict fake Bot API (unknown chats refused) and a fast strict limiter."""
    # Every chat is served: these tests are about delivery (tests/test_digest.py has access).
    services = Services(
        make_settings(tmp_path, f"sqlite:///{tmp_path / 'd.sqlite3'}", access_mode="open")
    )
    limiter = fast_limiter()
    try:
        async with FakeBotAPI() as fake:
            async with ExtBot("1:T", base_url=fake.base_url, rate_limiter=limiter) as bot:
                yield Env(services, fake, bot, limiter)
            assert fake.unknown_methods == []
    finally:
        services.close()


def known(fake: FakeBotAPI, chats: list[int]) -> list[int]:
    for chat in chats:
        fake.add_chat(chat, "private" if chat > 0 else "group")
    return chats


# --- delivery over ExtBot -------------------------------------------------------------------------


async def test_sent_at_0700_hanoi_once_across_midnight_utc_then_only_new(env: Env) -> None:
    chats = known(env.fake, [-101, 4242])
    subscribe(env.services, chats)
    add_doc(env.services, "Kiểm tra việc thực hiện Kết luận 21-KL/TW", key="a")
    clock = Clock(datetime(2026, 11, 23, 23, 59))  # 06:59 in Hanoi, still the 23rd in UTC
    delivery = env.delivery(clock)
    assert (await delivery.run_once(clock.now)).sent == []
    assert env.fake.sent() == []
    clock.now = datetime(2026, 11, 24, 0, 0, 30)  # 07:00:30 in Hanoi
    assert sorted((await delivery.run_once(clock.now)).sent) == sorted(chats)
    assert (await delivery.run_once(clock.now)).sent == []  # due once
    for chat in chats:
        texts = env.fake.texts(chat)
        assert len(texts) == 1 and "Kết luận 21-KL/TW" in texts[0]
    add_doc(env.services, "Sinh hoạt chi bộ tháng 11", "grassroots", key="b")
    clock.now += timedelta(days=1)
    await delivery.run_once(clock.now)
    for chat in chats:
        second = env.fake.texts(chat)[1]
        assert "Sinh hoạt chi bộ tháng 11" in second and "21-KL/TW" not in second
    assert SubscriptionStore(env.services.db).get(-101).next_due_at == datetime(2026, 11, 26, 0, 0)


async def test_hostile_titles_and_a_long_digest_pass_the_strict_parser(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A digest of several messages: every item of each topic listed (the cap is 10).
    monkeypatch.setattr("bot.digest.content.MAX_PER_TOPIC", 30)
    chat = known(env.fake, [-102])[0]
    subscribe(env.services, [chat])
    ids = [add_doc(env.services, title, key=f"h{i}") for i, title in enumerate(HOSTILE_TITLES)]
    ids.append(
        add_doc(
            env.services,
            "Liên kết có & và <> trong địa chỉ",
            key="url",
            url='https://example.vn/tin?a=1&b=<2>&c="3"',
        )
    )
    add_long_digest_docs(env.services)
    report = await env.delivery().run_once(NOW)
    assert report.sent == [chat]
    texts = env.fake.texts(chat)  # what the user sees, after Telegram parsed the HTML
    assert len(texts) >= 3  # 79 documents do not fit in one message
    assert all(len(text) <= 4096 for text in texts)
    assert env.fake.stats["400"] == 0
    assert all(p["parse_mode"] == "HTML" for p in env.fake.calls_to("sendMessage"))
    seen = "\n".join(texts)
    for doc_id in ids:
        title = env.services.documents.get(doc_id).title
        assert seen.count(title) == 1, title
    assert "<script>alert(1)</script>" in seen and "a & b" in seen and "&nbsp;" in seen
    links = [
        e["url"]
        for m in env.fake.sent(chat)
        for e in m.get("entities", [])
        if e["type"] == "text_link"
    ]
    assert 'https://example.vn/tin?a=1&b=<2>&c="3"' in links
    # Every document appears once, in the order of the stored parts.
    row = delivery_rows(env.services)[0]
    assert sent_html(env.fake, chat) == json.loads(row.payload)
    assert row.parts_sent == row.parts_total == len(texts) and row.in_doubt == 0


async def test_429_is_waited_out_and_retried_and_the_digest_arrives_once(env: Env) -> None:
    chats = known(env.fake, [-103, -104])
    subscribe(env.services, chats)
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    # Five 429s: more than the limiter's own three retries, so the delivery retries too.
    env.fake.fail_next("sendMessage", chat_id=-103, kind="flood", retry_after=0.05, times=5)
    started = time.monotonic()
    report = await env.delivery().run_once(NOW)
    elapsed = time.monotonic() - started
    assert sorted(report.sent) == sorted(chats)
    assert len(env.fake.texts(-103)) == 1 and len(env.fake.texts(-104)) == 1
    assert env.fake.stats["429"] == 5 and attempts(env.fake, -103) == 6
    assert env.limiter.retries == 5
    assert elapsed >= 5 * 0.05  # every retry_after was waited out
    assert env.backoffs == [1]  # the limiter gave up once; the delivery retried


async def test_kicked_or_blocked_disables_and_other_chats_still_get_theirs(env: Env) -> None:
    chats = known(env.fake, [-105, 4243, -106, 4244])
    subscribe(env.services, chats)
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    env.fake.kick(-105)
    env.fake.block(4243)
    clock = Clock(NOW)
    report = await env.delivery(clock).run_once(clock.now)
    assert sorted(report.disabled) == [-105, 4243]
    assert sorted(report.sent) == [-106, 4244]
    assert env.fake.sent(-105) == [] and env.fake.sent(4243) == []
    assert len(env.fake.texts(-106)) == 1 and len(env.fake.texts(4244)) == 1
    store = SubscriptionStore(env.services.db)
    assert store.get(-105).enabled is False and "kicked" in store.get(-105).disabled_reason
    assert store.get(4243).enabled is False and "blocked" in store.get(4243).disabled_reason
    assert env.failures == []  # a kicked bot is not an admin's problem
    # Tomorrow nobody writes to them again.
    add_doc(env.services, "Tin mới", key="b")
    clock.now += timedelta(days=1)
    before = attempts(env.fake, -105), attempts(env.fake, 4243)
    await env.delivery(clock).run_once(clock.now)
    assert (attempts(env.fake, -105), attempts(env.fake, 4243)) == before
    assert len(env.fake.texts(-106)) == 2


async def test_group_upgraded_to_supergroup_moves_the_subscription(env: Env) -> None:
    old, new = -107, -1000000000107
    known(env.fake, [old, -108])
    subscribe(env.services, [old, -108])
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    add_long_digest_docs(env.services, per_topic=12)
    env.fake.migrate_chat(old, new)
    clock = Clock(NOW)
    report = await env.delivery(clock).run_once(clock.now)
    assert report.moved == {old: new}
    assert sorted(report.sent) == sorted([new, -108])
    parts = json.loads(next(r for r in delivery_rows(env.services) if r.chat_id == new).payload)
    assert len(parts) >= 2
    assert sent_html(env.fake, new) == parts  # every part once, in the new chat
    assert env.fake.sent(old) == [] and attempts(env.fake, old) == 1
    store = SubscriptionStore(env.services.db)
    assert store.get(old) is None
    assert store.get(new).enabled and store.get(new).last_doc_id == env.services.documents.max_id()
    # The next digest goes straight to the supergroup.
    add_doc(env.services, "Tin mới sau khi nâng cấp nhóm", key="b")
    clock.now += timedelta(days=1)
    await env.delivery(clock).run_once(clock.now)
    assert attempts(env.fake, old) == 1
    assert "Tin mới sau khi nâng cấp nhóm" in env.fake.texts(new)[-1]
    assert len(env.fake.texts(new)) == len(parts) + 1


async def test_a_502_is_retried_with_backoff_then_delivered(env: Env) -> None:
    chats = known(env.fake, [-109, 4245])
    subscribe(env.services, chats)
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    env.fake.fail_next("sendMessage", chat_id=-109, kind="server", status=502)
    report = await env.delivery().run_once(NOW)
    assert sorted(report.sent) == sorted(chats) and report.failed == {}
    assert len(env.fake.texts(-109)) == 1 and attempts(env.fake, -109) == 2
    assert env.backoffs == [1] and env.failures == []


async def test_repeated_server_errors_are_reported_and_other_chats_are_not_held_up(
    env: Env,
) -> None:
    bad, good = -110, [-111, 4246, 4247]
    known(env.fake, [bad, *good])
    subscribe(env.services, [bad, *good])
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    env.fake.fail_next("sendMessage", chat_id=bad, kind="server", times=MAX_ATTEMPTS)
    clock = Clock(NOW)
    report = await env.delivery(clock).run_once(clock.now)
    assert sorted(report.sent) == sorted(good) and list(report.failed) == [bad]
    assert attempts(env.fake, bad) == MAX_ATTEMPTS and env.backoffs == [1, 2]
    assert [chat for chat, _ in env.failures] == [bad]
    assert f"after {MAX_ATTEMPTS} attempts" in env.failures[0][1]
    # The healthy chats were served while the failing one was backing off.
    last_failure = max(i for i, c in enumerate(env.fake.calls) if c.params.get("chat_id") == bad)
    for chat in good:
        assert len(env.fake.texts(chat)) == 1
        served = next(i for i, c in enumerate(env.fake.calls) if c.params.get("chat_id") == chat)
        assert served < last_failure
    store = SubscriptionStore(env.services.db)
    sub = store.get(bad)
    assert sub.enabled and sub.failures == 1 and sub.last_error and sub.last_doc_id == 0
    assert next(r for r in delivery_rows(env.services) if r.chat_id == bad).status == "failed"
    # Tomorrow, with Telegram healthy again, the digest carries the documents it missed.
    add_doc(env.services, "Tin ngày hôm sau", key="b")
    clock.now += timedelta(days=1)
    await env.delivery(clock).run_once(clock.now)
    [text] = env.fake.texts(bad)
    assert "Kiểm tra tổ chức đảng" in text and "Tin ngày hôm sau" in text
    assert store.get(bad).failures == 0


async def test_an_unexpected_telegram_error_is_reported_without_stopping_the_pass(
    env: Env,
) -> None:
    chats = known(env.fake, [-112, -113, 4248])
    subscribe(env.services, chats)
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    env.fake.fail_next(
        "sendMessage",
        chat_id=-112,
        kind="error",
        status=409,
        description="Conflict: something unexpected",
    )
    report = await env.delivery().run_once(NOW)
    assert sorted(report.sent) == [-113, 4248] and list(report.failed) == [-112]
    assert [chat for chat, _ in env.failures] == [-112]
    assert attempts(env.fake, -112) == 1  # not a transient error: not retried


async def test_a_digest_turned_off_during_the_pass_is_not_sent(env: Env) -> None:
    chats = known(env.fake, [-114, -115, -116])  # served in this order, one at a time
    subscribe(env.services, chats)
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    store = SubscriptionStore(env.services.db)
    accept = env.fake._api_sendMessage

    async def accept_then_turn_off(params: dict[str, Any]) -> Any:
        if params["chat_id"] == -116:
            store.disable(-115, "turned off in chat")  # after the pass listed it as due
        return await accept(params)

    env.fake._api_sendMessage = accept_then_turn_off  # type: ignore[method-assign]
    report = await env.delivery(concurrency=1).run_once(NOW)
    assert report.sent == [-116, -114] and report.errors == []
    assert env.fake.sent(-115) == [] and attempts(env.fake, -115) == 0
    assert sorted(r.chat_id for r in delivery_rows(env.services)) == [-116, -114]


async def test_a_digest_turned_off_after_it_was_claimed_is_not_sent(env: Env) -> None:
    chat = known(env.fake, [-117])[0]
    subscribe(env.services, [chat])
    add_doc(env.services, "Kiểm tra tổ chức đảng", key="a")
    delivery = env.delivery()
    [claimed] = delivery.claim_due(NOW)
    SubscriptionStore(env.services.db).disable(chat, "turned off in chat")
    report = RunReport()
    await delivery.deliver(claimed, report)
    assert report.sent == [] and report.errors == [] and env.fake.sent(chat) == []
    [row] = delivery_rows(env.services)
    assert row.status == "failed" and "turned off" in row.error
    assert (await delivery.run_once(LATER)).sent == []  # not resumed after the lease either


@pytest.mark.slow
async def test_fan_out_smoke_stays_under_telegram_limits(tmp_path: Path) -> None:
    """A 60-chat version of the benchmark, with the fake enforcing Telegram's limits."""
    services = Services(
        make_settings(tmp_path, f"sqlite:///{tmp_path / 'f.sqlite3'}", access_mode="open")
    )
    chats = [-(200 + i) for i in range(30)] + [5000 + i for i in range(30)]
    subscribe(services, chats)
    for i, title in enumerate(HOSTILE_TITLES):
        add_doc(services, title, key=f"h{i}")
    try:
        async with (
            FakeBotAPI(enforce_limits=True) as fake,
            ExtBot("1:T", base_url=fake.base_url, rate_limiter=StrictRateLimiter()) as bot,
        ):
            known(fake, chats)
            delivery = DigestDelivery(services, TelegramSender(bot), clock=lambda: NOW)
            report = await delivery.run_once(NOW)
    finally:
        services.close()
    assert sorted(report.sent) == sorted(chats)
    assert fake.stats["429"] == 0 and fake.stats["400"] == 0
    assert all(len(fake.texts(chat)) == 1 for chat in chats)
    # Spaced, not crawling: the span of the sends themselves, as the fake saw them (not the
    # digest's own rendering and bookkeeping, whose time depends on how loaded the machine is).
    # 30/s allows 60 messages in just over 1 s; a limiter pacing 1/s would take a minute.
    span = fake.sent_at[-1] - fake.sent_at[0]
    assert len(fake.sent_at) == len(chats)
    assert span < len(chats) / 30 * 2


# --- /digest through the real Application ---------------------------------------------------------

BOT_ADMIN = 1
GROUP_ADMIN = 21
CREATOR = 22
MEMBER = 23
GROUP = -300100
OTHER_GROUP = -300200  # not allowed


@dataclass
class Running:
    fake: FakeBotAPI
    app: Application
    services: Services

    async def say(self, chat_id: int, user_id: int, text: str) -> str:
        """Post in a group and return the bot's answer there."""
        mark = self.fake.mark()
        self.fake.group_message(chat_id, user_id, text)
        call = await self.fake.wait_for("sendMessage", chat_id=chat_id, since=mark)
        assert call.ok, call.response
        return str(call.result["text"])  # as the user sees it, after Telegram parsed the HTML


@asynccontextmanager
async def running_app(tmp_path: Path) -> AsyncIterator[Running]:
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'app.sqlite3'}",
        admin_ids=[BOT_ADMIN],
        access_mode="allowlist",
    )
    services = Services(settings)
    add_doc(services, "Kiểm tra việc thực hiện Kết luận 21-KL/TW", key="a")
    add_doc(services, "Kết nạp đảng viên <mới> & trẻ", "admission", key="b")
    AccessPolicy(AccessStore(services.db), admin_ids=[BOT_ADMIN], mode="allowlist").allow(GROUP)
    try:
        async with FakeBotAPI() as fake:
            fake.add_chat(GROUP, "group", title="Chi bộ thôn Đông")
            fake.set_admins(GROUP, [GROUP_ADMIN], creator_id=CREATOR)
            async with polling_app(services, fake, init=False) as app:
                yield Running(fake, app, services)
            assert fake.unknown_methods == []
            refused = [c for c in fake.calls if c.status == 400]
            assert all("injected" in c.response["description"] for c in refused), refused
    finally:
        services.close()


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Running]:
    async with running_app(tmp_path) as running:
        yield running


async def test_group_admin_turns_the_digest_on_at_0630(app: Running) -> None:
    store = SubscriptionStore(app.services.db)
    answer = await app.say(GROUP, GROUP_ADMIN, "/digest on 06:30")
    assert "Đã bật bản tin lúc 06:30 (Asia/Ho_Chi_Minh)" in answer
    sub = store.get(GROUP)
    assert sub.enabled and sub.send_time == "06:30" and sub.timezone == "Asia/Ho_Chi_Minh"
    assert (sub.next_due_at.hour, sub.next_due_at.minute) == (23, 30)  # 06:30 in Hanoi, UTC
    # The bot asked Telegram whether the sender is an admin of the group.
    assert {"chat_id": GROUP, "user_id": GROUP_ADMIN}.items() <= app.fake.calls_to("getChatMember")[
        -1
    ].items()
    settings = await app.say(GROUP, MEMBER, "/digest")  # anyone may look at the settings
    assert "bật" in settings and "06:30" in settings


async def test_a_non_admin_is_refused_and_nothing_changes(app: Running) -> None:
    store = SubscriptionStore(app.services.db)
    for command in ("/digest on 06:30", "/digest topics inspection", "/digest off"):
        answer = await app.say(GROUP, MEMBER, command)
        assert "Chỉ quản trị viên nhóm" in answer
        assert store.get(GROUP) is None
    await app.say(GROUP, CREATOR, "/digest on")  # the group's creator counts as an admin
    assert store.get(GROUP).send_time == "07:00"
    assert "Chỉ quản trị viên nhóm" in await app.say(GROUP, MEMBER, "/digest off")
    assert store.get(GROUP).enabled
    # A bot admin who is no admin of this group may change it too.
    assert "Đã tắt bản tin" in await app.say(GROUP, BOT_ADMIN, "/digest off")
    assert store.get(GROUP).enabled is False


async def test_anyone_may_preview_and_it_changes_nothing(app: Running) -> None:
    answer = await app.say(GROUP, MEMBER, "/digest now")
    assert "Bản tin" in answer and "2 tài liệu mới" in answer
    assert "Kết luận 21-KL/TW" in answer and "Kết nạp đảng viên <mới> & trẻ" in answer
    assert SubscriptionStore(app.services.db).get(GROUP) is None
    assert delivery_rows(app.services) == []


async def test_topics_then_off(app: Running) -> None:
    store = SubscriptionStore(app.services.db)
    await app.say(GROUP, GROUP_ADMIN, "/digest on")
    answer = await app.say(GROUP, GROUP_ADMIN, "/digest topics inspection admission")
    assert "inspection, admission" in answer
    assert store.get(GROUP).topics == ["inspection", "admission"]
    answer = await app.say(GROUP, GROUP_ADMIN, "/digest topics inspection khong_co")
    assert "Không có chủ đề: khong_co" in answer
    assert store.get(GROUP).topics == ["inspection", "admission"]
    await app.say(GROUP, GROUP_ADMIN, "/digest topics inspection")
    # A new subscriber starts from now: only documents added after /digest on are in it.
    assert "không có tài liệu mới" in await app.say(GROUP, MEMBER, "/digest now")
    add_doc(app.services, "Giám sát chuyên đề năm 2026", key="c")
    add_doc(app.services, "Lễ kết nạp đảng viên mới", "admission", key="d")
    preview = await app.say(GROUP, MEMBER, "/digest now")
    assert "Giám sát chuyên đề năm 2026" in preview
    assert "Lễ kết nạp đảng viên mới" not in preview  # only the chosen topic
    await app.say(GROUP, GROUP_ADMIN, "/digest topics all")
    assert store.get(GROUP).topics is None
    assert "Đã tắt bản tin" in await app.say(GROUP, GROUP_ADMIN, "/digest off")
    assert store.get(GROUP).enabled is False
    assert "tắt" in await app.say(GROUP, MEMBER, "/digest")


async def test_a_group_that_is_not_allowed_gets_a_refusal(app: Running) -> None:
    app.fake.add_chat(OTHER_GROUP, "group")
    app.fake.set_admins(OTHER_GROUP, [GROUP_ADMIN])
    answer = await app.say(OTHER_GROUP, GROUP_ADMIN, "/digest on")
    assert str(OTHER_GROUP) in answer
    assert SubscriptionStore(app.services.db).get(OTHER_GROUP) is None


async def test_the_job_sends_due_digests_and_tells_admins_about_failures(app: Running) -> None:
    """The production path: the job builds its delivery on the real clock and the app's bot."""
    broken = -300300
    app.fake.add_chat(broken, "group")
    app.services.access.allow(broken)  # a subscribed group is one the bot serves
    app.fake.add_chat(BOT_ADMIN, "private")
    store = SubscriptionStore(app.services.db)
    for chat in (GROUP, broken):
        store.enable(chat, now=SUBSCRIBED_AT, start_after_doc=0)
    with app.services.db.begin() as conn:  # due a minute ago, on the real clock
        conn.execute(subscriptions.update().values(next_due_at=utcnow() - timedelta(minutes=1)))
    app.fake.fail_next("sendMessage", chat_id=broken, kind="error", status=400)
    app.app.job_queue.run_once(send_due_digests, 0)
    digest = await app.fake.wait_for("sendMessage", chat_id=GROUP, ok=True)
    assert "2 tài liệu mới" in digest.params["text"]
    alert = await app.fake.wait_for("sendMessage", chat_id=BOT_ADMIN, ok=True)
    assert str(broken) in alert.result["text"] and "Injected error" in alert.result["text"]
    await eventually(lambda: store.get(GROUP).next_due_at > utcnow())
    assert store.get(GROUP).next_due_at.time() == dt_time(0, 0)  # 07:00 in Hanoi
    await eventually(lambda: store.get(broken).failures == 1)
    assert len(app.fake.texts(GROUP)) == 1


# --- two instances on one PostgreSQL --------------------------------------------------------------


@pytest.mark.slow
async def test_two_instances_on_one_postgresql_send_each_digest_once(
    tmp_path: Path, pg_url: str
) -> None:
    one = Services(make_settings(tmp_path / "one", pg_url, access_mode="open"))
    two = Services(make_settings(tmp_path / "two", pg_url, access_mode="open"))
    chats = [-(400 + i) for i in range(25)] + [7000 + i for i in range(25)]
    try:
        subscribe(one, chats)
        add_doc(one, "Kiểm tra tổ chức đảng", key="a")
        add_long_digest_docs(one, per_topic=8)  # two parts per chat
        async with (
            FakeBotAPI() as fake,
            ExtBot(
                "1:T", base_url=fake.base_url, rate_limiter=StrictRateLimiter(1000, 60_000)
            ) as bot_one,
            ExtBot(
                "1:T", base_url=fake.base_url, rate_limiter=StrictRateLimiter(1000, 60_000)
            ) as bot_two,
        ):
            known(fake, chats)
            a = DigestDelivery(one, TelegramSender(bot_one), owner="one", clock=lambda: NOW)
            b = DigestDelivery(two, TelegramSender(bot_two), owner="two", clock=lambda: NOW)
            reports: list[RunReport] = await asyncio.gather(
                a.run_once(NOW), b.run_once(NOW), a.run_once(NOW), b.run_once(NOW)
            )
        rows = delivery_rows(one)
        assert sorted(r.chat_id for r in rows) == sorted(chats)  # one delivery per chat
        assert sorted(c for r in reports for c in r.sent) == sorted(chats)
        for row in rows:
            parts = json.loads(row.payload)
            assert len(parts) >= 2 and row.status == "sent" and row.in_doubt == 0
            assert sent_html(fake, row.chat_id) == parts  # every part exactly once
        assert fake.stats["sendMessage"] == sum(r.parts_total for r in rows)
        assert {r.claimed_by for r in rows} <= {"one", "two"}
    finally:
        one.close()
        two.close()


# --- kill -9 mid-fan-out --------------------------------------------------------------------------


@pytest.mark.slow
async def test_kill_9_mid_fan_out_neither_repeats_nor_skips(tmp_path: Path, db_url: str) -> None:
    """A real bot process is SIGKILLed right after Telegram accepted its 15th message and before
    it could record that; a second pass (after the lease ran out) finishes the fan-out."""
    services = Services(make_settings(tmp_path, db_url, access_mode="open"))
    groups = [-(600 + i) for i in range(12)]  # one short part each
    privates = [8000 + i for i in range(8)]  # several parts each
    subscribe(services, groups, topics=["inspection"])
    subscribe(services, privates)
    add_doc(services, "Kiểm tra tổ chức đảng", key="a")
    add_long_digest_docs(services, per_topic=12)
    kill_at = 15
    child: dict[str, asyncio.subprocess.Process] = {}
    try:
        async with FakeBotAPI() as fake:
            known(fake, groups + privates)
            accept = fake._api_sendMessage

            async def accept_then_die(params: dict[str, Any]) -> Any:
                result = await accept(params)  # Telegram has the message now...
                if len(fake.sent()) == kill_at and "proc" in child:
                    os.kill(child["proc"].pid, signal.SIGKILL)  # ...the bot never hears back
                return result

            fake._api_sendMessage = accept_then_die  # type: ignore[method-assign]
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DIGEST_DATABASE_URL": db_url,
                "DIGEST_BASE_URL": fake.base_url,
                "DIGEST_NOW": NOW.isoformat(),
                "DIGEST_DATA_DIR": str(tmp_path / "child"),
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(CHILD),
                env=env,
                cwd=str(ROOT),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            child["proc"] = proc
            out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            assert proc.returncode == -signal.SIGKILL, (out + err).decode()[-3000:]
            assert len(fake.sent()) == kill_at
            fake._api_sendMessage = accept  # type: ignore[method-assign]

            unfinished = [r for r in delivery_rows(services) if r.status != "sent"]
            in_flight = [r for r in unfinished if r.in_flight is not None]
            assert unfinished and len(in_flight) == 1  # exactly the one Telegram accepted

            async with ExtBot("1:T", base_url=fake.base_url) as bot:
                survivor = DigestDelivery(
                    services, TelegramSender(bot), owner="survivor", clock=lambda: LATER
                )
                report = await survivor.run_once(LATER)
                assert report.failed == {} and report.disabled == []
                assert (await survivor.run_once(LATER)).sent == []  # nothing left
        rows = delivery_rows(services)
        assert sorted(r.chat_id for r in rows) == sorted(groups + privates)
        assert all(r.status == "sent" for r in rows)
        in_doubt = sum(r.in_doubt for r in rows)
        lost = 0
        for row in rows:
            parts = json.loads(row.payload)
            got = sent_html(fake, row.chat_id)
            assert len(got) == len(set(got)), f"chat {row.chat_id} got a part twice"
            assert got == [p for p in parts if p in got], "parts out of order or unknown"
            lost += len(parts) - len(got)
        assert in_doubt == 1  # the in-flight part: counted as sent, not sent again
        assert lost == 0  # and Telegram had accepted it, so nothing is missing
        assert fake.stats["sendMessage"] == sum(r.parts_total for r in rows)
    finally:
        services.close()
