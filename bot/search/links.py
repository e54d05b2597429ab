"""Links to documents and pagination of their text (no ``telegram``)."""

from __future__ import annotations

import re
from typing import Protocol

from bot.corpus.text import split_sentences

# Telegram: a deep-link payload is at most 64 characters of A-Za-z0-9_- ; usernames are 5–32
# characters of letters, digits and underscores.
_PAYLOAD = re.compile(r"doc_([1-9]\d{0,17})")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
MAX_PAYLOAD = 64


class Linkable(Protocol):
    """What :func:`doc_link` needs from a document."""

    id: int
    url: str | None


def start_payload(doc_id: int) -> str:
    """The ``/start`` payload that opens document ``doc_id`` in the bot."""
    payload = f"doc_{int(doc_id)}"
    assert len(payload) <= MAX_PAYLOAD  # an 18-digit id is still far below the limit
    return payload


def parse_start_payload(payload: str | None) -> int | None:
    """The document id in a ``doc_<id>`` payload; None for anything else."""
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    match = _PAYLOAD.fullmatch(payload.strip())
    return int(match.group(1)) if match else None


def bot_link(doc_id: int, bot_username: str) -> str:
    """``https://t.me/<bot>?start=doc_<id>``, or "" without a valid bot username."""
    name = (bot_username or "").strip().lstrip("@")
    if not _USERNAME.fullmatch(name):
        return ""
    return f"https://t.me/{name}?start={start_payload(doc_id)}"


def doc_link(doc: Linkable, bot_username: str) -> str:
    """The original article URL when known, else a deep link that opens the text in the bot."""
    url = (doc.url or "").strip()
    if url.startswith(("http://", "https://")):
        return url
    return bot_link(doc.id, bot_username)


def _split_long(unit: str, limit: int) -> list[str]:
    """Split a block that is over ``limit``: by sentences, then words, then characters."""
    if len(unit) <= limit:
        return [unit]
    for splitter in (split_sentences, str.split):
        pieces = splitter(unit)
        if len(pieces) > 1:
            break
    else:
        return [unit[i : i + limit] for i in range(0, len(unit), limit)]
    out: list[str] = []
    current = ""
    for piece in pieces:
        for part in _split_long(piece, limit):
            candidate = f"{current} {part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                out.append(current)
                current = part
    if current:
        out.append(current)
    return out


def paginate_text(text: str, limit: int = 4096) -> list[str]:
    """Pages of at most ``limit`` characters, split between paragraphs when possible.

    A paragraph longer than a page is split between sentences, a sentence longer than a page
    between words, and a word longer than a page anywhere. Always at least one page.
    """
    limit = max(1, int(limit))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    pages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        for part in _split_long(paragraph, limit):
            candidate = f"{current}\n\n{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    pages.append(current)
                current = part
    if current:
        pages.append(current)
    return pages or [""]
