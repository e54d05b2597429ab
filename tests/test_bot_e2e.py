"""End to end: the real PTB Application, wired by the composition root, against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import Services
from bot.tg.app import build_application
from tests.auxil.bots import (
    ADMIN,
    GROUP,
    STRANGER,
    USER,
    Bot,
    button_data,
    keyboard,
    running_bot,
)
from tests.auxil.fakebotapi import FakeBotAPI
from tests.auxil.settings import make_settings


async def test_start_welcome_with_example_buttons_and_deep_link(bot: Bot) -> None:
    bot.fake.private_message(USER, "/start")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert call.ok and "Xin chào" in call.params["text"]
    assert any("kết nạp" in b["text"] for row in keyboard(call) for b in row)
    doc = bot.services.documents.get("003_10b0ac3c46bc575e")
    bot.fake.private_message(USER, f"/start doc_{doc.id}")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert call.ok and "Đoàn khảo sát" in call.params["text"]


async def test_query_with_and_without_accents_and_paging_in_place(bot: Bot) -> None:
    bot.fake.private_message(USER, "kết nạp đảng viên")
    accented = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert accented.ok and "kết nạp" in accented.params["text"].lower()
    bot.fake.private_message(USER, "ket nap dang vien")
    folded = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert folded.ok
    assert "trang 1/" in folded.params["text"]
    data = button_data(folded, "Sau")
    assert len(data.encode()) <= 64
    message_id = folded.result["message_id"]
    bot.fake.callback_query(USER, USER, message_id, data)
    edit = await bot.fake.wait_for("editMessageText")
    assert edit.ok and "trang 2/" in edit.params["text"]
    assert edit.params["message_id"] == message_id


async def test_latest_takes_a_page_number(bot: Bot) -> None:
    # "/latest 2" showed page 1 (a tester's); a word after it still shows page 1.
    bot.fake.private_message(USER, "/latest 2")
    second = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert second.ok and "trang 2/" in second.params["text"]
    bot.fake.private_message(USER, "/latest abc")
    first = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert first.ok and "trang 1/" in first.params["text"]


async def test_topics_button_lists_the_topic(bot: Bot) -> None:
    bot.fake.private_message(USER, "/topics")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert "Kết nạp và phát triển đảng viên (" in str(keyboard(call))
    data = button_data(call, "Kết nạp")
    bot.fake.callback_query(USER, USER, call.result["message_id"], data)
    edit = await bot.fake.wait_for("editMessageText")
    assert edit.ok and "Kết nạp và phát triển đảng viên" in edit.params["text"]
    assert "Chi bộ thôn 11" in edit.params["text"]  # newest first


async def test_doc_pages_stay_under_4096_and_page_by_button(bot: Bot) -> None:
    doc = bot.services.documents.get("long")
    bot.fake.private_message(USER, f"/doc {doc.id}")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert call.ok and "Trang 1/" in call.params["text"]
    bot.fake.callback_query(USER, USER, call.result["message_id"], button_data(call, "Sau"))
    edit = await bot.fake.wait_for("editMessageText")
    assert edit.ok and "Trang 2/" in edit.params["text"]
    bot.fake.private_message(USER, f"/doc_{doc.id}")
    assert (await bot.fake.wait_for("sendMessage", chat_id=USER)).ok
    bot.fake.private_message(USER, "/doc 99999")
    assert "Không tìm thấy" in (await bot.fake.wait_for("sendMessage", chat_id=USER)).params["text"]


async def test_group_command_addressed_to_the_bot_is_a_reply(bot: Bot) -> None:
    bot.services.access.allow(GROUP)
    update = bot.fake.group_message(GROUP, USER, "/search@partybot_test_bot tham nhũng")
    call = await bot.fake.wait_for("sendMessage", chat_id=GROUP)
    assert (
        call.ok
        and call.params.get("reply_parameters", {}).get(
            "message_id", call.params.get("reply_to_message_id")
        )
        == update["message"]["message_id"]
    )
    bot.fake.group_message(GROUP, USER, "@partybot_test_bot chỉnh đốn Đảng")
    assert (await bot.fake.wait_for("sendMessage", chat_id=GROUP)).ok


async def test_unknown_user_gets_one_polite_refusal_and_nothing_else(bot: Bot) -> None:
    bot.fake.private_message(STRANGER, "kết nạp đảng viên")
    call = await bot.fake.wait_for("sendMessage", chat_id=STRANGER)
    assert str(STRANGER) in call.params["text"] and "quản trị viên" in call.params["text"]
    bot.fake.private_message(STRANGER, "/topics")
    bot.fake.private_message(USER, "/help")
    await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert len(bot.fake.texts(STRANGER)) == 1
    bot.fake.inline_query(STRANGER, "kết nạp")
    answer = await bot.fake.wait_for("answerInlineQuery")
    assert answer.params["results"] == []


async def test_admin_allows_a_user_in_the_bot(bot: Bot) -> None:
    bot.fake.private_message(ADMIN, f"/allow {STRANGER}")
    assert "Đã cấp quyền" in (await bot.fake.wait_for("sendMessage", chat_id=ADMIN)).params["text"]
    bot.fake.private_message(STRANGER, "/help")
    assert "Hướng dẫn" in (await bot.fake.wait_for("sendMessage", chat_id=STRANGER)).params["text"]


async def test_inline_query_returns_up_to_ten_articles(bot: Bot) -> None:
    bot.fake.inline_query(USER, "đảng viên")
    call = await bot.fake.wait_for("answerInlineQuery")
    assert call.ok and 1 <= len(call.params["results"]) <= 10


async def test_admin_file_upload_is_ingested(bot: Bot) -> None:
    content = "Hội nghị tổng kết công tác dân vận\n\n10/12/2025 08:00\n\nBan Dân vận Huyện ủy tổ chức hội nghị tổng kết phong trào Dân vận khéo.".encode()
    bot.fake.document_message(ADMIN, ADMIN, "dan-van.txt", content, "text/plain")
    call = await bot.fake.wait_for("sendMessage", chat_id=ADMIN)
    assert call.ok and "dan-van.txt" in call.params["text"] and "1 added" in call.params["text"]
    assert bot.services.documents.get("dan-van").title == "Hội nghị tổng kết công tác dân vận"
    bot.fake.document_message(USER, USER, "x.txt", b"abc", "text/plain")
    assert "quản trị viên" in (await bot.fake.wait_for("sendMessage", chat_id=USER)).params["text"]


@pytest.mark.parametrize(
    "text",
    [
        "<b>",
        "a & b",
        "<script>alert(1)</script>",
        "x" * 10_000,
        "🇻🇳🙂 đảng viên",
        "?!...,;",
        "&amp; <i>nghiêng</i> &#x3c;",
    ],
)
async def test_hostile_input_gets_a_valid_reply(bot: Bot, text: str) -> None:
    bot.fake.private_message(USER, text)
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert call.ok, call.response
    assert len(call.params["text"]) <= 4096


async def test_command_menus_per_scope_and_language(bot: Bot) -> None:
    private_vi = bot.fake.get_commands({"type": "all_private_chats"}, "")
    private_en = bot.fake.get_commands({"type": "all_private_chats"}, "en")
    groups = bot.fake.get_commands({"type": "all_group_chats"}, "")
    admins = bot.fake.get_commands({"type": "chat", "chat_id": ADMIN}, "")
    assert private_vi and private_en and groups and admins
    assert {c["command"] for c in admins} >= {"stats", "reload", "allow"}
    assert "stats" not in {c["command"] for c in private_vi}


async def test_errors_reach_the_user_and_the_admins(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.errors import StoreUnavailable

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("index exploded")

    monkeypatch.setattr(bot.services.search, "search", broken)
    bot.fake.private_message(USER, "kết nạp")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert "Có lỗi xảy ra, vui lòng thử lại" in call.params["text"]
    report = await bot.fake.wait_for("sendMessage", chat_id=ADMIN)
    assert "index exploded" in report.params["text"]

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise StoreUnavailable("database unavailable: connection refused")

    monkeypatch.setattr(bot.services.search, "search", down)
    bot.fake.private_message(USER, "kết nạp")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert "tạm thời không truy cập được" in call.params["text"]


async def test_flooding_user_is_slowed_down_with_one_warning(bot: Bot) -> None:
    for _ in range(25):
        bot.fake.private_message(USER, "/help")
    for _ in range(21):
        await bot.fake.wait_for("sendMessage", chat_id=USER)
    texts = bot.fake.texts(USER)
    warnings = [t for t in texts if "quá nhanh" in t]
    assert len(warnings) == 1 and len(texts) == 21


async def test_an_unknown_command_is_answered_in_private_only(bot: Bot) -> None:
    bot.fake.private_message(USER, "/foo bar")
    text = (await bot.fake.wait_for("sendMessage", chat_id=USER)).params["text"]
    assert "<code>/foo</code>" in text and "/help" in text
    bot.services.access.allow(GROUP)
    bot.fake.group_message(GROUP, USER, "/otherbotcommand")
    bot.fake.group_message(GROUP, USER, "/search@partybot_test_bot tham nhũng")
    await bot.fake.wait_for("sendMessage", chat_id=GROUP)
    assert len(bot.fake.texts(GROUP)) == 1  # the search; nothing for the other command


async def test_lang_switches_to_english(bot: Bot) -> None:
    bot.fake.private_message(USER, "/lang en")
    assert "English" in (await bot.fake.wait_for("sendMessage", chat_id=USER)).params["text"]
    bot.fake.private_message(USER, "/help")
    assert "How to use" in (await bot.fake.wait_for("sendMessage", chat_id=USER)).params["text"]


@pytest.mark.slow
async def test_bot_added_to_group_by_admin_says_hello_and_removal_disables_digest(bot: Bot) -> None:
    from bot.store.subscriptions import SubscriptionStore

    bot.fake.my_chat_member(-777, ADMIN, "left", "member")
    hello = await bot.fake.wait_for("sendMessage", chat_id=-777)
    assert "/digest on" in hello.params["text"]
    assert bot.services.access.chat_allowed(-777)
    SubscriptionStore(bot.services.db).enable(-777)
    bot.fake.my_chat_member(-777, ADMIN, "member", "kicked")
    await bot.fake.wait_for(
        lambda c: c.method == "getUpdates" and len(bot.fake.pending_updates) == 0
    )
    import asyncio

    for _ in range(50):
        if not SubscriptionStore(bot.services.db).get(-777).enabled:
            break
        await asyncio.sleep(0.05)
    assert SubscriptionStore(bot.services.db).get(-777).enabled is False


async def test_webhook_mode_checks_the_secret_token(tmp_path: Path) -> None:
    import httpx

    from bot.tg.webhook import WebhookServer

    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hook.sqlite3'}", admin_ids=[ADMIN])
    services = Services(settings)
    async with FakeBotAPI() as fake:
        app = build_application(
            services,
            token="123:TEST",
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
            rate_limiter=False,
        )
        server = WebhookServer(app, secret="s3cret", path="telegram")
        async with app:
            await app.start()
            port = await server.start("127.0.0.1", 0)
            try:
                update = {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": ADMIN, "type": "private"},
                        "from": {"id": ADMIN, "is_bot": False, "first_name": "A"},
                        "text": "/help",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                    },
                }
                url = f"http://127.0.0.1:{port}/telegram"
                async with httpx.AsyncClient() as client:
                    missing = await client.post(url, json=update)
                    assert missing.status_code == 403
                    wrong = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cre"}
                    )
                    assert wrong.status_code == 403
                    garbage = await client.post(
                        url, content=b"\xff{", headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                    )
                    assert garbage.status_code == 400
                    right = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
                    )
                    assert right.status_code == 200
                call = await fake.wait_for("sendMessage", chat_id=ADMIN)
                assert "Hướng dẫn" in call.params["text"]
                assert len(fake.calls_to("sendMessage")) == 1  # the forged updates did nothing
            finally:
                await server.stop()
                await app.stop()
    services.close()


class TcpProxy:
    """A cuttable TCP proxy on its own thread and event loop.

    It must not share the test's loop: the test (like the bot's worker threads) makes blocking
    database calls through it.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        import asyncio
        import threading

        self.target = (target_host, target_port)
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def _pipe(self, reader, writer) -> None:  # type: ignore[no-untyped-def]
        import contextlib

        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, reader, writer) -> None:  # type: ignore[no-untyped-def]
        import asyncio

        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers += [writer, up_writer]
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _start(self) -> None:
        import asyncio

        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    def start(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(5)

    def cut(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._cut(), self.loop).result(5)

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.mark.postgres
async def test_database_outage_gives_a_clear_reply_and_the_bot_recovers(
    tmp_path: Path, pg_url: str
) -> None:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(pg_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.start()
    proxied = urlunsplit(
        parts._replace(
            netloc=f"{parts.username + '@' if parts.username else ''}127.0.0.1:{proxy.port}"
        )
    )
    try:
        async with running_bot(proxied, tmp_path) as running:
            fake = running.fake
            fake.private_message(USER, "kết nạp đảng viên")
            assert "/doc_" in (await fake.wait_for("sendMessage", chat_id=USER)).params["text"]
            proxy.cut()
            fake.private_message(USER, "kết nạp đảng viên")
            down = await fake.wait_for("sendMessage", chat_id=USER, timeout=20)
            assert "tạm thời không truy cập được" in down.params["text"]
            proxy.start()
            fake.private_message(USER, "kết nạp đảng viên")
            back = await fake.wait_for("sendMessage", chat_id=USER, timeout=20)
            assert "/doc_" in back.params["text"]
    finally:
        proxy.close()


async def test_admin_stats_sends_numbers_and_a_chart(bot: Bot) -> None:
    bot.fake.private_message(ADMIN, "/stats")
    photo = await bot.fake.wait_for("sendPhoto", chat_id=ADMIN)
    assert photo.ok
    text = await bot.fake.wait_for("sendMessage", chat_id=ADMIN)
    assert (
        "Tài liệu: 18" in text.params["text"]
        and "Kết nạp và phát triển đảng viên: 15" in text.params["text"]
    )
    bot.fake.private_message(USER, "/stats")
    assert (
        "chỉ dành cho quản trị viên"
        in (await bot.fake.wait_for("sendMessage", chat_id=USER)).params["text"]
    )


async def test_admin_reload_and_sources(bot: Bot) -> None:
    bot.fake.private_message(ADMIN, "/reload")
    assert "Đã tải lại" in (await bot.fake.wait_for("sendMessage", chat_id=ADMIN)).params["text"]
    bot.fake.private_message(ADMIN, "/source add https://baoxyz.vn/rss/xay-dung-dang.rss 1h")
    assert "baoxyz.vn" in (await bot.fake.wait_for("sendMessage", chat_id=ADMIN)).params["text"]
    bot.fake.private_message(ADMIN, "/source add ftp://x")
    assert "not an http" in (await bot.fake.wait_for("sendMessage", chat_id=ADMIN)).params["text"]
    bot.fake.private_message(ADMIN, "/source")
    assert "baoxyz.vn" in (await bot.fake.wait_for("sendMessage", chat_id=ADMIN)).params["text"]


async def test_no_results_suggests_alternatives_and_topics(bot: Bot) -> None:
    bot.fake.private_message(USER, "zzqqxx wwvvkk")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert "Không tìm thấy" in call.params["text"] and "/topics" in call.params["text"]


async def test_approximate_and_corrected_results_say_so(bot: Bot) -> None:
    bot.fake.private_message(USER, "tham nhũnh")  # one typo
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert "Đã tìm theo" in call.params["text"] and "tham nhũng" in call.params["text"]


async def test_documents_without_url_get_a_deep_link(bot: Bot) -> None:
    bot.fake.private_message(USER, "quần chúng ưu tú tuyên thệ")
    call = await bot.fake.wait_for("sendMessage", chat_id=USER)
    assert "https://t.me/partybot_test_bot?start=doc_" in call.params["text"]
