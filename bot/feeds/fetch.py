"""Polite HTTP fetching and article extraction for feed sources.

httpx does the HTTP (timeouts, redirects, conditional requests), feedparser the feeds and
trafilatura the article text, so nothing here scrapes a particular site.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from bot.corpus.parsing import parse_article, parse_date
from bot.corpus.readers import decode_bytes, extract_html, marked_date
from bot.corpus.text import normalize
from bot.corpus.urls import source_url
from bot.errors import FetchError, InputError

MAX_BYTES = 5 * 1024 * 1024
# One response, from connecting to its last byte: the client's timeouts hold per read, so a
# server sending a byte now and then held `sources check` for minutes (a tester's).
DEADLINE = 30.0
USER_AGENT = "partybot/0.1 (+https://github.com/partybot; feed reader)"


@dataclass
class Fetched:
    """A response body (decoded for text types) and its caching headers."""

    url: str
    status: int
    content_type: str
    body: bytes
    text: str | None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


@dataclass
class Politeness:
    """At most one request per host every ``delay`` seconds."""

    delay: float = 1.0
    last: dict[str, float] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        lock = self.locks.setdefault(host, asyncio.Lock())
        async with lock:
            gap = self.last.get(host, -1e9) + self.delay - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self.last[host] = time.monotonic()


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?\s*([\w-]+)""", re.I)


def decode_html(body: bytes, header_charset: str | None) -> str:
    """Decode HTML: header charset, then <meta charset>, then UTF-8, then Windows-1258."""
    for charset in (
        header_charset,
        *(m.decode("ascii", "ignore") for m in _META_CHARSET.findall(body[:4096])),
    ):
        if not charset:
            continue
        try:
            return normalize(body.decode(charset))
        except (LookupError, UnicodeDecodeError):
            continue
    return decode_bytes(body, source="response").text


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    politeness: Politeness | None = None,
    max_bytes: int = MAX_BYTES,
    deadline: float = DEADLINE,
) -> Fetched:
    """GET ``url`` with conditional headers, within ``deadline`` seconds in all; raises
    :class:`FetchError` with a clear reason."""
    try:
        source_url(url)  # a source stored before URLs were checked, or a feed's broken link
    except InputError as exc:
        raise FetchError(str(exc)) from None
    if politeness is not None:
        await politeness.wait(url)
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "vi,en;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with (
            asyncio.timeout(deadline),
            client.stream("GET", url, headers=headers, follow_redirects=True) as response,
        ):
            if response.status_code == 304:
                return Fetched(
                    str(response.url), 304, "", b"", None, etag, last_modified, not_modified=True
                )
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise FetchError(f"response too large ({declared:,} bytes, limit {max_bytes:,})")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"response too large (over {max_bytes:,} bytes)")
                chunks.append(chunk)
            body = b"".join(chunks)
            content_type = response.headers.get("content-type", "").lower()
            charset = response.charset_encoding
            text = None
            if (
                any(kind in content_type for kind in ("html", "xml", "rss", "atom", "text"))
                or not content_type
            ) and attachment_suffix(content_type, str(response.url), body) not in (
                BINARY_ATTACHMENTS
            ):
                try:
                    text = decode_html(body, charset)
                except InputError:
                    text = None  # binary behind a text type: no page, the caller says so
            return Fetched(
                str(response.url),
                response.status_code,
                content_type,
                body,
                text,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    except FetchError:
        raise
    except TimeoutError:  # the deadline's (httpx's own timeouts are httpx.TimeoutException)
        raise FetchError(f"timed out (no complete response within {deadline:g} s)") from None
    except Exception as exc:
        reason = failure_reason(exc)
        if reason is None:
            raise  # a bug, not the network: keep its traceback
        raise FetchError(reason) from exc


# Documents a feed may link to instead of a page: a directive's .docx or .pdf (binary: their
# types say "xml", "…openxmlformats-officedocument…", which read them as a text page), or a
# plain text or Markdown file, read as `partybot ingest` reads one.
ATTACHMENTS = {
    ".docx": "officedocument.wordprocessingml",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
}
BINARY_ATTACHMENTS = (".docx", ".pdf")


def attachment_suffix(content_type: str, url: str, body: bytes = b"") -> str | None:
    """ ".docx", ".pdf", ".txt" or ".md" when a response is such a document (by its first
    bytes, its type, else the name in its URL), else None. A .docx served as
    "application/octet-stream" or a PDF as "text/plain" is still one (a tester's)."""
    if body[:5] == b"%PDF-":
        return ".pdf"
    if body[:4] == b"PK\x03\x04" and b"word/" in body:
        return ".docx"
    for suffix, kind in ATTACHMENTS.items():
        if kind in content_type:
            return suffix
    path = urlsplit(url).path.lower()
    if not content_type or "octet-stream" in content_type:
        return next((s for s in ATTACHMENTS if path.endswith(s)), None)
    return None


def root_cause(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups.

    httpcore connects through anyio, whose TaskGroup wraps e.g. an OverflowError from
    ``connect()`` in an ExceptionGroup that says nothing by itself.
    """
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def failure_reason(exc: BaseException) -> str | None:
    """One line for an expected network or URL failure; None for anything else (a bug)."""
    cause = root_cause(exc)
    if isinstance(cause, httpx.TooManyRedirects):
        return "too many redirects (redirect loop?)"
    if isinstance(cause, httpx.TimeoutException):
        return f"timed out ({cause.__class__.__name__})"
    if isinstance(cause, httpx.HTTPError | httpx.InvalidURL | OSError | OverflowError):
        return one_line(cause)
    return None


def one_line(exc: BaseException) -> str:
    """``Name: message`` on one line, for a source's last error and the CLI's ``error:`` line."""
    message = " ".join(str(exc).split())
    return f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__


@dataclass
class Extracted:
    """An article's text and metadata pulled out of a page."""

    title: str
    text: str
    date: datetime | None
    author: str | None
    url: str | None
    sitename: str | None


def extract_article(html: str, url: str | None = None) -> Extracted | None:
    """Main text, title, date and author of an article page (None when there is no article)."""
    # fast=True skips the readability fallbacks: about twice as quick on article pages.
    data = extract_html(html, url=url, favor_precision=True, include_tables=False, fast=True)
    if data is None:
        return None
    text = normalize(data.get("text") or "").strip()
    if len(text) < 80:
        return None
    # A time without a zone, or a day alone, is Vietnam's (parse_date's reading).
    marked = data.get("date") or marked_date(html)  # "07/10/2024 08:15 (GMT+7)", see there
    date = parse_date(str(marked)) if marked else None
    title = normalize(data.get("title") or "").strip()
    # The page's text often starts with its headline again and a date line, and ends with a
    # byline: cleaned as a file's text is, so summaries and snippets start with the news.
    parsed = parse_article(text, title=title or None)
    if len(parsed.text) >= 80:
        text = parsed.text
    published = date or parsed.published_at
    return Extracted(
        title=title,
        text=text,
        date=published.astimezone(UTC) if published else None,
        author=data.get("author") or parsed.author,
        url=data.get("url") or url,
        sitename=data.get("sitename") or data.get("hostname"),
    )
