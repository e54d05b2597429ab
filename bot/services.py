"""The domain's composition: settings, database, documents, models, classifier and search.

One :class:`Services` object is built per process (CLI command, bot, tests) and handed to
whatever needs it. Its parts are built from explicit arguments; the search engine is built on
first use because most CLI commands never search.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from bot.access.policy import AccessPolicy
from bot.classifier.apply import classify_documents, classify_pending
from bot.classifier.registry import ActiveModel, ModelRegistry
from bot.config import Settings, get_settings
from bot.corpus.topics import Taxonomy, load_taxonomy
from bot.errors import ModelError, StoreError
from bot.search.engine import SearchEngine
from bot.search.index import SearchIndex
from bot.store.access import AccessStore
from bot.store.db import Database
from bot.store.documents import DocumentStore
from bot.store.meta import MetaStore

log = logging.getLogger(__name__)

REFRESH_BATCH = 2_000  # documents the bot classifies per refresh tick (about a second)
ACTIVE_MODEL: Any = object()  # "the database's active model", as opposed to a given one


class Services:
    """Everything the domain needs, built once from the settings.

    ``classifier`` may be given (tests, evaluations; ``None`` for no classifier at all): then
    it is used instead of the database's active model.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        migrate: bool = True,
        classifier: Any = ACTIVE_MODEL,
        database: Database | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.db = database or Database(
            self.settings.effective_database_url,
            create_folder=self.settings.creates_database_folder,
        )
        if migrate:
            self.db.migrate()
        self.documents = DocumentStore(self.db)
        self.models = ModelRegistry(self.db, self.settings.models_dir)
        self.access = AccessPolicy(
            AccessStore(self.db),
            admin_ids=self.settings.admin_ids,
            mode=self.settings.access_mode,
        )
        self._classifier = classifier

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """The topic taxonomy (``training/taxonomy.json``)."""
        return load_taxonomy(self.settings.training_dir / "taxonomy.json")

    @property
    def classifier(self) -> ActiveModel | Any | None:
        """The model that labels documents: the injected one, else the database's active
        version (following activations by other processes); None while there is none."""
        if self._classifier is not ACTIVE_MODEL:
            return self._classifier
        return self.models.active()

    def use_classifier(self, model: Any | None) -> None:
        """Use ``model`` (``None``: no classifier) instead of the database's active version."""
        self._classifier = model

    def reload_classifier(self) -> ActiveModel | Any | None:
        """Check the database for the active version now (``/reload``)."""
        if self._classifier is ACTIVE_MODEL:
            self.models.reload_if_changed(force=True)
        return self.classifier

    @cached_property
    def search(self) -> SearchEngine:
        """The search engine over the derived index (opened or rebuilt on first use)."""
        return self.build_search_engine()

    def build_search_engine(self) -> SearchEngine:
        """A new engine on the index folder (another process's view, in tests)."""
        index = SearchIndex(self.documents, MetaStore(self.db), self.settings.effective_index_dir)
        return SearchEngine(
            index,
            self.documents,
            self.taxonomy,
            classifier=lambda: self.classifier,
            threads=self.settings.search_threads,
        )

    def classify_pending(self, *, limit: int | None = None, progress: Any = None) -> int:
        """Classify documents the current model has not classified yet; returns how many."""
        model = self.classifier
        if model is None:
            return 0
        return classify_documents_pending(self, model, limit=limit, progress=progress)

    def after_documents_changed(self, doc_ids: list[int]) -> None:
        """Classify and index documents that were just added, updated or deleted.

        Also picks up documents an interrupted run left unclassified.
        """
        model = self.classifier
        if model is not None:
            if doc_ids:
                classify_documents(self.documents, model, doc_ids)
            classify_documents_pending(self, model)
        self.search.sync()

    def refresh(self) -> None:
        """The bot's periodic catch-up: other processes' documents and model activations."""
        self.search.sync()
        try:
            self.classify_pending(limit=REFRESH_BATCH)
        except (ModelError, StoreError) as exc:
            log.warning("classifying pending documents failed: %s", exc)

    def close(self) -> None:
        """Stop background work, release connections and file handles."""
        if "search" in self.__dict__:  # built (cached_property), so it may be following
            self.search.stop_following()
            self.search.halves.close()
        self.db.dispose()


def classify_documents_pending(
    services: Services, model: Any, *, limit: int | None = None, progress: Any = None
) -> int:
    """:func:`classify_pending` on the services' database and documents."""
    return classify_pending(services.db, services.documents, model, limit=limit, progress=progress)
