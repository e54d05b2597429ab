"""Documents as the domain sees them: what ingestion produces and what the store returns."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlparse

from bot.corpus.text import fold, normalize
from bot.errors import InputError

MAX_TEXT_CHARS = 2_000_000  # a 2 MB article is a mistake, not an article
_EXTERNAL_ID_RE = re.compile(r"[^A-Za-z0-9_.:\-]+")


@dataclass
class Document:
    """A stored document. ``published_at`` and ``ingested_at`` are naive UTC."""

    id: int
    external_id: str
    title: str
    text: str
    published_at: datetime | None
    url: str | None
    source: str | None
    author: str | None
    content_hash: str
    ingested_at: datetime
    origin: str | None = None
    topics: dict[str, float] = field(default_factory=dict)
    # Classified by a model (with or without a topic found); False for one not yet classified.
    classified: bool = False

    @property
    def date(self) -> datetime:
        """The date to sort and show by: publication, else ingestion."""
        return self.published_at or self.ingested_at

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs."""
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass
class NewDocument:
    """What ingestion hands to the store."""

    title: str
    text: str
    external_id: str | None = None
    published_at: datetime | None = None  # aware or naive UTC
    url: str | None = None
    source: str | None = None
    author: str | None = None
    origin: str | None = None
    # The id is the file's name, not given by the input (a JSONL "id"): ingest may qualify
    # it, so another file of the same name keeps its own document.
    named_from_file: bool = False


@dataclass(frozen=True)
class AddResult:
    """The outcome of storing one document."""

    status: Literal["added", "updated", "duplicate"]
    document_id: int
    external_id: str
    duplicate_of: int | None = None
    # A duplicate whose own id names another stored document, left with its earlier text:
    # (its number, its id). A file rewritten with another document's text (a tester's).
    kept_earlier: tuple[int, str] | None = None


def content_hash(text: str) -> str:
    """Hash of the normalised body, blind to whitespace differences."""
    canonical = " ".join(normalize(text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clean_external_id(value: str) -> str:
    """An external id safe for URLs and logs (Vietnamese letters folded away)."""
    cleaned = _EXTERNAL_ID_RE.sub("-", fold(normalize(str(value)).strip())).strip("-")
    if not cleaned:
        raise InputError("empty document id")
    return cleaned[:200]


def to_utc_naive(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def source_from_url(url: str | None) -> str | None:
    """``baokontum.com.vn`` from an article URL."""
    if not url:
        return None
    host = urlparse(url if "://" in url else f"http://{url}").hostname or ""
    return host.removeprefix("www.") or None
