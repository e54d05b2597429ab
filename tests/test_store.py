"""The document store on SQLite and PostgreSQL (same code, same expectations)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.corpus.documents import NewDocument
from bot.errors import InputError, NotFound, StoreUnavailable
from bot.store.db import LATEST_VERSION, Database
from bot.store.documents import DocumentStore


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    db = Database(db_url)
    db.migrate()
    yield DocumentStore(db)
    db.dispose()


def test_migrate_is_idempotent(db_url: str) -> None:
    db = Database(db_url)
    assert db.current_version() == 0
    assert [m.version for m in db.migrate()] == list(range(1, LATEST_VERSION + 1))
    assert db.migrate() == []
    assert db.current_version() == LATEST_VERSION
    db.dispose()


def test_add_get_duplicate_update_delete(store: DocumentStore) -> None:
    doc = NewDocument(
        title="Tiêu đề",
        text="Nội dung  đầu tiên.\n\nĐoạn hai.",
        external_id="a-1",
        published_at=datetime(2022, 7, 5, 2, 38, tzinfo=UTC),
        url="https://baoxyz.vn/a.html",
    )
    first = store.add(doc)
    assert first.status == "added"
    # Same content with other whitespace is a duplicate and adds nothing.
    again = store.add(
        NewDocument(title="Khác", text="Nội dung đầu tiên.\n\nĐoạn  hai.", external_id="b")
    )
    assert again.status == "duplicate" and again.duplicate_of == first.document_id
    assert store.count() == 1
    got = store.get("a-1")
    assert got.id == first.document_id
    assert got.published_at == datetime(2022, 7, 5, 2, 38)
    assert got.source == "baoxyz.vn"
    assert store.get(str(first.document_id)).external_id == "a-1"
    updated = store.add(NewDocument(title="Tiêu đề", text="Nội dung mới.", external_id="a-1"))
    assert updated.status == "updated" and updated.document_id == first.document_id
    assert store.get("a-1").text == "Nội dung mới."
    store.delete("a-1")
    with pytest.raises(NotFound):
        store.get("a-1")
    ops = [op for _, _, op in store.changes_since(0)]
    assert ops == ["upsert", "upsert", "delete"]


def test_topics_and_listing_newest_first(store: DocumentStore) -> None:
    old = store.add(
        NewDocument(
            title="Cũ", text="Văn bản cũ.", external_id="old", published_at=datetime(2020, 1, 1)
        )
    )
    new = store.add(
        NewDocument(
            title="Mới", text="Văn bản mới.", external_id="new", published_at=datetime(2024, 1, 1)
        )
    )
    store.set_topics(old.document_id, {"admission": 0.9, "cadres": 0.6}, "v1")
    assert [d.external_id for d in store.list()] == ["new", "old"]
    assert [d.external_id for d in store.list(topic="admission")] == ["old"]
    assert store.get("old").topics == {"admission": 0.9, "cadres": 0.6}
    assert store.topic_counts() == {"admission": 1, "cadres": 1}
    assert [d.id for d in store.newer_than(old.document_id)] == [new.document_id]


def test_rejects_empty_and_huge_text(store: DocumentStore) -> None:
    with pytest.raises(InputError):
        store.add(NewDocument(title="x", text="   "))
    with pytest.raises(InputError):
        store.add(NewDocument(title="x", text="a" * 2_000_001))


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    with pytest.raises(StoreUnavailable):
        db.current_version()
    assert db.ping() is False


def test_add_many_handles_repeats_inside_one_batch(store: DocumentStore) -> None:
    results = store.add_many(
        [
            NewDocument(title="A", text="Nội dung A.", external_id="a"),
            NewDocument(title="A again", text="Nội  dung A.", external_id="a2"),  # same content
            NewDocument(title="B", text="Nội dung B.", external_id="a"),  # same id, new content
            NewDocument(title="C", text="", external_id="c"),
            NewDocument(title="D", text="Nội dung D.", external_id="d"),
        ]
    )
    statuses = [r.status if not isinstance(r, InputError) else "error" for r in results]
    assert statuses == ["added", "duplicate", "updated", "error", "added"]
    assert store.get("a").text == "Nội dung B."
    assert store.count() == 2


def test_list_puts_dated_documents_newest_first_and_undated_after(store: DocumentStore) -> None:
    def add(external_id: str, published: datetime | None) -> None:
        store.add(
            NewDocument(
                title=external_id,
                text=f"Nội dung {external_id}.",
                external_id=external_id,
                published_at=published,
            )
        )

    add("old", datetime(2021, 1, 1, tzinfo=UTC))
    add("undated-1", None)
    add("new", datetime(2023, 5, 1, tzinfo=UTC))
    add("undated-2", None)
    assert [d.external_id for d in store.list()] == ["new", "old", "undated-2", "undated-1"]
    assert [d.external_id for d in store.list(limit=2, offset=1)] == ["old", "undated-2"]


def test_get_accepts_the_hash_form_docs_list_prints(store: DocumentStore) -> None:
    added = store.add(NewDocument(title="Một", text="Nội dung một.", external_id="mot"))
    assert store.get(f"#{added.document_id}").external_id == "mot"
    assert store.get(f" #{added.document_id} ").external_id == "mot"
    for bad in ("#", "#x", "#0", "#-1", "##1"):
        with pytest.raises(NotFound):
            store.get(bad)


def _doc(n: int) -> NewDocument:
    return NewDocument(title=f"Văn bản {n}", text=f"Nội dung văn bản số {n}.", external_id=f"d{n}")


def test_a_deleted_documents_number_is_never_given_again(store: DocumentStore) -> None:
    first, second = (store.add(_doc(n)).document_id for n in (1, 2))
    store.delete(second)  # the highest id: SQLite without AUTOINCREMENT handed it out again
    third = store.add(_doc(3)).document_id
    assert third > second > first


def test_upgrade_to_autoincrement_keeps_rows_ids_topics_and_the_deleted_numbers(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from bot.store import db as db_module

    # A database as version 5 left it, with documents, topics and a deleted highest id.
    monkeypatch.setattr(db_module, "MIGRATIONS", db_module.MIGRATIONS[:5])
    db = Database(sqlite_url)
    db.migrate()
    old = DocumentStore(db)
    ids = [old.add(_doc(n)).document_id for n in range(1, 6)]
    old.set_topics(ids[0], {"admission": 0.9, "cadres": 0.6}, "v1")
    old.set_topics(ids[3], {"inspection": 0.7}, "v1")
    old.delete(ids[2])
    old.delete(ids[4])  # the highest number, reused by the old schema
    with db.begin() as conn:
        before = conn.execute(sa.text("SELECT * FROM documents ORDER BY id")).all()
        topics = conn.execute(sa.text("SELECT * FROM document_topics ORDER BY 1, 2")).all()
    db.dispose()

    monkeypatch.undo()
    db = Database(sqlite_url)
    assert [m.version for m in db.migrate()] == [6, 7, 8, 9]
    assert db.current_version() == LATEST_VERSION
    store = DocumentStore(db)
    with db.begin() as conn:
        assert conn.execute(sa.text("SELECT * FROM documents ORDER BY id")).all() == before
        assert conn.execute(sa.text("SELECT * FROM document_topics ORDER BY 1, 2")).all() == topics
        assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        indexes = {
            row[0]
            for row in conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE tbl_name = 'documents'")
            )
        }
    assert {"ix_documents_published", "ix_documents_ingested", "ix_documents_topics_version"} <= (
        indexes
    )
    assert store.get(ids[0]).topics == {"admission": 0.9, "cadres": 0.6}
    new = store.add(_doc(6)).document_id
    assert new == ids[4] + 1  # the number deleted before the upgrade is not given again
    store.delete(new)
    store.delete(ids[0])  # cascades to its topics as before
    with db.begin() as conn:
        left = conn.execute(sa.text("SELECT DISTINCT document_id FROM document_topics")).all()
    assert left == [(ids[3],)]
    assert store.add(_doc(7)).document_id == new + 1
    db.dispose()


def test_a_database_url_in_a_missing_folder_is_an_error_not_a_new_library(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.errors import ConfigError
    from bot.services import Services
    from tests.auxil.settings import make_settings

    missing = tmp_path / "typo" / "partybot.sqlite3"
    with pytest.raises(ConfigError, match="no such folder"):
        Services(make_settings(tmp_path, f"sqlite:///{missing}"))
    assert not missing.parent.exists()
    # In an existing folder a new file is made, and the log says so (a typo, or a first run).
    import logging

    new_file = tmp_path / "new.sqlite3"
    with caplog.at_level(logging.WARNING, logger="bot.store.db"):
        Services(make_settings(tmp_path, f"sqlite:///{new_file}")).close()
    assert new_file.exists() and f"creating {new_file}" in caplog.text
    # The default database (no DATABASE_URL) has its folder made on first use.
    services = Services(make_settings(tmp_path, "", data_dir=tmp_path / "new" / "data"))
    try:
        assert (tmp_path / "new" / "data" / "partybot.sqlite3").exists()
    finally:
        services.close()


def test_a_due_source_is_taken_by_one_poll_only(db_url: str) -> None:
    # Two `fetch` runs at once polled the same feed twice (a tester's), on either database.
    from datetime import timedelta

    from bot.store.sources import SourceStore

    db = Database(db_url)
    db.migrate()
    store = SourceStore(db)
    store.add("https://bao.vn/rss/a.rss")
    store.add("https://bao.vn/rss/b.rss")
    now = datetime.now(UTC).replace(tzinfo=None)
    first = store.due(now, claim=timedelta(minutes=10))
    assert sorted(s.url for s in first) == ["https://bao.vn/rss/a.rss", "https://bao.vn/rss/b.rss"]
    assert store.due(now, claim=timedelta(minutes=10)) == [] and store.due(now) == []
    assert len(store.due(now + timedelta(minutes=11), claim=timedelta(minutes=10))) == 2
    db.dispose()


def test_a_removed_sources_number_is_never_reused(db_url: str) -> None:
    # "sources remove 5" then "sources add" gave #5 to another feed; with every source
    # removed, the next was #1 again (a tester's).
    from bot.store.sources import SourceStore

    db = Database(db_url)
    db.migrate()
    store = SourceStore(db)
    first = store.add("https://bao.vn/rss/a.rss")
    second = store.add("https://bao.vn/rss/b.rss")
    store.remove(second.id)
    store.remove(first.id)
    assert store.add("https://bao.vn/rss/c.rss").id == second.id + 1
    db.dispose()


def test_upgrade_to_sources_autoincrement_keeps_them(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from bot.store import db as db_module
    from bot.store.sources import SourceStore

    # A database as version 7 left it: the rows come through the rebuild as they were.
    monkeypatch.setattr(db_module, "MIGRATIONS", db_module.MIGRATIONS[:7])
    db = Database(sqlite_url)
    db.migrate()
    store = SourceStore(db)
    kept = [store.add(f"https://bao.vn/rss/{n}.rss", name=f"Báo {n}").id for n in range(3)]
    store.remove(kept[1])
    with db.begin() as conn:
        before = conn.execute(sa.text("SELECT * FROM sources ORDER BY id")).all()
    db.dispose()
    monkeypatch.undo()
    db = Database(sqlite_url)
    assert [m.version for m in db.migrate()] == [8, 9]
    with db.begin() as conn:
        assert conn.execute(sa.text("SELECT * FROM sources ORDER BY id")).all() == before
    store = SourceStore(db)
    store.remove(kept[2])
    assert store.add("https://bao.vn/rss/new.rss").id == kept[2] + 1  # not reused from now on
    db.dispose()


def test_a_documents_url_and_source_never_keep_credentials(store: DocumentStore) -> None:
    # An article fetched through a feed added as "http://u:pw@host/…?token=…" showed the
    # password and the token in `search` (what the bot answers), `docs show` and the JSON
    # (a tester's); its source, the page's site name, was "u:pw@host".
    added = store.add(
        NewDocument(
            title="Kết nạp",
            text="Kết nạp 15 đảng viên mới.",
            external_id="feed-1",
            url="http://u:pw@127.0.0.1:8764/a1.html?token=abc&x=1&keyword=dang",
            source="u:pw@127.0.0.1:8764",
        )
    )
    doc = store.get(added.document_id)
    assert doc.url == "http://127.0.0.1:8764/a1.html?x=1&keyword=dang"
    assert doc.source == "127.0.0.1:8764"
    plain = store.add(
        NewDocument(title="B", text="Chi bộ họp.", external_id="b", url="https://bao.vn/a?id=2")
    )
    assert store.get(plain.document_id).url == "https://bao.vn/a?id=2"
    assert store.get(plain.document_id).source == "bao.vn"


def test_migration_9_cleans_stored_credentials_and_tells_the_index(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from bot.store import db as db_module

    monkeypatch.setattr(db_module, "MIGRATIONS", db_module.MIGRATIONS[:8])
    db = Database(sqlite_url)
    db.migrate()
    now = datetime(2026, 1, 1)
    with db.begin() as conn:
        for n, (url, source) in enumerate(
            [
                ("http://u:pw@127.0.0.1:8764/a1.html?token=abc&x=1", "u:pw@127.0.0.1:8764"),
                ("https://bao.vn/a?id=2", "bao.vn"),
            ]
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO documents (external_id, title, text, url, source, content_hash,"
                    " ingested_at, updated_at) VALUES (:e, 't', :x, :u, :s, :h, :n, :n)"
                ),
                {"e": f"d{n}", "x": f"text {n}", "u": url, "s": source, "h": f"h{n}", "n": now},
            )
    db.dispose()
    monkeypatch.undo()
    db = Database(sqlite_url)
    assert [m.version for m in db.migrate()] == [9]
    with db.begin() as conn:
        rows = conn.execute(sa.text("SELECT url, source FROM documents ORDER BY id")).all()
        changed = conn.execute(sa.text("SELECT document_id FROM doc_changes")).scalars().all()
    assert [tuple(r) for r in rows] == [
        ("http://127.0.0.1:8764/a1.html?x=1", "127.0.0.1:8764"),
        ("https://bao.vn/a?id=2", "bao.vn"),
    ]
    assert changed == [1]  # the index re-reads the cleaned one only
    db.dispose()
