"""Links to documents and pagination of their text (no ``telegram``)."""

from __future__ import annotations

import re
from collections.abc import Callable
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


def _after(marks: str) -> Callable[[str], list[str]]:
    pattern = re.compile(rf"(?<=[{marks}])\s+")
    return lambda text: [part for part in pattern.split(text) if part]


# A sentence longer than a page: after a semicolon or colon, then a comma, before any space
# (a page ended "sinh hoạt chuyên" and the next began "đề", a tester's).
_CLAUSES = (_after(";:"), _after(","))


def _split_long(unit: str, limit: int) -> list[str]:
    """Split a block that is over ``limit``: by sentences, clauses, words, then characters."""
    if len(unit) <= limit:
        return [unit]
    for splitter in (split_sentences, *_CLAUSES, str.split):
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


# A page is filled with the start of a paragraph too long for the room left, when that room
# is at least this share of a page: a report's first page was its title and one heading, 134
# characters, before a 6,000-character paragraph (a tester's).
FILL_FROM = 0.25
_HEADING_MAX = 100  # characters of a line read as a heading when it ends without punctuation


def _is_heading(block: str) -> bool:
    """A short line without closing punctuation ("II. PHƯƠNG HƯỚNG NĂM 2027"): it belongs
    with the text after it, never alone at the bottom of a page."""
    return (
        "\n" not in block
        and len(block) <= _HEADING_MAX
        and not block.endswith((".", "!", "?", ";", ",", "…", "”", '"', ")"))
    )


def _take(paragraph: str, room: int) -> tuple[str, str]:
    """The paragraph's first sentences that fit in ``room``, and the rest ("" and the whole
    paragraph when not even one fits)."""
    head = ""
    sentences = split_sentences(paragraph)
    for i, sentence in enumerate(sentences):
        candidate = f"{head} {sentence}" if head else sentence
        if len(candidate) > room:
            return head, " ".join(sentences[i:])
        head = candidate
    return head, ""


def paginate_text(text: str, limit: int = 4096) -> list[str]:
    """Pages of at most ``limit`` characters, split between paragraphs when possible.

    A paragraph longer than a page fills the room left on the page with its first sentences
    when that room is a fair share of a page (FILL_FROM); a heading is never the last block
    of a page. A paragraph longer than a page is split between sentences, a sentence longer
    than a page between words, and a word longer than a page anywhere. Always at least one
    page.
    """
    limit = max(1, int(limit))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    pages: list[str] = []
    blocks: list[str] = []  # the current page's paragraphs (or parts of one)

    def size(parts: list[str]) -> int:
        return sum(map(len, parts)) + 2 * max(0, len(parts) - 1)

    def turn() -> None:
        """End the page; a heading at its bottom goes on to the next."""
        carried = [blocks.pop()] if len(blocks) > 1 and _is_heading(blocks[-1]) else []
        pages.append("\n\n".join(blocks))
        blocks[:] = carried

    queue = list(paragraphs)

    def fill(paragraph: str) -> bool:
        """The room left on the page filled with the paragraph's first sentences (the rest
        queued); only a paragraph no page holds whole: one that fits on a page of its own is
        kept whole there."""
        room = limit - size(blocks) - (2 if blocks else 0)
        if room < FILL_FROM * limit or len(paragraph) <= limit:
            return False
        head, rest = _take(paragraph, room)
        if not head:
            return False
        blocks.append(head)
        turn()
        if rest:
            queue.insert(0, rest)
        return True

    while queue:
        paragraph = queue.pop(0)
        for on_next_page in (False, True):
            if size([*blocks, paragraph]) <= limit:
                blocks.append(paragraph)
                break
            if fill(paragraph):
                break
            if blocks and not on_next_page:
                turn()  # and try again there, after a heading carried over
                continue
            if blocks:
                pages.append("\n\n".join(blocks))
                blocks.clear()
            # Alone on its pages: between sentences, then words, then characters.
            parts = _split_long(paragraph, limit)
            pages.extend(parts[:-1])
            blocks.append(parts[-1])
            break
    if blocks:
        pages.append("\n\n".join(blocks))
    return pages or [""]
