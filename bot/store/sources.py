"""Feed sources: what to poll, when, and what happened last time."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.bounds import parse_int
from bot.corpus.text import normalize
from bot.corpus.urls import normalize_url, redacted_url, source_url
from bot.errors import InputError, NotFound
from bot.store.db import Database, source_items, sources, utcnow

MAX_BACKOFF = timedelta(hours=12)
# A feed entry that failed (its page not there yet, a server down) is tried again at later
# polls: after 30 minutes, then 1, 2, 4 and 8 hours; after the sixth try it stays failed.
ENTRY_RETRY = timedelta(minutes=30)
MAX_ENTRY_ATTEMPTS = 6


@dataclass
class Source:
    """A feed or single article URL."""

    id: int
    url: str
    name: str | None
    kind: str
    every_seconds: int
    etag: str | None
    last_modified: str | None
    enabled: bool
    failures: int
    last_error: str | None
    last_checked_at: datetime | None
    next_check_at: datetime | None


def _row(row: sa.Row) -> Source:
    return Source(
        row.id,
        row.url,
        row.name,
        row.kind,
        row.every_seconds,
        row.etag,
        row.last_modified,
        bool(row.enabled),
        row.failures or 0,
        row.last_error,
        row.last_checked_at,
        row.next_check_at,
    )


# Bidirectional embeddings, overrides and isolates reorder what a terminal shows after them.
BIDI_CONTROLS = frozenset({"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"})


def source_name(name: str | None) -> str | None:
    """A source's name checked as one line of printable text (None when blank).

    Refused rather than cleaned: an escape sequence or a line break in a name is a paste
    gone wrong, and ``sources list`` must not print raw escapes or split a row.
    """
    if name is None:
        return None
    for char in name:
        if (
            unicodedata.category(char) in ("Cc", "Zl", "Zp")
            or unicodedata.bidirectional(char) in BIDI_CONTROLS
        ):
            raise InputError(
                f"a source name must be one line of printable text (it contains {char!r})"
            )
    return " ".join(normalize(name).split()) or None


def _same_source(url: str) -> str:
    """The form two spellings of one source URL share: scheme and host in lower case,
    tracking parameters dropped ("?utm_source=a" added the same feed twice, a tester's)."""
    try:
        return normalize_url(source_url(url))
    except (InputError, ValueError):
        return url.strip()  # a row stored before URLs were checked is matched as written


def _find(conn: sa.Connection, url: str) -> sa.Row | None:
    """The source stored under ``url`` whatever the case of its scheme and host, or as
    `sources list` shows it, credentials masked (refused as "no source", a tester's)."""
    wanted = _same_source(url)
    rows = list(conn.execute(sa.select(sources).order_by(sources.c.id)))
    # Few sources, and rows stored before URLs were normalised may differ in case: compare here.
    for row in rows:
        if _same_source(row.url) == wanted:
            return row
    shown = [row for row in rows if "***" in url and redacted_url(row.url) == url.strip()]
    return shown[0] if len(shown) == 1 else None


def document_sources(db: Database) -> list[str]:
    """The distinct ``source`` of stored documents (outlets, e.g. baokontum.com.vn), sorted."""
    from bot.store.db import documents

    with db.begin() as conn:
        rows = conn.execute(
            sa.select(documents.c.source).where(documents.c.source.is_not(None)).distinct()
        ).scalars()
        # The search index keeps sources in lower case: so are they compared.
        return sorted({str(value).strip().lower() for value in rows if str(value).strip()})


def has_site(db: Database, site: str) -> bool:
    """Whether a stored document's URL is on ``site`` (a host, "www." or not): a source
    filter matches it whatever name its feed gave the document's source."""
    from bot.store.db import documents

    host = site.strip().lower().removeprefix("www.")
    if not host or any(c in host for c in "/%\\ "):
        return False
    url = sa.func.lower(documents.c.url)
    on = sa.or_(
        *(
            url.like(f"{scheme}://{www}{host}{end}")
            for scheme in ("http", "https")
            for www in ("", "www.")
            for end in ("", "/%", "?%")
        )
    )
    with db.begin() as conn:
        return conn.execute(sa.select(documents.c.id).where(on).limit(1)).first() is not None


def _retry_at(attempts: int, last_try: datetime) -> datetime:
    """When a feed entry that failed ``attempts`` times, last at ``last_try``, is tried again."""
    return last_try + ENTRY_RETRY * 2 ** (max(1, attempts) - 1)


class SourceStore:
    """Reads and updates sources and the items seen in them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, url: str, *, name: str | None = None, every_seconds: int = 1800, kind: str = "feed"
    ) -> Source:
        """Register a source; it is checked on the next poll."""
        url = source_url(url)
        name = source_name(name)
        now = utcnow()
        with self.db.begin() as conn:
            existing = _find(conn, url)
            if existing is not None:
                raise InputError(
                    f"source already added (#{existing.id} {redacted_url(existing.url)})"
                )
            conn.execute(
                sources.insert().values(
                    url=url,
                    name=name,
                    kind=kind,
                    every_seconds=every_seconds,
                    enabled=True,
                    failures=0,
                    next_check_at=now,
                    created_at=now,
                )
            )
        return self.get(url)

    def get(self, ref: int | str) -> Source:
        """A source by id (``5`` or ``#5``, as `sources list` writes it) or URL."""
        with self.db.begin() as conn:
            number = parse_int(ref, low=1, high=2**31 - 1)
            if number is None and isinstance(ref, str) and ref.strip().startswith("#"):
                number = parse_int(ref.strip()[1:], low=1, high=2**31 - 1)
            if number is not None:
                row = conn.execute(sa.select(sources).where(sources.c.id == number)).first()
            else:
                row = _find(conn, str(ref))
        if row is None:
            raise NotFound(f"no source {redacted_url(str(ref))!r}")
        return _row(row)

    def list(self) -> list[Source]:
        """All sources."""
        with self.db.begin() as conn:
            return [_row(r) for r in conn.execute(sa.select(sources).order_by(sources.c.id))]

    def failing_entries(self) -> dict[int, int]:
        """Per source, how many of its entries failed and are not stored (tried again, or
        given up): a feed listed "ok" while an entry of it made every poll exit 1."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(source_items.c.source_id, sa.func.count())
                .where(source_items.c.status == "failed")
                .group_by(source_items.c.source_id)
            ).all()
        return {int(source_id): int(n) for source_id, n in rows}

    def remove(self, ref: int | str) -> Source:
        """Forget a source (documents it brought stay)."""
        source = self.get(ref)
        with self.db.begin() as conn:
            conn.execute(source_items.delete().where(source_items.c.source_id == source.id))
            conn.execute(sources.delete().where(sources.c.id == source.id))
        return source

    def due(self, now: datetime, *, claim: timedelta | None = None) -> list[Source]:
        """Enabled sources whose next check time has come; with ``claim``, each one is taken
        for this poll (its next check moved ``claim`` ahead, unless another poll moved it
        first): two `fetch` runs at once polled the same feed and fetched every article
        twice (a tester's). The poll's success or failure sets the real next check."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(sources).where(
                    sources.c.enabled.is_(True),
                    sa.or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= now),
                )
            ).all()
        if claim is None:
            return [_row(r) for r in rows]
        taken = []
        for row in rows:
            was = row.next_check_at
            with self.db.begin() as conn:
                done = conn.execute(
                    sources.update()
                    .where(
                        sources.c.id == row.id,
                        sources.c.next_check_at.is_(None)
                        if was is None
                        else sources.c.next_check_at == was,
                    )
                    .values(next_check_at=now + claim)
                )
            if done.rowcount == 1:
                taken.append(_row(row))
        return taken

    def record_success(
        self,
        source: Source,
        now: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        kind: str | None = None,
        warning: str | None = None,
        again_in: timedelta | None = None,
    ) -> None:
        """Checked fine: clear failures and schedule the next check (a warning is kept);
        ``again_in``: sooner than the source's interval (entries are left to fetch)."""
        with self.db.begin() as conn:
            conn.execute(
                sources.update()
                .where(sources.c.id == source.id)
                .values(
                    failures=0,
                    last_error=warning[:500] if warning else None,
                    last_checked_at=now,
                    etag=etag,
                    last_modified=last_modified,
                    next_check_at=now + (again_in or timedelta(seconds=source.every_seconds)),
                    **({"kind": kind} if kind else {}),
                )
            )

    def record_failure(self, source: Source, now: datetime, error: str) -> None:
        """Checked and failed: back off exponentially (up to 12 hours)."""
        failures = source.failures + 1
        delay = min(MAX_BACKOFF, timedelta(seconds=source.every_seconds) * (2 ** min(failures, 10)))
        with self.db.begin() as conn:
            conn.execute(
                sources.update()
                .where(sources.c.id == source.id)
                .values(
                    failures=failures,
                    last_error=error[:500],
                    last_checked_at=now,
                    next_check_at=now + delay,
                )
            )

    def entry_state(self, source_id: int, guid: str, now: datetime | None = None) -> str:
        """What to do with a feed entry: ``new`` (never seen), ``done`` (stored or a
        duplicate), ``retry`` (failed, and due for another try), ``waiting`` (failed, and not
        due yet) or ``given_up`` (failed every try)."""
        with self.db.begin() as conn:
            item = conn.execute(
                sa.select(
                    source_items.c.status, source_items.c.attempts, source_items.c.seen_at
                ).where(source_items.c.source_id == source_id, source_items.c.guid == guid)
            ).first()
        if item is None:
            return "new"
        status, attempts, seen_at = item
        if status == "pending":  # left by a capped poll: not tried yet
            return "new"
        if status != "failed":
            return "done"
        if attempts >= MAX_ENTRY_ATTEMPTS:
            return "given_up"
        return "retry" if (now or utcnow()) >= _retry_at(attempts, seen_at) else "waiting"

    def pending(self, source_id: int) -> list[tuple[str, str]]:
        """(guid, URL) of the entries a capped poll left for the next ones."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(source_items.c.guid, source_items.c.url)
                .where(source_items.c.source_id == source_id, source_items.c.status == "pending")
                .order_by(source_items.c.id)
            ).all()
        return [(guid, url) for guid, url in rows if url]

    def retries_due(self, source_id: int, now: datetime | None = None) -> bool:
        """Whether a failed entry of this source is due for another try."""
        now = now or utcnow()
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(source_items.c.attempts, source_items.c.seen_at).where(
                    source_items.c.source_id == source_id,
                    source_items.c.status == "failed",
                    source_items.c.attempts < MAX_ENTRY_ATTEMPTS,
                )
            ).all()
        return any(now >= _retry_at(n, seen) for n, seen in rows)

    def url_seen(self, url: str) -> int | None:
        """The document id already stored for this normalised URL, if any."""
        from bot.store.db import documents

        canonical = normalize_url(url)
        with self.db.begin() as conn:
            item = conn.execute(
                sa.select(source_items.c.document_id).where(
                    source_items.c.url == canonical, source_items.c.document_id.is_not(None)
                )
            ).first()
            if item is not None:
                return int(item[0])
            doc = conn.execute(sa.select(documents.c.id).where(documents.c.url == url)).first()
        return int(doc[0]) if doc else None

    def record_item(
        self,
        source_id: int,
        guid: str,
        url: str | None,
        *,
        document_id: int | None,
        status: str,
        reason: str | None = None,
    ) -> None:
        """Remember an entry (stored, duplicate, near_duplicate, failed): the next polls skip
        it, or, failed, try it again a few times (see :meth:`entry_state`)."""
        with self.db.begin() as conn:
            exists = conn.execute(
                sa.select(source_items.c.id, source_items.c.status, source_items.c.attempts).where(
                    source_items.c.source_id == source_id, source_items.c.guid == guid
                )
            ).first()
            values = {
                # A pending entry's link as the feed gave it, to fetch later (normalised, an
                # http link read https); the others' normalised, to know an article again.
                "url": (url if status == "pending" else normalize_url(url)) if url else None,
                "document_id": document_id,
                "status": status,
                "reason": reason[:500] if reason else None,
                "seen_at": utcnow(),
            }
            if exists and exists[1] == "failed":
                values["attempts"] = int(exists[2] or 0) + 1  # tried once more
            if exists:
                conn.execute(
                    source_items.update().where(source_items.c.id == exists[0]).values(**values)
                )
            else:
                conn.execute(source_items.insert().values(source_id=source_id, guid=guid, **values))
