"""The stored corpus and its change log (SQL only; the types are in bot.corpus.documents)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa

from bot.bounds import parse_doc_id
from bot.corpus.documents import (
    MAX_TEXT_CHARS,
    AddResult,
    Document,
    NewDocument,
    clean_external_id,
    content_hash,
    source_from_url,
    to_utc_naive,
)
from bot.corpus.text import normalize
from bot.corpus.urls import public_name, public_url
from bot.errors import InputError, NotFound, StoreConflict
from bot.store.db import Database, doc_changes, document_topics, documents, utcnow


def _not_classified_by(model_version: str) -> sa.ColumnElement[bool]:
    """Documents new or changed since classified, or classified by another model."""
    return sa.or_(documents.c.topics_version.is_(None), documents.c.topics_version != model_version)


def _row_to_document(row: sa.Row) -> Document:
    return Document(
        id=row.id,
        external_id=row.external_id,
        title=row.title,
        text=row.text,
        published_at=row.published_at,
        url=row.url,
        source=row.source,
        author=row.author,
        content_hash=row.content_hash,
        ingested_at=row.ingested_at,
        origin=row.origin,
        classified=getattr(row, "topics_version", None) is not None,
    )


class DocumentStore:
    """Reads and writes documents; every write is recorded in ``doc_changes``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, doc: NewDocument) -> AddResult:
        """Store ``doc``; identical content is not stored twice.

        The same external id with new content updates the document in place.
        """
        result = self.add_many([doc])[0]
        if isinstance(result, InputError):
            raise result
        return result

    def add_many(self, docs: Sequence[NewDocument]) -> list[AddResult | InputError]:
        """Store a batch in one transaction; a bad document yields its error, not an exception.

        Two processes (or feed tasks) storing the same article at once: the loser's transaction
        hits a unique constraint and is retried, and then sees the winner's row as a duplicate.
        """
        for attempt in range(3):
            try:
                return self._add_many(docs)
            except StoreConflict:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _add_many(self, docs: Sequence[NewDocument]) -> list[AddResult | InputError]:
        prepared: list[tuple[NewDocument, str, str, str, str] | InputError] = []
        for doc in docs:
            title = normalize(doc.title).strip()
            text = normalize(doc.text).strip()
            if not text:
                prepared.append(InputError("document has no text", source=doc.origin))
                continue
            if len(text) > MAX_TEXT_CHARS:
                prepared.append(
                    InputError(
                        f"document text is too long ({len(text):,} characters, "
                        f"limit {MAX_TEXT_CHARS:,})",
                        source=doc.origin,
                    )
                )
                continue
            digest = content_hash(text)
            try:
                external_id = (
                    clean_external_id(doc.external_id) if doc.external_id else f"doc-{digest[:12]}"
                )
            except InputError as exc:  # one bad id must not abort the batch's transaction
                prepared.append(InputError(str(exc), source=doc.origin))
                continue
            prepared.append((doc, title or text.split("\n", 1)[0][:120], text, digest, external_id))
        now = utcnow()
        results: list[AddResult | InputError | None] = [None] * len(prepared)
        with self.db.begin() as conn:
            valid = [(i, p) for i, p in enumerate(prepared) if not isinstance(p, InputError)]
            hashes = [p[3] for _, p in valid]
            known = (
                {
                    row.content_hash: row
                    for row in conn.execute(
                        sa.select(
                            documents.c.id, documents.c.external_id, documents.c.content_hash
                        ).where(documents.c.content_hash.in_(hashes))
                    )
                }
                if hashes
                else {}
            )
            fresh: list[tuple[int, dict[str, object]]] = []
            slow: list[int] = []
            batch_hashes: set[str] = set()
            batch_ids: set[str] = set()
            for i, (doc, title, text, digest, external_id) in valid:
                if doc.external_id and digest in known and known[digest].external_id == external_id:
                    slow.append(i)  # the same document again: its title or date may be new
                    continue
                if digest in known:
                    row = known[digest]
                    results[i] = AddResult(
                        "duplicate",
                        row.id,
                        row.external_id,
                        duplicate_of=row.id,
                        kept_earlier=self._kept_earlier(conn, external_id, row.id),
                    )
                    continue
                if digest in batch_hashes or external_id in batch_ids:
                    slow.append(
                        i
                    )  # repeats inside the batch: handled one by one after the bulk insert
                    continue
                batch_hashes.add(digest)
                batch_ids.add(external_id)
                fresh.append(
                    (i, self._values(doc, title, text, digest, now) | {"external_id": external_id})
                )
            existing_ids = (
                {
                    ext: doc_id
                    for ext, doc_id in conn.execute(
                        sa.select(documents.c.external_id, documents.c.id).where(
                            documents.c.external_id.in_([v["external_id"] for _, v in fresh])
                        )
                    )
                }
                if fresh
                else {}
            )
            inserts = [(i, v) for i, v in fresh if v["external_id"] not in existing_ids]
            for i, v in fresh:
                if v["external_id"] in existing_ids:
                    slow.append(i)
            if inserts:
                rows = conn.execute(
                    documents.insert().returning(documents.c.id, sort_by_parameter_order=True),
                    [v | {"ingested_at": now} for _, v in inserts],
                ).all()
                conn.execute(
                    doc_changes.insert(),
                    [{"document_id": r.id, "op": "upsert", "at": now} for r in rows],
                )
                for (i, v), row in zip(inserts, rows, strict=True):
                    results[i] = AddResult("added", int(row.id), str(v["external_id"]))
            for i in sorted(slow):
                doc, title, text, digest, external_id = prepared[i]  # type: ignore[misc]
                results[i] = self._add_one(conn, doc, title, text, digest, external_id, now=now)
        for i, p in enumerate(prepared):
            if isinstance(p, InputError):
                results[i] = p
        return results  # type: ignore[return-value]

    @staticmethod
    def _values(
        doc: NewDocument, title: str, text: str, digest: str, now: datetime
    ) -> dict[str, object]:
        return {
            "title": title,
            "text": text,
            "published_at": to_utc_naive(doc.published_at),
            # Never a feed's credentials: what is stored is shown (a tester's password was).
            "url": public_url(doc.url) if doc.url else doc.url,
            "source": public_name(doc.source) if doc.source else source_from_url(doc.url),
            "author": doc.author,
            "content_hash": digest,
            "origin": doc.origin,
            "updated_at": now,
        }

    @staticmethod
    def _kept_earlier(conn: sa.Connection, external_id: str, dup_id: int) -> tuple[int, str] | None:
        """The document stored under ``external_id`` when it is not the duplicate found: a
        file rewritten with another document's text leaves it as it was."""
        own = conn.execute(
            sa.select(documents.c.id).where(documents.c.external_id == external_id)
        ).scalar()
        return (int(own), external_id) if own is not None and own != dup_id else None

    def _add_one(
        self,
        conn: sa.Connection,
        doc: NewDocument,
        title: str,
        text: str,
        digest: str,
        external_id: str,
        *,
        now: datetime,
    ) -> AddResult:
        dup = conn.execute(
            sa.select(documents.c.id, documents.c.external_id).where(
                documents.c.content_hash == digest
            )
        ).first()
        if dup is not None and doc.external_id and dup.external_id == external_id:
            # The same text under its own id: a title or date put right in the file is an
            # update ("already present, 0 updated" kept the old ones; a tester's). Not for an
            # id made from the text (a feed's article found again elsewhere stays as stored).
            values = self._values(doc, title, text, digest, now)
            fields = {name: values[name] for name in ("title", "published_at", "url", "author")}
            stored = conn.execute(
                sa.select(*(documents.c[name] for name in fields)).where(documents.c.id == dup.id)
            ).one()
            changed = {
                name: value
                for name, value in fields.items()
                if value is not None and value != getattr(stored, name)
            }
            if not changed:
                return AddResult("duplicate", dup.id, dup.external_id, duplicate_of=dup.id)
            conn.execute(
                documents.update().where(documents.c.id == dup.id).values(**changed, updated_at=now)
            )
            self._log(conn, dup.id, "upsert")
            return AddResult("updated", dup.id, external_id)
        if dup is not None:
            earlier = self._kept_earlier(conn, external_id, dup.id)
            return AddResult(
                "duplicate", dup.id, dup.external_id, duplicate_of=dup.id, kept_earlier=earlier
            )
        values = self._values(doc, title, text, digest, now)
        existing = conn.execute(
            sa.select(documents.c.id).where(documents.c.external_id == external_id)
        ).scalar()
        if existing is not None:
            conn.execute(
                documents.update()
                .where(documents.c.id == existing)
                .values(**values, topics_version=None)  # new text: classify again
            )
            conn.execute(document_topics.delete().where(document_topics.c.document_id == existing))
            self._log(conn, existing, "upsert")
            return AddResult("updated", existing, external_id)
        new_id = conn.execute(
            documents.insert().values(external_id=external_id, ingested_at=now, **values)
        ).inserted_primary_key[0]
        self._log(conn, new_id, "upsert")
        return AddResult("added", int(new_id), external_id)

    @staticmethod
    def _log(conn: sa.Connection, document_id: int, op: str) -> None:
        conn.execute(doc_changes.insert().values(document_id=document_id, op=op, at=utcnow()))

    def get(self, ref: int | str, *, external: bool = False, strict: bool = False) -> Document:
        """A document by numeric id (``12`` or ``#12``) or external id; raises :class:`NotFound`.

        ``ref`` may come from a user: a number out of the id range or an impossible external
        id is simply not found (it never reaches the database as an overflowing integer).
        ``external`` reads ``ref`` as an external id only. ``strict`` refuses a bare number
        that is one document's number and another's external id (:class:`InputError`), where
        picking one would show or delete the wrong document; "#12" is always the number.
        """
        external_id = ref.strip() if isinstance(ref, str) else str(ref)
        doc_id = None if external else parse_doc_id(ref)
        hashed = not external and doc_id is None and external_id.startswith("#")
        if hashed:
            doc_id = parse_doc_id(external_id[1:])  # "#12", as docs list and the bot print it
        if doc_id is None and not external_id:
            raise NotFound(f"no document {str(ref)[:60]!r}")
        with self.db.begin() as conn:
            row = None
            if doc_id is not None:
                row = conn.execute(sa.select(documents).where(documents.c.id == doc_id)).first()
            if (
                (row is None or (strict and not hashed))
                and external_id
                and len(external_id) <= 200
                and "\x00" not in external_id
            ):
                by_external = conn.execute(
                    sa.select(documents).where(documents.c.external_id == external_id)
                ).first()
                if row is not None and by_external is not None and by_external.id != row.id:
                    raise InputError(
                        f"{external_id!r} is document #{row.id} and the external id of "
                        f"#{by_external.id}: write #{row.id}, or {external_id} with --external"
                    )
                row = row if row is not None else by_external
            if row is None:
                raise NotFound(f"no document {str(ref)[:60]!r}")
            doc = _row_to_document(row)
            doc.topics = self._topics(conn, [doc.id]).get(doc.id, {})
            return doc

    def origin_of(self, external_id: str) -> tuple[bool, str | None]:
        """(whether a document has this external id, where it came from)."""
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(documents.c.origin).where(documents.c.external_id == external_id)
            ).first()
        return (row is not None, row.origin if row is not None else None)

    def external_id_from(self, origins: Sequence[str]) -> str | None:
        """The external id of the document that came from one of ``origins`` (a file read
        again), if any."""
        if not origins:
            return None
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(documents.c.external_id)
                .where(documents.c.origin.in_(list(origins)))
                .order_by(documents.c.id)
            ).first()
        return row.external_id if row is not None else None

    def get_many(self, ids: Sequence[int]) -> dict[int, Document]:
        """Documents by id (missing ones are left out)."""
        if not ids:
            return {}
        with self.db.begin() as conn:
            rows = conn.execute(sa.select(documents).where(documents.c.id.in_(list(ids)))).all()
            docs = {row.id: _row_to_document(row) for row in rows}
            for doc_id, topics in self._topics(conn, list(docs)).items():
                docs[doc_id].topics = topics
            return docs

    @staticmethod
    def _topics(conn: sa.Connection, ids: list[int]) -> dict[int, dict[str, float]]:
        out: dict[int, dict[str, float]] = {}
        if not ids:
            return out
        rows = conn.execute(
            sa.select(document_topics).where(document_topics.c.document_id.in_(ids))
        ).all()
        for row in rows:
            out.setdefault(row.document_id, {})[row.topic] = row.score
        for topics in out.values():
            ordered = dict(sorted(topics.items(), key=lambda kv: -kv[1]))
            topics.clear()
            topics.update(ordered)
        return out

    def list(self, *, limit: int = 20, offset: int = 0, topic: str | None = None) -> list[Document]:
        """Dated documents newest first, then undated ones (last ingested first).

        NULLS LAST is spelled out: PostgreSQL puts NULLs first in a descending order and
        SQLite last, and undated files must not push the news off the first page.
        """
        query = (
            sa.select(documents)
            .order_by(
                documents.c.published_at.desc().nulls_last(),
                documents.c.ingested_at.desc(),
                documents.c.id.desc(),
            )
            .limit(limit)
            .offset(offset)
        )
        if topic:
            query = query.where(
                documents.c.id.in_(
                    sa.select(document_topics.c.document_id).where(document_topics.c.topic == topic)
                )
            )
        with self.db.begin() as conn:
            docs = [_row_to_document(row) for row in conn.execute(query)]
            topics = self._topics(conn, [d.id for d in docs])
        for doc in docs:
            doc.topics = topics.get(doc.id, {})
        return docs

    def titled(self, title: str, *, limit: int = 20) -> list[Document]:
        """Documents with exactly this title (a copy of one is often filed under its name)."""
        query = sa.select(documents).where(documents.c.title == title).limit(limit)
        with self.db.begin() as conn:
            return [_row_to_document(row) for row in conn.execute(query)]

    def count(self, *, topic: str | None = None) -> int:
        """How many documents (optionally with ``topic``)."""
        with self.db.begin() as conn:
            if topic:
                query = (
                    sa.select(sa.func.count())
                    .select_from(document_topics)
                    .where(document_topics.c.topic == topic)
                )
            else:
                query = sa.select(sa.func.count()).select_from(documents)
            return int(conn.execute(query).scalar() or 0)

    def topic_counts(self) -> dict[str, int]:
        """Documents per topic."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(document_topics.c.topic, sa.func.count()).group_by(
                    document_topics.c.topic
                )
            ).all()
        return {topic: int(n) for topic, n in rows}

    def topic_dates(
        self,
        *,
        ingested_since: datetime | None = None,
        ingested_until: datetime | None = None,
        published: bool = False,
    ) -> list[tuple[str, datetime]]:
        """``(topic, date)`` for every topic of every document: the ingestion date, or with
        ``published`` the publication date (else ingestion); optionally an ingestion window."""
        date = (
            sa.func.coalesce(documents.c.published_at, documents.c.ingested_at)
            if published
            else documents.c.ingested_at
        )
        query = sa.select(document_topics.c.topic, date).join(
            documents, documents.c.id == document_topics.c.document_id
        )
        if ingested_since is not None:
            query = query.where(documents.c.ingested_at >= ingested_since)
        if ingested_until is not None:
            query = query.where(documents.c.ingested_at <= ingested_until)
        with self.db.begin() as conn:
            return [(str(t), when) for t, when in conn.execute(query).all() if when is not None]

    def topic_scores(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[int, str, float, datetime]]:
        """``(document id, topic, score, date)`` for the topics of the documents dated in a
        window: by publication, or by ingestion for a document without a date (an archive
        loaded today is not today's news)."""
        date = sa.func.coalesce(documents.c.published_at, documents.c.ingested_at)
        query = (
            sa.select(
                document_topics.c.document_id,
                document_topics.c.topic,
                document_topics.c.score,
                date,
            )
            .join(documents, documents.c.id == document_topics.c.document_id)
            .where(date >= since)
            .where(date <= until)
        )
        with self.db.begin() as conn:
            return [(int(d), str(t), float(sc), when) for d, t, sc, when in conn.execute(query)]

    def delete(self, ref: int | str) -> Document:
        """Delete a document; returns what was deleted."""
        doc = self.get(ref)
        with self.db.begin() as conn:
            conn.execute(document_topics.delete().where(document_topics.c.document_id == doc.id))
            conn.execute(documents.delete().where(documents.c.id == doc.id))
            self._log(conn, doc.id, "delete")
        return doc

    def set_topics(self, doc_id: int, topics: dict[str, float], model_version: str | None) -> None:
        """Replace a document's topics (slug → probability)."""
        self.set_topics_many([(doc_id, topics)], model_version)

    def set_topics_many(
        self, items: Sequence[tuple[int, dict[str, float]]], model_version: str | None
    ) -> None:
        """Replace several documents' topics in one transaction and record which model
        classified them (``documents.topics_version``), also when it found no topic."""
        if not items:
            return
        for attempt in range(3):
            try:
                self._set_topics_many(items, model_version)
                return
            except StoreConflict:
                # Another process classified the same documents at the same moment (they
                # both found them pending): its rows are the same; ours replace them.
                if attempt == 2:
                    raise

    def _set_topics_many(
        self, items: Sequence[tuple[int, dict[str, float]]], model_version: str | None
    ) -> None:
        ids = [doc_id for doc_id, _ in items]
        now = utcnow()
        with self.db.begin() as conn:
            conn.execute(document_topics.delete().where(document_topics.c.document_id.in_(ids)))
            rows = [
                {
                    "document_id": doc_id,
                    "topic": t,
                    "score": float(p),
                    "model_version": model_version,
                }
                for doc_id, topics in items
                for t, p in topics.items()
            ]
            if rows:
                conn.execute(document_topics.insert(), rows)
            conn.execute(
                documents.update()
                .where(documents.c.id.in_(ids))
                .values(topics_version=model_version)
            )
            conn.execute(
                doc_changes.insert(),
                [{"document_id": doc_id, "op": "upsert", "at": now} for doc_id in ids],
            )

    def pending_classification(self, model_version: str, *, limit: int = 500) -> list[int]:
        """Ids of documents not classified by ``model_version`` (new, changed, or classified
        by another model), oldest first."""
        with self.db.begin() as conn:
            return [
                int(i)
                for i in conn.execute(
                    sa.select(documents.c.id)
                    .where(_not_classified_by(model_version))
                    .order_by(documents.c.id)
                    .limit(limit)
                ).scalars()
            ]

    def count_pending_classification(self, model_version: str) -> int:
        """How many documents :meth:`pending_classification` would return without a limit."""
        with self.db.begin() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(documents)
                    .where(_not_classified_by(model_version))
                ).scalar()
                or 0
            )

    def forget_classification(self) -> None:
        """Mark every document as not classified (re-classify all with the same model)."""
        with self.db.begin() as conn:
            conn.execute(documents.update().values(topics_version=None))

    def iter_all(self, batch: int = 500) -> Iterator[Document]:
        """Every document in id order, in batches (for index rebuilds and re-classification)."""
        last = 0
        while docs := self.newer_than(last, limit=batch):
            yield from docs
            last = docs[-1].id

    def last_change(self) -> int:
        """The newest change sequence number (0 when nothing happened yet)."""
        with self.db.begin() as conn:
            return int(conn.execute(sa.select(sa.func.max(doc_changes.c.seq))).scalar() or 0)

    def changes_since(self, seq: int, limit: int = 10_000) -> list[tuple[int, int, str]]:
        """``(seq, document_id, op)`` after ``seq``, oldest first."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(doc_changes.c.seq, doc_changes.c.document_id, doc_changes.c.op)
                .where(doc_changes.c.seq > seq)
                .order_by(doc_changes.c.seq)
                .limit(limit)
            ).all()
        return [(r.seq, r.document_id, r.op) for r in rows]

    def changes_at(self, seqs: Sequence[int]) -> list[tuple[int, int]]:
        """``(seq, document_id)`` of those change numbers that exist (late commits)."""
        if not seqs:
            return []
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(doc_changes.c.seq, doc_changes.c.document_id).where(
                    doc_changes.c.seq.in_(list(seqs))
                )
            ).all()
        return [(int(r.seq), int(r.document_id)) for r in rows]

    def newer_than(self, doc_id: int, *, limit: int = 500) -> list[Document]:
        """Documents with id greater than ``doc_id`` (what a digest has not yet sent)."""
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(documents)
                .where(documents.c.id > doc_id)
                .order_by(documents.c.id)
                .limit(limit)
            ).all()
            docs = [_row_to_document(r) for r in rows]
            topics = self._topics(conn, [d.id for d in docs])
        for doc in docs:
            doc.topics = topics.get(doc.id, {})
        return docs

    def max_id(self) -> int:
        """The highest document id (0 when empty)."""
        with self.db.begin() as conn:
            return int(conn.execute(sa.select(sa.func.max(documents.c.id))).scalar() or 0)
