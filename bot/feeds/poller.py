"""Polling sources: fetch new entries, extract, de-duplicate, store, classify, index.

One broken source never stops the others: every source is polled in its own task and every
failure is recorded on the source (with exponential back-off) or on the entry.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx

from bot.corpus.documents import NewDocument
from bot.corpus.readers import read_bytes
from bot.corpus.text import normalize, syllables
from bot.corpus.urls import normalize_url, redacted_url
from bot.errors import FetchError, InputError, NotFound
from bot.feeds.fetch import (
    Fetched,
    Politeness,
    attachment_suffix,
    extract_article,
    failure_reason,
    fetch,
    one_line,
    root_cause,
)
from bot.services import Services
from bot.store.db import utcnow
from bot.store.sources import Source, SourceStore

log = logging.getLogger(__name__)

NEAR_DUPLICATE = 0.8  # estimated Jaccard similarity of 3-syllable shingles
MAX_ENTRIES = 50
LEFT_AGAIN_IN = timedelta(minutes=1)  # a feed with entries left is polled again this soon
MAX_FAILED_IN_A_ROW = 5  # entries of one feed failing one after the other: the rest wait
# A near-duplicate with this many figures and names the other has not (and this share of
# theirs) is another document on the same template.
MIN_FACTS_APART = 3
FACTS_APART = 0.1
MIN_SUMMARY = 40  # characters of an entry's own text that make a document without its page


@dataclass
class PollReport:
    """What a poll did, with where the time went."""

    sources: int = 0
    entries: int = 0
    stored: int = 0
    duplicates: int = 0
    # Entries an earlier poll already handled (stored, skipped as duplicates, or stored and
    # deleted since): "duplicates" they were called, of a deleted document too (a tester's).
    seen: int = 0
    near_duplicates: int = 0
    failed_entries: list[tuple[str, str]] = field(default_factory=list)  # (entry, reason)
    failed_sources: dict[str, str] = field(default_factory=dict)
    retry_later: int = 0  # entries that failed before, to be tried again at a later poll
    given_up: int = 0  # entries that failed every try (see bot.store.sources.ENTRY_RETRY)
    # Feeds whose remaining entries wait for the next poll after this many failed in a row.
    stopped: dict[str, int] = field(default_factory=dict)
    # Feeds with more new entries than one poll takes (MAX_ENTRIES): how many wait.
    left: dict[str, int] = field(default_factory=dict)
    near_of: list[tuple[str, int]] = field(default_factory=list)  # (entry, the document it copies)
    # Entries dated after the poll (a feed's clock or zone wrong): stored as of the poll.
    future: list[tuple[str, datetime]] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def summary(self) -> str:
        """One line for humans."""
        return (
            f"{_n(self.sources, 'source')}, {_n(self.entries, 'entry', 'entries')}: "
            f"{self.stored} stored, "
            + (f"{self.seen:,} seen before, " if self.seen else "")
            + f"{_n(self.duplicates, 'duplicate')}, "
            f"{_n(self.near_duplicates, 'near-duplicate')}, "
            f"{_n(len(self.failed_entries), 'failed entry', 'failed entries')}, "
            f"{_n(len(self.failed_sources), 'failed source')}"
            + (f", {self.retry_later:,} to retry later" if self.retry_later else "")
            + (f", {self.given_up:,} given up after failing every try" if self.given_up else "")
            + (f", {sum(self.left.values()):,} left for the next poll" if self.left else "")
        )

    @property
    def ok(self) -> bool:
        """True when no source and no entry failed."""
        return not self.failed_entries and not self.failed_sources


def _n(count: int, one: str, many: str | None = None) -> str:
    """``1 source``, ``2 sources``."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


class NearDuplicateIndex:
    """MinHash LSH over recent documents, to link re-published articles instead of storing them twice."""

    def __init__(self, threshold: float = NEAR_DUPLICATE, num_perm: int = 64) -> None:
        from datasketch import MinHashLSH

        self.num_perm = num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.keys: set[str] = set()

    def _minhash(self, text: str):  # type: ignore[no-untyped-def]
        from datasketch import MinHash

        words = syllables(text)
        shingles = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
        mh = MinHash(num_perm=self.num_perm)
        for shingle in shingles:
            mh.update(shingle.encode("utf-8"))
        return mh

    def add(self, doc_id: int, text: str) -> None:
        key = str(doc_id)
        if key not in self.keys:
            self.lsh.insert(key, self._minhash(text))
            self.keys.add(key)

    def find(self, text: str) -> int | None:
        """The id of an already stored near-duplicate, if any."""
        if len(syllables(text)) < 30:
            return None  # too short to judge
        hits = self.lsh.query(self._minhash(text))
        return int(min(hits, key=int)) if hits else None

    @classmethod
    def from_store(cls, services: Services, days: int = 60) -> NearDuplicateIndex:
        index = cls()
        since = utcnow() - timedelta(days=days)
        for doc in services.documents.iter_all():
            if doc.ingested_at >= since:
                index.add(doc.id, doc.text)
        return index


# A due source is taken for this long by the poll that takes it; a poll that dies leaves it
# due again after that.
CLAIM = timedelta(minutes=10)
FUTURE = timedelta(days=1)  # a publication date later than this after the poll is wrong


def _entry_date(entry: dict) -> datetime | None:  # type: ignore[type-arg]
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime(*parsed[:6], tzinfo=UTC)


def _plain(html_text: str) -> str:
    import lxml.html

    try:
        return normalize(lxml.html.fromstring(f"<div>{html_text}</div>").text_content()).strip()
    except Exception:  # lxml rejects some fragments; the raw text is still better than nothing
        return normalize(html_text).strip()


class Poller:
    """Polls due sources with one shared HTTP client."""

    def __init__(
        self,
        services: Services,
        *,
        client: httpx.AsyncClient | None = None,
        politeness: float = 1.0,
        concurrency: int = 8,
        timeout: float = 15.0,
    ) -> None:
        self.services = services
        self.store = SourceStore(services.db)
        self.client = client
        self.timeout = timeout
        self.politeness = Politeness(politeness)
        self.semaphore = asyncio.Semaphore(concurrency)
        self.near: NearDuplicateIndex | None = None
        self.retry_clock: datetime | None = None  # see poll_due's retry_now

    async def poll_due(
        self,
        now: datetime | None = None,
        *,
        only: list[Source] | None = None,
        retry_now: bool = False,
        report: PollReport | None = None,
    ) -> PollReport:
        """Poll every due source (or ``only`` these) and store what is new; ``retry_now``:
        failed entries are tried again now, not at their next try's time (``sources check``,
        after an admin fixed the cause: a tester's fixed article stayed unfetched)."""
        now = now or utcnow()
        # The clock failed entries are due by: none waits when retrying now.
        self.retry_clock = datetime.max if retry_now else None
        report = report if report is not None else PollReport()  # the caller's, to watch
        due = (
            only
            if only is not None
            else await asyncio.to_thread(functools.partial(self.store.due, now, claim=CLAIM))
        )
        if not due:
            return report
        if self.near is None:
            self.near = await asyncio.to_thread(NearDuplicateIndex.from_store, self.services)
        own_client = self.client is None
        client = self.client or httpx.AsyncClient(timeout=self.timeout, max_redirects=5)
        try:
            await asyncio.gather(
                *(self._poll_guarded(client, source, now, report) for source in due)
            )
        finally:
            if own_client:
                await client.aclose()
        if report.new_ids:
            # One classification batch and one index commit for the whole poll.
            started = time.perf_counter()
            await asyncio.to_thread(self.services.after_documents_changed, report.new_ids)
            report.timings["classify+index"] += time.perf_counter() - started
        return report

    async def _poll_guarded(
        self, client: httpx.AsyncClient, source: Source, now: datetime, report: PollReport
    ) -> None:
        async with self.semaphore:
            report.sources += 1
            try:
                await self._poll(client, source, now, report)
            except Exception as exc:  # one source's failure, even a bug, must not stop the others
                cause = root_cause(exc)  # an ExceptionGroup alone says nothing
                if isinstance(cause, FetchError | InputError):
                    reason = str(cause)
                elif (expected := failure_reason(cause)) is not None:
                    reason = expected
                    log.error("source %s failed: %s", redacted_url(source.url), reason)
                else:
                    reason = one_line(cause)
                    log.error(
                        "source %s failed: %s", redacted_url(source.url), reason, exc_info=cause
                    )
                report.failed_sources[source.url] = reason
                await asyncio.to_thread(self.store.record_failure, source, now, reason)

    async def _poll(
        self, client: httpx.AsyncClient, source: Source, now: datetime, report: PollReport
    ) -> None:
        started = time.perf_counter()
        # An entry due for another try is in the feed as it was: asked "only if changed",
        # the server answers 304 and the retry would wait for the feed's next change.
        retrying = self.retry_clock == datetime.max or await asyncio.to_thread(
            self.store.retries_due, source.id, self.retry_clock or now
        )  # `sources check` reads the feed whole: a 304 kept even entries given up out
        page = await fetch(
            client,
            source.url,
            etag=None if retrying else source.etag,
            last_modified=None if retrying else source.last_modified,
            politeness=self.politeness,
        )
        report.timings["fetch"] += time.perf_counter() - started
        if page.not_modified:
            await asyncio.to_thread(
                self.store.record_success,
                source,
                now,
                etag=source.etag,
                last_modified=source.last_modified,
            )
            return
        if page.text is None:
            raise FetchError(
                f"not a feed or web page (content type {page.content_type or 'unknown'})"
            )
        # Relative links ("a0.html", legal in Atom) resolve against the feed's own URL, as
        # feedparser does when told where the document came from (they failed as "not an
        # http(s) URL", a tester's).
        feed = (
            feedparser.parse(page.body, response_headers={"content-location": page.url})
            if _looks_like_feed(page)
            else None
        )
        warning = None
        # A feed served with a type that is not XML's, or a charset it overrides, is still
        # the feed it reads as: not "malformed" (an empty feed so was FAILING, a tester's).
        benign = feed is not None and type(feed.get("bozo_exception")).__name__ in _BENIGN_BOZO
        if feed is not None and feed.bozo and not benign:
            warning = (
                f"malformed feed ({feed.bozo_exception.__class__.__name__}: {feed.bozo_exception})"
            )
        # A broken feed can parse into empty entries ("<item><title>unterminated" gives one
        # {}): only entries with a link, title or summary count.
        if feed is not None and any(e.get("guidislink") for e in feed.entries):
            _unlink_relative_guids(feed, page.body)
        entries = [e for e in feed.entries if _has_content(e)] if feed is not None else []
        left = 0  # entries not looked at: the feed is read whole again at the next poll
        if feed is not None and entries:
            kind = "feed"
            # Entries never tried before those failed before: five failures in a row stop a
            # poll, and retried first they stopped every poll before a new article (a
            # tester's). The feed's order otherwise.
            # Entries a capped poll left, which the feed may have dropped since (a tester's
            # were lost when 20 new items pushed them out): fetched by their links.
            in_feed = {_identity(e)[1] for e in entries}
            held = await asyncio.to_thread(self.store.pending, source.id)
            entries += [{"id": g, "link": u} for g, u in held if g not in in_feed]
            states = await asyncio.to_thread(lambda: [self._state(source, e) for e in entries])
            known = list(zip(entries, states, strict=True))
            known = [k for k in known if k[1] != "retry"] + [k for k in known if k[1] == "retry"]
            streak = worked = 0
            for n, (entry, state) in enumerate(known):
                if worked >= MAX_ENTRIES:
                    # New entries beyond the cap wait for the next poll (a feed of 500 gave
                    # its first 50, then 304 "not modified" for ever: a tester's).
                    left = len(known) - n
                    report.left[source.url] = left
                    await asyncio.to_thread(self._hold, source, known[n:])
                    break
                failed = len(report.failed_entries)
                skipped = report.seen + report.duplicates + report.retry_later + report.given_up
                await self._entry_guarded(client, source, entry, state, report)
                now_skipped = report.seen + report.duplicates + report.retry_later + report.given_up
                worked += skipped == now_skipped
                streak = streak + 1 if len(report.failed_entries) > failed else 0
                if streak >= MAX_FAILED_IN_A_ROW and n + 1 < len(known):
                    # A feed of dead links took a second each (the politeness delay), 52 s
                    # for one feed (a tester's): the rest wait for the next poll, and each
                    # poll gets through a few more, since a failed entry waits half an hour
                    # or more before it is tried again.
                    report.stopped[source.url] = streak
                    left = len(known) - n - 1
                    break
        elif feed is not None:
            if warning is not None or not feed.get("feed"):
                raise FetchError(warning or "not an RSS/Atom feed (no channel, no entries)")
            kind, warning = "feed", "the feed has no entries yet"  # well formed, and empty
        else:
            kind = "article"
            await self._article_page(source, page, report)
        # A feed that parsed with errors but still gave entries is kept, with the warning shown.
        await asyncio.to_thread(
            self.store.record_success,
            source,
            now,
            etag=None if left else page.etag,
            last_modified=None if left else page.last_modified,
            kind=kind,
            warning=warning,
            # The rest at the next minute's poll, not the source's next interval (a tester's
            # backlog waited half an hour, "0 sources" due).
            again_in=LEFT_AGAIN_IN if source.url in report.left else None,
        )

    async def _entry_guarded(
        self,
        client: httpx.AsyncClient,
        source: Source,
        entry: dict,  # type: ignore[type-arg]
        state: str,
        report: PollReport,
    ) -> None:
        """:meth:`_entry`, whose failure, even a bug, is that entry's and not its feed's:
        the entries after it are still read (one had every later entry wait for ever, a
        tester's). Not recorded, it is tried again at the next poll."""
        try:
            await self._entry(client, source, entry, state, report)
        except Exception as exc:
            cause = root_cause(exc)
            reason = failure_reason(cause) or one_line(cause)
            link = entry.get("link")
            log.error("feed entry %s failed: %s", redacted_url(str(link)), reason, exc_info=cause)
            name = _entry_name(source, link, str(entry.get("title", "")))
            report.failed_entries.append((name, reason))

    def _hold(self, source: Source, entries: list[tuple[dict, str]]) -> None:  # type: ignore[type-arg]
        """Remember new entries (with their states) a poll leaves for the next, by their
        links."""
        for entry, state in entries:
            link, guid = _identity(entry)
            if link and state == "new":
                self.store.record_item(source.id, guid, link, document_id=None, status="pending")

    def _state(self, source: Source, entry: dict) -> str:  # type: ignore[type-arg]
        """The entry's state in the store (see SourceStore.entry_state); ``sources check``
        (retry_now) tries even the entries given up on (a tester's fixed file stayed out)."""
        state = self.store.entry_state(source.id, _identity(entry)[1], self.retry_clock)
        return "retry" if state == "given_up" and self.retry_clock == datetime.max else state

    async def _entry(
        self,
        client: httpx.AsyncClient,
        source: Source,
        entry: dict,  # type: ignore[type-arg]
        state: str,  # see _state, looked up before the poll's loop
        report: PollReport,
    ) -> None:
        report.entries += 1
        link, guid = _identity(entry)
        if state == "done":
            report.seen += 1
            return
        if state == "waiting":
            report.retry_later += 1
            return
        if state == "given_up":
            report.given_up += 1
            return
        if link:
            existing = await asyncio.to_thread(self.store.url_seen, link)
            if existing is not None:
                report.duplicates += 1
                await self._record(source, guid, link, "duplicate", existing, "same URL")
                return
        title = normalize(entry.get("title", "")).strip()
        summary = _plain(entry.get("summary", "") or "")
        reason = None
        article = None
        attached: NewDocument | None = None
        if link:
            try:
                started = time.perf_counter()
                page = await fetch(self.client_or(client), link, politeness=self.politeness)
                report.timings["fetch"] += time.perf_counter() - started
                suffix = attachment_suffix(page.content_type, page.url, page.body)
                if suffix in (".txt", ".md") and _looks_like_html(page.text):
                    suffix = None  # a page served as text: read as the page it is
                if suffix is not None:
                    # A directive published as its .docx or .pdf: read as `ingest` reads
                    # one (it failed the whole feed, and the entries after it waited for
                    # ever: a tester's).
                    attached = await asyncio.to_thread(
                        read_bytes, page.body, name=f"entry{suffix}", source=link
                    )
                elif page.text is None or not (
                    "html" in (page.content_type or "html") or _looks_like_html(page.text)
                ):
                    reason = f"not an HTML page ({page.content_type})"
                else:
                    started = time.perf_counter()
                    article = await asyncio.to_thread(extract_article, page.text, page.url)
                    report.timings["extract"] += time.perf_counter() - started
                    if article is None:
                        reason = "no article text found on the page"
            except FetchError as exc:
                reason = f"article fetch failed: {exc}"
            except InputError as exc:
                reason = f"attachment not read: {exc.args[0] if exc.args else exc}"
        if attached is not None:
            doc = replace(
                attached,
                title=title or attached.title,
                external_id=None,
                published_at=_entry_date(entry) or attached.published_at,
                url=link,
                source=source.name or attached.source,
                origin=f"feed:{source.url}",
                named_from_file=False,
            )
            await self._store(source, guid, link, doc, report)
            return
        if article is None and len(summary) < MIN_SUMMARY:
            if reason is None:
                refused = str(entry.get("link") or "")
                # A link that is no web address is named ("javascript:…" read as "without a
                # link", a tester's).
                no_link = (
                    f"its link {refused[:60]!r} is no http(s) address" if refused else "no link"
                )
                reason = (
                    f"{no_link}, and its text is too short to store ({len(summary)} characters)"
                    if summary
                    else f"{no_link}, and no text"
                )
            report.failed_entries.append((_entry_name(source, link, title), reason))
            await self._record(source, guid, link, "failed", None, reason)
            return
        doc = NewDocument(
            title=(article.title if article and article.title else title) or summary[:100],
            text=article.text if article else summary,
            external_id=None,
            published_at=_entry_date(entry) or (article.date if article else None),
            url=link,
            source=source.name or (article.sitename if article else None),
            author=(article.author if article else None) or entry.get("author"),
            origin=f"feed:{source.url}",
        )
        await self._store(source, guid, link, doc, report, reason=reason)

    async def _record(
        self,
        source: Source,
        guid: str,
        link: str | None,
        status: str,
        document_id: int | None,
        reason: str | None,
    ) -> None:
        """Remember what became of a feed entry, so the next poll skips it."""
        await asyncio.to_thread(
            self.store.record_item,
            source.id,
            guid,
            link,
            document_id=document_id,
            status=status,
            reason=reason,
        )

    def _tells_apart(self, text: str, near: int) -> bool:
        """True when ``text`` is no copy of document ``near`` though most of its wording
        is: notices on one template for different people, decisions and figures (one of four
        disciplinary notices was dropped as a near-duplicate, a tester's). A re-published
        article keeps its names and figures."""
        try:
            stored = self.services.documents.get(near).text
        except NotFound:
            return False  # deleted since: the index still says it was seen
        new, old = _facts(text), _facts(stored)
        differ = len(new ^ old)
        return differ >= MIN_FACTS_APART and differ >= FACTS_APART * max(1, len(new | old))

    def client_or(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        return self.client or client

    async def _article_page(self, source: Source, page: Fetched, report: PollReport) -> None:
        report.entries += 1
        guid = normalize_url(page.url)
        if await asyncio.to_thread(self.store.entry_state, source.id, guid) == "done":
            report.duplicates += 1
            return
        started = time.perf_counter()
        article = await asyncio.to_thread(extract_article, page.text or "", page.url)
        report.timings["extract"] += time.perf_counter() - started
        if article is None:
            raise FetchError("no article text found on the page")
        doc = NewDocument(
            title=article.title or source.name or page.url,
            text=article.text,
            published_at=article.date,  # aware: read as Vietnam time, it moved by 7 hours
            url=page.url,
            source=source.name or article.sitename,
            author=article.author,
            origin=f"page:{source.url}",
        )
        await self._store(source, guid, page.url, doc, report)

    async def _store(
        self,
        source: Source,
        guid: str,
        link: str | None,
        doc: NewDocument,
        report: PollReport,
        reason: str | None = None,
    ) -> None:
        assert self.near is not None
        now = datetime.now(UTC)
        when = doc.published_at
        if when is not None and (when if when.tzinfo else when.replace(tzinfo=UTC)) > now + FUTURE:
            # Dated after the poll: it stood first in every newest-first list until that day
            # (a tester's 2030 entry); the poll's time is the best date it has.
            report.future.append((_entry_name(source, link, doc.title), when))
            doc = replace(doc, published_at=now)
        near = self.near.find(doc.text)
        if near is not None and await asyncio.to_thread(self._tells_apart, doc.text, near):
            near = None
        if near is not None:
            report.near_duplicates += 1
            report.near_of.append((_entry_name(source, link, doc.title), near))
            await self._record(
                source, guid, link, "near_duplicate", near, f"near-duplicate of #{near}"
            )
            return
        started = time.perf_counter()
        try:
            result = await asyncio.to_thread(self.services.documents.add, doc)
        except InputError as exc:
            report.failed_entries.append((_entry_name(source, link, doc.title), str(exc)))
            await self._record(source, guid, link, "failed", None, str(exc))
            return
        report.timings["store"] += time.perf_counter() - started
        if result.status == "duplicate":
            report.duplicates += 1
            status = "duplicate"
        else:
            report.stored += 1
            status = "stored" if reason is None else "stored_summary"
            self.near.add(result.document_id, doc.text)
            report.new_ids.append(result.document_id)
        await self._record(source, guid, link, status, result.document_id, reason)


_WORD = re.compile(r"\w+(?:[.,/-]\w+)*|[^\w\s]")  # punctuation ends a name


def _facts(text: str) -> set[str]:
    """A text's figures and capitalised names ("Vũ Văn Phúc", "Sở Xây dựng" as "Sở Xây"):
    what tells two texts on one template apart."""
    words = _WORD.findall(text)
    facts = {w for w in words if any(c.isdigit() for c in w)}
    run: list[str] = []
    for word in [*words, ""]:
        if word[:1].isupper():
            run.append(word)
            continue
        if len(run) >= 2:
            facts.add(" ".join(run))
        run = []
    return facts


def _unlink_relative_guids(feed: Any, body: bytes) -> None:
    """An RSS item with no link but a guid that is no URL ("gnolink"): feedparser takes the
    guid, resolved against the feed's address, as its link, which was fetched and failed
    every poll (a tester's). Such an entry has no link: it is stored from its own text."""
    raw = feedparser.parse(body)  # without the feed's address: a guid as it is written
    if len(raw.entries) != len(feed.entries):
        return
    for entry, as_written in zip(feed.entries, raw.entries, strict=True):
        written = str(as_written.get("id") or "")
        # Only a link taken from the guid: feedparser also says "guidislink" of an Atom entry
        # with an id "tag:…" beside its own <link>, whose every entry was then lost (a
        # tester's).
        from_guid = str(as_written.get("link") or "") == written
        if (
            entry.get("guidislink")
            and from_guid
            and not written.lower().startswith(("http://", "https://"))
        ):
            entry["link"] = None


def _identity(entry: dict) -> tuple[str | None, str]:  # type: ignore[type-arg]
    """An entry's link (None without one) and the guid it is known by."""
    link = entry.get("link")
    if link and not str(link).lower().startswith(("http://", "https://")):
        # An Atom entry without a link: feedparser gives its id ("urn:2") as one, which was
        # fetched and failed, six times (a tester's). Its content, as an RSS item's.
        link = None
    guid = entry.get("id") or entry.get("guid") or (normalize_url(link) if link else None)
    if not guid:
        guid = hashlib.sha256((entry.get("title", "") + entry.get("summary", "")).encode())
        guid = guid.hexdigest()
    return link, guid


def _has_content(entry: dict) -> bool:  # type: ignore[type-arg]
    return any(str(entry.get(key) or "").strip() for key in ("link", "title", "summary"))


def _entry_name(source: Source, link: str | None, title: str) -> str:
    """How a failed entry is named to the admin: its URL, else its title in its feed."""
    return link or f"{source.url} (entry {title[:60]!r} without a link)"


async def probe(url: str, *, timeout: float = 15.0) -> str:
    """What ``url`` is, for an admin adding it as a source: "RSS/Atom feed, 12 entries" or
    "article page «title»"; raises :class:`FetchError` when it is neither (or unreachable),
    which `sources add` said nothing of until the first poll failed (a tester's)."""
    async with httpx.AsyncClient(timeout=timeout, max_redirects=5) as client:
        page = await fetch(client, url)
    if page.text is None:
        raise FetchError(f"not a feed or web page (content type {page.content_type or 'unknown'})")
    if _looks_like_feed(page):
        feed = feedparser.parse(page.body, response_headers={"content-location": page.url})
        entries = [e for e in feed.entries if _has_content(e)]
        if not entries and feed.get("version"):
            # A feed with nothing in it yet (a new category) is a feed: "polls will fail"
            # said of it was wrong, the polls passed (a tester's).
            return "RSS/Atom feed, no entries yet"
        if not entries:
            broken = type(feed.get("bozo_exception")).__name__ not in {"NoneType", *_BENIGN_BOZO}
            what = "not XML" if broken and not feed.get("feed") else "an XML document"
            raise FetchError(f"{what}, with no RSS/Atom entries in it")
        return f"RSS/Atom feed, {_n(len(entries), 'entry', 'entries')}"
    article = await asyncio.to_thread(extract_article, page.text, page.url)
    if article is None:
        raise FetchError("a web page without an article (not an RSS/Atom feed either)")
    return f"article page «{article.title[:80]}»" if article.title else "article page"


_BENIGN_BOZO = {"NonXMLContentType", "CharacterEncodingOverride"}


def _looks_like_html(text: str | None) -> bool:
    head = (text or "")[:2000].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head


def _looks_like_feed(page: Fetched) -> bool:
    head = (page.text or "")[:1000].lstrip().lower()
    return (
        "xml" in page.content_type
        or "rss" in page.content_type
        or "atom" in page.content_type
        or head.startswith("<?xml")
        or "<rss" in head
        or "<feed" in head
    )


__all__ = ["NearDuplicateIndex", "PollReport", "Poller", "probe"]
