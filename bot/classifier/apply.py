"""Putting topics on stored documents: derived state, like the search index.

Each document records which model classified it (``documents.topics_version``; NULL when new
or changed). Whatever runs next — an ingest, the bot's refresh job, ``partybot classify
--pending``, ``partybot models activate`` — classifies the documents the active model has not
classified yet. Nothing is lost when a process dies half way: the rest is still pending.

Topics live in ``document_topics`` (through :meth:`DocumentStore.set_topics_many`, which also
logs the change so the search index refreshes its topic facets). Only topics over their
threshold are stored, with their probability and the model version.

A long run (a newly activated model, a large corpus) takes a lease in the ``meta`` table so
that two processes do not both classify everything; short runs just go.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.store.db import Database
from bot.store.meta import MetaStore

if TYPE_CHECKING:
    from bot.corpus.documents import Document
    from bot.store.documents import DocumentStore

log = logging.getLogger(__name__)

BATCH = 256
LEASE = timedelta(minutes=2)  # renewed every batch; a crashed run frees it by itself
LEASE_KEY = "classifier.reclassify_lease"

Progress = Callable[[int, int], None]  # (done, total)


class Classifier(Protocol):
    """What applying topics needs from a model (a TopicModel or an ActiveModel handle)."""

    version: str

    def classify(self, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]: ...


def document_text(doc: Document) -> str:
    """What the model reads for a stored document: headline, then body."""
    return f"{doc.title}\n\n{doc.text}" if doc.title else doc.text


def _store(documents: DocumentStore, model: Any, docs: Sequence[Document]) -> None:
    version = model.version
    results = model.classify([document_text(d) for d in docs])
    documents.set_topics_many(
        [
            (doc.id, {t: probs[t] for t in labels})
            for doc, (labels, probs) in zip(docs, results, strict=True)
        ],
        version,
    )


def classify_documents(documents: DocumentStore, model: Any, doc_ids: Iterable[int]) -> int:
    """Classify these documents with ``model``; returns how many."""
    ids = list(dict.fromkeys(doc_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        docs = list(documents.get_many(ids[start : start + BATCH]).values())
        _store(documents, model, docs)
        done += len(docs)
    return done


def classify_pending(
    db: Database,
    documents: DocumentStore,
    model: Any,
    *,
    progress: Progress | None = None,
    limit: int | None = None,
) -> int:
    """Classify the documents ``model`` has not classified yet; returns how many.

    ``limit`` caps one call (the bot's refresh job does a slice per tick). When more than one
    batch is pending, the work is leased so another process finds it taken and returns 0.
    """
    version = model.version
    total = documents.count_pending_classification(version)
    if total == 0:
        return 0
    long_run = total > BATCH
    owner = _owner()
    if long_run and not _claim(db, version, owner):
        log.info("another process is classifying documents with %s", version)
        return 0
    done = 0
    try:
        while limit is None or done < limit:
            want = BATCH if limit is None else min(BATCH, limit - done)
            ids = documents.pending_classification(version, limit=want)
            if not ids:
                break
            done += classify_documents(documents, model, ids)
            if long_run:
                _claim(db, version, owner)
            if progress:
                progress(done, max(total, done))
    finally:
        if long_run:
            _release(db, owner)
    return done


# --- the lease -------------------------------------------------------------------------------


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claim(db: Database, version: str, owner: str) -> bool:
    return MetaStore(db).claim_lease(LEASE_KEY, version, owner, LEASE)


def _release(db: Database, owner: str) -> None:
    MetaStore(db).release_lease(LEASE_KEY, owner)
