"""Schema migrations, each frozen as it was written.

A migration must create exactly what it created the day it shipped, whatever the live table
definitions in :mod:`bot.store.db` look like later; otherwise a fresh install would get today's
tables from migration 1 and then fail on the migration that adds a column to them. So
migrations 1–4 build their tables from a private copy of the schema as it stood at version 4
(``_V4``), and later migrations are explicit statements. Never edit a shipped migration: add
the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

ChatId = sa.BigInteger

_V4 = sa.MetaData()

meta = sa.Table(
    "meta",
    _V4,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

schema_migrations = sa.Table(
    "schema_migrations",
    _V4,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

documents = sa.Table(
    "documents",
    _V4,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("external_id", sa.String(200), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=True),  # UTC, naive
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("author", sa.Text, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("origin", sa.Text, nullable=True),  # file path, "jsonl:<file>", feed URL
    sa.Column("ingested_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("near_duplicate_of", sa.Integer, nullable=True),
)
sa.Index("ix_documents_published", documents.c.published_at)
sa.Index("ix_documents_ingested", documents.c.ingested_at)

# Append-only log so a search index in any process can catch up with what changed.
doc_changes = sa.Table(
    "doc_changes",
    _V4,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.Integer, nullable=False),
    sa.Column("op", sa.String(10), nullable=False),  # "upsert" | "delete"
    sa.Column("at", sa.DateTime, nullable=False),
)

document_topics = sa.Table(
    "document_topics",
    _V4,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("topic", sa.String(50), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("model_version", sa.String(50), nullable=True),
)
sa.Index("ix_document_topics_topic", document_topics.c.topic)

model_versions = sa.Table(
    "model_versions",
    _V4,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.String(50), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("blob", sa.LargeBinary, nullable=False),
    sa.Column("card", sa.Text, nullable=False),  # JSON
    sa.Column("active", sa.Boolean, nullable=False, default=False),
    sa.Column("activated_at", sa.DateTime, nullable=True),
)

users = sa.Table(
    "users",
    _V4,
    sa.Column("user_id", ChatId, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(20), nullable=False, default="allowed"),  # allowed | denied
    sa.Column("lang", sa.String(5), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

chats = sa.Table(
    "chats",
    _V4,
    sa.Column("chat_id", ChatId, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(20), nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("allowed", sa.Boolean, nullable=False, default=False),
    sa.Column("member", sa.Boolean, nullable=False, default=True),
    sa.Column("lang", sa.String(5), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

subscriptions = sa.Table(
    "subscriptions",
    _V4,
    sa.Column("chat_id", ChatId, primary_key=True, autoincrement=False),
    sa.Column("enabled", sa.Boolean, nullable=False, default=True),
    sa.Column("send_time", sa.String(5), nullable=False, default="07:00"),
    sa.Column("timezone", sa.String(64), nullable=False, default="Asia/Ho_Chi_Minh"),
    sa.Column("topics", sa.Text, nullable=True),  # JSON list of slugs, null = all
    sa.Column("notify_empty", sa.Boolean, nullable=False, default=False),
    sa.Column("last_doc_id", sa.Integer, nullable=False, default=0),  # high-water mark
    sa.Column("last_sent_at", sa.DateTime, nullable=True),
    sa.Column("next_due_at", sa.DateTime, nullable=True),  # UTC
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("disabled_reason", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

deliveries = sa.Table(
    "deliveries",
    _V4,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("chat_id", ChatId, nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # claimed | sending | sent | failed | empty
    sa.Column("claimed_by", sa.String(100), nullable=True),
    sa.Column("lease_until", sa.DateTime, nullable=True),
    sa.Column("from_doc_id", sa.Integer, nullable=False, default=0),
    sa.Column("to_doc_id", sa.Integer, nullable=False, default=0),
    sa.Column("parts_total", sa.Integer, nullable=False, default=0),
    sa.Column("parts_sent", sa.Integer, nullable=False, default=0),
    sa.Column("in_flight", sa.Integer, nullable=True),  # part being sent: set before, cleared after
    sa.Column("in_doubt", sa.Integer, nullable=False, default=0),  # parts whose outcome was unknown
    sa.Column("payload", sa.Text, nullable=True),  # JSON list of the rendered parts, fixed at claim
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.UniqueConstraint("chat_id", "due_at", name="uq_deliveries_chat_due"),
)

sources = sa.Table(
    "sources",
    _V4,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("kind", sa.String(20), nullable=False, default="feed"),  # feed | article
    sa.Column("every_seconds", sa.Integer, nullable=False, default=1800),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("enabled", sa.Boolean, nullable=False, default=True),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_checked_at", sa.DateTime, nullable=True),
    sa.Column("next_check_at", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

source_items = sa.Table(
    "source_items",
    _V4,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.Integer, nullable=False),
    sa.Column("guid", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("document_id", sa.Integer, nullable=True),
    sa.Column("status", sa.String(20), nullable=False, default="stored"),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("seen_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("source_id", "guid", name="uq_source_items_guid"),
)


@dataclass(frozen=True)
class Migration:
    """One schema step. Steps are applied in order and recorded in ``schema_migrations``."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _create(*tables: sa.Table) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return apply


def _topics_version(conn: Connection) -> None:
    # Which model classified each document (NULL: not yet, or its text changed since): the
    # classification is derived state, and documents without the active model's topics are
    # found and classified by whoever runs next.
    conn.execute(sa.text("ALTER TABLE documents ADD COLUMN topics_version VARCHAR(50)"))
    conn.execute(
        sa.text(
            "UPDATE documents SET topics_version = (SELECT MAX(dt.model_version) "
            "FROM document_topics dt WHERE dt.document_id = documents.id)"
        )
    )
    conn.execute(sa.text("CREATE INDEX ix_documents_topics_version ON documents (topics_version)"))


def _documents_autoincrement(conn: Connection) -> None:
    # A deleted document's number must never name another document (chat links "/doc 12",
    # digests' high-water marks, logs). PostgreSQL's sequence never goes back; SQLite reused
    # the highest id after its deletion unless the key is AUTOINCREMENT, which SQLite only
    # sets when the table is created: so the table is rebuilt, rows and ids unchanged.
    if conn.dialect.name != "sqlite":
        return
    if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        # pysqlite opens its transaction at the first INSERT only: without this, the CREATE
        # and DROP below would commit one by one and a crash could leave half a rebuild.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    # Dropping the old table cascades to document_topics (foreign keys are on and cannot be
    # switched off inside a transaction): keep its rows aside and put them back.
    conn.exec_driver_sql("CREATE TEMP TABLE _topics_keep AS SELECT * FROM document_topics")
    conn.exec_driver_sql(
        """CREATE TABLE documents_v6 (
        id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        external_id VARCHAR(200) NOT NULL,
        title TEXT NOT NULL,
        published_at DATETIME,
        url TEXT,
        source TEXT,
        author TEXT,
        text TEXT NOT NULL,
        content_hash VARCHAR(64) NOT NULL,
        origin TEXT,
        ingested_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL,
        near_duplicate_of INTEGER,
        topics_version VARCHAR(50),
        UNIQUE (external_id),
        UNIQUE (content_hash)
    )"""
    )
    columns = (
        "id, external_id, title, published_at, url, source, author, text, content_hash, "
        "origin, ingested_at, updated_at, near_duplicate_of, topics_version"
    )
    conn.exec_driver_sql(f"INSERT INTO documents_v6 ({columns}) SELECT {columns} FROM documents")
    conn.exec_driver_sql("DROP TABLE documents")
    conn.exec_driver_sql("ALTER TABLE documents_v6 RENAME TO documents")
    conn.exec_driver_sql("CREATE INDEX ix_documents_published ON documents (published_at)")
    conn.exec_driver_sql("CREATE INDEX ix_documents_ingested ON documents (ingested_at)")
    conn.exec_driver_sql("CREATE INDEX ix_documents_topics_version ON documents (topics_version)")
    conn.exec_driver_sql("INSERT INTO document_topics SELECT * FROM _topics_keep")
    conn.exec_driver_sql("DROP TABLE _topics_keep")
    # Numbers already given out and deleted before this upgrade are not handed out again
    # either: the counter starts above every id the change log and the digests have seen.
    high = conn.exec_driver_sql(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM documents), 0), "
        "COALESCE((SELECT MAX(document_id) FROM doc_changes), 0), "
        "COALESCE((SELECT MAX(last_doc_id) FROM subscriptions), 0), "
        "COALESCE((SELECT MAX(to_doc_id) FROM deliveries), 0), "
        "COALESCE((SELECT MAX(document_id) FROM source_items), 0))"
    ).scalar_one()
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'documents'")
    conn.exec_driver_sql(
        "INSERT INTO sqlite_sequence (name, seq) VALUES ('documents', ?)", (int(high),)
    )


def _item_attempts(conn: Connection) -> None:
    # How many times a feed entry was tried: a failed one is tried again at later polls (an
    # article page a CMS publishes after its feed item, a server down for an hour), a few
    # times, further apart each time.
    conn.execute(sa.text("ALTER TABLE source_items ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1"))


def _sources_autoincrement(conn: Connection) -> None:
    # A removed source's number must never name another feed ("sources remove 5" printed at
    # `sources add`, an admin's notes): SQLite reused it (a tester's), as for documents in
    # migration 6; nothing refers to sources by a foreign key, so the table is simply rebuilt.
    if conn.dialect.name != "sqlite":
        return
    if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # see _documents_autoincrement
    conn.exec_driver_sql(
        """CREATE TABLE sources_v8 (
        id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL,
        name TEXT,
        kind VARCHAR(20) NOT NULL,
        every_seconds INTEGER NOT NULL,
        etag TEXT,
        last_modified TEXT,
        enabled BOOLEAN NOT NULL,
        failures INTEGER NOT NULL,
        last_error TEXT,
        last_checked_at DATETIME,
        next_check_at DATETIME,
        created_at DATETIME NOT NULL,
        UNIQUE (url)
    )"""
    )
    columns = (
        "id, url, name, kind, every_seconds, etag, last_modified, enabled, failures, "
        "last_error, last_checked_at, next_check_at, created_at"
    )
    conn.exec_driver_sql(f"INSERT INTO sources_v8 ({columns}) SELECT {columns} FROM sources")
    conn.exec_driver_sql("DROP TABLE sources")
    conn.exec_driver_sql("ALTER TABLE sources_v8 RENAME TO sources")


def _public_urls(conn: Connection) -> None:
    # A feed added with credentials ("http://u:pw@host/…?token=…") stored them in its
    # articles' URL and source, shown by `search`, `docs show` and the bot (a tester's): the
    # stored ones are cleaned as new ones are, and the search index is told.
    from bot.corpus.urls import public_name, public_url

    rows = conn.execute(
        sa.text(
            "SELECT id, url, source FROM documents WHERE url LIKE '%@%' OR url LIKE '%=%'"
            " OR source LIKE '%@%'"
        )
    ).fetchall()
    now = datetime.now(UTC).replace(tzinfo=None)
    for doc_id, url, source in rows:
        clean_url = public_url(url) if url else url
        clean_source = public_name(source) if source else source
        if (clean_url, clean_source) == (url, source):
            continue
        conn.execute(
            sa.text("UPDATE documents SET url = :u, source = :s WHERE id = :i"),
            {"u": clean_url, "s": clean_source, "i": doc_id},
        )
        conn.execute(
            sa.text("INSERT INTO doc_changes (document_id, op, at) VALUES (:i, 'upsert', :at)"),
            {"i": doc_id, "at": now},
        )


MIGRATIONS: list[Migration] = [
    Migration(1, "documents and change log", _create(meta, documents, doc_changes)),
    Migration(2, "topics and model registry", _create(document_topics, model_versions)),
    Migration(
        3,
        "users, chats, subscriptions, deliveries",
        _create(users, chats, subscriptions, deliveries),
    ),
    Migration(4, "feed sources", _create(sources, source_items)),
    Migration(5, "documents.topics_version", _topics_version),
    Migration(6, "document numbers never reused (SQLite AUTOINCREMENT)", _documents_autoincrement),
    Migration(7, "source_items.attempts (failed feed entries are retried)", _item_attempts),
    Migration(8, "source numbers never reused (SQLite AUTOINCREMENT)", _sources_autoincrement),
    Migration(9, "no credentials in documents' URLs and sources", _public_urls),
]
LATEST_VERSION = MIGRATIONS[-1].version
