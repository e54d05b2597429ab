"""The store: the only package that talks SQL (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from bot.store.access import AccessStore
from bot.store.db import Database
from bot.store.deliveries import DeliveryStore
from bot.store.documents import DocumentStore
from bot.store.meta import MetaStore
from bot.store.migrations import LATEST_VERSION
from bot.store.models import ModelStore
from bot.store.sources import SourceStore
from bot.store.subscriptions import SubscriptionStore

__all__ = [
    "LATEST_VERSION",
    "AccessStore",
    "Database",
    "DeliveryStore",
    "DocumentStore",
    "MetaStore",
    "ModelStore",
    "SourceStore",
    "SubscriptionStore",
]
