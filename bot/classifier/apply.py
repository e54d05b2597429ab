"""Putting topics on stored documents: when they are stored, and all of them again when a new
model is activated.

Topics live in ``document_topics`` (through :meth:`DocumentStore.set_topics`, which also logs
the change so the search index refreshes its topic facets). Only topics over their threshold
are stored, with their probability and the model version.

Re-classifying everything after an activation is claimed with a lease in the ``meta`` table, so
when the CLI activated a model (and re-classifies with a progress bar) a bot process that
notices the new version does not redo the same work; when nobody did it (``--no-reclassify``,
a crash), the bot does it in a background thread.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bot.classifier.model import TopicModel
from bot.classifier.registry import ModelRegistry
from bot.db import meta, utcnow
from bot.errors import ModelError, StoreError

if TYPE_CHECKING:
    from bot.documents import Document
    from bot.services import Services

log = logging.getLogger(__name__)

BATCH = 256
LEASE = timedelta(minutes=2)  # renewed every batch; a crashed re-classifier frees it by itself
DONE_KEY = "classifier.reclassified_version"
LEASE_KEY = "classifier.reclassify_lease"

Progress = Callable[[int, int], None]  # (done, total)


def document_text(doc: Document) -> str:
    """What the model reads for a stored document: headline, then body."""
    return f"{doc.title}\n\n{doc.text}" if doc.title else doc.text


def _store(services: Services, model: TopicModel, docs: Sequence[Document]) -> None:
    results = model.classify([document_text(d) for d in docs])
    for doc, (labels, probs) in zip(docs, results, strict=True):
        services.documents.set_topics(doc.id, {t: probs[t] for t in labels}, model.version)


def classify_documents(
    services: Services, doc_ids: Iterable[int], *, model: TopicModel | None = None
) -> int:
    """Classify these documents with the active model (or ``model``); returns how many."""
    model = model or ModelRegistry(services).current()
    if model is None:
        return 0
    ids = list(dict.fromkeys(doc_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        docs = list(services.documents.get_many(ids[start : start + BATCH]).values())
        _store(services, model, docs)
        done += len(docs)
    return done


# --- re-classifying everything -------------------------------------------------------------


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _get(conn: sa.Connection, key: str) -> str | None:
    return conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()


def _put(conn: sa.Connection, key: str, value: str) -> None:
    if conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))


def reclassified_version(services: Services) -> str | None:
    """The version every stored document was last fully re-classified with."""
    with services.db.begin() as conn:
        return _get(conn, DONE_KEY)


def _claim(services: Services, version: str, owner: str) -> bool:
    """Take (or renew) the re-classification lease for ``version``; False when another live
    process holds it."""
    now = utcnow()
    with services.db.begin() as conn:
        if services.db.is_postgres:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(724302)"))
        current = _get(conn, LEASE_KEY)
        if current:
            held_version, until, holder = current.split(" ", 2)
            if holder != owner and held_version == version and until > now.isoformat():
                return False
        _put(conn, LEASE_KEY, f"{version} {(now + LEASE).isoformat()} {owner}")
    return True


def _release(services: Services, owner: str, version: str, *, done: bool) -> None:
    with services.db.begin() as conn:
        current = _get(conn, LEASE_KEY) or ""
        if current.endswith(" " + owner):
            conn.execute(meta.delete().where(meta.c.key == LEASE_KEY))
        if done:
            _put(conn, DONE_KEY, version)


def reclassify_all(
    services: Services,
    progress: Progress | None = None,
    *,
    model: TopicModel | None = None,
    force: bool = True,
) -> int:
    """Re-classify every stored document with one model (the active one by default).

    Returns how many documents were classified; 0 without doing anything when another process
    holds the lease for the same version, or (``force=False``) when it was already done.
    """
    registry = ModelRegistry(services)
    model = model or registry.current()
    if model is None:
        raise ModelError("no active model (train one with: partybot train)")
    if not force and reclassified_version(services) == model.version:
        return 0
    owner = _owner()
    if not _claim(services, model.version, owner):
        log.info("another process is re-classifying with %s", model.version)
        return 0
    total = services.documents.count()
    done = 0
    ok = False
    try:
        batch: list[Document] = []
        for doc in services.documents.iter_all(batch=BATCH):
            batch.append(doc)
            if len(batch) >= BATCH:
                _store(services, model, batch)
                done += len(batch)
                batch = []
                _claim(services, model.version, owner)
                if progress:
                    progress(done, total)
        if batch:
            _store(services, model, batch)
            done += len(batch)
        if progress:
            progress(done, max(total, done))
        ok = True
    finally:
        _release(services, owner, model.version, done=ok)
    return done


def reclassify_in_background(services: Services) -> threading.Thread:
    """Start re-classifying with the active model in a daemon thread (skipped when some
    process already did or is doing it); progress goes to the log."""

    def run() -> None:
        try:
            count = reclassify_all(
                services,
                lambda done, total: log.info("re-classified %d/%d documents", done, total),
                force=False,
            )
            if count:
                log.info("re-classified %d documents", count)
        except (StoreError, ModelError) as exc:
            log.warning("background re-classification failed: %s", exc)

    thread = threading.Thread(target=run, name="reclassify", daemon=True)
    thread.start()
    return thread


def install_background_reclassify(services: Services) -> list[threading.Thread]:
    """In a long-running process (the bot): when this process notices that another one
    activated a new version, re-classify in the background unless that is already done.
    Returns the list the started threads are appended to (tests join them)."""
    threads: list[threading.Thread] = []

    def on_change(model: TopicModel, external: bool) -> None:
        if external:
            threads.append(reclassify_in_background(services))

    ModelRegistry(services).add_listener(on_change)
    return threads
