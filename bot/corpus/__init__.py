"""The corpus: Vietnamese text, article parsing, file readers, documents, ingestion."""

from __future__ import annotations

from bot.corpus.documents import AddResult, Document, NewDocument
from bot.corpus.ingest import IngestReport, ingest_documents
from bot.corpus.readers import iter_jsonl, read_bytes, read_file
from bot.corpus.text import fold, fold_lower, normalize, split_sentences
from bot.corpus.topics import Taxonomy, load_taxonomy

__all__ = [
    "AddResult",
    "Document",
    "IngestReport",
    "NewDocument",
    "Taxonomy",
    "fold",
    "fold_lower",
    "ingest_documents",
    "iter_jsonl",
    "load_taxonomy",
    "normalize",
    "read_bytes",
    "read_file",
    "split_sentences",
]
