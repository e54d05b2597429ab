"""The domain's composition: settings, database, documents, classifier and search index.

One :class:`Services` object is built per process (CLI command, bot, tests) and handed to
whatever needs it; the classifier and the index are loaded lazily because most CLI commands
need neither.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.config import Settings, get_settings
from bot.db import Database
from bot.documents import DocumentStore
from bot.topics import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


class Services:
    """Everything the domain needs, built once from the settings."""

    def __init__(self, settings: Settings | None = None, *, migrate: bool = True) -> None:
        self.settings = settings or get_settings()
        self.db = Database(self.settings.effective_database_url)
        if migrate:
            self.db.migrate()
        self.documents = DocumentStore(self.db)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """The topic taxonomy (``training/taxonomy.json``)."""
        return load_taxonomy(self.settings.training_dir / "taxonomy.json")

    @cached_property
    def classifier(self) -> Any | None:
        """The active topic model, or None when none can be loaded yet."""
        try:
            from bot.classifier.registry import ModelRegistry
        except ImportError:
            return None
        return ModelRegistry(self).active()

    @cached_property
    def search(self) -> Any | None:
        """The search engine over a derived index, or None when not available."""
        try:
            from bot.search.engine import SearchEngine
        except ImportError:
            return None
        return SearchEngine(self)

    def after_documents_changed(self, doc_ids: list[int]) -> None:
        """Classify and index documents that were just added or updated."""
        model = self.classifier
        if model is not None:
            from bot.classifier.apply import classify_documents

            classify_documents(self, doc_ids)
        engine = self.search
        if engine is not None:
            engine.sync()

    def close(self) -> None:
        """Release connections and file handles."""
        self.db.dispose()
