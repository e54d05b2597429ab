"""Replies as Telegram-style HTML, built safely: every document or user string is escaped.

No ``telegram`` import: the chat logic, the console and the digests share this, and the
Telegram layer only converts :class:`Reply` into API calls.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Button:
    """An inline button: either callback ``data`` (≤ 64 bytes) or a ``url``."""

    text: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.data is not None and len(self.data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass
class Reply:
    """One message to send (or to edit in place)."""

    html: str
    buttons: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = None  # sent as a photo with ``html`` as a follow-up message
    disable_preview: bool = True

    def __post_init__(self) -> None:
        self.html = fit(self.html)


def esc(value: object) -> str:
    """HTML-escape for Telegram (only <, > and & matter outside attributes)."""
    return html.escape(str(value), quote=False)


def esc_attr(value: object) -> str:
    """HTML-escape for an attribute value (href)."""
    return html.escape(str(value), quote=True)


_TAG = re.compile(r"<[^>]+>")


def strip_tags(value: str) -> str:
    """Plain text of our own HTML (for the console and the parse-error fallback)."""
    return html.unescape(_TAG.sub("", value))


def visible_length(value: str) -> int:
    """Characters Telegram counts: text after tags are removed and entities decoded."""
    return len(strip_tags(value))


def fit(value: str, limit: int = MAX_MESSAGE) -> str:
    """Cut HTML to ``limit`` visible characters without breaking a tag or an entity.

    Callers build messages from parts and cap each part, so this is a last line of defence;
    open tags are closed so Telegram can still parse the result.
    """
    if visible_length(value) <= limit:
        return value
    out: list[str] = []
    stack: list[str] = []
    count = 0
    budget = limit - 1  # room for the ellipsis
    for token in re.split(r"(<[^>]+>|&[#\w]+;)", value):
        if not token:
            continue
        if token.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z-]+)", token)
            if name:
                if token.startswith("</"):
                    if stack and stack[-1] == name.group(1):
                        stack.pop()
                elif not token.endswith("/>"):
                    stack.append(name.group(1))
            out.append(token)
            continue
        if token.startswith("&"):
            if count + 1 > budget:
                break
            out.append(token)
            count += 1
            continue
        room = budget - count
        if len(token) > room:
            out.append(token[:room])
            count = budget
            break
        out.append(token)
        count += len(token)
    # Drop trailing opening tags with nothing inside, close the rest.
    out.append("…")
    out.extend(f"</{name}>" for name in reversed(stack))
    return "".join(out)


def cut(value: str, limit: int) -> str:
    """Plain text cut at a word boundary to at most ``limit`` characters."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    head = value[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(",;:.-– ") + "…"


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap each ``[start, end)`` span in <b>."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # "kết nạp đảng viên" reads better as one bold run than as four.
        if merged and start >= merged[-1][1] and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out: list[str] = []
    pos = 0
    for start, end in merged:
        if start < pos or end <= start or end > len(text):
            continue
        out.append(esc(text[pos:start]))
        out.append(f"<b>{esc(text[start:end])}</b>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def link(url: str, label: str) -> str:
    """An <a> tag with escaped href and label."""
    return f'<a href="{esc_attr(url)}">{esc(label)}</a>'


def split_html_messages(
    blocks: list[str], limit: int = MAX_MESSAGE, *, continued: list[str | None] | None = None
) -> list[str]:
    """Pack HTML blocks (each balanced) into messages of at most ``limit`` visible chars;
    ``continued[i]``, when given, goes above block i if it starts a message (a digest's topic
    heading, "(tiếp)": a continued message began with items of no topic, a tester's)."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for i, block in enumerate(blocks):
        length = visible_length(block)
        if length > limit:
            block, length = fit(block, limit), limit
        extra = length + (2 if current else 0)
        if current and size + extra > limit:
            messages.append("\n\n".join(current))
            current, size = [], 0
            heading = continued[i] if continued is not None and i < len(continued) else None
            if heading and visible_length(heading) + 1 + length <= limit:
                block = f"{heading}\n{block}"
                length = visible_length(block)
            extra = length
        current.append(block)
        size += extra
    if current:
        messages.append("\n\n".join(current))
    return messages
