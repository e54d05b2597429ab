"""The tantivy index: schema, document conversion, and keeping it in step with the database.

The database is the source of truth; this index is derived from it and can be deleted at any
time. A small JSON file next to tantivy's own files records what the index holds:

* ``schema`` — our schema version (a mismatch means rebuild),
* ``db`` — the database's instance id (the ``meta`` table; a new or replaced database means
  rebuild, e.g. a Procfile host that wiped the disk but kept PostgreSQL, or the reverse),
* ``seq`` — the last applied ``doc_changes`` sequence number, and ``gaps`` — sequence numbers
  not seen yet (on PostgreSQL a transaction that started earlier can commit a lower number
  later; we keep looking for those for a while instead of losing them).

Several processes may share one index folder (the bot and a CLI ``ingest``): tantivy allows one
writer at a time, so writers are opened only for the duration of a sync and a process that
finds the lock busy leaves the work to the holder and just reloads.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import tantivy

from bot.corpus.text import fold_lower
from bot.errors import SearchError
from bot.search.query import code_terms, line_codes, named_days, named_years
from bot.search.summary import sentence_offsets
from bot.store.meta import MetaStore

if TYPE_CHECKING:
    from bot.corpus.documents import Document
    from bot.store.documents import DocumentStore

log = logging.getLogger(__name__)

TITLE_CODE = "title:"  # prefix of a title's code terms in the "codes" field

# 18: "35/NQ-TW" indexed as 35-NQ/TW; 19: a title's codes (TITLE_CODE); 20: "/TU" is Tỉnh ủy;
# 21: a title's province code not under its bare key
SCHEMA_VERSION = 21
META_FILE = "partybot-index.json"
TOKENIZER = "vn"
# Our syllable tokenizer (bot.text.tokenize), so query terms built in Python match index terms.
TOKEN_PATTERN = r"\d+(?:[.,/]\d+)*|[^\W_]+"
GAP_TTL_SECONDS = 300.0
WRITER_HEAP = 64_000_000
# One indexing thread with the whole budget: a rebuild then always cuts the same few large
# segments (3 at 100,000 documents) instead of one per thread, 6 to 8 depending on timing,
# and queries read fewer segments (p95 about 10% lower at 100,000 documents). Preparing
# documents in Python is the slow part of a rebuild, not tantivy's thread.
REBUILD_HEAP = 200_000_000
CHANGES_BATCH = 5_000
# warm() reads at most this much of the index into the OS cache (a 100,000-document index is
# about a third of it); a larger index is read up to here, in file order.
PRELOAD_MAX_BYTES = 1_000_000_000


def analyzer() -> tantivy.TextAnalyzer:
    """Syllables and numbers, at most 40 bytes, lower-cased."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def site_of(url: str | None) -> str | None:
    """The site of ``url`` as a source filter names it: host (and port), without "www."."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").removeprefix("www."), parts.port
    except ValueError:
        return None
    if not host or parts.scheme not in ("http", "https"):
        return None
    return f"{host}:{port}" if port else host


def build_schema() -> tantivy.Schema:
    """Fields: folded text for BM25, exact-accent text for the accent boost, codes, filters."""
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("date", stored=False, indexed=True, fast=True)  # unix seconds
    # The publication date alone, for a period asked for: "date" falls back to the day a
    # document without one was ingested, which sorts it but says nothing of its period.
    sb.add_integer_field("published", stored=False, indexed=True, fast=True)
    # Days the text names ("Ngày 26/12/2023, ..."): a day asked for finds the article on that
    # day's event published the next morning (bot.search.query.named_days).
    sb.add_integer_field("mentioned", stored=False, indexed=True, fast=False)
    # Years the text names, not a term's ends ("nhiệm kỳ 2020-2025"): "… năm 2025" also
    # finds the report published next January (bot.search.query.named_years).
    sb.add_integer_field("years", stored=False, indexed=True, fast=False)
    sb.add_integer_field("span_years", stored=False, indexed=True, fast=False)  # 2020, 2025
    sb.add_text_field("title_f", tokenizer_name=TOKENIZER, index_option="position")
    sb.add_text_field("text_f", tokenizer_name=TOKENIZER, index_option="position")
    sb.add_text_field("text_x", tokenizer_name=TOKENIZER, index_option="freq")
    # The title with its accents: a title saying "thăm hỏi ... quốc lộ" is no title match
    # for "hối lộ" typed with them.
    sb.add_text_field("title_x", tokenizer_name=TOKENIZER, index_option="freq")
    sb.add_text_field("pairs", tokenizer_name="whitespace", index_option="freq")
    # The same pairs with their accents: tells "đảng viện" (a typo) from "đảng viên".
    # Each pair once, as bytes: a bytes field has no field norms, so a term query on it
    # scores every document alike, the constant bonus of a word said (bot.search.engine,
    # W_WORD), and stays a plain term query, which tantivy scores in a union several times
    # faster than a constant-score clause.
    sb.add_bytes_field("pairs_x", indexed=True)
    sb.add_bytes_field("pairs_once", indexed=True)  # the folded pairs, the same way
    # Syllables one apart ("bo~hien" in "bo thuc hien"): with the pairs, a cheap filter that
    # lets a phrase with a word inserted check positions only where it can match.
    sb.add_text_field("skips", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("codes", tokenizer_name="raw", index_option="freq")
    sb.add_text_field("topics", tokenizer_name="raw", index_option="basic")
    # A document the classifier gave no topic (general news): ranked a little lower
    # (bot.search.engine, W_UNTAGGED). Bytes, like pairs_x: one score for every document.
    sb.add_bytes_field("untagged", indexed=True)
    sb.add_text_field("source", tokenizer_name="raw", index_option="basic")
    # Everything a hit shows, so rendering a page needs no database round trip.
    sb.add_bytes_field("payload", stored=True)
    return sb.build()


SCHEMA = build_schema()


def timestamp(value: datetime) -> int:
    """Unix seconds of a naive-UTC (or aware) datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


_EPOCH = datetime(1970, 1, 1)


def from_timestamp(value: int | None) -> datetime | None:
    """Naive UTC from unix seconds."""
    if value is None:
        return None
    return _EPOCH + timedelta(seconds=value)  # half the time of fromtimestamp(value, UTC)


_TOKEN_RE = re.compile(TOKEN_PATTERN)
PAIR_MAX_CHARS = 20  # longer tokens (URLs, garbage) make no pairs


def _pairable(folded: str) -> list[str]:
    return [t for t in _TOKEN_RE.findall(folded) if len(t) <= PAIR_MAX_CHARS]


def _joined(tokens: list[str], sep: str, apart: int) -> str:
    return " ".join([f"{a}{sep}{b}" for a, b in zip(tokens, tokens[apart:], strict=False)])


def pairs(folded: str) -> str:
    """Adjacent syllable pairs ("tham_nhung"), space-separated, for the ``pairs`` field.

    Most Vietnamese words are two syllables, so a pair is close to a word: a cheap term query
    ranks "tham nhung" typed without accents by the word rather than "tham gia … những". (A
    phrase query on positions gives the same ranking at several times the cost.)
    """
    return _joined(_pairable(folded), "_", 1)


def skips(folded: str) -> str:
    """Syllables with one syllable between them ("bo~hien" in "bo thuc hien"), for the
    ``skips`` field; the same syllables as :func:`pairs`."""
    return _joined(_pairable(folded), "~", 2)


def read_files(paths: Iterable[Path], limit: int = PRELOAD_MAX_BYTES) -> int:
    """Read regular files (not links) in 1 MB chunks and discard the bytes, so the operating
    system caches them; stops after ``limit`` bytes. Returns the bytes read."""
    done = 0
    for path in paths:
        if done >= limit or not path.is_file() or path.is_symlink():
            continue
        try:
            with path.open("rb", buffering=0) as fh:
                while done < limit and (chunk := fh.read(1 << 20)):
                    done += len(chunk)
        except OSError:
            continue  # a segment merged away meanwhile: nothing to warm
    return done


def to_tantivy(doc: Document) -> tantivy.Document:
    """One database document as an index document."""
    exact = f"{doc.title}\n{doc.text}"  # the store keeps text normalised already
    folded = fold_lower(exact)
    out = tantivy.Document()
    out.add_unsigned("id", doc.id)
    out.add_integer("date", timestamp(doc.date))
    if doc.published_at is not None:
        out.add_integer("published", timestamp(doc.published_at))
    for day in named_days(folded, doc.published_at):
        out.add_integer("mentioned", timestamp(day))
    years, ends = named_years(folded)
    for year in years:
        out.add_integer("years", year)
    for year in ends:
        out.add_integer("span_years", year)
    out.add_text("title_f", folded[: len(doc.title)])
    out.add_text("text_f", folded)
    out.add_text("text_x", exact)
    out.add_text("title_x", doc.title)
    syllables = _pairable(folded)  # pairs() and skips() in one tokenisation
    folded_pairs = _joined(syllables, "_", 1)
    out.add_text("pairs", folded_pairs)
    out.add_text("skips", _joined(syllables, "~", 2))
    for pair in dict.fromkeys(folded_pairs.split()):
        out.add_bytes("pairs_once", pair.encode())
    for pair in dict.fromkeys(pairs(exact.lower()).split()):
        out.add_bytes("pairs_x", pair.encode())
    # Title and text line by line, as one text would be (the title is the first line).
    cited = line_codes(doc.title, folded[: len(doc.title)])
    in_text = line_codes(doc.text, folded[len(doc.title) + 1 :])
    for term in code_terms(exact, found=cited + in_text):
        out.add_text("codes", term)
    # A code in the title, once more under its own terms: the article is about it (an
    # untitled report citing it five times led "Kết luận 21-KL/TW" above two with it in
    # their titles: a tester's).
    # A province's code ("35-CT/TU") by its full form only: under its bare key it led "Chỉ
    # thị 35", the Central Committee's, with the province's directive (a tester's).
    elsewhere = {
        code.key
        for _, code in cited
        if code.full and code.full != code.key and not code.full.endswith("/TW")
    }
    for term in dict.fromkeys(code_terms(doc.title, found=cited)):
        if term not in elsewhere:
            out.add_text("codes", f"{TITLE_CODE}{term}")
    for slug in doc.topics:
        out.add_text("topics", slug)
    if not doc.topics:
        out.add_bytes("untagged", b"y")
    sources = {doc.source.lower()} if doc.source else set()
    # The site too: a feed's name ("Báo Thử Nghiệm") replaced it, so --source by site missed
    # the feed's articles (a tester's).
    site = site_of(doc.url)
    for name in sorted(sources | ({site} if site else set())):
        out.add_text("source", name)
    payload = {
        "e": doc.external_id,
        "t": doc.title,
        "x": doc.text,
        "u": doc.url,
        "s": doc.source,
        "p": timestamp(doc.published_at) if doc.published_at else None,
        "tp": list(doc.topics),
        "h": doc.content_hash,
    }
    if in_text:
        # Where the text cites documents (line, start, end, key, full form), so a snippet
        # marks a cited code without searching its lines again.
        payload["c"] = [[i, c.start, c.end, c.key, c.full] for i, c in in_text]
    # Where each line's sentences are, so a snippet does not split its lines again.
    payload["ss"] = sentence_offsets(doc.text)
    out.add_bytes("payload", json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return out


@dataclass
class IndexMeta:
    """What the index folder holds, next to tantivy's files."""

    schema: int = SCHEMA_VERSION
    db: str = ""
    seq: int = 0
    gaps: dict[str, float] = field(default_factory=dict)  # seq → first seen missing (epoch)
    build: str = ""
    built_at: str = ""
    docs: int = 0

    @classmethod
    def read(cls, folder: Path) -> IndexMeta | None:
        """The folder's metadata; None when missing or damaged in any way (then the index is
        rebuilt: it is derived, and a wrong ``seq`` would silently skip changes)."""
        try:
            data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        ints = ("schema", "seq", "docs")
        texts = ("db", "build", "built_at")
        if any(k in data and (type(data[k]) is not int or data[k] < 0) for k in ints):
            return None
        if any(k in data and not isinstance(data[k], str) for k in texts):
            return None
        gaps = data.get("gaps", {})
        if not isinstance(gaps, dict) or not all(
            isinstance(k, str)
            and k.isdigit()
            and isinstance(v, int | float)
            and not isinstance(v, bool)
            for k, v in gaps.items()
        ):
            return None
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def write(self, folder: Path) -> None:
        # Atomic replace: a reader in another process never sees half a file.
        tmp = folder / f".{META_FILE}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")
        os.replace(tmp, folder / META_FILE)


class WriterBusy(SearchError):
    """Another process (or thread) holds the index writer."""


class SearchIndex:
    """A tantivy index in one folder, kept in step with the database's change log."""

    def __init__(self, documents: DocumentStore, meta: MetaStore, folder: Path | str) -> None:
        self.documents = documents
        self.meta = meta
        self.folder = Path(folder)
        self.index: tantivy.Index | None = None
        self.build = ""  # the build id this process has open
        self._lock = threading.RLock()
        self._folder_fd: int | None = None
        self._folder_depth = 0
        self.rebuilt_reason: str | None = None  # why the last open rebuilt (for status/tests)
        self._seen_commit: tuple[int, int, int] | None = None  # see refresh()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This thread, alone among all processes sharing the folder, may decide to
        (re)create it: two processes that both found the index missing used to rebuild it at
        once, each deleting the files the other had just written.

        A ``flock`` on a file beside the folder (the folder itself gets deleted); re-entrant
        within a thread, since ``open`` may call ``rebuild``.
        """
        with self._lock:
            if self._folder_depth == 0:
                self.folder.parent.mkdir(parents=True, exist_ok=True)
                lock_path = self.folder.parent / f".{self.folder.name}.lock"
                fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._folder_fd = fd
            self._folder_depth += 1
            try:
                yield
            finally:
                self._folder_depth -= 1
                if self._folder_depth == 0 and self._folder_fd is not None:
                    fcntl.flock(self._folder_fd, fcntl.LOCK_UN)
                    os.close(self._folder_fd)
                    self._folder_fd = None

    # --- database identity ----------------------------------------------------------------

    def db_id(self) -> str:
        """This database's instance id (see :meth:`MetaStore.instance_id`)."""
        return self.meta.instance_id()

    # --- opening --------------------------------------------------------------------------

    def _open_existing(self) -> tantivy.Index:
        if not tantivy.Index.exists(str(self.folder)):
            raise SearchError("no index")
        if not tantivy.Index.is_compatible(str(self.folder)):
            raise SearchError("index written by an incompatible tantivy version")
        index = tantivy.Index(SCHEMA, path=str(self.folder), reuse=True)
        index.register_tokenizer(TOKENIZER, analyzer())
        index.searcher()  # fail now, not at the first query, when files are damaged
        return index

    def _create(self) -> tantivy.Index:
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            # INDEX_DIR names a file: keep it (it is not ours to delete) and build beside it.
            aside = self.folder.with_name(f"{self.folder.name}.not-an-index-{int(time.time())}")
            log.warning("search index path %s is not a folder; moved it to %s", self.folder, aside)
            self.folder.rename(aside)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(SCHEMA, path=str(self.folder), reuse=False)
        index.register_tokenizer(TOKENIZER, analyzer())
        return index

    def stale_reason(self) -> str | None:
        """Why the index folder cannot be used as it is (None when it can)."""
        if not self.folder.is_dir():
            return "missing" if not self.folder.exists() else "not a folder"
        stored = IndexMeta.read(self.folder)
        if not tantivy.Index.exists(str(self.folder)):
            return "missing"
        if stored is None:
            return "no metadata"
        if stored.schema != SCHEMA_VERSION:
            return f"schema {stored.schema} → {SCHEMA_VERSION}"
        if stored.db != self.db_id():
            return "built from another database"
        if stored.seq > self.documents.last_change():
            return "ahead of the database (restored or reset database)"
        return None

    def open(self, *, check_count: bool = True) -> None:
        """Open the index, rebuilding it when it is missing, corrupt or stale."""
        with self._exclusive():
            reason = self.stale_reason()
            if reason is None:
                try:
                    self.index = self._open_existing()
                    self.build = (IndexMeta.read(self.folder) or IndexMeta()).build
                except (ValueError, OSError, SearchError) as exc:
                    reason = f"corrupt ({exc})"
            if reason is not None:
                # A missing index is the normal first start (or a wiped disk); anything else
                # is worth a warning.
                level = logging.INFO if reason == "missing" else logging.WARNING
                log.log(level, "search index %s: %s; rebuilding", self.folder, reason)
                self.rebuilt_reason = reason
                self.rebuild(wipe=True)
                return
            self.sync()
            if check_count:
                indexed, stored = self.num_docs(), self.documents.count()
                for _ in range(3):
                    if indexed == stored or not self.pending():
                        break
                    # Documents arrived since the sync (another process is adding some):
                    # that explains the difference, a damaged index does not.
                    self.sync()
                    indexed, stored = self.num_docs(), self.documents.count()
                if indexed != stored and not self.pending():
                    self.rebuilt_reason = f"{indexed} indexed vs {stored} stored"
                    log.warning("search index: %s; rebuilding", self.rebuilt_reason)
                    self.rebuild()

    def _commit_stamp(self) -> tuple[int, int, int] | None:
        # tantivy replaces meta.json (a new file) at every commit, whichever process makes it.
        try:
            st = os.stat(self.folder / "meta.json")
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> None:
        """Read the latest commit when there is one this process has not read (another
        process's sync). A reload with nothing new would cost 0.05 ms, and the search after
        it about as much again, once a second."""
        with self._lock:  # not while a sync in this process swaps the index
            index = self.ensure_open()
            stamp = self._commit_stamp()
            if stamp is None or stamp != self._seen_commit:
                index.reload()
                self._seen_commit = stamp

    def ensure_open(self) -> tantivy.Index:
        """The open index (opening, or rebuilding, on first use)."""
        if self.index is None:
            self.open()
        assert self.index is not None
        return self.index

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the latest commit."""
        return self.ensure_open().searcher()

    def num_docs(self) -> int:
        """Documents in the index."""
        return int(self.searcher().num_docs) if self.index is not None else 0

    # --- writing --------------------------------------------------------------------------

    @contextmanager
    def _writer(self, heap: int = WRITER_HEAP, wait: float = 0.0) -> Iterator[tantivy.IndexWriter]:
        index = self.ensure_open() if self.index is None else self.index
        deadline = time.monotonic() + wait
        while True:
            try:
                writer = index.writer(heap, 1)
                break
            except ValueError as exc:
                if "LockBusy" not in str(exc) and "lock" not in str(exc).lower():
                    raise SearchError(f"cannot open the index writer: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise WriterBusy(
                        "the search index is being updated by another process"
                    ) from exc
                time.sleep(0.1)
        try:
            yield writer
        except BaseException:
            with contextlib.suppress(Exception):
                writer.rollback()
            raise
        finally:
            # wait_merging_threads consumes the writer and releases its lock now (not when
            # Python frees the object), so another process can write straight away.
            with contextlib.suppress(Exception):
                writer.wait_merging_threads()

    def rebuild(
        self, progress: Callable[[int, int], None] | None = None, *, wipe: bool = False
    ) -> int:
        """Re-index every document from the database; returns how many were indexed."""
        with self._exclusive():
            store = self.documents
            if wipe or self.index is None:
                try:
                    self.index = self._open_existing() if not wipe else self._create()
                except (ValueError, OSError, SearchError):
                    self.index = self._create()
            db_id = self.db_id()
            # The change log position first: changes made while we read are re-applied by sync.
            seq = store.last_change()
            total = store.count()
            count = 0
            with self._writer(REBUILD_HEAP, wait=60.0) as writer:
                writer.delete_all_documents()
                for doc in store.iter_all(batch=1000):
                    writer.add_document(to_tantivy(doc))
                    count += 1
                    if progress is not None and (count % 500 == 0 or count == total):
                        progress(count, total)
                writer.commit()
                state = IndexMeta(
                    db=db_id,
                    seq=seq,
                    build=uuid.uuid4().hex,
                    built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    docs=count,
                )
                state.write(self.folder)
            self.build = state.build
            self.index.reload()
            if progress is not None:
                progress(count, total)
        self.sync()
        return count

    def _missing_seqs(self, gaps: Iterable[int]) -> list[tuple[int, int]]:
        """(seq, document_id) for gap numbers that have appeared since."""
        return self.documents.changes_at(sorted(gaps)[-1000:])

    def pending(self) -> bool:
        """True when the database has changes this index has not applied."""
        state = IndexMeta.read(self.folder)
        if state is None or state.build != self.build:
            return True
        return bool(state.gaps) or self.documents.last_change() != state.seq

    def _expire(self, state: IndexMeta, found: list[tuple[int, int]], now: float) -> None:
        for seq, _ in found:
            state.gaps.pop(str(seq), None)
        state.gaps = {s: t for s, t in state.gaps.items() if now - t < GAP_TTL_SECONDS}

    def sync(self) -> int:
        """Apply database changes since the last sync; returns how many documents changed.

        Cheap when nothing changed (one query on the change log, no writer). When another
        process holds the writer it is doing this same work, so we only reload.
        """
        with self._lock:
            index = self.ensure_open()
            state = IndexMeta.read(self.folder)
            if state is None or state.build != self.build:
                # Another process rebuilt the folder (or it vanished): start over from it.
                self.index = None
                self.open()
                return 0
            store = self.documents
            changes = store.changes_since(state.seq, limit=1)
            found = self._missing_seqs(int(s) for s in state.gaps)
            if not changes and not found:
                before = len(state.gaps)
                self._expire(state, found, time.time())
                if len(state.gaps) != before:
                    state.write(self.folder)
                index.reload()
                return 0
            applied = 0
            try:
                with self._writer() as writer:
                    state = IndexMeta.read(self.folder) or state  # fresh, under the writer lock
                    while True:
                        now = time.time()
                        changes = store.changes_since(state.seq, limit=CHANGES_BATCH)
                        found = self._missing_seqs(int(s) for s in state.gaps)
                        self._expire(state, found, now)
                        ids = {doc_id for _, doc_id, _ in changes} | {d for _, d in found}
                        if changes:
                            seen = {s for s, _, _ in changes}
                            for missing in range(state.seq + 1, changes[-1][0]):
                                if missing not in seen:
                                    state.gaps.setdefault(str(missing), now)
                            state.seq = changes[-1][0]
                        if ids:
                            # The database's current state wins: deleted ids simply are not
                            # found again, updated ones come back with their new content.
                            writer.delete_documents_by_query(
                                tantivy.Query.term_set_query(SCHEMA, "id", sorted(ids))
                            )
                            for doc in store.get_many(sorted(ids)).values():
                                writer.add_document(to_tantivy(doc))
                            applied += len(ids)
                        writer.commit()
                        state.write(self.folder)
                        if len(changes) < CHANGES_BATCH:
                            break
            except WriterBusy:
                log.debug("search index: writer busy, another process is syncing")
            index.reload()
            return applied

    # --- reading payloads -----------------------------------------------------------------

    @staticmethod
    def payload(searcher: tantivy.Searcher, address: Any) -> tuple[int, dict[str, Any]]:
        """(document id, stored payload) of a hit."""
        stored = searcher.doc(address)
        doc_id = int(stored.get_first("id"))
        return doc_id, json.loads(bytes(stored.get_first("payload")).decode("utf-8"))

    def preload(self, limit: int = PRELOAD_MAX_BYTES) -> int:
        """Read the index files once, so the operating system caches them; returns the bytes
        read. tantivy maps the files into memory: a page it touches for the first time is
        otherwise read from disk in the middle of someone's search. Stops at ``limit``."""
        if not self.folder.is_dir():
            return 0
        return read_files(sorted(self.folder.iterdir()), limit)

    def size_bytes(self) -> int:
        """Bytes on disk."""
        if not self.folder.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())
