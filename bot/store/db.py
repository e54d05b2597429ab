"""Database schema, migrations and connections (SQLite by default, PostgreSQL by URL).

The database is the source of truth for documents, topics, model versions, users,
subscriptions, deliveries and feed sources. Everything else (the search index, a model held in
memory) is derived and rebuilt from it.

All calls here are blocking; async code runs them with ``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from bot.errors import ConfigError, StoreConflict, StoreError, StoreUnavailable

log = logging.getLogger(__name__)

metadata = sa.MetaData()

# Telegram ids exceed 32 bits (supergroups are -100…).
ChatId = sa.BigInteger

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

documents = sa.Table(
    "documents",
    metadata,
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
    sa.Column("topics_version", sa.String(50), nullable=True),  # migration 5
    sqlite_autoincrement=True,  # migration 6: a deleted document's number is never reused
)
sa.Index("ix_documents_published", documents.c.published_at)
sa.Index("ix_documents_ingested", documents.c.ingested_at)

# Append-only log so a search index in any process can catch up with what changed.
doc_changes = sa.Table(
    "doc_changes",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.Integer, nullable=False),
    sa.Column("op", sa.String(10), nullable=False),  # "upsert" | "delete"
    sa.Column("at", sa.DateTime, nullable=False),
)

document_topics = sa.Table(
    "document_topics",
    metadata,
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
    metadata,
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
    metadata,
    sa.Column("user_id", ChatId, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(20), nullable=False, default="allowed"),  # allowed | denied
    sa.Column("lang", sa.String(5), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

chats = sa.Table(
    "chats",
    metadata,
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
    metadata,
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
    metadata,
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
    metadata,
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
    sqlite_autoincrement=True,  # migration 8: a removed source's number is never reused
)

source_items = sa.Table(
    "source_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.Integer, nullable=False),
    sa.Column("guid", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("document_id", sa.Integer, nullable=True),
    sa.Column("status", sa.String(20), nullable=False, default="stored"),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("seen_at", sa.DateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=1),  # tries of a failed entry
    sa.UniqueConstraint("source_id", "guid", name="uq_source_items_guid"),
)


def utcnow() -> datetime:
    """Naive UTC now; every timestamp in the database is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


from bot.store.migrations import LATEST_VERSION, MIGRATIONS, Migration  # noqa: E402

__all__ = ["LATEST_VERSION", "MIGRATIONS", "Database", "Migration"]


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_conn.cursor()
    # WAL lets the bot read while the CLI writes; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def check_url(url: str) -> str:
    """``url`` if it names a database we support; :class:`ConfigError` (one clear line) if not."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    hint = "use sqlite:///path/to/file.sqlite3 or postgresql://user:password@host:5432/dbname"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL ({hint})") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL: {parsed.get_backend_name()} is not supported; {hint}")
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise ConfigError(
            f"DATABASE_URL: driver {parsed.get_driver_name()} is not installed; {hint}"
        )
    return url


def safe_url(url: str) -> str:
    """The URL to show people: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def create_engine(url: str, *, create_folder: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get WAL enabled, and their folder created unless
    ``create_folder`` is False (a URL the user typed: a typo must not open an empty library)."""
    check_url(url)
    if url.startswith("sqlite"):
        memory = url in {"sqlite://", "sqlite:///:memory:"}
        if not memory:
            path = Path(url.split("///", 1)[1])
            if create_folder:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.parent.is_dir():
                raise ConfigError(
                    f"DATABASE_URL: no such folder {path.parent} "
                    "(a SQLite file is created in an existing folder only)"
                )
            elif not path.exists():
                # Right on a first run, a typo otherwise: either way the admin should know.
                log.warning("DATABASE_URL names no existing file: creating %s", path)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            poolclass=StaticPool if memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping makes the pool notice a restarted server and reconnect by itself.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Database:
    """An engine plus schema management and error translation."""

    def __init__(self, url: str, *, create_folder: bool = True) -> None:
        self.url = url
        self.engine = create_engine(url, create_folder=create_folder)

    @property
    def is_postgres(self) -> bool:
        """True on PostgreSQL (row locks and advisory locks are available)."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction; database failures become :class:`StoreError` subclasses."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreUnavailable(f"database unavailable: {_short(exc)}") from exc
        except IntegrityError as exc:
            raise StoreConflict(f"conflicting write: {_short(exc)}") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreUnavailable(f"database connection lost: {_short(exc)}") from exc
            raise StoreError(f"database error: {_short(exc)}") from exc

    def current_version(self) -> int:
        """The highest applied migration, 0 on an empty database."""
        with self.begin() as conn:
            if not sa.inspect(conn).has_table("schema_migrations"):
                return 0
            value = conn.execute(sa.select(sa.func.max(schema_migrations.c.version))).scalar()
            return int(value or 0)

    def migrate(self) -> list[Migration]:
        """Apply pending migrations; returns those applied. Safe to run from two processes."""
        applied: list[Migration] = []
        with self.begin() as conn:
            if self.is_postgres:
                # Two instances starting together must not both create tables.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(724301)"))
            elif not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                # SQLite's write lock, taken before the versions are read: a second process
                # waits and then finds nothing to do. (pysqlite would only open the transaction
                # at the first INSERT, leaving the CREATEs before it outside.)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            schema_migrations.create(conn, checkfirst=True)
            done = set(conn.execute(sa.select(schema_migrations.c.version)).scalars())
            for migration in MIGRATIONS:
                if migration.version in done:
                    continue
                migration.apply(conn)
                conn.execute(
                    schema_migrations.insert().values(
                        version=migration.version, name=migration.name, applied_at=utcnow()
                    )
                )
                applied.append(migration)
                log.info("applied migration %s: %s", migration.version, migration.name)
        return applied

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.begin() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except StoreError:
            return False

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
