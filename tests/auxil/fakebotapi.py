"""A strict, in-process fake of the Telegram Bot API for end-to-end tests.

The real ``telegram.ext.Application`` is pointed at it with::

    ApplicationBuilder().token(T).base_url(f"{fake.url}/bot").base_file_url(f"{fake.url}/file/bot")

It speaks the Bot API's HTTP/JSON protocol only (no ``telegram`` import), keeps every call
for inspection, and rejects what real Telegram rejects (message length, HTML markup,
callback_data size, ...) with Telegram's own error wording, so that PTB raises the same
``BadRequest`` / ``Forbidden`` / ``RetryAfter`` / ``ChatMigrated`` as in production.
Error texts and the HTML/MarkdownV2 parsers follow tdlib and telegram-bot-api; where this
fake is deliberately stricter than Telegram it says so (see FAKEBOTAPI.md).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import inspect
import itertools
import json
import math
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

BOT_ID = 7_000_000_001
BOT_USERNAME = "partybot_test_bot"
BOT_FIRST_NAME = "PartyBot Test"

MAX_TEXT_LENGTH = 4096  # Unicode code points after entity parsing (tdlib: utf8_length)
MAX_CAPTION_LENGTH = 1024
MAX_RAW_TEXT_BYTES = 1 << 15  # telegram-bot-api refuses longer raw text before parsing
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
MAX_PHOTO_SIZE = 10 * 1024 * 1024

# Methods that post a message into a chat: the only ones counted by the flood limits.
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Updates Telegram does not deliver unless asked for them explicitly in allowed_updates.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Form-encoded requests (what PTB sends) carry every value as a string: these keys hold JSON.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "results",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "menu_button",
        "button",
        "media",
        "rights",
        "permissions",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "until_date",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "show_alert",
        "is_personal",
        "drop_pending_updates",
        "has_spoiler",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "only_if_banned",
        "revoke_messages",
    }
)

_BOT_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """A Bot API error response; raised anywhere inside a method handler."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str, parameters: JSON | None = None) -> ApiError:
    """400 in telegram-bot-api's style: "Bad Request: " + message with a lowercased first letter."""
    if len(message) >= 2 and not (message[1] == "_" or message[1].isupper()):
        message = message[0].lower() + message[1:]
    return ApiError(400, f"Bad Request: {message}", parameters)


class EntityParseError(Exception):
    """Raised by the markup parsers with tdlib's message (without the "Can't parse entities" prefix)."""


class Call(tuple):  # type: ignore[type-arg]
    """One recorded request: a ``(method, params)`` pair that also knows its outcome.

    It compares and unpacks like the plain tuple (``method, params = call``); the extra
    attributes ``status`` (HTTP status), ``response`` (the JSON body) and ``ok`` help tests.
    """

    status: int
    response: JSON

    def __new__(cls, method: str, params: JSON, status: int, response: JSON) -> Call:
        self = super().__new__(cls, (method, params))
        self.status = status
        self.response = response
        return self

    @property
    def method(self) -> str:
        return self[0]

    @property
    def params(self) -> JSON:
        return self[1]

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")


@dataclass
class _Failure:
    """A scripted failure, consumed by the next ``times`` matching requests."""

    method: str | None
    chat_id: int | str | None
    times: int
    error: ApiError | None  # None means "respond normally, after the delay"
    delay: float = 0.0
    html_body: str | None = None


@dataclass
class StoredFile:
    """A file the fake can serve through getFile and /file/bot<token>/<file_path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None  # set when the bot "uploaded" it by HTTP URL (content is then empty)

    def file_object(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


class ManualClock:
    """A clock for the flood-limit windows that only moves when the test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class _Limits:
    """Telegram's documented broadcast limits (approximation of the server-side behaviour)."""

    global_per_second: int = 30
    group_per_minute: int = 20
    private_rate: float = 1.0  # sustained messages per second to one private chat
    private_burst: float = 5.0  # short bursts to one private chat are tolerated by Telegram
    global_window: collections.deque[float] = field(default_factory=collections.deque)
    group_windows: dict[int, collections.deque[float]] = field(default_factory=dict)
    private_buckets: dict[int, tuple[float, float]] = field(default_factory=dict)  # tokens, t


# ----------------------------------------------------------------------------------------
# Text helpers
# ----------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets/lengths."""
    return len(text.encode("utf-16-le")) // 2


def _is_space(b: int) -> bool:
    # tdlib's is_space(): the NUL sentinel counts as a space, which ends every scan loop.
    return b in (0x20, 0x09, 0x0D, 0x0A, 0x00, 0x0B)


def _is_alpha(b: int) -> bool:
    return 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A


def _is_digit(b: int) -> bool:
    return 0x30 <= b <= 0x39


def _is_hex(b: int) -> bool:
    return _is_digit(b) or 0x41 <= b <= 0x46 or 0x61 <= b <= 0x66


def _utf16_units_of_lead_byte(b: int) -> int:
    """UTF-16 units contributed by a UTF-8 byte (0 for continuation bytes)."""
    if (b & 0xC0) == 0x80:
        return 0
    return 2 if b >= 0xF0 else 1


def _decode_html_entity(data: bytes, pos: int, require_semicolon: bool) -> tuple[int, int]:
    """Decode the character reference at data[pos] == '&'; returns (code point or 0, next pos)."""
    end = pos + 1
    res = 0
    if data[end] == 0x23:  # '#'
        end += 1
        if data[end] == 0x78:  # 'x'
            end += 1
            while _is_hex(data[end]):
                res = res * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while _is_digit(data[end]):
                res = res * 10 + data[end] - 0x30
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(data[end]):
            end += 1
        res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(data[pos + 1 : end], 0)
        if not res:
            return 0, pos
    if data[end] == 0x3B:  # ';'
        return res, end + 1
    if require_semicolon:
        return 0, pos
    return res, end


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
# tdlib's sort order for entities that start at the same offset with the same length.
_ENTITY_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


def _checked_link(url: str) -> str:
    """Rough LinkManager::get_checked_link: normalised URL, or "" when Telegram would drop it."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return ""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("tg", "ton", "tonsite"):
        return url
    if not scheme:
        parts = urllib.parse.urlsplit("http://" + url)
        scheme = "http"
    if scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        return ""
    return urllib.parse.urlunsplit(parts._replace(scheme=scheme))


def _link_user_id(url: str) -> int | None:
    m = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
    return int(m.group(1)) if m else None


def _make_link_entity(url: str, offset: int, length: int) -> JSON | None:
    user_id = _link_user_id(url)
    if user_id is not None:
        return {
            "type": "text_mention",
            "offset": offset,
            "length": length,
            "user": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
        }
    checked = _checked_link(url)
    if not checked:
        return None  # Telegram silently drops links it cannot use
    return {"type": "text_link", "offset": offset, "length": length, "url": checked}


def parse_html(html: str, *, strict_amp: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-HTML into (plain text, entities), failing exactly where tdlib fails.

    Works on UTF-8 bytes with a NUL sentinel because tdlib's error messages report byte
    offsets and its scan loops stop on NUL. With ``strict_amp`` a "&" that does not start a
    complete entity (``&lt; &gt; &amp; &quot; &#NN; &#xHH;``, semicolon required) is an
    error; real Telegram silently keeps such an "&" literally (see FAKEBOTAPI.md).
    """
    data = html.encode("utf-8", "surrogatepass") + b"\0"
    size = len(data) - 1
    out = bytearray()
    utf16 = 0
    entities: list[JSON] = []
    # (tag name, argument, unix date for tg-time, utf16 offset, byte offset in out)
    stack: list[tuple[str, str, int, int, int]] = []
    bad_surrogate = False
    i = 0
    while i < size:
        c = data[i]
        if c == 0x26:  # '&'
            code, new_i = _decode_html_entity(data, i, require_semicolon=strict_amp)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    bad_surrogate = True
                    out += b"?"
                else:
                    out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                i = new_i
                continue
            if strict_amp:
                raise EntityParseError(
                    f'Unknown entity at byte offset {i}: a bare "&" must be written as "&amp;" '
                    "(strict fake; real Telegram keeps it literally)"
                )
        if c != 0x3C:  # not '<'
            utf16 += _utf16_units_of_lead_byte(c)
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if data[i] != 0x2F:  # start tag
            while not _is_space(data[i]) and data[i] != 0x3E:
                i += 1
            if data[i] == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            date = 0
            while data[i] != 0x3E:
                while data[i] != 0 and _is_space(data[i]):
                    i += 1
                if data[i] == 0x3E:
                    break
                attr_begin = i
                while not _is_space(data[i]) and data[i] not in (0x3D, 0x3E, 0x2F, 0x22, 0x27):
                    i += 1
                attr = data[attr_begin:i].decode("utf-8", "replace")
                if not attr:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while data[i] != 0 and _is_space(data[i]):
                    i += 1
                if data[i] != 0x3D:  # attribute without a value
                    if data[i] == 0:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attr == "expandable":
                        argument = "1"
                    continue
                i += 1
                while data[i] != 0 and _is_space(data[i]):
                    i += 1
                if data[i] == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                value = bytearray()
                if data[i] not in (0x22, 0x27):  # unquoted name token
                    token_begin = i
                    while _is_alpha(data[i]) or _is_digit(data[i]) or data[i] in (0x2E, 0x2D):
                        i += 1
                    value += data[token_begin:i].lower()
                    if not _is_space(data[i]) and data[i] != 0x3E:
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = data[i]
                    i += 1
                    while data[i] != quote and data[i] != 0:
                        if data[i] == 0x26:
                            code, new_i = _decode_html_entity(data, i, require_semicolon=strict_amp)
                            if code:
                                value += chr(code).encode("utf-8", "surrogatepass")
                                i = new_i
                                continue
                            if strict_amp:
                                raise EntityParseError(
                                    f'Unknown entity at byte offset {i}: a bare "&" must be '
                                    'written as "&amp;" (strict fake; real Telegram keeps it literally)'
                                )
                        value.append(data[i])
                        i += 1
                    if data[i] == quote:
                        i += 1
                if data[i] == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                val = value.decode("utf-8", "replace")
                if tag == "a" and attr == "href":
                    argument = val
                elif tag == "code" and attr == "class" and val.startswith("language-"):
                    argument = val[9:]
                elif tag == "span" and attr == "class" and val.startswith("tg-"):
                    argument = val[3:]
                elif (tag == "tg-emoji" and attr == "emoji-id") or (
                    tag == "tg-time" and attr == "format"
                ):
                    argument = val
                elif tag == "blockquote" and attr == "expandable":
                    argument = "1"
                elif tag == "tg-time" and attr == "unix":
                    date = int(val) if re.fullmatch(r"-?\d{1,10}", val) else 0
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append((tag, argument, date, utf16, len(out)))
            i += 1  # skip '>'
            continue

        # end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while not _is_space(data[i]) and data[i] != 0x3E:
            i += 1
        end_tag = data[begin + 2 : i].decode("utf-8", "replace").lower()
        while data[i] != 0 and _is_space(data[i]):
            i += 1
        if data[i] != 0x3E:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, date, offset, out_begin = stack[-1]
        if end_tag and end_tag != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_tag}>"'
            )
        length = utf16 - offset
        if length > 0:
            entity: JSON | None
            if tag in _SIMPLE_TAG_TYPES or tag == "span":
                entity = {
                    "type": _SIMPLE_TAG_TYPES.get(tag, "spoiler"),
                    "offset": offset,
                    "length": length,
                }
            elif tag == "tg-emoji":
                if not re.fullmatch(r"\d{1,19}", argument) or int(argument) == 0:
                    raise EntityParseError("Invalid custom emoji identifier specified")
                entity = {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": argument,
                }
            elif tag == "tg-time":
                entity = None
                if date > 0:
                    entity = {
                        "type": "date_time",
                        "offset": offset,
                        "length": length,
                        "unix_time": date,
                    }
                    if argument:
                        entity["date_time_format"] = argument
            elif tag == "a":
                url = argument or out[out_begin:].decode("utf-8", "replace")
                entity = _make_link_entity(url, offset, length)
            elif tag == "pre":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "code"
                    and last["offset"] == offset
                    and last["length"] == length
                    and last.get("language")
                ):
                    last["type"] = "pre"  # <pre><code class="language-x"> is one pre entity
                    entity = None
                else:
                    entity = {"type": "pre", "offset": offset, "length": length}
            elif tag == "code":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "pre"
                    and last["offset"] == offset
                    and last["length"] == length
                    and argument
                ):
                    last["language"] = argument
                    entity = None
                else:
                    entity = {"type": "code", "offset": offset, "length": length}
                    if argument:
                        entity["language"] = argument  # dropped below unless a <pre> claims it
            else:  # blockquote
                entity = {
                    "type": "expandable_blockquote" if argument else "blockquote",
                    "offset": offset,
                    "length": length,
                }
            if entity is not None:
                entities.append(entity)
        stack.pop()
        i += 1  # skip '>'
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    if bad_surrogate:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    text = out.decode("utf-8", "replace")
    return text, _sorted_entities(entities)


def _sorted_entities(entities: list[JSON]) -> list[JSON]:
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _ENTITY_PRIORITY.get(e["type"], 50)),
    )


_MD2_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}


def parse_markdown_v2(source: str) -> tuple[str, list[JSON]]:
    """Parse MarkdownV2 like tdlib: every reserved character must be escaped with "\\"."""
    data = source.encode("utf-8") + b"\0\0\0"
    size = len(data) - 3
    out = bytearray()
    utf16 = 0
    entities: list[JSON] = []
    # (type, argument, utf16 offset, byte offset in source, byte offset in out)
    stack: list[list[Any]] = []
    have_quote = False
    can_start_quote = True
    i = 0

    def reserved(ch: int) -> str:
        return f"Character '{chr(ch)}' is reserved and must be escaped with the preceding '\\'"

    while i < size:
        c = data[i]
        if c == 0x5C and 0 < data[i + 1] <= 126:  # backslash escape
            i += 1
            utf16 += 1
            out.append(data[i])
            if data[i] != 0x0D:
                can_start_quote = data[i] == 0x0A
            i += 1
            continue
        reserved_chars = b"_*[]()~`>#+-=|{}.!\n"
        if stack and stack[-1][0] in ("code", "pre"):
            reserved_chars = b"`"
        if c not in reserved_chars:
            units = _utf16_units_of_lead_byte(c)
            utf16 += units
            if units and c != 0x0D:
                can_start_quote = False
            out.append(c)
            i += 1
            continue

        top = stack[-1][0] if stack else None
        is_end = False
        if top is not None:
            if have_quote and c == 0x0A and (i + 1 == size or data[i + 1] != 0x3E):
                is_end = True
            elif top == "bold":
                is_end = c == 0x2A
            elif top == "italic":
                is_end = c == 0x5F and data[i + 1] != 0x5F
            elif top == "code":
                is_end = c == 0x60
            elif top == "pre":
                is_end = c == 0x60 and data[i + 1] == 0x60 and data[i + 2] == 0x60
            elif top in ("text_link", "custom_emoji"):
                is_end = c == 0x5D
            elif top == "underline":
                is_end = c == 0x5F and data[i + 1] == 0x5F
            elif top == "strikethrough":
                is_end = c == 0x7E
            elif top == "spoiler":
                is_end = c == 0x7C and data[i + 1] == 0x7C

        if not is_end:
            start = i
            argument = ""
            if c == 0x5F:
                if data[i + 1] == 0x5F:
                    etype = "underline"
                    i += 1
                else:
                    etype = "italic"
            elif c == 0x2A:
                etype = "bold"
            elif c == 0x7E:
                etype = "strikethrough"
            elif c == 0x7C:
                if data[i + 1] != 0x7C:
                    raise EntityParseError(reserved(c))
                etype = "spoiler"
                i += 1
            elif c == 0x5B:
                etype = "text_link"
            elif c == 0x60:
                if data[i + 1] == 0x60 and data[i + 2] == 0x60:
                    i += 3
                    etype = "pre"
                    lang_end = i
                    while not _is_space(data[lang_end]) and data[lang_end] != 0x60:
                        lang_end += 1
                    if i != lang_end and lang_end < size and data[lang_end] != 0x60:
                        argument = data[i:lang_end].decode("utf-8", "replace")
                        i = lang_end
                    if data[i] in (0x0A, 0x0D):  # one leading newline is not part of the block
                        if data[i + 1] in (0x0A, 0x0D) and data[i] != data[i + 1]:
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    etype = "code"
            elif c == 0x21:
                if data[i + 1] != 0x5B:
                    raise EntityParseError(reserved(c))
                etype = "custom_emoji"
                i += 1
            elif c == 0x0A:
                utf16 += 1
                out.append(0x0A)
                can_start_quote = True
                i += 1
                continue
            elif c == 0x3E:
                if not can_start_quote:
                    raise EntityParseError(reserved(c))
                if have_quote:
                    i += 1
                    continue
                etype = "blockquote"
                have_quote = True
            else:
                raise EntityParseError(reserved(c))
            stack.append([etype, argument, utf16, start, len(out)])
            i += 1
            continue

        # end of an entity
        etype, argument, offset, start, out_begin = stack[-1]
        if c == 0x0A and etype != "blockquote":
            raise EntityParseError(
                f"Can't find end of {_MD2_TYPE_NAMES[etype]} entity at byte offset {start}"
            )
        skip = utf16 == offset
        extra: JSON = {}
        if etype in ("underline", "spoiler"):
            i += 1
        elif etype == "pre":
            i += 2
        elif etype in ("text_link", "custom_emoji"):
            if data[i + 1] != 0x28:
                if etype == "custom_emoji":
                    raise EntityParseError("The entity must contain a tg://emoji or tg://time URL")
                url = out[out_begin:].decode("utf-8", "replace")
            else:
                i += 2
                url_begin = i
                buf = bytearray()
                while i < size and data[i] != 0x29:
                    if data[i] == 0x5C and 0 < data[i + 1] <= 126:
                        buf.append(data[i + 1])
                        i += 2
                        continue
                    buf.append(data[i])
                    i += 1
                if data[i] != 0x29:
                    raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
                url = buf.decode("utf-8", "replace")
            if etype == "custom_emoji":
                m = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if not m:
                    raise EntityParseError("Invalid tg://emoji or tg://time URL specified")
                extra = {"custom_emoji_id": m.group(1)}
            else:
                link = _make_link_entity(url, offset, max(utf16 - offset, 1))
                if link is None:
                    skip = True
                else:
                    extra = {k: v for k, v in link.items() if k not in ("offset", "length")}
                    etype = extra.pop("type")
        elif etype == "blockquote":
            have_quote = False
            out.append(data[i])
            can_start_quote = True
            utf16 += 1
            skip = False
        if not skip:
            entity = {"type": etype, "offset": offset, "length": utf16 - offset, **extra}
            if etype == "pre" and argument:
                entity["language"] = argument
            entities.append(entity)
        stack.pop()
        i += 1
    if have_quote and stack and stack[-1][0] == "blockquote":
        etype, _, offset, _, _ = stack.pop()
        if utf16 != offset:
            entities.append({"type": "blockquote", "offset": offset, "length": utf16 - offset})
    if stack:
        etype, _, _, start, _ = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD2_TYPE_NAMES[etype]} entity at byte offset {start}"
        )
    return out.decode("utf-8", "replace"), _sorted_entities(entities)


def parse_markdown_legacy(source: str) -> tuple[str, list[JSON]]:
    """Parse legacy "Markdown": only * _ ` ``` [..](..) and they must be closed."""
    data = source.encode("utf-8") + b"\0\0\0"
    size = len(data) - 3
    out = bytearray()
    utf16 = 0
    entities: list[JSON] = []
    i = 0
    while i < size:
        c = data[i]
        if c == 0x5C and data[i + 1] in b"_*`[":
            out.append(data[i + 1])
            utf16 += 1
            i += 2
            continue
        if c not in b"_*`[":
            utf16 += _utf16_units_of_lead_byte(c)
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = 0x5D if c == 0x5B else c
        is_pre = False
        language = ""
        i += 1
        if c == 0x60 and data[i] == 0x60 and data[i + 1] == 0x60:
            i += 2
            is_pre = True
            lang_end = i
            while not _is_space(data[lang_end]) and data[lang_end] != 0x60:
                lang_end += 1
            if i != lang_end and lang_end < size and data[lang_end] != 0x60:
                language = data[i:lang_end].decode("utf-8", "replace")
                i = lang_end
            if data[i] in (0x0A, 0x0D):
                i += 2 if data[i + 1] in (0x0A, 0x0D) and data[i] != data[i + 1] else 1
        offset = utf16
        while i < size and (
            data[i] != end_char or (is_pre and not (data[i + 1] == 0x60 and data[i + 2] == 0x60))
        ):
            utf16 += _utf16_units_of_lead_byte(data[i])
            out.append(data[i])
            i += 1
        if i == size:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if utf16 != offset:
            length = utf16 - offset
            entity: JSON | None
            if c == 0x5F:
                entity = {"type": "italic", "offset": offset, "length": length}
            elif c == 0x2A:
                entity = {"type": "bold", "offset": offset, "length": length}
            elif c == 0x5B:
                if data[i + 1] != 0x28:
                    url = data[begin + 1 : i].decode("utf-8", "replace")
                else:
                    i += 2
                    url_begin = i
                    while i < size and data[i] != 0x29:
                        i += 1
                    url = data[url_begin:i].decode("utf-8", "replace")
                entity = _make_link_entity(url, offset, length)
            elif is_pre:
                entity = {"type": "pre", "offset": offset, "length": length}
                if language:
                    entity["language"] = language
            else:
                entity = {"type": "code", "offset": offset, "length": length}
            if entity is not None:
                entities.append(entity)
        if is_pre:
            i += 2
        i += 1
    return out.decode("utf-8", "replace"), _sorted_entities(entities)


_KNOWN_ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)


def _trim_formatted(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """tdlib's fix_formatted_text trimming: rtrim whitespace, ltrim spaces/newlines before entities."""
    stripped = text.rstrip(" \t\r\n\x0b\x0c")
    end16 = utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        if entity["offset"] >= end16:
            continue
        entity = dict(entity)
        entity["length"] = min(entity["length"], end16 - entity["offset"])
        if entity["length"] > 0:
            kept.append(entity)
    first_entity = kept[0]["offset"] if kept else end16
    lead = 0
    while lead < len(stripped) and lead < first_entity and stripped[lead] in " \n":
        lead += 1
    if lead:
        stripped = stripped[lead:]
        for entity in kept:
            entity["offset"] -= lead
    return stripped, kept


def format_text(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    strict_amp: bool = True,
) -> tuple[str, list[JSON]]:
    """Turn (text, parse_mode, entities) into the final (text, entities) or raise EntityParseError-ish ApiError."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_RAW_TEXT_BYTES:
        raise bad_request("Text is too long")
    mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
    if text and mode and mode != "none":
        try:
            if mode == "html":
                plain, ents = parse_html(text, strict_amp=strict_amp)
            elif mode == "markdownv2":
                plain, ents = parse_markdown_v2(text)
            elif mode == "markdown":
                plain, ents = parse_markdown_legacy(text)
            else:
                raise bad_request("Unsupported parse_mode")
        except EntityParseError as exc:
            raise bad_request(f"Can't parse entities: {exc}") from None
        return _trim_formatted(plain, ents)
    ents = []
    if entities not in (None, ""):
        if not isinstance(entities, list):
            raise bad_request("Can't parse entities JSON object")
        for entity in entities:
            if (
                not isinstance(entity, dict)
                or not isinstance(entity.get("type"), str)
                or not isinstance(entity.get("offset"), int)
                or not isinstance(entity.get("length"), int)
            ):
                raise bad_request('Can\'t parse MessageEntity: Field "type" must be of type String')
            if entity["type"] not in _KNOWN_ENTITY_TYPES:
                raise bad_request("Can't parse MessageEntity: Unsupported type specified")
            if entity["length"] > 0 and entity["offset"] >= 0:
                ents.append(dict(entity))
    return _trim_formatted(text, _sorted_entities(ents))


# ----------------------------------------------------------------------------------------
# Image sniffing (sendPhoto): Telegram refuses non-images and silly dimensions
# ----------------------------------------------------------------------------------------


def _image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) for PNG/JPEG/GIF/WebP/BMP, or None if it is not an image we know."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    if content.startswith(b"BM") and len(content) >= 26:
        return int.from_bytes(content[18:22], "little"), abs(
            int.from_bytes(content[22:26], "little", signed=True)
        )
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return 512, 512  # dimensions are codec specific; any sane value will do
    if content.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 < len(content):
            if content[pos] != 0xFF:
                return None
            marker = content[pos + 1]
            seg_len = int.from_bytes(content[pos + 2 : pos + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(content[pos + 5 : pos + 7], "big")
                width = int.from_bytes(content[pos + 7 : pos + 9], "big")
                return width, height
            pos += 2 + seg_len
        return None
    return None


# ----------------------------------------------------------------------------------------
# The fake server
# ----------------------------------------------------------------------------------------


class FakeBotAPI:
    """In-process fake Bot API server; see tests/FAKEBOTAPI.md for the guided tour."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        enforce_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
        strict_html_amp: bool = True,
        strict_chats: bool = True,
        bot_id: int = BOT_ID,
        username: str = BOT_USERNAME,
        first_name: str = BOT_FIRST_NAME,
    ) -> None:
        self.host = host
        self.port = port
        self.enforce_limits = enforce_limits
        self.clock = clock
        self.strict_html_amp = strict_html_amp
        self.strict_chats = strict_chats
        self.bot: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.limits = _Limits()
        self.sent_at: list[float] = []  # clock() of every message sent under enforce_limits

        # Recording ------------------------------------------------------------------
        self.calls: list[Call] = []
        self.tokens: list[str] = []  # distinct tokens seen, in order
        self.stats: collections.Counter[str] = collections.Counter()
        self.edits: list[JSON] = []
        self.deleted: list[tuple[int, int]] = []
        self.chat_actions: list[tuple[int | str, str]] = []
        self.callback_answers: list[JSON] = []
        self.inline_answers: list[JSON] = []
        self.unknown_methods: list[str] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.webhook: JSON = {"url": "", "allowed_updates": None}
        self.closed = False
        self.logged_out = False

        # World state ----------------------------------------------------------------
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._sent: list[JSON] = []
        self._next_message_id: dict[int, int] = collections.defaultdict(lambda: 1)
        self._bot_status: dict[int, str] = {}  # chat id -> bot's member status
        self._blocked: set[int] = set()  # chats where every write fails with 403
        self._migrated: dict[int, int] = {}
        self._admins: dict[int, JSON] = {}
        self._members: dict[int, dict[int, str]] = collections.defaultdict(dict)
        self._failures: list[_Failure] = []
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, bool] = {}

        # Updates ----------------------------------------------------------------------
        self.pushed: list[JSON] = []  # every update ever pushed (history)
        self._updates: list[JSON] = []  # still pending (not confirmed by offset)
        self._update_ids = itertools.count(100_000_001)
        self._ids = itertools.count(1)
        self._allowed_updates: list[str] | None = None
        self._update_event = asyncio.Event()
        self._call_event = asyncio.Event()
        self._closing = asyncio.Event()
        self._long_poll_abort: asyncio.Event | None = None
        self._consumed: set[int] = set()

        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    # ---------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # Short shutdown timeout: abandoned long polls are woken by _closing anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        server = self._site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._closing.clear()

    async def stop(self) -> None:
        self._closing.set()  # wake long polls so the runner need not wait for them
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._site = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass to ``ApplicationBuilder().base_url``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ``ApplicationBuilder().base_file_url``."""
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str | None:
        """The last token a request used."""
        return self.tokens[-1] if self.tokens else None

    # ---------------------------------------------------------------- world setup

    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "vi",
        is_bot: bool = False,
    ) -> JSON:
        """Register (or update) a user; helpers call this with defaults for unknown ids."""
        user = self.users.get(user_id) or {"id": user_id, "is_bot": is_bot}
        user["first_name"] = first_name or user.get("first_name") or f"User{user_id}"
        if username is not None or "username" not in user:
            user["username"] = username or f"user{user_id}"
        if last_name is not None:
            user["last_name"] = last_name
        if language_code is not None:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def add_chat(
        self,
        chat_id: int,
        type: str | None = None,
        *,
        title: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """Register a chat so the bot may write to it (strict mode refuses unknown chats)."""
        if type is None:
            type = _chat_type_for_id(chat_id)
        chat = self.chats.get(chat_id) or {"id": chat_id}
        chat["type"] = type
        if type == "private":
            user = self.users.get(chat_id) or self.add_user(chat_id)
            chat["first_name"] = user["first_name"]
            if user.get("username"):
                chat["username"] = user["username"]
            if user.get("last_name"):
                chat["last_name"] = user["last_name"]
        else:
            chat["title"] = title or chat.get("title") or f"Chat {chat_id}"
            if username:
                chat["username"] = username
        self.chats[chat_id] = chat
        if type != "private":
            self._bot_status.setdefault(chat_id, "member")
        return chat

    def set_admins(
        self, chat_id: int, admin_ids: Iterable[int], *, creator_id: int | None = None
    ) -> None:
        """Configure getChatAdministrators/getChatMember for a group."""
        self._admins[chat_id] = {"creator": creator_id, "admins": list(admin_ids)}
        for uid in [*self._admins[chat_id]["admins"], *([creator_id] if creator_id else [])]:
            if uid not in self.users:
                self.add_user(uid)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Force a user's status in a chat ("member", "left", "kicked", "restricted")."""
        if user_id not in self.users:
            self.add_user(user_id)
        self._members[chat_id][user_id] = status

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """The bot's own status in a chat without pushing an update ("administrator", "left", ...)."""
        self._bot_status[chat_id] = status

    # ---------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str | None,
        chat_id: int | str | None = None,
        kind: str = "flood",
        retry_after: float = 3,
        *,
        times: int = 1,
        new_chat_id: int | None = None,
        status: int | None = None,
        description: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None = any) to ``chat_id`` (None = any) fail.

        kinds: "flood" (429 retry_after; Telegram sends whole seconds, but a float such as 0.05
        keeps tests of a retrying bot fast), "kicked"/"blocked" (403), "migrated" (400 with
        migrate_to_chat_id), "server" (500 JSON, or status=502 for an nginx HTML page),
        "error" (any status/description), "delay" (answer normally after ``delay`` seconds).
        """
        error: ApiError | None = None
        html_body = None
        if kind == "flood":
            error = ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        elif kind == "kicked":
            where = (
                "supergroup chat"
                if isinstance(chat_id, int) and _chat_type_for_id(chat_id) == "supergroup"
                else "group chat"
            )
            error = ApiError(403, description or f"Forbidden: bot was kicked from the {where}")
        elif kind == "blocked":
            error = ApiError(403, description or "Forbidden: bot was blocked by the user")
        elif kind == "migrated":
            if new_chat_id is None:
                if not isinstance(chat_id, int):
                    raise ValueError(
                        "kind='migrated' needs new_chat_id (or an int chat_id to derive it)"
                    )
                new_chat_id = -(10**12) - abs(chat_id)
            error = bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_chat_id}
            )
        elif kind == "server":
            code = status or 500
            if code == 502:
                html_body = (
                    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
                    "</body>\r\n</html>\r\n"
                )
            error = ApiError(code, description or "Internal Server Error")
        elif kind == "error":
            error = ApiError(status or 400, description or "Bad Request: injected error")
        elif kind == "delay":
            error = None
        else:
            raise ValueError(f"unknown failure kind {kind!r}")
        self._failures.append(
            _Failure(method, chat_id, times, error, delay=delay, html_body=html_body)
        )

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """The group ``old_id`` became supergroup ``new_id``: writes to old_id now fail with 400."""
        old = self.chats.get(old_id) or self.add_chat(old_id, "group")
        self._migrated[old_id] = new_id
        self.add_chat(new_id, "supergroup", title=old.get("title"))
        self._bot_status[new_id] = self._bot_status.get(old_id, "member")
        if old_id in self._admins:
            self._admins[new_id] = copy.deepcopy(self._admins[old_id])

    def kick(self, chat_id: int) -> None:
        """Bot kicked from the group (or blocked by the user for a private chat): writes get 403."""
        self._blocked.add(chat_id)
        self._bot_status[chat_id] = "kicked"

    def block(self, user_id: int) -> None:
        """The user blocked the bot (same as ``kick`` on a private chat)."""
        self.kick(user_id)

    def restore(self, chat_id: int) -> None:
        """Undo ``kick``/``block``."""
        self._blocked.discard(chat_id)
        self._bot_status[chat_id] = "member"

    # ---------------------------------------------------------------- update injection

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw Update (update_id is assigned if missing) and wake long polls."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if isinstance(update.get(key), dict):
                self._absorb_message(update[key])
        self._updates.append(update)
        self.pushed.append(update)
        self._update_event.set()
        self._update_event = asyncio.Event()
        return update

    def private_message(self, user_id: int, text: str, **kw: Any) -> JSON:
        """A user writes ``text`` to the bot in private; returns the pushed Update."""
        user = self.users.get(user_id) or self.add_user(user_id)
        chat = self.chats.get(user_id) or self.add_chat(user_id, "private")
        self._bot_status.setdefault(user_id, "member")
        message = self._user_message(chat, user, text, **kw)
        return self.push_update({"message": message})

    def group_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to: int | JSON | None = None,
        **kw: Any,
    ) -> JSON:
        """A user writes ``text`` in group ``chat_id`` (optionally replying to a message id)."""
        user = self.users.get(user_id) or self.add_user(user_id)
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        self._members[chat_id].setdefault(user_id, "member")
        if reply_to is not None:
            kw["reply_to_message"] = self._reply_snapshot(chat_id, reply_to)
        message = self._user_message(chat, user, text, **kw)
        return self.push_update({"message": message})

    def callback_query(
        self, user_id: int, chat_id: int, message_id: int, data: str, **kw: Any
    ) -> JSON:
        """The user presses an inline button with ``data`` on message (chat_id, message_id)."""
        user = self.users.get(user_id) or self.add_user(user_id)
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        stored = self.messages.get((chat_id, message_id))
        if stored is not None:
            message = copy.deepcopy(stored)
        else:
            # Telegram sends an InaccessibleMessage (date 0) for messages it cannot show.
            message = {"chat": copy.deepcopy(chat), "message_id": message_id, "date": 0}
        query_id = str(4_000_000_000_000 + next(self._ids))
        self._callback_queries[query_id] = False
        callback = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": message,
            "chat_instance": str(-abs(hash((chat_id, self.bot["id"]))) % 10**18),
            "data": data,
            **kw,
        }
        return self.push_update({"callback_query": callback})

    def inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_type: str = "private", **kw: Any
    ) -> JSON:
        """The user types ``@partybot_test_bot query`` somewhere."""
        user = self.users.get(user_id) or self.add_user(user_id)
        query_id = str(5_000_000_000_000 + next(self._ids))
        self._inline_queries[query_id] = False
        inline = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
            **kw,
        }
        return self.push_update({"inline_query": inline})

    def document_message(
        self,
        user_id: int,
        chat_id: int,
        file_name: str,
        content: bytes,
        mime: str,
        *,
        caption: str | None = None,
        **kw: Any,
    ) -> JSON:
        """The user sends a document; its bytes are downloadable through getFile."""
        user = self.users.get(user_id) or self.add_user(user_id)
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        if chat["type"] != "private":
            self._members[chat_id].setdefault(user_id, "member")
        stored = self._store_file(content, "documents", file_name=file_name, mime_type=mime)
        document = {
            "file_name": file_name,
            "mime_type": mime,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
        }
        extra: JSON = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        extra.update(kw)
        message = self._user_message(chat, user, None, **extra)
        return self.push_update({"message": message})

    def my_chat_member(self, chat_id: int, user_id: int, old_status: str, new_status: str) -> JSON:
        """User ``user_id`` changed the bot's status in ``chat_id`` (added, promoted, kicked, blocked)."""
        user = self.users.get(user_id) or self.add_user(user_id)
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        self._bot_status[chat_id] = new_status
        if new_status in ("kicked", "left"):
            self._blocked.add(chat_id)
        else:
            self._blocked.discard(chat_id)
        update = {
            "chat": copy.deepcopy(chat),
            "from": copy.deepcopy(user),
            "date": int(time.time()),
            "old_chat_member": self._member_object(self.bot, old_status),
            "new_chat_member": self._member_object(self.bot, new_status),
        }
        return self.push_update({"my_chat_member": update})

    # ---------------------------------------------------------------- inspection

    def sent(self, chat_id: int | str | None = None, *, include_deleted: bool = True) -> list[JSON]:
        """Messages the bot sent (sendMessage/sendPhoto/sendDocument), oldest first, as edited now."""
        deleted = set(self.deleted)
        return [
            m
            for m in self._sent
            if (chat_id is None or m["chat"]["id"] == chat_id)
            and (include_deleted or (m["chat"]["id"], m["message_id"]) not in deleted)
        ]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        """Text (or caption) of each sent message: handy for asserting a conversation."""
        return [m.get("text", m.get("caption", "")) for m in self.sent(chat_id)]

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[JSON]:
        """Params of every recorded call of ``method`` (optionally only successful/failed ones)."""
        return [c.params for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates pushed but not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    def mark(self) -> int:
        """An index for ``wait_for(..., since=fake.mark())``: ignore what already happened."""
        return len(self.calls)

    def clear_calls(self) -> None:
        self.calls.clear()
        self._consumed.clear()

    def file_content(self, file_id: str) -> bytes:
        """Bytes of a stored file (documents pushed by tests or uploaded by the bot)."""
        return self.files[file_id].content

    def get_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON] | None:
        return self.commands.get((_scope_key(scope), language_code))

    async def wait_for(
        self,
        predicate_or_method: str | Callable[..., bool],
        timeout: float = 5.0,
        *,
        ok: bool | None = None,
        since: int | None = None,
        **match: Any,
    ) -> Call:
        """Wait until a matching call has been recorded and return it.

        ``predicate_or_method`` is a method name or a callable taking ``(call)`` or
        ``(method, params)``. ``match`` compares params by equality (``chat_id=42``).
        Each returned call is consumed, so waiting twice for "sendMessage" yields the first
        and then the second message. Calls made before the wait count too (no race); pass
        ``since=fake.mark()`` to ignore them. ``ok=True`` skips failed attempts.
        """
        predicate = _make_predicate(predicate_or_method)
        start = since or 0
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for index in range(start, len(self.calls)):
                if index in self._consumed:
                    continue
                call = self.calls[index]
                if ok is not None and call.ok != ok:
                    continue
                if any(call.params.get(k) != v for k, v in match.items()):
                    continue
                if predicate(call):
                    self._consumed.add(index)
                    return call
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = ", ".join(f"{c.method}({c.status})" for c in self.calls[-15:])
                raise TimeoutError(
                    f"no call matching {predicate_or_method!r} {match or ''} within {timeout}s; "
                    f"last calls: {recent or 'none'}"
                )
            event = self._call_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if token not in self.tokens:
            self.tokens.append(token)
        raw_method = request.match_info["method"]
        method = _CANONICAL_METHODS.get(raw_method.lower(), raw_method)
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return self._respond(method, {}, exc.code, exc.body())

        failure = self._take_failure(method, params)
        if failure is not None:
            if failure.delay:
                await asyncio.sleep(failure.delay)
            if failure.error is not None:
                self.stats[str(failure.error.code)] += 1
                if failure.html_body is not None:
                    self._record(method, params, failure.error.code, failure.error.body())
                    return web.Response(
                        status=failure.error.code, text=failure.html_body, content_type="text/html"
                    )
                return self._respond(method, params, failure.error.code, failure.error.body())

        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self.unknown_methods.append(raw_method)
            self.stats["404"] += 1
            return self._respond(
                raw_method,
                params,
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
        try:
            result = await handler(params)
        except ApiError as exc:
            self.stats[str(exc.code)] += 1
            return self._respond(method, params, exc.code, exc.body())
        return self._respond(method, params, 200, {"ok": True, "result": result})

    def _respond(self, method: str, params: JSON, status: int, body: JSON) -> web.Response:
        self._record(method, params, status, body)
        return web.Response(
            status=status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
        )

    def _record(self, method: str, params: JSON, status: int, body: JSON) -> None:
        self.calls.append(Call(method, params, status, body))
        self.stats["calls"] += 1
        self.stats[method] += 1
        self._call_event.set()
        self._call_event = asyncio.Event()

    async def _read_params(self, request: web.Request) -> JSON:
        """Accept query string, JSON body, urlencoded and multipart forms like Telegram does."""
        params: JSON = {}
        for key, value in request.query.items():
            params[key] = value
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("Can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("Can't parse JSON object")
                params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        params[key] = _Upload(value.filename, value.file.read(), value.content_type)
                    else:
                        params[key] = value
        return {k: _coerce(k, v) for k, v in params.items()}

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["file_path"]
        stored = self._files_by_path.get(path)
        self.stats["file_downloads"] += 1
        if stored is None:
            return web.Response(
                status=404,
                text=json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}),
                content_type="application/json",
            )
        return web.Response(body=stored.content, content_type="application/octet-stream")

    def _take_failure(self, method: str, params: JSON) -> _Failure | None:
        for failure in self._failures:
            if failure.method is not None and failure.method != method:
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            return failure
        return None

    # ---------------------------------------------------------------- shared helpers

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _user_message(self, chat: JSON, user: JSON, text: str | None, **kw: Any) -> JSON:
        message: JSON = {
            "message_id": self._new_message_id(chat["id"]),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            m = _BOT_COMMAND_RE.match(text)
            if m and "entities" not in kw:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(m.group())}
                ]
        message.update(kw)
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _absorb_message(self, message: JSON) -> None:
        """Remember chats, users and messages of raw pushed updates, so the bot can reply to them."""
        chat = message.get("chat")
        if not isinstance(chat, dict) or not isinstance(message.get("message_id"), int):
            return
        if chat["id"] not in self.chats:
            self.chats[chat["id"]] = copy.deepcopy(chat)
            if chat.get("type") != "private":
                self._bot_status.setdefault(chat["id"], "member")
        sender = message.get("from")
        if isinstance(sender, dict) and not sender.get("is_bot"):
            self.users.setdefault(sender["id"], copy.deepcopy(sender))
            if chat.get("type") != "private":
                self._members[chat["id"]].setdefault(sender["id"], "member")
        key = (chat["id"], message["message_id"])
        self.messages.setdefault(key, message)
        if self._next_message_id[chat["id"]] <= message["message_id"]:
            self._next_message_id[chat["id"]] = message["message_id"] + 1

    def _reply_snapshot(self, chat_id: int, reply_to: int | JSON) -> JSON:
        if isinstance(reply_to, dict):
            return reply_to
        stored = self.messages.get((chat_id, reply_to))
        if stored is None:
            raise KeyError(f"no message {reply_to} in chat {chat_id} to reply to")
        snapshot = copy.deepcopy(stored)
        snapshot.pop("reply_to_message", None)  # Telegram does not nest replies
        return snapshot

    def _store_file(
        self,
        content: bytes,
        folder: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        n = next(self._ids)
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif folder == "photos":
            ext = ".jpg"
        prefix = {"documents": "BQACAgIAAxkBAAI", "photos": "AgACAgIAAxkBAAI"}.get(
            folder, "CAACAgIAAxkBAAI"
        )
        stored = StoredFile(
            file_id=f"{prefix}{n:06d}fake",
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"{folder}/file_{n}{ext}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            url=url,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _member_object(self, user: JSON, status: str) -> JSON:
        member: JSON = {"status": status, "user": copy.deepcopy(user)}
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_pin_messages=True,
                can_manage_topics=False,
            )
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            member.update(
                is_member=True,
                can_send_messages=False,
                can_send_audios=False,
                can_send_documents=False,
                can_send_photos=False,
                can_send_videos=False,
                can_send_video_notes=False,
                can_send_voice_notes=False,
                can_send_polls=False,
                can_send_other_messages=False,
                can_add_web_page_previews=False,
                can_change_info=False,
                can_invite_users=False,
                can_pin_messages=False,
                can_manage_topics=False,
                can_edit_tag=False,
                until_date=0,
            )
        return member

    def _chat_for(self, params: JSON, *, key: str = "chat_id", write: bool = False) -> JSON:
        """Resolve chat_id like telegram-bot-api, including its access checks for writes."""
        raw = params.get(key)
        if raw is None or raw == "":
            raise bad_request(f"{key} is empty")
        chat: JSON | None = None
        if isinstance(raw, str) and raw.startswith("@"):
            for candidate in self.chats.values():
                if candidate.get("username", "").lower() == raw[1:].lower():
                    chat = candidate
                    break
        elif isinstance(raw, int):
            chat = self.chats.get(raw)
            if chat is None and write and raw in self._migrated:
                chat = self.add_chat(raw, "group")
            if chat is None and not self.strict_chats:
                chat = self.add_chat(raw)
            if chat is None and raw > 0 and raw in self.users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        else:
            raise bad_request("chat_id is not a valid Integer")
        if chat is None:
            raise bad_request("chat not found")
        if write:
            self._check_write(chat)
        return chat

    def _check_write(self, chat: JSON) -> None:
        chat_id = chat["id"]
        if chat_id in self._migrated:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        status = self._bot_status.get(chat_id, "member")
        if chat_id in self._blocked or status in ("kicked", "left"):
            if chat["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            kind = "supergroup chat" if chat["type"] == "supergroup" else "group chat"
            if status == "left":
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")

    def _check_flood(self, chat: JSON) -> None:
        """Telegram's broadcast limits, only when enforce_limits=True."""
        if not self.enforce_limits:
            return
        now = self.clock()
        lim = self.limits
        window = lim.global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= lim.global_per_second:
            self._flood(window[0] + 1.0 - now)
        chat_id = chat["id"]
        if chat["type"] in ("group", "supergroup"):
            gw = lim.group_windows.setdefault(chat_id, collections.deque())
            while gw and gw[0] <= now - 60.0:
                gw.popleft()
            if len(gw) >= lim.group_per_minute:
                self._flood(gw[0] + 60.0 - now)
        elif chat["type"] == "private":
            tokens, last = lim.private_buckets.get(chat_id, (lim.private_burst, now))
            tokens = min(lim.private_burst, tokens + (now - last) * lim.private_rate)
            if tokens < 1.0:
                lim.private_buckets[chat_id] = (tokens, now)
                self._flood((1.0 - tokens) / lim.private_rate)

    def _note_sent_for_limits(self, chat: JSON) -> None:
        if not self.enforce_limits:
            return
        now = self.clock()
        lim = self.limits
        self.sent_at.append(now)
        lim.global_window.append(now)
        if chat["type"] in ("group", "supergroup"):
            lim.group_windows.setdefault(chat["id"], collections.deque()).append(now)
        elif chat["type"] == "private":
            tokens, last = lim.private_buckets.get(chat["id"], (lim.private_burst, now))
            tokens = min(lim.private_burst, tokens + (now - last) * lim.private_rate)
            lim.private_buckets[chat["id"]] = (tokens - 1.0, now)

    def _flood(self, seconds: float) -> None:
        retry_after = max(1, math.ceil(seconds))
        self.stats["flood"] += 1
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    def _format(self, text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
        return format_text(text, parse_mode, entities, strict_amp=self.strict_html_amp)

    def _message_text(self, params: JSON) -> tuple[str, list[JSON]]:
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("Message text is empty")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if plain == "":
            raise bad_request("Text must be non-empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("Message is too long")
        return plain, entities

    def _caption(self, params: JSON) -> tuple[str | None, list[JSON]]:
        caption = params.get("caption")
        if caption in (None, ""):
            return None, []
        plain, entities = self._format(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("Message caption is too long")
        return (plain or None), entities

    def _reply_markup(self, params: JSON, *, allow_reply_keyboard: bool = True) -> JSON | None:
        """Validate reply_markup; returns what a Message would carry (inline keyboards only)."""
        markup = params.get("reply_markup")
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise bad_request("Object expected as reply markup")
        if "inline_keyboard" in markup:
            return self._inline_keyboard(markup)
        if not allow_reply_keyboard:
            raise bad_request("Inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('Field "keyboard" must be an Array of Arrays')
            for row in rows:
                for button in row:
                    if isinstance(button, str):
                        continue
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request(
                            'Can\'t parse keyboard button: Field "text" must be of type String'
                        )
        return None  # reply keyboards, remove_keyboard and force_reply are not echoed in Message

    def _inline_keyboard(self, markup: JSON) -> JSON | None:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        count = 0
        for row in rows:
            for button in row:
                count += 1
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request(
                        'Can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if button.get("url"):
                    parts = urllib.parse.urlsplit(str(button["url"]))
                    if parts.scheme.lower() not in ("http", "https", "tg") or (
                        parts.scheme.lower() != "tg" and not parts.netloc
                    ):
                        raise bad_request("BUTTON_URL_INVALID")
                    continue
                data = button.get("callback_data")
                if isinstance(data, str) and data:
                    if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                        raise bad_request("BUTTON_DATA_INVALID")
                    continue
                actions = (
                    "callback_game",
                    "pay",
                    "switch_inline_query",
                    "switch_inline_query_chosen_chat",
                    "switch_inline_query_current_chat",
                    "login_url",
                    "web_app",
                    "copy_text",
                )
                if not any(a in button for a in actions):
                    raise bad_request(
                        "Can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    )
        if count > MAX_INLINE_BUTTONS:
            raise bad_request("Reply markup is too long")
        if count == 0:
            return None  # an empty keyboard is how bots remove one
        return {"inline_keyboard": copy.deepcopy(rows)}

    def _reply_to(self, chat: JSON, params: JSON) -> JSON | None:
        reply_id = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        rp = params.get("reply_parameters")
        if isinstance(rp, dict):
            reply_id = rp.get("message_id", reply_id)
            allow_missing = bool(rp.get("allow_sending_without_reply", allow_missing))
        if reply_id in (None, 0):
            return None
        stored = self.messages.get((chat["id"], int(reply_id)))
        if stored is None:
            if allow_missing:
                return None
            raise bad_request("Message to be replied not found")
        snapshot = copy.deepcopy(stored)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _new_bot_message(self, chat: JSON, params: JSON, content: JSON) -> JSON:
        message: JSON = {
            "message_id": self._new_message_id(chat["id"]),
            "from": copy.deepcopy(self.bot),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        reply = self._reply_to(chat, params)
        if reply is not None:
            message["reply_to_message"] = reply
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
        message.update(content)
        self.messages[(chat["id"], message["message_id"])] = message
        self._sent.append(message)
        self._note_sent_for_limits(chat)
        return message

    def _find_message_for_edit(self, params: JSON) -> JSON | None:
        """None for inline messages (edited by inline_message_id), else the stored message."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat_for(params, write=True)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        message = self.messages.get((chat["id"], message_id))
        if message is None or (chat["id"], message_id) in self.deleted:
            raise bad_request("Message to edit not found")
        if message.get("from", {}).get("id") != self.bot["id"]:
            raise bad_request("Message can't be edited")
        return message

    def _record_edit(self, method: str, params: JSON, message: JSON | None) -> None:
        self.edits.append(
            {
                "method": method,
                "chat_id": message["chat"]["id"] if message else None,
                "message_id": message["message_id"] if message else None,
                "inline_message_id": params.get("inline_message_id"),
                "text": message.get("text", message.get("caption"))
                if message
                else params.get("text"),
                "reply_markup": copy.deepcopy(message.get("reply_markup"))
                if message
                else params.get("reply_markup"),
                "message": copy.deepcopy(message) if message else None,
            }
        )

    def _upload(self, params: JSON, key: str, folder: str) -> StoredFile:
        """Resolve an InputFile param: multipart upload, attach://name, known file_id or URL."""
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, _Upload):
            if not value.content:
                raise bad_request("File must be non-empty")
            if len(value.content) > MAX_UPLOAD_SIZE:
                raise ApiError(413, "Request Entity Too Large")
            return self._store_file(
                value.content, folder, file_name=value.filename, mime_type=value.content_type
            )
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            if re.match(r"https?://", value):
                name = urllib.parse.urlsplit(value).path.rsplit("/", 1)[-1] or None
                return self._store_file(b"", folder, file_name=name, url=value)
            raise bad_request("Wrong file identifier/HTTP URL specified")
        raise bad_request(f'Parameter "{key}" is required')

    # ---------------------------------------------------------------- API methods

    async def _api_getMe(self, p: JSON) -> JSON:
        return copy.deepcopy(self.bot)

    async def _api_logOut(self, p: JSON) -> bool:
        self.logged_out = True
        return True

    async def _api_close(self, p: JSON) -> bool:
        self.closed = True
        return True

    async def _api_setWebhook(self, p: JSON) -> bool:
        url = p.get("url") or ""
        if url and not str(url).startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "allowed_updates": p.get("allowed_updates")}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if self._long_poll_abort is not None:
            self._long_poll_abort.set()  # "Conflict: terminated by setWebhook request"
        return True

    async def _api_deleteWebhook(self, p: JSON) -> bool:
        self.webhook = {"url": "", "allowed_updates": None}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, p: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _api_getUpdates(self, p: JSON) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        limit = max(1, min(100, int(p.get("limit") or 100)))
        timeout = max(0, min(50, int(p.get("timeout") or 0)))
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None  # [] means "back to the default set"

        selected = self._select_updates(offset, limit)
        if selected or timeout == 0:
            return selected
        # Long poll: a newer long poll terminates this one with 409, like Telegram.
        if self._long_poll_abort is not None:
            self._long_poll_abort.set()
        abort = asyncio.Event()
        self._long_poll_abort = abort
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            while True:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0 or self._closing.is_set():
                    return []
                waiters = [
                    asyncio.ensure_future(self._update_event.wait()),
                    asyncio.ensure_future(abort.wait()),
                    asyncio.ensure_future(self._closing.wait()),
                ]
                try:
                    await asyncio.wait(
                        waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for w in waiters:
                        w.cancel()
                if abort.is_set():
                    if self.webhook["url"]:
                        raise ApiError(409, "Conflict: terminated by setWebhook request")
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot "
                        "instance is running",
                    )
                selected = self._select_updates(offset, limit)
                if selected:
                    return selected
        finally:
            if self._long_poll_abort is abort:
                self._long_poll_abort = None

    def _select_updates(self, offset: int, limit: int) -> list[JSON]:
        """Confirm (drop) updates below offset, filter by allowed_updates, return up to limit."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        kept: list[JSON] = []
        for update in self._updates:
            kind = next((k for k in update if k != "update_id"), "")
            if self._allowed_updates is not None:
                allowed = kind in self._allowed_updates
            else:
                allowed = kind not in _NOT_DEFAULT_UPDATES
            if allowed:
                kept.append(update)  # Telegram never queues updates the bot did not ask for
        self._updates = kept
        return copy.deepcopy(kept[:limit])

    async def _api_sendMessage(self, p: JSON) -> JSON:
        chat = self._chat_for(p, write=True)
        self._check_flood(chat)
        text, entities = self._message_text(p)
        markup = self._reply_markup(p)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if markup:
            content["reply_markup"] = markup
        if isinstance(p.get("link_preview_options"), dict):
            content["link_preview_options"] = p["link_preview_options"]
        return copy.deepcopy(self._new_bot_message(chat, p, content))

    async def _api_sendPhoto(self, p: JSON) -> JSON:
        chat = self._chat_for(p, write=True)
        self._check_flood(chat)
        caption, entities = self._caption(p)
        markup = self._reply_markup(p)
        stored = self._upload(p, "photo", "photos")
        if stored.url is None:
            if len(stored.content) > MAX_PHOTO_SIZE:
                raise bad_request("Photo is too big")  # Telegram: PHOTO_SAVE_FILE_INVALID-ish
            size = _image_size(stored.content)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if (
                width + height > 10000
                or min(width, height) == 0
                or max(width, height) / min(width, height) > 20
            ):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
        else:
            width, height = 800, 600
        scale = min(1.0, 90 / max(width, height))
        content: JSON = {
            "photo": [
                {
                    "file_id": stored.file_id + "_thumb",
                    "file_unique_id": stored.file_unique_id + "_t",
                    "width": max(1, int(width * scale)),
                    "height": max(1, int(height * scale)),
                    "file_size": min(len(stored.content), 1500),
                },
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(stored.content),
                },
            ]
        }
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        if markup:
            content["reply_markup"] = markup
        return copy.deepcopy(self._new_bot_message(chat, p, content))

    async def _api_sendDocument(self, p: JSON) -> JSON:
        chat = self._chat_for(p, write=True)
        self._check_flood(chat)
        caption, entities = self._caption(p)
        markup = self._reply_markup(p)
        stored = self._upload(p, "document", "documents")
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        content: JSON = {"document": document}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        if markup:
            content["reply_markup"] = markup
        return copy.deepcopy(self._new_bot_message(chat, p, content))

    async def _api_editMessageText(self, p: JSON) -> JSON | bool:
        message = self._find_message_for_edit(p)
        text, entities = self._message_text(p)
        markup = self._reply_markup(p, allow_reply_keyboard=False)
        if message is None:
            self._record_edit("editMessageText", p, None)
            return True
        if "text" not in message:
            raise bad_request("There is no text in the message to edit")
        if (
            message["text"] == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise _not_modified()
        message["text"] = text
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._record_edit("editMessageText", p, message)
        return copy.deepcopy(message)

    async def _api_editMessageCaption(self, p: JSON) -> JSON | bool:
        message = self._find_message_for_edit(p)
        caption, entities = self._caption(p)
        markup = self._reply_markup(p, allow_reply_keyboard=False)
        if message is None:
            self._record_edit("editMessageCaption", p, None)
            return True
        if "document" not in message and "photo" not in message:
            raise bad_request("There is no caption in the message to edit")
        if (
            message.get("caption") == caption
            and message.get("caption_entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise _not_modified()
        _set_or_drop(message, "caption", caption)
        _set_or_drop(message, "caption_entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._record_edit("editMessageCaption", p, message)
        return copy.deepcopy(message)

    async def _api_editMessageReplyMarkup(self, p: JSON) -> JSON | bool:
        message = self._find_message_for_edit(p)
        markup = self._reply_markup(p, allow_reply_keyboard=False)
        if message is None:
            self._record_edit("editMessageReplyMarkup", p, None)
            return True
        if message.get("reply_markup") == markup:
            raise _not_modified()
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._record_edit("editMessageReplyMarkup", p, message)
        return copy.deepcopy(message)

    async def _api_deleteMessage(self, p: JSON) -> bool:
        chat = self._chat_for(p, write=True)
        message_id = p.get("message_id")
        key = (chat["id"], message_id)
        if key not in self.messages or key in self.deleted:
            raise bad_request("Message to delete not found")
        message = self.messages[key]
        from_bot = message.get("from", {}).get("id") == self.bot["id"]
        if (
            chat["type"] != "private"
            and not from_bot
            and self._bot_status.get(chat["id"])
            not in (
                "administrator",
                "creator",
            )
        ):
            raise bad_request("Message can't be deleted")
        self.deleted.append(key)
        return True

    async def _api_sendChatAction(self, p: JSON) -> bool:
        chat = self._chat_for(p, write=True)
        action = p.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("Wrong parameter action in request")
        self.chat_actions.append((chat["id"], action))
        return True

    async def _api_answerCallbackQuery(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get("text") or ""
        if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": p.get("text"),
                "show_alert": bool(p.get("show_alert")),
                "url": p.get("url"),
                "cache_time": p.get("cache_time"),
            }
        )
        return True

    async def _api_answerInlineQuery(self, p: JSON) -> bool:
        query_id = str(p.get("inline_query_id") or "")
        results = p.get("results")
        if results in (None, ""):
            results = []
        if not isinstance(results, list):
            raise bad_request("Expected an Array of inline query results")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("Too many inline query results specified")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result)
            if result["id"] in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result["id"])
        next_offset = p.get("next_offset") or ""
        if len(str(next_offset).encode("utf-8")) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        if self._inline_queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._inline_queries[query_id] = True
        self.inline_answers.append(
            {
                "inline_query_id": query_id,
                "results": results,
                "cache_time": p.get("cache_time"),
                "is_personal": bool(p.get("is_personal")),
                "next_offset": next_offset,
                "button": p.get("button"),
            }
        )
        return True

    def _check_inline_result(self, result: Any) -> None:
        def fail(message: str) -> ApiError:
            return bad_request(f"Can't parse inline query result: {message}")

        if not isinstance(result, dict):
            raise fail("Inline query result must be an object")
        rtype = result.get("type")
        if not isinstance(rtype, str):
            raise fail('Field "type" must be of type String')
        rid = result.get("id")
        if not isinstance(rid, str):
            raise fail('Field "id" must be of type String')
        if not rid or len(rid.encode("utf-8")) > 64:
            raise bad_request("RESULT_ID_INVALID")
        content = result.get("input_message_content")
        if rtype.lower() == "article":
            if not isinstance(result.get("title"), str):
                raise fail('Field "title" must be of type String')
            if not isinstance(content, dict):
                raise fail('Field "input_message_content" must be of type Object')
        if isinstance(content, dict) and "message_text" in content:
            if not content.get("message_text"):
                raise fail("Message text is empty")
            try:
                text, _ = self._format(
                    content.get("message_text"), content.get("parse_mode"), content.get("entities")
                )
            except ApiError as exc:
                inner = exc.description.removeprefix("Bad Request: ")
                raise fail(inner[0].upper() + inner[1:]) from None
            if text == "":
                raise bad_request("MESSAGE_EMPTY")
            if len(text) > MAX_TEXT_LENGTH:
                raise bad_request("MESSAGE_TOO_LONG")
        if result.get("reply_markup") is not None:
            markup = result["reply_markup"]
            if not isinstance(markup, dict) or "inline_keyboard" not in markup:
                raise fail("Inline keyboard expected")
            self._inline_keyboard(markup)

    async def _api_setMyCommands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("Can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        clean: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("Can't parse BotCommand: expected an Object")
            name = str(command.get("command", "")).strip().removeprefix("/")
            description = str(command.get("description", "")).strip()
            if not name:
                raise bad_request("Command must be non-empty")
            if len(name) > 32:
                raise bad_request("Command length must not exceed 32")
            if not description:
                raise bad_request("Command description must be non-empty")
            if len(description) > 256:
                raise bad_request("Command description length must not exceed 256")
            if not _COMMAND_NAME_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            clean.append({"command": name, "description": description})
        key = (_scope_key(p.get("scope")), self._language_code(p))
        if clean:
            self.commands[key] = clean
        else:
            self.commands.pop(key, None)  # an empty list deletes, like Telegram
        return True

    async def _api_getMyCommands(self, p: JSON) -> list[JSON]:
        return copy.deepcopy(
            self.commands.get((_scope_key(p.get("scope")), self._language_code(p)), [])
        )

    async def _api_deleteMyCommands(self, p: JSON) -> bool:
        self.commands.pop((_scope_key(p.get("scope")), self._language_code(p)), None)
        return True

    def _language_code(self, p: JSON) -> str:
        code = p.get("language_code") or ""
        if code and not re.fullmatch(r"[a-z]{2}", code):
            raise bad_request("Invalid language code specified")
        return code

    async def _api_setMyDescription(self, p: JSON) -> bool:
        text = p.get("description") or ""
        if len(text) > 512:
            raise bad_request("Description is too long")
        self.descriptions[("description", self._language_code(p))] = text
        return True

    async def _api_setMyShortDescription(self, p: JSON) -> bool:
        text = p.get("short_description") or ""
        if len(text) > 120:
            raise bad_request("Short description is too long")
        self.descriptions[("short_description", self._language_code(p))] = text
        return True

    async def _api_setChatMenuButton(self, p: JSON) -> bool:
        chat_id = p.get("chat_id")
        if chat_id not in (None, ""):
            chat = self._chat_for(p)
            if chat["type"] != "private":
                raise bad_request("Chat is not a private chat")  # menu buttons are per private chat
            chat_id = chat["id"]
        else:
            chat_id = None
        button = p.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("Can't parse menu button: Unsupported type specified")
        self.menu_buttons[chat_id] = button
        return True

    async def _api_getChatMenuButton(self, p: JSON) -> JSON:
        chat_id = self._chat_for(p)["id"] if p.get("chat_id") not in (None, "") else None
        return copy.deepcopy(
            self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "default"}
        )

    async def _api_getChat(self, p: JSON) -> JSON:
        chat = copy.deepcopy(self._chat_for(p))
        chat.update(
            accent_color_id=chat["id"] % 7 if isinstance(chat["id"], int) else 0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": chat["type"] == "private",
                "limited_gifts": chat["type"] == "private",
                "unique_gifts": chat["type"] == "private",
                "premium_subscription": chat["type"] == "private",
                "gifts_from_channels": chat["type"] == "private",
            },
        )
        return chat

    async def _api_getChatAdministrators(self, p: JSON) -> list[JSON]:
        chat = self._chat_for(p)
        if chat["type"] == "private":
            raise bad_request("There are no administrators in the private chat")
        config = self._admins.get(chat["id"], {"creator": None, "admins": []})
        result = []
        if config["creator"] is not None:
            result.append(self._member_object(self.users[config["creator"]], "creator"))
        for uid in config["admins"]:
            result.append(self._member_object(self.users[uid], "administrator"))
        if self._bot_status.get(chat["id"]) == "administrator":
            result.append(self._member_object(self.bot, "administrator"))
        return result

    async def _api_getChatMember(self, p: JSON) -> JSON:
        chat = self._chat_for(p)
        user_id = p.get("user_id")
        if user_id == self.bot["id"]:
            return self._member_object(self.bot, self._bot_status.get(chat["id"], "member"))
        user = self.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise bad_request("User not found")
        if chat["type"] == "private":
            return self._member_object(user, "member")
        config = self._admins.get(chat["id"], {"creator": None, "admins": []})
        if config["creator"] == user_id:
            return self._member_object(user, "creator")
        if user_id in config["admins"]:
            return self._member_object(user, "administrator")
        return self._member_object(user, self._members[chat["id"]].get(user_id, "left"))

    async def _api_getFile(self, p: JSON) -> JSON:
        file_id = p.get("file_id")
        if not file_id:
            raise bad_request("file_id not specified")
        stored = self.files.get(str(file_id).removesuffix("_thumb"))
        if stored is None:
            raise bad_request("Wrong file_id or the file is temporarily unavailable")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise bad_request("File is too big")
        result = stored.file_object()
        result["file_id"] = file_id
        return result

    async def _api_leaveChat(self, p: JSON) -> bool:
        chat = self._chat_for(p)
        if chat["type"] == "private":
            raise bad_request("Chat member status can't be changed in private chats")
        old = self._bot_status.get(chat["id"], "member")
        self._bot_status[chat["id"]] = "left"
        # Telegram tells the bot about its own departure.
        self.push_update(
            {
                "my_chat_member": {
                    "chat": copy.deepcopy(chat),
                    "from": copy.deepcopy(self.bot),
                    "date": int(time.time()),
                    "old_chat_member": self._member_object(self.bot, old),
                    "new_chat_member": self._member_object(self.bot, "left"),
                }
            }
        )
        return True


# ----------------------------------------------------------------------------------------
# Module helpers
# ----------------------------------------------------------------------------------------


@dataclass
class _Upload:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None

    def __repr__(self) -> str:  # keep recorded params readable
        return f"<upload {self.filename!r} {len(self.content)} bytes>"


_CANONICAL_METHODS = {
    name[len("_api_") :].lower(): name[len("_api_") :]
    for name in dir(FakeBotAPI)
    if name.startswith("_api_")
}


def _coerce(key: str, value: Any) -> Any:
    """Turn form strings back into the JSON types PTB serialised them from."""
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"Can't parse {key} JSON object") from None
    if key in ("chat_id", "from_chat_id") and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if key in _INT_FIELDS:
        if re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise bad_request(f'Field "{key}" must be a valid Number')
    if key in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value


def _chat_type_for_id(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    if chat_id <= -(10**12):
        return "supergroup"
    return "group"


def _scope_key(scope: Any) -> str:
    """A readable key for a BotCommandScope: "default", "all_private_chats", "chat:42", ..."""
    if not isinstance(scope, dict) or not scope.get("type"):
        return "default"
    parts = [str(scope["type"])]
    if "chat_id" in scope:
        parts.append(str(scope["chat_id"]))
    if "user_id" in scope:
        parts.append(str(scope["user_id"]))
    return ":".join(parts)


def _not_modified() -> ApiError:
    """telegram-bot-api's translation of MESSAGE_NOT_MODIFIED."""
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


def _set_or_drop(message: JSON, key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


def _make_predicate(predicate_or_method: str | Callable[..., bool]) -> Callable[[Call], bool]:
    if isinstance(predicate_or_method, str):
        name = predicate_or_method
        return lambda call: call.method == name
    func = predicate_or_method
    try:
        n_params = sum(
            1
            for prm in inspect.signature(func).parameters.values()
            if prm.default is inspect.Parameter.empty
            and prm.kind in (prm.POSITIONAL_ONLY, prm.POSITIONAL_OR_KEYWORD)
        )
    except (TypeError, ValueError):
        n_params = 1
    if n_params >= 2:
        return lambda call: bool(func(call.method, call.params))
    return lambda call: bool(func(call))


__all__ = [
    "ApiError",
    "Call",
    "FakeBotAPI",
    "ManualClock",
    "StoredFile",
    "format_text",
    "parse_html",
    "parse_markdown_v2",
    "utf16_len",
]
