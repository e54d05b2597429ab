"""Ingestion: files and JSONL into the document store, then classified and indexed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.corpus.documents import AddResult, NewDocument, clean_external_id
from bot.corpus.readers import Skipped, iter_jsonl, read_file, walk_paths
from bot.errors import InputError, PartyBotError, StoreError

if TYPE_CHECKING:
    from bot.store.documents import DocumentStore


class Sink(Protocol):
    """Where ingested documents go (:class:`bot.services.Services` is one)."""

    documents: DocumentStore

    def after_documents_changed(self, doc_ids: list[int]) -> None: ...


@dataclass
class IngestReport:
    """What a batch did: one entry per document or failure."""

    added: list[AddResult] = field(default_factory=list)
    updated: list[AddResult] = field(default_factory=list)
    duplicates: list[AddResult] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in a folder that are not read

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    def summary(self) -> str:
        """One line for humans."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.duplicates)} already present, {len(self.failed)} failed"
        ) + (f", {len(self.skipped)} skipped" if self.skipped else "")


Progress = Callable[[str, AddResult | None, str | None], None]


def ingest_documents(
    services: Sink,
    items: Iterable[NewDocument | InputError | Skipped],
    *,
    progress: Progress | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    label: Callable[[NewDocument], str] = lambda d: d.origin or d.title,
    batch_size: int = 200,
) -> IngestReport:
    """Store each item, reporting failures without stopping; classify and index what is new."""
    report = IngestReport()
    batch: list[NewDocument] = []
    taken: set[str] = set()  # ids this run gave files

    def store(docs: list[NewDocument]) -> list[AddResult | InputError]:
        # One transaction per batch: far fewer commits than one per document. If the database
        # refuses the batch, store its documents one by one so one bad row loses only itself.
        try:
            return services.documents.add_many(docs)
        except StoreError as exc:
            if len(docs) == 1:
                return [InputError(f"not stored ({exc})", source=docs[0].origin)]
            return [r for doc in docs for r in store([doc])]

    def flush() -> None:
        if not batch:
            return
        for doc, result in zip(batch, store(batch), strict=True):
            if isinstance(result, InputError):
                message = str(result) if result.source else f"{label(doc)}: {result}"
                report.failed.append(message)
                if progress:
                    progress(label(doc), None, message)
                continue
            {"added": report.added, "updated": report.updated, "duplicate": report.duplicates}[
                result.status
            ].append(result)
            if progress:
                progress(label(doc), result, None)
        batch.clear()

    try:
        for item in items:
            if isinstance(item, Skipped):
                report.skipped.append(str(item))
                if on_skip:
                    on_skip(item)
                continue
            if isinstance(item, InputError):
                flush()
                report.failed.append(str(item))
                if progress:
                    progress(str(item.source or ""), None, str(item))
                continue
            if item.named_from_file:
                item = _own_id(item, taken, services.documents)
            elif (refused := _file_owned(item, services.documents)) is not None:
                flush()
                report.failed.append(str(refused))
                if progress:
                    progress(str(refused.source or ""), None, str(refused))
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
        flush()
    finally:
        # Even when the run is interrupted, what was stored gets classified and indexed; and
        # a run that only found duplicates still classifies what an earlier, killed run left.
        services.after_documents_changed([r.document_id for r in report.added + report.updated])
    return report


COPY_SHARE = 0.9  # of the text alike (difflib's quick ratio) for a copy under the same title


def copies_of(store: DocumentStore, doc_id: int) -> list[tuple[int, str, float]]:
    """Earlier stored documents under the same title with nearly the same text: (id, external
    id, share alike). The same directive as .docx and .pdf, or with one word changed, was
    stored twice without a word (a tester's); the admin is told, and decides."""
    import difflib

    doc = store.get(doc_id)
    found = []
    for other in store.titled(doc.title):
        if other.id >= doc.id:
            continue  # the earlier is the original
        alike = difflib.SequenceMatcher(None, doc.text[:4000], other.text[:4000]).quick_ratio()
        if alike >= COPY_SHARE:
            found.append((other.id, other.external_id, alike))
    return found


def read_paths(paths: list[Path]) -> Iterable[NewDocument | InputError | Skipped]:
    """Documents read from files and folders, failures and skipped files included in order.

    A ``.jsonl`` file named directly is read as JSONL, as ``--jsonl`` would.
    """
    for path in walk_paths(paths):
        if isinstance(path, Skipped):
            yield path
            continue
        if path.suffix.lower() == ".jsonl":
            yield from iter_jsonl(path)
            continue
        try:
            yield read_file(path)
        except InputError as exc:
            yield exc
        except PartyBotError as exc:
            yield InputError(str(exc), source=str(path))
        except Exception as exc:  # a reader library's own bug must not stop the batch
            yield InputError(f"could not read ({exc.__class__.__name__}: {exc})", source=str(path))


def _own_id(doc: NewDocument, taken: set[str], store: DocumentStore) -> NewDocument:
    """``doc`` (its id made from its file's name) with an id no other file has.

    A file's id is its name without the extension, so "a/baocao.txt" and "b/baocao.txt" (or
    "year.html" and "year.txt") would be one document, the later replacing the earlier. A
    file read before keeps the id it got then (found by its path); a new one whose name
    another file's document already has takes its folder's name ("b-baocao"), else its
    extension. Nor does a file replace a document of that id from no file (a JSONL line, a
    feed): "t2d-040.txt" from elsewhere silently replaced the article of that id loaded from
    a JSONL export (a tester's); it takes its folder's name too.
    """
    origin = doc.origin or ""
    path = Path(origin) if origin else None
    if path is not None:
        known = store.external_id_from(list(dict.fromkeys([origin, str(path.resolve())])))
        if known is not None and known not in taken:
            taken.add(known)
            return replace(doc, external_id=known)
    own = doc.external_id or (path.stem if path else "doc")
    candidates = [own]
    if path is not None:
        candidates += [f"{path.parent.name}-{own}", f"{own}{path.suffix}"]
    candidates += [f"{own}-{n}" for n in range(2, 1000)]
    for candidate in candidates:
        try:
            key = clean_external_id(candidate)
        except InputError:
            continue
        if key in taken:
            continue
        exists, stored_origin = store.origin_of(key)
        if exists and path is not None and _another_file(stored_origin, path):
            continue
        taken.add(key)
        return replace(doc, external_id=candidate)
    return doc


def _file_owned(doc: NewDocument, store: DocumentStore) -> InputError | None:
    """Why a JSONL line may not take the id it gives, or None: a document read from a file
    is that file's (a tester's line with id "baocao" silently replaced the report read from
    a/baocao.txt, behind every link to it), as a file never replaces a JSONL line's."""
    if not doc.external_id:
        return None
    try:
        key = clean_external_id(doc.external_id)
    except InputError:
        return None  # refused later with its reason
    exists, stored_origin = store.origin_of(key)
    if not exists or not stored_origin or _from_line(stored_origin):
        return None
    return InputError(
        f"id {key!r} is the document read from {Path(stored_origin).name}; a JSONL line does "
        "not replace it: give the line another id",
        source=doc.origin,
    )


def _from_line(origin: str) -> bool:
    """Whether a document stored from ``origin`` came from a JSONL line, a feed or a page."""
    return origin.startswith(("feed:", "page:")) or re.search(r":\d+$", origin) is not None


def _another_file(origin: str | None, path: Path) -> bool:
    """Did a document stored from ``origin`` come from a file other than ``path``?"""
    if not origin:
        return False  # stored before origins were kept: updated as it always was
    if _from_line(origin):
        return True  # a feed's or a JSONL line's: not this file's to replace
    return Path(origin).resolve() != path.resolve()


def read_jsonl(path: Path) -> Iterable[NewDocument | InputError]:
    """Documents from a JSONL file."""
    yield from iter_jsonl(path)
