"""Tests of the fake Bot API server itself, driven by a real telegram.Bot / Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
import time
import warnings
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

try:  # tests/ is on sys.path when it has no __init__.py (pytest's default rootdir import mode)
    from tests.auxil.fakebotapi import (
        EntityParseError,
        FakeBotAPI,
        ManualClock,
        parse_html,
        parse_markdown_v2,
    )
except ImportError:  # pragma: no cover - if the maintainer turns tests/ into a package
    from tests.fakebotapi import (
        EntityParseError,
        FakeBotAPI,
        ManualClock,
        parse_html,
        parse_markdown_v2,
    )

# PTB itself warns when it builds RetryAfter (int retry_after is deprecated); not our concern.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token_for_the_fake_bot_api"
USER = 42
GROUP = -4_000_000_001
SUPERGROUP = -1_001_234_567_890


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest_asyncio.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url
    ) as tg_bot:
        yield tg_bot


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is int or timedelta depending on PTB_TIMEDELTA; normalise it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    """A valid PNG so sendPhoto's image sniffing accepts it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------------- identity / basics


@pytest.mark.asyncio
async def test_get_me_and_token_recorded(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.username == "partybot_test_bot"
    assert me.supports_inline_queries is True
    assert me.can_join_groups is True
    assert fake.token == TOKEN
    assert fake.calls[0].method == "getMe"


@pytest.mark.asyncio
async def test_send_message_round_trip(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.private_message(USER, "hi")
    message = await bot.send_message(
        USER, "Xin chào <b>bạn</b> 😀 &amp; <i>hẹn gặp</i>", parse_mode="HTML"
    )
    assert message.text == "Xin chào bạn 😀 & hẹn gặp"
    bold, italic = message.entities
    assert (bold.type, bold.offset, bold.length) == ("bold", 9, 3)
    # the emoji is 2 UTF-16 units, so "hẹn gặp" starts at 9 + 3 + 1 + 2 + 3 = 18
    assert (italic.type, italic.offset, italic.length) == ("italic", 18, 7)
    assert message.from_user.id == fake.bot["id"]
    assert message.message_id == 2  # the user's "hi" was message 1 in this chat
    [stored] = fake.sent(USER)
    assert stored["text"] == message.text
    assert fake.texts() == [message.text]
    method, params = fake.calls[-1]
    assert method == "sendMessage" and params["chat_id"] == USER and params["parse_mode"] == "HTML"


@pytest.mark.asyncio
async def test_unknown_chat_and_uninitiated_user(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "x")
    fake.group_message(GROUP, 7, "hello group")  # user 7 is known but never wrote to the bot
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(7, "x")
    await bot.send_message(GROUP, "x")


@pytest.mark.asyncio
async def test_plain_httpx_json_and_form_and_404(fake: FakeBotAPI) -> None:
    fake.add_chat(USER, "private")
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}") as client:
        r = await client.post("/sendMessage", json={"chat_id": USER, "text": "json body"})
        assert r.status_code == 200 and r.json()["result"]["text"] == "json body"
        r = await client.post("/sendMessage", data={"chat_id": str(USER), "text": "form body"})
        assert r.json()["ok"] is True
        r = await client.get("/getMe")
        assert r.json()["result"]["username"] == "partybot_test_bot"
        r = await client.post("/sendSticker", json={"chat_id": USER})
        assert r.status_code == 404
        assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert fake.unknown_methods == ["sendSticker"]
    assert [c.method for c in fake.calls] == ["sendMessage", "sendMessage", "getMe", "sendSticker"]


# ------------------------------------------------------------------------- strict validation


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("AT&T rocks", "Unknown entity at byte offset 2"),
        ("a & b", "Unknown entity"),
        ("&nbsp;", "Unknown entity"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>s</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
async def test_invalid_html_is_rejected(
    fake: FakeBotAPI, bot: telegram.Bot, html: str, fragment: str
) -> None:
    fake.add_chat(USER, "private")
    with pytest.raises(BadRequest) as info:
        await bot.send_message(USER, html, parse_mode="HTML")
    assert fragment.lower() in info.value.message.lower()
    assert "can't parse entities" in info.value.message.lower()
    assert fake.sent() == []
    assert fake.calls[-1].response["description"].startswith("Bad Request: can't parse entities: ")


def test_html_parser_accepts_everything_telegram_documents() -> None:
    text, entities = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
        '<del>d</del><tg-spoiler>p</tg-spoiler><span class="tg-spoiler">q</span>'
        '<a href="https://example.com/?a=1&amp;b=2">l</a><a href="tg://user?id=5">m</a>'
        '<code>c</code><pre>p</pre><pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>&lt;&gt;&quot;&#39;&#x41;'
    )
    assert text == "bsieunskdpqlmcpx = 1qe👍<>\"'A"
    types = [e["type"] for e in entities]
    assert types == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "text_link",
        "text_mention",
        "code",
        "pre",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]
    assert entities[11]["url"] == "https://example.com/?a=1&b=2"
    assert entities[15] == {"type": "pre", "offset": 15, "length": 5, "language": "python"}
    # A lone "&" is accepted by real Telegram; the fake can be told to behave the same.
    assert parse_html("AT&T", strict_amp=False) == ("AT&T", [])


def test_markdown_v2_parser() -> None:
    assert parse_markdown_v2("*b* _i_ \\. \\!")[0] == "b i . !"
    with pytest.raises(EntityParseError, match=r"(?i)Character '\.' is reserved"):
        parse_markdown_v2("Hello.")
    with pytest.raises(
        EntityParseError, match=r"(?i)Can't find end of Bold entity at byte offset 0"
    ):
        parse_markdown_v2("*bold")


@pytest.mark.asyncio
async def test_markdown_v2_unescaped_dot(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    with pytest.raises(BadRequest, match=r"(?i)is reserved and must be escaped"):
        await bot.send_message(USER, "Version 1.0", parse_mode="MarkdownV2")
    message = await bot.send_message(USER, "*Version* 1\\.0", parse_mode="MarkdownV2")
    assert message.text == "Version 1.0"


@pytest.mark.asyncio
async def test_text_length_limits(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    await bot.send_message(USER, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    # Tags and entities do not count; characters (code points) of the result do.
    await bot.send_message(USER, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(USER, "😀" * 4096)  # 8192 UTF-16 units, still 4096 characters
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "<i>" + "x" * 4097 + "</i>", parse_mode="HTML")
    # Trailing whitespace is trimmed before counting, as Telegram does.
    await bot.send_message(USER, "a" * 4096 + "\n\n  ")
    assert len(fake.sent()) == 4


@pytest.mark.asyncio
async def test_empty_texts(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}") as client:
        r = await client.post("/sendMessage", json={"chat_id": USER, "text": ""})
        assert r.json()["description"] == "Bad Request: message text is empty"
    with pytest.raises(BadRequest, match=r"(?i)text must be non-empty"):
        await bot.send_message(USER, "<b> </b>\n", parse_mode="HTML")


@pytest.mark.asyncio
async def test_caption_limit(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    await bot.send_document(USER, b"data", filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_document(USER, b"data", filename="a.txt", caption="c" * 1025)


@pytest.mark.asyncio
async def test_callback_data_and_keyboard_validation(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")

    def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([list(buttons)])

    await bot.send_message(
        USER, "ok", reply_markup=keyboard(InlineKeyboardButton("x", callback_data="d" * 64))
    )
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER, "no", reply_markup=keyboard(InlineKeyboardButton("x", callback_data="d" * 65))
        )
    # 64 is a BYTE limit: 22 Vietnamese letters of 3 UTF-8 bytes each are too many.
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER, "no", reply_markup=keyboard(InlineKeyboardButton("x", callback_data="ầ" * 22))
        )
    with pytest.raises(BadRequest, match=r"(?i)Text buttons are unallowed"):
        await bot.send_message(USER, "no", reply_markup=keyboard(InlineKeyboardButton("just text")))
    many = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(r * 8, r * 8 + 8)]
            for r in range(13)
        ]
    )
    with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
        await bot.send_message(USER, "no", reply_markup=many)
    assert len(fake.sent()) == 1


# ------------------------------------------------------------------------- failure injection


@pytest.mark.asyncio
async def test_flood_injection_maps_to_retry_after(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    fake.fail_next("sendMessage", kind="flood", retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(USER, "x")
        assert retry_seconds(info.value) == 7
    await bot.send_message(USER, "third time lucky")
    assert fake.stats["429"] == 2
    call = await fake.wait_for("sendMessage", ok=True)
    assert call.params["text"] == "third time lucky"


@pytest.mark.asyncio
async def test_forbidden_kinds(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    fake.add_chat(GROUP, "group")
    fake.fail_next("sendMessage", chat_id=GROUP, kind="kicked")
    fake.fail_next("sendMessage", chat_id=USER, kind="blocked")
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(GROUP, "x")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "x")
    await bot.send_message(GROUP, "back")  # the failures were one-shot
    fake.kick(SUPERGROUP)
    fake.add_chat(SUPERGROUP)
    for _ in range(2):  # kick() is permanent
        with pytest.raises(Forbidden, match=r"(?i)kicked from the supergroup chat"):
            await bot.send_message(SUPERGROUP, "x")
    fake.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_chat_action(USER, "typing")
    fake.restore(USER)
    await bot.send_chat_action(USER, "typing")
    assert fake.chat_actions == [(USER, "typing")]


@pytest.mark.asyncio
async def test_user_blocks_bot_through_my_chat_member(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.private_message(USER, "/start")
    update = fake.my_chat_member(USER, USER, "member", "kicked")
    assert update["my_chat_member"]["new_chat_member"]["user"]["id"] == fake.bot["id"]
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "still there?")
    fake.my_chat_member(USER, USER, "kicked", "member")
    await bot.send_message(USER, "welcome back")


@pytest.mark.asyncio
async def test_raw_push_update_is_remembered(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    raw = {
        "message": {
            "message_id": 77,
            "date": int(time.time()),
            "chat": {"id": GROUP, "type": "group", "title": "Raw"},
            "from": {"id": 5, "is_bot": False, "first_name": "Raw"},
            "text": "hello",
        }
    }
    assert fake.push_update(raw)["update_id"] > 0
    reply = await bot.send_message(GROUP, "hi", reply_to_message_id=77)
    assert reply.reply_to_message.text == "hello" and reply.message_id == 78
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(GROUP, "hi", reply_to_message_id=1234)


@pytest.mark.asyncio
async def test_migration(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(GROUP, "group", title="Chi bộ 1")
    fake.fail_next("sendMessage", chat_id=GROUP, kind="migrated", new_chat_id=SUPERGROUP)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(GROUP, "x")
    assert info.value.new_chat_id == SUPERGROUP
    fake.migrate_chat(GROUP, SUPERGROUP)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(GROUP, "again")
    assert info.value.new_chat_id == SUPERGROUP
    message = await bot.send_message(SUPERGROUP, "here now")
    assert message.chat.type == "supergroup" and message.chat.title == "Chi bộ 1"


@pytest.mark.asyncio
async def test_server_errors(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    fake.fail_next(None, kind="server")
    fake.fail_next("sendMessage", kind="server", status=502)
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.get_me()
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "x")).text == "x"


# ------------------------------------------------------------------------- edits, callbacks


@pytest.mark.asyncio
async def test_edit_in_place_and_not_modified(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Tiếp", callback_data="next:1")]])
    message = await bot.send_message(USER, "<b>Trang 1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Trang 1</b>", USER, message.message_id, parse_mode="HTML", reply_markup=markup
        )
    edited = await bot.edit_message_text("Trang 2", USER, message.message_id, reply_markup=markup)
    assert isinstance(edited, telegram.Message) and edited.text == "Trang 2"
    await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=None)
    [stored] = fake.sent(USER)
    assert stored["text"] == "Trang 2" and "reply_markup" not in stored and "entities" not in stored
    assert [e["method"] for e in fake.edits] == ["editMessageText", "editMessageReplyMarkup"]
    assert fake.edits[0]["text"] == "Trang 2"
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    assert await bot.delete_message(USER, message.message_id) is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)


@pytest.mark.asyncio
async def test_callback_answer_rules(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    message = await bot.send_message(
        USER,
        "?",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    update = fake.callback_query(USER, USER, message.message_id, "a")
    query_id = update["callback_query"]["id"]
    assert (
        update["callback_query"]["message"]["reply_markup"]["inline_keyboard"][0][0][
            "callback_data"
        ]
        == "a"
    )
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Đã chọn A") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    assert fake.callback_answers[0]["text"] == "Đã chọn A"


# ------------------------------------------------------------------------- inline queries


@pytest.mark.asyncio
async def test_answer_inline_query_validation(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    def article(
        result_id: str, text: str = "x", parse_mode: str | None = None
    ) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            result_id, "title", InputTextMessageContent(text, parse_mode=parse_mode)
        )

    qid = fake.inline_query(USER, "nghị quyết")["inline_query"]["id"]
    with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query(qid, [article("1"), article("1")])
    with pytest.raises(BadRequest, match=r"(?i)too many inline query results"):
        await bot.answer_inline_query(qid, [article(str(i)) for i in range(51)])
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.answer_inline_query(qid, [article("1", "<b>oops", "HTML")])
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_inline_query(qid, [article("1", "y" * 4097)])
    assert await bot.answer_inline_query(qid, [article(str(i)) for i in range(50)]) is True
    assert len(fake.inline_answers[0]["results"]) == 50
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(qid, [])


# ------------------------------------------------------------------------- files


@pytest.mark.asyncio
async def test_document_download_through_get_file(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    content = "Nghị quyết số 01".encode() + bytes(range(256))
    fake.document_message(USER, USER, "nghi-quyet.pdf", content, "application/pdf", caption="đây")
    [update] = await bot.get_updates()
    document = update.message.document
    assert document.file_name == "nghi-quyet.pdf" and document.mime_type == "application/pdf"
    assert update.message.caption == "đây"
    tg_file = await document.get_file()
    assert tg_file.file_size == len(content)
    assert bytes(await tg_file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match=r"(?i)wrong file_id"):
        await bot.get_file("nope")


@pytest.mark.asyncio
async def test_bot_uploads_are_stored(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.add_chat(USER, "private")
    doc_message = await bot.send_document(USER, b"col1,col2\n", filename="bao-cao.csv")
    assert doc_message.document.file_name == "bao-cao.csv"
    assert fake.file_content(doc_message.document.file_id) == b"col1,col2\n"
    photo_message = await bot.send_photo(
        USER, tiny_png(3, 2), caption="<i>biểu đồ</i>", parse_mode="HTML"
    )
    assert (photo_message.photo[-1].width, photo_message.photo[-1].height) == (3, 2)
    assert photo_message.caption == "biểu đồ"
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER, b"not an image at all")
    assert [m.get("caption") for m in fake.sent(USER)] == [None, "biểu đồ"]


# ------------------------------------------------------------------------- chats, commands


@pytest.mark.asyncio
async def test_commands_per_scope_and_language(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    await bot.set_my_commands([("start", "Bắt đầu"), ("tim", "Tìm văn bản")])
    await bot.set_my_commands(
        [("start", "Start")], scope=telegram.BotCommandScopeAllPrivateChats(), language_code="en"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "tim"]
    assert fake.get_commands({"type": "all_private_chats"}, "en") == [
        {"command": "start", "description": "Start"}
    ]
    assert ("all_private_chats", "en") in fake.commands
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Tìm", "x")])
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await bot.set_my_commands([("a", "b")], language_code="vie")
    await bot.set_chat_menu_button()
    assert fake.menu_buttons[None] == {"type": "default"}


@pytest.mark.asyncio
async def test_chat_info_and_admins(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    fake.group_message(SUPERGROUP, 10, "xin chào")
    fake.set_admins(SUPERGROUP, [11], creator_id=12)
    chat = await bot.get_chat(SUPERGROUP)
    assert chat.type == "supergroup"
    admins = await bot.get_chat_administrators(SUPERGROUP)
    assert {(a.user.id, a.status) for a in admins} == {(12, "creator"), (11, "administrator")}
    assert (await bot.get_chat_member(SUPERGROUP, 10)).status == "member"
    assert (await bot.get_chat_member(SUPERGROUP, 11)).status == "administrator"
    fake.my_chat_member(SUPERGROUP, 12, "member", "administrator")
    assert (await bot.get_chat_member(SUPERGROUP, fake.bot["id"])).status == "administrator"
    assert await bot.leave_chat(SUPERGROUP) is True
    with pytest.raises(Forbidden, match=r"(?i)not a member of the supergroup"):
        await bot.send_message(SUPERGROUP, "x")
    kinds = [next(k for k in u if k != "update_id") for u in fake.pushed]
    assert kinds == ["message", "my_chat_member", "my_chat_member"]


# ------------------------------------------------------------------------- getUpdates


@pytest.mark.asyncio
async def test_long_poll_returns_early_and_offsets_confirm(fake: FakeBotAPI) -> None:
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}", timeout=10) as client:
        started = time.monotonic()
        poll = asyncio.create_task(client.post("/getUpdates", json={"timeout": 5}))
        await asyncio.sleep(0.05)
        pushed = fake.private_message(USER, "/start@partybot_test_bot now")
        response = await poll
        assert time.monotonic() - started < 2
        [update] = response.json()["result"]
        assert update["update_id"] == pushed["update_id"]
        entity = update["message"]["entities"][0]
        assert entity == {"type": "bot_command", "offset": 0, "length": 24}
        # Not confirmed yet: the same update comes again until offset moves past it.
        again = (await client.post("/getUpdates", json={"timeout": 0})).json()["result"]
        assert [u["update_id"] for u in again] == [update["update_id"]]
        fake.private_message(USER, "two")
        fake.private_message(USER, "three")
        batch = (
            await client.post(
                "/getUpdates", data={"offset": str(update["update_id"] + 1), "limit": "1"}
            )
        ).json()["result"]
        assert [u["message"]["text"] for u in batch] == ["two"]
        info = (await client.post("/getWebhookInfo")).json()["result"]
        assert info["pending_update_count"] == 2


@pytest.mark.asyncio
async def test_second_long_poll_conflicts_first(fake: FakeBotAPI) -> None:
    # Plain httpx: PTB's own getUpdates pool has one connection, so it never overlaps polls.
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{TOKEN}", timeout=10) as client:
        first = asyncio.create_task(client.post("/getUpdates", json={"timeout": 5}))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(client.post("/getUpdates", json={"timeout": 5}))
        conflict = await asyncio.wait_for(first, 2)
        assert conflict.status_code == 409
        assert "terminated by other getUpdates request" in conflict.json()["description"]
        fake.private_message(USER, "hi")
        assert [u["message"]["text"] for u in (await second).json()["result"]] == ["hi"]
    assert fake.stats["409"] == 1


@pytest.mark.asyncio
async def test_webhook_blocks_polling(fake: FakeBotAPI, bot: telegram.Bot) -> None:
    await bot.set_webhook("https://example.invalid/hook")
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


# ------------------------------------------------------------------------- full Application


def build_app(fake: FakeBotAPI) -> Any:
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )


@pytest.mark.asyncio
async def test_application_polling_round_trip(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        name = update.effective_user.first_name
        await update.message.reply_text(
            f"Xin chào <b>{name}</b>!",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Tìm", callback_data="search")]]
            ),
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("OK")
        await update.callback_query.edit_message_text("Nhập từ khoá:")

    async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query.query
        await update.inline_query.answer(
            [InlineQueryResultArticle("r1", f"Kết quả: {query}", InputTextMessageContent(query))]
        )

    app = build_app(fake)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(InlineQueryHandler(inline))
    fake.add_user(USER, "Lan")
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0)
        fake.private_message(USER, "/start")
        call = await fake.wait_for("sendMessage", chat_id=USER)
        assert call.ok and call.result["text"] == "Xin chào Lan!"

        message_id = call.result["message_id"]
        fake.callback_query(USER, USER, message_id, "search")
        await fake.wait_for("answerCallbackQuery")
        edit = await fake.wait_for("editMessageText")
        assert edit.ok and edit.params["message_id"] == message_id

        fake.inline_query(USER, "đại hội")
        answer = await fake.wait_for(lambda method, params: method == "answerInlineQuery")
        assert answer.ok and answer.params["results"][0]["title"] == "Kết quả: đại hội"

        await app.updater.stop()
        await app.stop()
    assert fake.texts(USER) == ["Nhập từ khoá:"]  # sent() shows messages as edited now
    assert fake.pending_updates == []  # PTB confirmed every update on shutdown
    assert fake.calls_to("deleteWebhook")  # PTB's polling bootstrap
    assert not fake.unknown_methods


@pytest.mark.asyncio
async def test_wait_for_times_out_with_context(fake: FakeBotAPI) -> None:
    with pytest.raises(TimeoutError, match=r"(?i)no call matching 'sendMessage'"):
        await fake.wait_for("sendMessage", timeout=0.05)


# ------------------------------------------------------------------------- flood limits


@pytest.mark.asyncio
async def test_global_limit_30_per_second() -> None:
    clock = ManualClock()
    async with (
        FakeBotAPI(enforce_limits=True, clock=clock) as fake,
        telegram.Bot(TOKEN, base_url=fake.base_url) as bot,
    ):
        for user_id in range(1, 32):
            fake.add_chat(user_id, "private")
        for user_id in range(1, 31):
            await bot.send_message(user_id, "broadcast")
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(31, "broadcast")
        assert retry_seconds(info.value) == 1
        assert fake.stats["429"] == 1
        clock.advance(1.0)
        await bot.send_message(31, "broadcast")


@pytest.mark.asyncio
async def test_group_limit_20_per_minute_and_private_burst() -> None:
    clock = ManualClock()
    async with (
        FakeBotAPI(enforce_limits=True, clock=clock) as fake,
        telegram.Bot(TOKEN, base_url=fake.base_url) as bot,
    ):
        fake.add_chat(GROUP, "group")
        fake.add_chat(USER, "private")
        for _ in range(20):
            await bot.send_message(GROUP, "x")
            clock.advance(0.5)  # 10 s in total: well under the global limit
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(GROUP, "x")
        assert 40 <= retry_seconds(info.value) <= 60
        clock.advance(50.1)
        await bot.send_message(GROUP, "x")

        for _ in range(5):  # a short burst to one user is fine
            await bot.send_message(USER, "y")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "y")
        clock.advance(1.0)
        await bot.send_message(USER, "y")
        assert fake.stats["429"] == 2
