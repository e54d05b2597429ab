"""Digests with a fake clock and a recording sender: schedule, content, exactly-once delivery."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.corpus.documents import NewDocument
from bot.digest.content import build_digest
from bot.digest.delivery import (
    ChatGone,
    ChatMoved,
    DigestDelivery,
    RunReport,
    TransientSendError,
    manual_delivery,
    preview,
)
from bot.errors import InputError
from bot.present.render import visible_length
from bot.services import Services
from bot.store.db import deliveries
from bot.store.subscriptions import SubscriptionStore
from bot.timeutil import next_due, parse_time
from tests.auxil.settings import make_settings


class Crash(BaseException):
    """Stands in for kill -9: nothing after it runs, not even except/finally in our code."""


class RecordingSender:
    """Remembers every message; can fail on cue."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.fail: dict[int, list[BaseException]] = {}
        self.crash_on: int | None = None  # crash right after the n-th successful send

    async def send(self, chat_id: int, html: str) -> int:
        queue = self.fail.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, html))
        if self.crash_on is not None and len(self.sent) == self.crash_on:
            self.crash_on = None
            raise Crash()
        return len(self.sent)

    def to(self, chat_id: int) -> list[str]:
        return [html for cid, html in self.sent if cid == chat_id]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_docs(
    services: Services, n: int, *, topic: str = "admission", start: int = 0, long: bool = False
) -> list[int]:
    ids = []
    for i in range(start, start + n):
        title = f"Tin số {i} về kết nạp đảng viên" + (
            " tại các chi bộ thôn, bản vùng đồng bào dân tộc thiểu số" if long else ""
        )
        body = f"Chi bộ số {i} kết nạp đảng viên mới trong tháng. " + (
            "Nội dung rất dài. " * 40 if long else ""
        )
        result = services.documents.add(
            NewDocument(
                title=title,
                text=body,
                external_id=f"d{i}",
                published_at=datetime(2026, 11, 20, 3, 0),
            )
        )
        services.documents.set_topics(result.document_id, {topic: 0.9}, "test")
        ids.append(result.document_id)
    return ids


@pytest.fixture
def svc(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    # Every chat is served: these tests are about delivery (access has its own test).
    services = Services(make_settings(tmp_path, db_url, access_mode="open"))
    yield services
    services.close()


# --- schedule ---------------------------------------------------------------------------------


def test_next_due_in_vietnam_time_across_midnight_utc() -> None:
    # 23:30 UTC on the 23rd is 06:30 on the 24th in Hanoi: today's 07:00 is 30 minutes away.
    assert next_due("07:00", "Asia/Ho_Chi_Minh", datetime(2026, 11, 23, 23, 30)) == datetime(
        2026, 11, 24, 0, 0
    )
    # At 07:00 local exactly, the next slot is tomorrow.
    assert next_due("07:00", "Asia/Ho_Chi_Minh", datetime(2026, 11, 24, 0, 0)) == datetime(
        2026, 11, 25, 0, 0
    )
    # 06:00 local on the 24th is still the 23rd in UTC.
    assert next_due("06:00", "Asia/Ho_Chi_Minh", datetime(2026, 11, 23, 12, 0)) == datetime(
        2026, 11, 23, 23, 0
    )
    assert next_due("07:00", "Europe/London", datetime(2026, 11, 23, 12, 0)) == datetime(
        2026, 11, 24, 7, 0
    )


def test_parse_time() -> None:
    assert parse_time("7") == "07:00"
    assert parse_time("7h30") == "07:30"
    assert parse_time("21:05") == "21:05"
    with pytest.raises(InputError):
        parse_time("25:00")
    with pytest.raises(InputError):
        parse_time("sáng")


# --- content ------------------------------------------------------------------------------------


def test_digest_groups_by_topic_in_taxonomy_order_and_splits_long(svc: Services) -> None:
    add_docs(svc, 3, topic="rectification")
    add_docs(svc, 2, topic="inspection", start=10)
    docs = svc.documents.newer_than(0)
    digest = build_digest(svc, docs, now=datetime(2026, 11, 24, 0, 0))
    text = "\n".join(digest.messages)
    assert "5 tài liệu mới" in text
    # inspection comes before rectification in the taxonomy
    assert text.index("Kiểm tra, giám sát") < text.index("Xây dựng, chỉnh đốn Đảng")
    assert digest.counts == {"rectification": 3, "inspection": 2}
    only = build_digest(svc, docs, now=datetime(2026, 11, 24), topics=["inspection"])
    assert len(only.documents) == 2
    first = svc.documents.max_id()
    for n, slug in enumerate(("admission", "cadres", "grassroots", "ideology")):
        add_docs(svc, 25, topic=slug, start=100 + 100 * n, long=True)
    big = build_digest(svc, svc.documents.newer_than(first), now=datetime(2026, 11, 24))
    assert len(big.documents) == 100
    assert len(big.messages) > 1
    assert all(visible_length(m) <= 4096 for m in big.messages)


def test_empty_day_sends_nothing_or_one_line(svc: Services) -> None:
    assert build_digest(svc, [], now=datetime(2026, 11, 24)).messages == []
    # It says since when: a chat's first preview, empty, looked broken.
    assert build_digest(svc, [], now=datetime(2026, 11, 24), notify_empty=True).messages == [
        "📰 Bản tin 24/11/2026: không có tài liệu mới kể từ bản tin trước (hoặc từ lúc đăng ký)."
    ]


# --- delivery -------------------------------------------------------------------------------------


async def test_sends_once_at_the_right_time_then_only_new_documents(svc: Services) -> None:
    clock = Clock(datetime(2026, 11, 23, 12, 0))  # 19:00 in Hanoi
    store = SubscriptionStore(svc.db)
    store.enable(-100, "07:00", now=clock.now)
    add_docs(svc, 2)
    sender = RecordingSender()
    delivery = DigestDelivery(svc, sender, owner="a", clock=clock)
    assert (await delivery.run_once(clock.now)).sent == []  # not due yet
    clock.now = datetime(2026, 11, 24, 0, 0, 30)  # 07:00:30 in Hanoi
    report = await delivery.run_once(clock.now)
    assert report.sent == [-100]
    assert len(sender.to(-100)) == 1 and "Tin số 0" in sender.to(-100)[0]
    assert (await delivery.run_once(clock.now)).sent == []  # exactly once
    add_docs(svc, 1, start=50)
    clock.now += timedelta(days=1)
    await delivery.run_once(clock.now)
    second = sender.to(-100)[1]
    assert "Tin số 50" in second and "Tin số 0" not in second
    clock.now += timedelta(days=1)  # nothing new
    report = await delivery.run_once(clock.now)
    assert report.empty == [-100] and len(sender.to(-100)) == 2


async def test_a_chat_denied_after_subscribing_gets_no_digest_until_allowed(
    tmp_path: Path, db_url: str
) -> None:
    # A group subscribes while allowed, then is denied: its digest would hand documents to
    # a chat the bot no longer serves.
    services = Services(make_settings(tmp_path, db_url, access_mode="allowlist"))
    try:
        clock = Clock(datetime(2026, 11, 24, 0, 0, 30))  # 07:00:30 in Hanoi
        store = SubscriptionStore(services.db)
        for chat in (-100, -200):
            services.access.allow(chat)
            store.enable(chat, "07:00", now=clock.now - timedelta(days=1))
        add_docs(services, 2)
        services.access.deny(-200)
        sender = RecordingSender()
        delivery = DigestDelivery(services, sender, owner="a", clock=clock)
        report = await delivery.run_once(clock.now)
        assert report.sent == [-100] and sender.to(-200) == []
        # Allowed again: the next day's digest holds what it missed.
        services.access.allow(-200)
        clock.now += timedelta(days=1)
        await delivery.run_once(clock.now)
        assert len(sender.to(-200)) == 1 and "Tin số 0" in sender.to(-200)[0]
    finally:
        services.close()


async def test_catch_up_after_downtime_is_sent_once(svc: Services) -> None:
    store = SubscriptionStore(svc.db)
    store.enable(-200, "07:00", now=datetime(2026, 11, 20, 12, 0))
    add_docs(svc, 3)
    sender = RecordingSender()
    clock = Clock(datetime(2026, 11, 24, 3, 0))  # down from the 21st to the 24th, 10:00 Hanoi
    delivery = DigestDelivery(svc, sender, owner="a", clock=clock)
    report = await delivery.run_once(clock.now)
    assert report.sent == [-200]
    assert len(sender.to(-200)) == 1
    assert (await delivery.run_once(clock.now)).sent == []
    assert store.get(-200).next_due_at == datetime(2026, 11, 25, 0, 0)


async def test_crash_between_send_and_record_neither_repeats_nor_skips(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A digest of several messages: every item of each topic listed (the cap is 10).
    monkeypatch.setattr("bot.digest.content.MAX_PER_TOPIC", 30)
    store = SubscriptionStore(svc.db)
    store.enable(-300, "07:00", now=datetime(2026, 11, 23, 12, 0))
    for n, slug in enumerate(("admission", "cadres", "grassroots", "ideology")):
        add_docs(svc, 25, topic=slug, start=100 * n, long=True)
    now = datetime(2026, 11, 24, 0, 1)
    sender = RecordingSender()
    first = DigestDelivery(svc, sender, owner="a", clock=Clock(now))
    parts = first.prepare(first.claim_due(now)[0], now)
    assert len(parts) >= 3
    sender.crash_on = 2  # dies right after Telegram accepted part 2, before recording it
    with pytest.raises(Crash):
        await first._deliver(1, RunReport())
    assert len(sender.to(-300)) == 2
    # Another instance after the lease ran out picks the delivery up.
    later = now + timedelta(minutes=10)
    second = DigestDelivery(svc, sender, owner="b", clock=Clock(later))
    report = await second.run_once(later)
    assert report.sent == [-300]
    assert sender.to(-300) == parts  # every part exactly once, in order
    with svc.db.begin() as conn:
        row = conn.execute(sa.select(deliveries)).one()
    assert row.status == "sent" and row.in_doubt == 1 and row.parts_sent == len(parts)
    # A late wake-up of the first instance changes nothing.
    assert (await first.run_once(later)).sent == []
    assert len(sender.to(-300)) == len(parts)


async def test_two_instances_deliver_each_digest_once(
    svc: Services, tmp_path: Path, db_url: str
) -> None:
    other = Services(make_settings(tmp_path, db_url, access_mode="open"))
    try:
        store = SubscriptionStore(svc.db)
        for chat in range(1, 41):
            store.enable(-chat, "07:00", now=datetime(2026, 11, 23, 12, 0))
        add_docs(svc, 2)
        now = datetime(2026, 11, 24, 0, 5)
        sender = RecordingSender()
        a = DigestDelivery(svc, sender, owner="a", clock=Clock(now))
        b = DigestDelivery(other, sender, owner="b", clock=Clock(now))
        reports = await asyncio.gather(a.run_once(now), b.run_once(now), a.run_once(now))
        chats = sorted(chat for chat, _ in sender.sent)
        assert chats == sorted(-c for c in range(1, 41))  # each once
        assert sum(len(r.sent) for r in reports) == 40
    finally:
        other.close()


class HeldSender(RecordingSender):
    """Holds every message until released: a delivery stays in flight meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()

    async def send(self, chat_id: int, html: str) -> int:
        self.waiting.set()
        await self.release.wait()
        return await super().send(chat_id, html)


async def test_two_digest_sends_at_once_deliver_the_chat_once(
    svc: Services, tmp_path: Path, db_url: str
) -> None:
    # Two `digest send --chat` at once (two admins, or one and a cron job): each made the
    # chat due at its own moment and claimed its own delivery, and the group got the same
    # digest twice (a tester's three runs sent three copies).
    other = Services(make_settings(tmp_path, db_url, access_mode="open"))
    try:
        SubscriptionStore(svc.db).enable(-500, "07:00", now=datetime(2026, 11, 23, 12, 0))
        add_docs(svc, 2)
        sender = HeldSender()
        first_at = datetime(2026, 11, 23, 15, 0)
        manual_delivery(svc, -500, first_at)
        a = DigestDelivery(svc, sender, owner="a", clock=Clock(first_at))
        running = asyncio.create_task(a.run_once(first_at))
        await asyncio.wait_for(sender.waiting.wait(), 10)  # a's delivery is in flight
        second_at = first_at + timedelta(seconds=1)
        manual_delivery(other, -500, second_at)
        b = DigestDelivery(other, sender, owner="b", clock=Clock(second_at))
        try:  # without the guard, b's copy waits in the sender for a release that never comes
            second = await asyncio.wait_for(b.run_once(second_at), 10)
        finally:
            sender.release.set()
        first = await running
        assert len(sender.to(-500)) == 1
        assert len(first.sent) == 1 and second.sent == []
        # And once the first has finished, a third finds nothing new to send.
        third_at = second_at + timedelta(seconds=1)
        manual_delivery(other, -500, third_at)
        third = await DigestDelivery(other, sender, owner="c", clock=Clock(third_at)).run_once(
            third_at
        )
        assert len(sender.to(-500)) == 1 and third.sent == []
    finally:
        other.close()


async def test_kicked_moved_and_flaky_chats(svc: Services) -> None:
    store = SubscriptionStore(svc.db)
    for chat in (-1, -2, -3, -4):
        store.enable(chat, "07:00", now=datetime(2026, 11, 23, 12, 0))
    add_docs(svc, 1)
    sender = RecordingSender()
    sender.fail = {
        -1: [ChatGone("Forbidden: bot was kicked from the group chat")],
        -2: [ChatMoved(-1002)],
        -3: [TransientSendError("502"), TransientSendError("502")],
        -4: [TransientSendError("x")] * 5,
    }
    failures: list[int] = []

    async def on_failure(chat_id: int, error: str) -> None:
        failures.append(chat_id)

    now = datetime(2026, 11, 24, 0, 5)
    delivery = DigestDelivery(
        svc, sender, owner="a", clock=Clock(now), on_failure=on_failure, backoff=lambda attempt: 0
    )
    report = await delivery.run_once(now)
    assert report.disabled == [-1]
    assert store.get(-1).enabled is False and "kicked" in store.get(-1).disabled_reason
    assert report.moved == {-2: -1002}
    assert store.get(-2) is None and store.get(-1002).enabled
    assert len(sender.to(-1002)) == 1
    assert len(sender.to(-3)) == 1  # retried, then delivered
    assert failures == [-4] and store.get(-4).failures == 1
    # -4's documents were not marked as sent: the next digest carries them.
    assert store.get(-4).last_doc_id == 0 or store.get(-4).last_doc_id < svc.documents.max_id()


def test_preview_changes_nothing(svc: Services) -> None:
    store = SubscriptionStore(svc.db)
    store.enable(-9, now=datetime(2026, 11, 23))
    add_docs(svc, 2)
    before = store.get(-9)
    parts = preview(svc, -9)
    assert parts and "Tin số 1" in parts[0]
    assert store.get(-9) == before


def test_a_continued_message_repeats_its_topic_and_a_topic_is_capped(svc: Services) -> None:
    # A third message began with items under no heading, and a topic listed 15 near-identical
    # items (a tester's): its heading again, "(tiếp)", and ten items, then the /topic.
    from bot.digest.content import MAX_PER_TOPIC, build_digest
    from bot.present.render import split_html_messages
    from bot.store.db import utcnow

    svc.use_classifier(None)
    for n in range(14):
        added = svc.documents.add(
            NewDocument(
                title=f"Kết nạp đảng viên ở xã số {n}",
                text=f"Chi bộ thôn số {n} kết nạp {n + 2} đảng viên mới trong tháng.",
                external_id=f"a{n}",
            )
        )
        svc.documents.set_topics(added.document_id, {"admission": 0.9}, "m1")
    digest = build_digest(svc, svc.documents.newer_than(0, limit=50), now=utcnow())
    text = "\n".join(digest.messages)
    assert text.count("• ") == MAX_PER_TOPIC == 10
    assert f"… và {14 - MAX_PER_TOPIC} tài liệu khác (/topic 2)" in text
    # Split into messages, one continuing a topic starts with its heading.
    head = "<b>🏷 Kết nạp</b>"
    blocks = ["📰 Bản tin", f"{head}\n• một " + "x" * 40, "• hai " + "y" * 40, "• ba " + "z" * 40]
    later = f"{head} (tiếp)"
    parts = split_html_messages(blocks, limit=70, continued=[None, None, later, later])
    assert parts[1:] == [f"{head} (tiếp)\n• hai " + "y" * 40, f"{head} (tiếp)\n• ba " + "z" * 40]


def test_a_document_about_no_topic_is_left_out_of_digests(svc: Services) -> None:
    # A football report, which the classifier put outside every topic, reached a Party
    # group's digest under "Khác" (a tester's). One not yet classified still comes.
    from bot.digest.content import build_digest
    from bot.store.db import utcnow

    svc.use_classifier(None)
    ids = {}
    for ext, title in (
        ("party", "Kết nạp đảng viên"),
        ("ball", "Đội tuyển thắng"),
        ("new", "Tin mới"),
    ):
        ids[ext] = svc.documents.add(
            NewDocument(title=title, text=f"{title} hôm nay.", external_id=ext)
        ).document_id
    svc.documents.set_topics(ids["party"], {"admission": 0.9}, "m1")
    svc.documents.set_topics(ids["ball"], {}, "m1")  # classified: no topic
    docs = svc.documents.newer_than(0, limit=10)
    digest = build_digest(svc, docs, now=utcnow())
    text = "\n".join(digest.messages)
    assert "Kết nạp đảng viên" in text and "Tin mới" in text and "Đội tuyển thắng" not in text
    assert sorted(digest.documents) == sorted([ids["party"], ids["new"]])


def test_the_trend_counts_each_document_once_as_the_header_does(svc: Services) -> None:
    from bot.digest.content import weekly_trend
    from bot.store.db import documents, utcnow

    svc.use_classifier(None)
    topics = {
        "a": {"admission": 0.9, "grassroots": 0.6},  # the header counts it under admission
        "b": {"grassroots": 0.8},
        "c": {"admission": 0.7},
        "d": {"admission": 0.9},  # last week
    }
    for ext, scores in topics.items():
        added = svc.documents.add(NewDocument(title=ext, text=f"Tin {ext}.", external_id=ext))
        svc.documents.set_topics(added.document_id, scores, "test")
    now = utcnow()
    with svc.db.begin() as conn:
        conn.execute(
            documents.update()
            .where(documents.c.external_id == "d")
            .values(ingested_at=now - timedelta(days=10))
        )
    assert weekly_trend(svc, now) == {"admission": 1, "grassroots": 1}
    # A chat that only wants grassroots counts "a" there: its best topic among those.
    assert weekly_trend(svc, now, ["grassroots"]) == {"grassroots": 2}
    # An archive loaded today, published years ago, is no trend (its day is its publication's).
    old = svc.documents.add(
        NewDocument(title="e", text="Tin e.", external_id="e", published_at=datetime(2019, 5, 1))
    )
    svc.documents.set_topics(old.document_id, {"admission": 0.9}, "test")
    assert weekly_trend(svc, utcnow()) == {"admission": 1, "grassroots": 1}
    # With nothing in the 7 days before (a first week), no topic "rose": no trend at all.
    with svc.db.begin() as conn:
        conn.execute(documents.delete().where(documents.c.external_id == "d"))
    assert weekly_trend(svc, utcnow()) == {}


def test_equal_trends_are_listed_in_the_taxonomys_order() -> None:
    from bot.digest.content import trend_items

    slugs = ["inspection", "admission", "anti_corruption", "cadres"]
    trend = {"cadres": 1, "anti_corruption": -1, "admission": 1, "inspection": 3}
    for order in (trend, dict(reversed(trend.items()))):
        assert trend_items(order, slugs) == [
            ("inspection", 3),
            ("admission", 1),
            ("anti_corruption", -1),
        ]


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A CliRunner on a temporary database (allowlist mode, no admins)."""
    from click.testing import CliRunner

    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("ACCESS_MODE", "allowlist")
    monkeypatch.setenv("ADMIN_IDS", "")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "args", [["on", "--chat", "0"], ["send", "--chat", "0", "--dry-run"], ["off", "--chat", "0"]]
)
def test_digest_refuses_chat_0_as_users_allow_does(cli, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    result = cli.invoke(main, ["digest", *args])
    assert result.exit_code == 2 and "0 is no user or chat id" in result.output
    assert "no subscriptions" in cli.invoke(main, ["digest", "list"]).output


def test_digest_on_for_a_chat_the_bot_does_not_serve_warns(cli) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    result = cli.invoke(main, ["digest", "on", "--chat", "-100123"])
    assert result.exit_code == 0
    assert result.stdout.startswith("digest on for chat -100123")
    assert "warning: chat -100123 is not allowed" in result.stderr
    # The schedule passes over a chat the bot does not serve, and the dry run says so.
    dry = cli.invoke(main, ["digest", "send", "--all", "--dry-run"])
    assert "chat -100123: skipped (not allowed)" in dry.stdout
    assert "warning: chat -100123 is not allowed: it gets no digest" in dry.stderr
    # Preview and list say it too: a denied chat's preview is what it would get once allowed.
    preview_denied = cli.invoke(main, ["digest", "preview", "--chat", "-100123"])
    assert "warning: chat -100123 is not allowed" in preview_denied.stderr
    assert "[not allowed: skipped until allowed]" in cli.invoke(main, ["digest", "list"]).stdout
    assert cli.invoke(main, ["users", "allow", "-100123"]).exit_code == 0
    assert "not allowed" not in cli.invoke(main, ["digest", "list"]).stdout
    # Off, a digest is due never.
    cli.invoke(main, ["digest", "off", "--chat", "-100123"])
    assert "next=-" in cli.invoke(main, ["digest", "list"]).stdout
    # The next digest in the chat's own zone, as its time is ("12:35 UTC … next 19:35", in
    # Vietnam time unlabelled, read as a wrong schedule; a tester's).
    cli.invoke(main, ["digest", "on", "--chat", "-2003", "--time", "12:35", "--tz", "UTC"])
    row = next(r for r in cli.invoke(main, ["digest", "list"]).stdout.splitlines() if "-2003" in r)
    assert " 12:35 UTC " in row and row.split("next=")[1].startswith(tuple("0123")), row
    assert row.split("next=")[1][11:16] == "12:35", row
    allowed = cli.invoke(main, ["digest", "on", "--chat", "-100123"])
    assert allowed.exit_code == 0 and allowed.stderr == ""
    # A private chat is served when its user is allowed.
    assert "warning: chat 555 is not allowed" in (
        cli.invoke(main, ["digest", "on", "--chat", "555"]).stderr
    )
    cli.invoke(main, ["users", "allow", "555"])
    assert cli.invoke(main, ["digest", "on", "--chat", "555"]).stderr == ""


def test_digest_on_sets_the_zone_and_goes_back_to_every_topic(cli) -> None:  # type: ignore[no-untyped-def]
    # The CLI had no --tz, and once topics were chosen no way back to every topic: "--topic
    # all" was an unknown topic (a tester's).
    from bot.cli import main

    on = ["digest", "on", "--chat", "-100123"]
    result = cli.invoke(
        main, [*on, "--time", "07:30", "--topic", "admission", "--tz", "Asia/Bangkok"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("digest on for chat -100123: 07:30 Asia/Bangkok, admission")
    kept = cli.invoke(main, on)  # nothing asked: time, zone and topics kept
    assert kept.stdout.startswith("digest on for chat -100123: 07:30 Asia/Bangkok, admission")
    every = cli.invoke(main, [*on, "--topic", "all"])
    assert every.stdout.startswith("digest on for chat -100123: 07:30 Asia/Bangkok, every topic")
    # As admins write a zone: an offset, a name in lower case (both refused, a tester's).
    offset = cli.invoke(main, [*on, "--tz", "UTC+7"])
    # Shown as typed: "Etc/GMT-7" (POSIX's sign) read as UTC−7 (a tester's).
    assert offset.stdout.startswith("digest on for chat -100123: 07:30 UTC+7"), offset.output
    lower = cli.invoke(main, [*on, "--tz", "asia/bangkok"])
    assert lower.stdout.startswith("digest on for chat -100123: 07:30 Asia/Bangkok"), lower.output
    # A mistyped option value is click's usage error, as a bad --topic is (a tester's saw
    # exit 1 for one, 2 for the other).
    bad = cli.invoke(main, [*on, "--tz", "Mars/Olympus", "--time", "09:00"])
    assert bad.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in bad.stderr
    late = cli.invoke(main, [*on, "--time", "25:00"])
    assert late.exit_code == 2 and "Invalid value for '--time'" in late.stderr
    mixed = cli.invoke(main, [*on, "--topic", "all", "--topic", "admission"])
    assert mixed.exit_code == 2 and "--topic all cannot go with other topics" in mixed.output
    # Neither refused change stored anything.
    listed = " ".join(cli.invoke(main, ["digest", "list"]).stdout.split())
    assert "-100123 on 07:30 Asia/Bangkok topics=all" in listed


@pytest.mark.parametrize(
    "args",
    [
        ["preview", "--chat", "999"],
        ["send", "--chat", "999", "--dry-run"],
        ["send", "--chat", "999"],
        ["send", "--chat", "-100123", "--chat", "999", "--dry-run"],
    ],
)
def test_preview_and_send_for_a_chat_without_a_subscription_is_an_error(
    cli, args: list[str]
) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    assert cli.invoke(main, ["digest", "on", "--chat", "-100123"]).exit_code == 0
    result = cli.invoke(main, ["digest", *args])
    assert result.exit_code == 1
    assert result.stdout == ""  # no invented digest, nothing sent for the subscribed chat
    assert result.stderr == "error: chat 999 has no digest subscription\n"
    assert "999" not in cli.invoke(main, ["digest", "list"]).output  # not quietly subscribed


def test_a_first_preview_shows_how_the_latest_documents_would_look(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Right after `digest on` the preview only ever said "nothing new" (a tester's): it says
    # so, then shows the latest documents as the digest would.
    from bot.cli import main

    doc = tmp_path / "tin.txt"
    doc.write_text(
        "Kết nạp đảng viên mới\n\nChi bộ thôn Đông tổ chức lễ kết nạp ba đảng viên mới.\n",
        encoding="utf-8",
    )
    assert cli.invoke(main, ["ingest", str(doc)]).exit_code == 0
    cli.invoke(main, ["digest", "on", "--chat", "-100123"])
    shown = cli.invoke(main, ["digest", "preview", "--chat", "-100123"])
    assert shown.exit_code == 0, shown.output
    assert "note: nothing new for this chat" in shown.stderr
    assert "Kết nạp đảng viên mới" in shown.stdout
    # Titled as a sample: "N tài liệu mới" above it read as N new (a tester's).
    assert "Bản tin mẫu" in shown.stdout and "— 1 tài liệu mới" not in shown.stdout, shown.stdout
    # A chat of one topic: a sample of that topic's latest, past the last 20 documents
    # (it showed only "nothing new" under the note, a tester's).
    from bot.config import get_settings
    from bot.services import Services

    services = Services(get_settings())
    first = services.documents.max_id()
    services.documents.set_topics(first, {"admission": 0.9}, "test")
    for n in range(25):
        other = tmp_path / f"bao{n}.txt"
        other.write_text(f"Tin bão số {n}\n\nBão số {n} đổ bộ vào miền Trung.\n", encoding="utf-8")
        cli.invoke(main, ["ingest", str(other)])
    services.close()
    cli.invoke(main, ["digest", "on", "--chat", "-100123", "--topic", "admission"])
    one = cli.invoke(main, ["digest", "preview", "--chat", "-100123"])
    assert "Kết nạp đảng viên mới" in one.stdout, one.output
    assert "— 1 tài liệu gần đây" in one.stdout, one.stdout
    # Every topic: the latest 20 the digest would list; it was 13 of them for every topic,
    # and 23 for one (a tester's).
    services = Services(get_settings())
    last = services.documents.max_id()
    for doc_id in range(first + 1, last + 1):
        # The five latest found to be about no topic: no digest lists them.
        services.documents.set_topics(
            doc_id, {"grassroots": 0.9} if doc_id <= last - 5 else {}, "test"
        )
    services.close()
    cli.invoke(main, ["digest", "on", "--chat", "-100124"])
    every = cli.invoke(main, ["digest", "preview", "--chat", "-100124"])
    assert "— 20 tài liệu gần đây" in every.stdout, every.stdout
    # A chat whose digest is off is previewed as it would be, and the note says it is off.
    cli.invoke(main, ["digest", "off", "--chat", "-100123"])
    off = cli.invoke(main, ["digest", "preview", "--chat", "-100123"])
    assert "note: the digest of chat -100123 is off" in off.stderr, off.output
    assert "is off" not in one.stderr
