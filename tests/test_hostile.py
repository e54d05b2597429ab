"""Hostile input, one test per defect found by trying to break the bot (issue: hardening).

Each case failed before its fix: a forged callback made tantivy allocate ~240 GB and abort
the process, a 20-digit id overflowed SQLite, one bad JSONL line stopped a run, a webhook
without a secret accepted forged updates.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.bounds import MAX_PAGE, parse_chat_id, parse_doc_id, parse_int, parse_page
from bot.corpus.documents import NewDocument
from bot.corpus.ingest import ingest_documents, read_jsonl
from bot.corpus.text import normalize
from bot.errors import ConfigError, InputError, NotFound
from bot.present.conversation import Context, Conversation
from bot.services import Services
from tests.auxil.settings import make_settings

HUGE = "9" * 20


@pytest.fixture
def corpus(services: Services) -> Services:
    for i in range(12):
        services.documents.add(
            NewDocument(
                title=f"Chi bộ {i} học tập chống tham nhũng",
                text=f"Chi bộ số {i} tổ chức học tập về phòng, chống tham nhũng, tiêu cực.",
                external_id=f"doc-{i}",
            )
        )
    services.after_documents_changed([])
    return services


# --- 1. numbers from users are bounded ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("0", None), (HUGE, None), ("²", None), ("٣", None), (" 7 ", 7), ("-1", None)],
)
def test_parse_int_accepts_ascii_digits_in_range(text: str, expected: int | None) -> None:
    assert parse_int(text, low=1, high=1000) == expected


def _cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, values: dict[str, str]) -> None:
    """The CLI's settings: a database and data folder in ``tmp_path``, and ``values``."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "DATA_DIR": str(tmp_path / "data"),
        **values,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_pages_ids_and_chat_ids_are_bounded() -> None:
    assert parse_page("400000000") == MAX_PAGE
    assert parse_page("") == 1 and parse_page("x") is None
    assert parse_doc_id(HUGE) is None and parse_doc_id("12") == 12
    assert parse_chat_id("-1001234567890") == -1001234567890
    assert parse_chat_id(HUGE) is None and parse_chat_id("1e9") is None


@pytest.mark.parametrize(
    "data",
    [
        "l:999999999",
        "q:400000000:tham nhũng",
        "t:admission:999999999",
        f"d:{HUGE}:1",
        f"d:1:{HUGE}",
        f"r:{HUGE}",
        "x:99999",
        "x:-1",
        "q:abc:tham",
        "k:2:no-such-key",
        "l:²",
        "",
        ":::",
        "q:" + "9" * 60,
    ],
)
def test_forged_callback_data_gets_an_answer_not_a_crash(corpus: Services, data: str) -> None:
    conversation = Conversation(corpus)
    reply = conversation.callback(Context(), data)
    assert reply is None or len(reply.html) <= 4096


def test_a_page_past_the_end_shows_the_last_page(corpus: Services) -> None:
    conversation = Conversation(corpus)
    reply = conversation.callback(Context(), "q:400000000:tham nhũng")
    assert reply is not None and "3/3" in reply.html
    latest = conversation.callback(Context(), "l:999999999")
    assert latest is not None and "3/3" in latest.html


def test_huge_document_ids_are_not_found(corpus: Services) -> None:
    with pytest.raises(NotFound):
        corpus.documents.get(HUGE)
    with pytest.raises(NotFound):
        corpus.documents.get("x" * 5000)
    reply = Conversation(corpus).document(Context(), HUGE)
    assert "Không tìm thấy" in reply.html


def test_engine_clamps_offsets_and_limits(corpus: Services) -> None:
    results = corpus.search.search("tham nhũng", offset=9_999_999_999, limit=10**12)
    assert results.hits == [] and results.total == 12


@pytest.mark.parametrize("offset", ["9999999999", HUGE, "-5"])
def test_cli_search_offset_out_of_range_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset: str
) -> None:
    from bot.cli import main
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["search", "tham", "--offset", offset])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "--offset" in result.output


# --- 2. webhook mode refuses to run without a secret -------------------------------------


@pytest.mark.parametrize("secret", ["", "has space", "x" * 257, "ü"])
def test_webhook_needs_a_well_formed_secret(
    services: Services, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    from bot.tg.app import run_bot

    services.settings.webhook_url = "https://example.org"
    services.settings.webhook_secret = secret
    services.settings.port = 8443
    monkeypatch.setattr("bot.tg.app.build_application", lambda *a, **k: pytest.fail("started"))
    with pytest.raises(ConfigError):
        run_bot(services, webhook=True)


def test_cli_run_webhook_without_secret_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main
    from bot.config import get_settings

    _cli_env(
        monkeypatch,
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "WEBHOOK_URL": "https://example.org",
            "WEBHOOK_SECRET": "",
            "PORT": "8443",
        },
    )
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["run", "--webhook"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: webhook mode needs WEBHOOK_SECRET")
    assert "Traceback" not in result.output


@pytest.fixture
def telegram_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI's settings with Telegram's API on a port nobody listens on."""
    import socket

    from bot.config import get_settings

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    _cli_env(
        monkeypatch,
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        },
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("telegram_unreachable")
def test_cli_run_with_telegram_unreachable_is_one_error_line() -> None:
    from bot.cli import main

    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: cannot reach the Telegram Bot API at http://127.0.0.1")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    # Nothing was started for a bot that cannot run (the index warm-up, its follower).
    assert not {"warm-search", "search-follow"} & {t.name for t in threading.enumerate()}


def test_a_base_url_without_bot_never_prints_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "http://localhost:8081" without "/bot": the token went into the URL's port and the error
    # printed it whole (a tester's).
    from bot.cli import main
    from bot.config import get_settings

    token = "7123456789:AAHsecretsecretsecret"
    _cli_env(
        monkeypatch,
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        },
    )
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["run"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and token not in result.output, result.output
    assert "AAHsecret" not in result.output and "must end with /bot" in result.output


@pytest.mark.usefixtures("telegram_unreachable")
def test_cli_digest_send_with_telegram_unreachable_is_one_line_and_changes_nothing() -> None:
    """A tester's `digest send` printed a 138-line traceback, and the chat's next digest had
    moved to the minute it failed."""
    from bot.cli import main

    cli = CliRunner()
    assert cli.invoke(main, ["users", "allow", "-1001"]).exit_code == 0
    assert cli.invoke(main, ["digest", "on", "--chat", "-1001", "--time", "07:30"]).exit_code == 0
    before = cli.invoke(main, ["digest", "list"]).output
    result = cli.invoke(main, ["digest", "send", "--chat", "-1001"])
    after = cli.invoke(main, ["digest", "list"]).output
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: cannot reach the Telegram Bot API at http://127.0.0.1")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert "07:30" in before and after == before


def test_cli_digest_send_to_a_server_that_is_no_bot_api_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A wrong TELEGRAM_API_BASE_URL answering an HTML page: python-telegram-bot's traceback,
    the page twice, and "cannot reach" a server that answered (a tester's)."""
    import http.server
    import threading

    from bot.cli import main
    from bot.config import get_settings

    class NotImplementedHere(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            page = b"<!DOCTYPE HTML><html><body>Error 501</body></html>"
            self.send_response(501)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotImplementedHere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/bot"
    _cli_env(
        monkeypatch,
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "TELEGRAM_API_BASE_URL": url,
        },
    )
    get_settings.cache_clear()
    try:
        cli = CliRunner()
        assert cli.invoke(main, ["users", "allow", "-1001"]).exit_code == 0
        assert cli.invoke(main, ["digest", "on", "--chat", "-1001"]).exit_code == 0
        result = cli.invoke(main, ["digest", "send", "--chat", "-1001"])
    finally:
        server.shutdown()
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"error: the server at {url} answered Not Implemented (501), not as the Telegram Bot "
        "API does (check TELEGRAM_API_BASE_URL)\n"
    ), result.output
    assert not [r for r in caplog.records if r.name.startswith("telegram")], caplog.records


def test_cli_digest_send_leaves_an_off_digest_off_and_fails_with_a_non_zero_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`digest send --chat` turned an off digest back on, daily from the next day; a digest
    that failed exited 0; the dry run showed a "nothing new" message the send never sends
    (a tester's)."""
    import http.server
    import json
    import threading

    from bot.cli import main
    from bot.config import get_settings

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith("/getMe"):
                status = 200
                body = {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "B",
                                               "username": "b_bot"}}  # fmt: skip
            else:
                status = 500
                body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _cli_env(
        monkeypatch,
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": "123:TEST",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}/bot",
        },
    )
    get_settings.cache_clear()
    try:
        cli = CliRunner()
        cli.invoke(main, ["ingest", str(Path(__file__).parents[1] / "seeds")])
        for chat in ("-1001", "-1002"):
            assert cli.invoke(main, ["users", "allow", chat]).exit_code == 0
            assert cli.invoke(main, ["digest", "on", "--chat", chat]).exit_code == 0
        dry = cli.invoke(main, ["digest", "send", "--chat", "-1001", "--dry-run"])
        assert dry.output == "chat -1001: nothing new, no message\n", dry.output
        assert cli.invoke(main, ["digest", "off", "--chat", "-1002"]).exit_code == 0
        off = cli.invoke(main, ["digest", "send", "--chat", "-1002"])
        assert off.exit_code == 0, off.output
        assert "chat -1002: skipped, its digest is off" in off.output
        listed = cli.invoke(main, ["digest", "list"]).output
        assert "-1002 off" in listed, listed
        # A digest that fails: an error line and a non-zero exit, for a script to see.
        (tmp_path / "new.txt").write_text(
            "Kết nạp đảng viên\n\nChi bộ kết nạp 3 đảng viên mới.", "utf-8"
        )
        assert cli.invoke(main, ["ingest", str(tmp_path / "new.txt")]).exit_code == 0
        failed = cli.invoke(main, ["digest", "send", "--chat", "-1001"])
    finally:
        server.shutdown()
        get_settings.cache_clear()
    assert failed.exit_code == 1, failed.output
    assert "error: chat -1001:" in failed.output and "failed 1" in failed.output


# --- 3. one bad JSONL line is reported and skipped ------------------------------------------

BAD_LINES = {
    "blank id": {"id": "   ", "text": "x"},
    "punctuation id": {"id": "!!!", "text": "x"},
    "object id": {"id": {"x": 1}, "text": "x"},
    "bool id": {"id": True, "text": "x"},
    "url not a string": {"id": "u", "text": "x", "url": 5},
    "javascript url": {"id": "j", "text": "x", "url": "javascript:alert(1)"},
    "source object": {"id": "s", "text": "x", "source": {"a": 1}},
    "title list": {"id": "t", "text": "x", "title": ["a"]},
    "date before year 1 in UTC": {"id": "d", "text": "x", "date": "0001-01-01T00:00:00+14:00"},
    "date number": {"id": "d2", "text": "x", "date": 20230101},
    "date far future": {"id": "d3", "text": "x", "date": "9999-12-31"},
    "text number": {"id": "n", "text": 5},
}


def _good(i: int) -> str:
    return json.dumps(
        {"id": f"good-{i}", "title": f"Bài {i}", "text": f"Nội dung số {i} về kết nạp đảng viên."},
        ensure_ascii=False,
    )


def test_every_bad_line_is_reported_and_the_rest_is_stored(
    services: Services, tmp_path: Path
) -> None:
    lines = [_good(i) for i in range(30)]
    bad = [json.dumps(item) for item in BAD_LINES.values()]
    bad += [
        '{"id": "sur", "text": "a \\ud800 b"}',
        '{"id": 1e400, "text": "x"}',
        '{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}",
        "[" * 100_000,
        "not json",
        "\xff\xfe",
    ]
    for n, line in enumerate(bad):
        lines.insert(3 + n, line)
    path = tmp_path / "batch.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    report = ingest_documents(services, read_jsonl(path), batch_size=7)
    assert len(report.added) == 30
    assert len(report.failed) == len(bad)
    for n, failure in enumerate(report.failed):
        assert failure.startswith(f"{path}:{4 + n}: "), failure


def test_nul_in_text_is_removed_not_fatal(db_url: str, tmp_path: Path) -> None:
    services = Services(make_settings(tmp_path, db_url))
    try:
        path = tmp_path / "nul.jsonl"
        path.write_text(
            json.dumps({"id": "nul", "title": "a\u0000b", "text": "Chi bộ\u0000 họp."}) + "\n"
        )
        report = ingest_documents(services, read_jsonl(path))
        assert report.ok and services.documents.get("nul").text == "Chi bộ họp."
    finally:
        services.close()


def test_a_bad_line_at_1000_of_2000_loses_nothing_else(services: Services, tmp_path: Path) -> None:
    lines = [_good(i) for i in range(2000)]
    lines[999] = json.dumps({"id": "   ", "text": "x"})
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    report = ingest_documents(services, read_jsonl(path))
    assert len(report.added) == 1999 and report.failed == [f"{path}:1000: missing id"]
    assert services.documents.count() == 1999


# --- 11. invisible and full-width characters in queries -----------------------------------


def test_zero_width_space_and_full_width_letters(corpus: Services) -> None:
    assert normalize("tham\u200bnhũng") == "tham nhũng"
    assert corpus.search.search("tham\u200bnhũng").total == 12
    assert corpus.search.search("ｔｈａｍ ｎｈｕｎｇ").total == 12


# --- through the real Application and the fake Bot API ------------------------------------


async def test_forged_numbers_through_the_bot_reach_no_admin(tmp_path: Path) -> None:
    from tests.auxil.bots import ADMIN, USER, running_bot

    async with running_bot(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path) as bot:
        for text in (f"/doc {HUGE}", f"/doc_{HUGE}", "/doc ²"):
            bot.fake.private_message(USER, text)
            call = await bot.fake.wait_for("sendMessage", chat_id=USER)
            assert "Không tìm thấy" in call.params["text"], text
        bot.fake.private_message(USER, "kết nạp đảng viên")
        results = await bot.fake.wait_for("sendMessage", chat_id=USER)
        message_id = results.result["message_id"]
        for data in ("l:999999999", "t:admission:999999999", f"d:{HUGE}:1", f"r:{HUGE}"):
            bot.fake.callback_query(USER, USER, message_id, data)
            await bot.fake.wait_for("answerCallbackQuery")
        bot.fake.private_message(ADMIN, f"/allow {HUGE}")
        call = await bot.fake.wait_for("sendMessage", chat_id=ADMIN)
        assert "/allow" in call.params["text"]  # the usage line, not an error report
        assert not any("partybot error" in c["text"] for c in bot.fake.calls_to("sendMessage"))


async def test_the_same_error_is_reported_to_admins_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.auxil.bots import ADMIN, USER, running_bot

    async with running_bot(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path) as bot:

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("index exploded")

        monkeypatch.setattr(bot.services.search, "search", broken)
        for _ in range(3):
            bot.fake.private_message(USER, "kết nạp")
            await bot.fake.wait_for("sendMessage", chat_id=USER)
        await bot.fake.wait_for("sendMessage", chat_id=ADMIN)
        reports = [
            c
            for c in bot.fake.calls_to("sendMessage")
            if c["chat_id"] == ADMIN and "index exploded" in c["text"]
        ]
        assert len(reports) == 1


# --- 8. the folder walk reads regular files inside the tree only ------------------------------


def test_folder_walk_skips_links_devices_and_fifos(tmp_path: Path) -> None:
    import os

    from bot.corpus.readers import iter_paths, read_file

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.txt").write_text("Chi bộ họp.\n\nNội dung.", "utf-8")
    (tree / "passwd.txt").symlink_to("/etc/passwd")
    (tree / "zero.txt").symlink_to("/dev/zero")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("bí mật", "utf-8")
    (tree / "linked").symlink_to(outside)
    os.mkfifo(tree / "fifo.txt")
    assert list(iter_paths([tree])) == [tree / "ok.txt"]
    for name, reason in (("zero.txt", "not a regular file"), ("fifo.txt", "not a regular file")):
        with pytest.raises(InputError, match=reason):
            read_file(tree / name)


def test_docx_that_inflates_too_much_is_refused(tmp_path: Path) -> None:
    import zipfile

    from bot.corpus.readers import MAX_UNZIPPED_BYTES, read_file

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * (MAX_UNZIPPED_BYTES + 10))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(InputError, match="inflates"):
        read_file(bomb)


# --- 9. no traceback for bad configuration, input or index metadata ---------------------------


@pytest.mark.parametrize(
    "url", ["notaurl", "mysql://root@localhost/x", "postgresql+asyncpg://x@y/z", "://"]
)
def test_bad_database_url_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from bot.cli import main
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["docs", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: DATABASE_URL")
    assert "Traceback" not in result.output


def test_bad_admin_ids_is_one_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main
    from bot.config import get_settings

    monkeypatch.setenv("ADMIN_IDS", "12,abc")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["docs", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "error: invalid configuration: ADMIN_IDS" in result.output


def test_docs_show_superscript_two_is_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["docs", "show", "²"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and result.output.startswith("error: no document")


def test_console_survives_invalid_utf8_and_huge_numbers(corpus: Services) -> None:
    import io

    from bot.present.console import run_console

    raw = b"\xff\xfe tham\n" + b"9" * 5000 + b"\n/doc " + b"9" * 5000 + b"\n"
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    out = io.StringIO()
    run_console(corpus, stdin=stdin, stdout=out)
    assert "Traceback" not in out.getvalue() and "Không tìm thấy" in out.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        {"seq": "3616"},
        {"gaps": {"x": "y"}},
        {"gaps": [1, 2]},
        {"schema": None},
        {"db": 5},
        "not an object",
    ],
)
def test_damaged_index_metadata_triggers_a_rebuild(corpus: Services, damage: object) -> None:
    from bot.search.index import META_FILE

    folder = corpus.search.index.folder
    path = folder / META_FILE
    data = json.loads(path.read_text("utf-8"))
    if isinstance(damage, dict):
        data.update(damage)
    else:
        data = damage
    path.write_text(json.dumps(data), "utf-8")
    fresh = corpus.build_search_engine()
    assert fresh.search("tham nhũng").total == 12
    assert fresh.index.rebuilt_reason is not None


def test_index_path_that_is_a_file_is_moved_aside_and_rebuilt(
    services: Services, tmp_path: Path
) -> None:

    services.documents.add(NewDocument(title="Chi bộ", text="Chi bộ họp bàn.", external_id="a"))
    folder = services.settings.effective_index_dir
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("oops", "utf-8")
    engine = services.build_search_engine()
    assert engine.search("chi bộ").total == 1
    assert folder.is_dir()
    assert any(p.read_text("utf-8") == "oops" for p in folder.parent.glob("*.not-an-index-*"))


# --- 10. secrets and access -------------------------------------------------------------------


def test_the_token_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.logs import RedactSecrets

    token = "123456:ABC-very-secret-token"
    record = logging.LogRecord(
        "telegram.Bot",
        logging.DEBUG,
        "",
        0,
        "Set Bot API URL: %s",
        (f"https://x/bot{token}",),
        None,
    )
    assert RedactSecrets([token]).filter(record)
    assert token not in record.getMessage() and "[redacted]" in record.getMessage()


def test_log_level_from_settings_applies() -> None:
    import logging

    from bot.logs import configure

    root = logging.getLogger()
    before = root.level
    try:
        configure("DEBUG", ["x" * 10])
        assert root.level == logging.DEBUG
        configure("nonsense")
        assert root.level == logging.INFO
        # The article extractor's "discarding data: URL" repeated the poll's own error line,
        # and its ERROR lines stood beside `sources add`'s warning (testers'): its lines only
        # at debug level.
        assert logging.getLogger("trafilatura").getEffectiveLevel() == logging.CRITICAL
        configure("DEBUG")
        assert logging.getLogger("trafilatura").getEffectiveLevel() == logging.DEBUG
    finally:
        root.setLevel(before)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../../tmp/x.jsonl", "x.jsonl"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("", "upload.txt"),
        ("...", "upload.txt"),
        ("/etc/passwd", "passwd"),
    ],
)
def test_upload_names_lose_their_folders(name: str, expected: str) -> None:
    from bot.tg.handlers.admin import upload_name

    assert upload_name(name) == expected


async def test_denied_user_is_denied_in_groups_too(tmp_path: Path) -> None:
    from tests.auxil.bots import ADMIN, GROUP, USER, running_bot

    async with running_bot(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path) as bot:
        policy = bot.services.access
        policy.allow(GROUP)
        bot.fake.group_message(GROUP, USER, "/search@partybot_test_bot tham nhũng")
        assert (await bot.fake.wait_for("sendMessage", chat_id=GROUP)).ok
        policy.deny(USER)
        before = len(bot.fake.texts(GROUP))
        bot.fake.group_message(GROUP, USER, "/search@partybot_test_bot tham nhũng")
        bot.fake.group_message(GROUP, ADMIN, "/help@partybot_test_bot")
        await bot.fake.wait_for("sendMessage", chat_id=GROUP)
        bot.fake.private_message(ADMIN, "/help")  # processed after both group messages
        await bot.fake.wait_for("sendMessage", chat_id=ADMIN)
        texts = bot.fake.texts(GROUP)[before:]
        assert len(texts) == 1 and "Hướng dẫn" in texts[0]


async def test_group_added_by_a_non_admin_gets_one_message(tmp_path: Path) -> None:
    from tests.auxil.bots import USER, running_bot

    async with running_bot(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path) as bot:
        bot.fake.my_chat_member(-4242, USER, "left", "member")
        call = await bot.fake.wait_for("sendMessage", chat_id=-4242)
        assert "/allow -4242" in call.params["text"]
        bot.fake.group_message(-4242, USER, "/search@partybot_test_bot tham nhũng")
        bot.fake.private_message(USER, "/help")
        await bot.fake.wait_for("sendMessage", chat_id=USER)
        assert len(bot.fake.texts(-4242)) == 1


# --- 5. concurrent ingests on a fresh index ---------------------------------------------------

_INGEST_CHILD = """
import sys
from pathlib import Path
from bot.config import Settings
from bot.corpus.ingest import ingest_documents, read_jsonl
from bot.services import Services
settings = Settings(_env_file=None, database_url=sys.argv[1], data_dir=Path(sys.argv[2]),
                    index_dir=Path(sys.argv[3]), telegram_bot_token="", admin_ids=[])
services = Services(settings)
report = ingest_documents(services, read_jsonl(Path(sys.argv[4])))
print(report.summary())
print(services.search.search("kết nạp").total)
services.close()
"""


@pytest.mark.slow
def test_two_ingests_on_a_fresh_index_both_finish(db_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    files = []
    for k in range(2):
        path = tmp_path / f"part{k}.jsonl"
        path.write_text(
            "\n".join(
                json.dumps({"id": f"p{k}-{i}", "text": f"Tin {k}-{i}: kết nạp đảng viên mới."})
                for i in range(400)
            ),
            "utf-8",
        )
        files.append(path)
    Services(make_settings(tmp_path, db_url)).close()  # the schema, as `db migrate` would
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _INGEST_CHILD,
                db_url,
                str(tmp_path / "data"),
                str(tmp_path / "index"),
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in files
    ]
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err[-2000:]
        assert "400 added" in out
    services = Services(make_settings(tmp_path, db_url, index_dir=tmp_path / "index"))
    try:
        assert services.search.search("kết nạp").total == 800
    finally:
        services.close()


# --- 7. legacy Vietnamese encodings -----------------------------------------------------------

LEGACY_TEXT = (
    "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ mười một\n\n"
    "Hội nghị đã xem xét kết quả công tác xây dựng Đảng, kiểm tra, giám sát và kỷ luật của "
    "Đảng trong sáu tháng đầu năm, đồng thời thảo luận nhiệm vụ trọng tâm của các cấp ủy."
)


@pytest.mark.parametrize("form", ["tcvn3 bytes", "vni bytes", "tcvn3 glyphs in utf-8"])
def test_legacy_encoded_files_are_converted(tmp_path: Path, form: str) -> None:
    from bot.corpus.readers import read_file
    from tests.auxil.encodings import encode_tcvn3, encode_vni

    path = tmp_path / "legacy.txt"
    if form == "tcvn3 bytes":
        path.write_bytes(encode_tcvn3(LEGACY_TEXT))
    elif form == "vni bytes":
        path.write_bytes(encode_vni(LEGACY_TEXT))
    else:  # a .docx in the .VnTime font, saved as UTF-8 text: the glyphs, not the letters
        path.write_text(encode_tcvn3(LEGACY_TEXT).decode("cp1252", "replace"), "utf-8")
    doc = read_file(path)
    assert doc.title == "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ mười một"
    assert "kiểm tra, giám sát và kỷ luật" in doc.text


# --- 6. loading a model never runs code -------------------------------------------------------


class _Exploit:
    """Unpickling this runs ``open(marker, "w")``: what an attacker's model file would do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.marker, "w"))


def test_a_pickle_with_a_matching_sha256_is_never_loaded(
    services: Services, tmp_path: Path
) -> None:
    import hashlib
    import pickle

    import sqlalchemy as sa

    from bot.errors import ModelError
    from bot.store.db import model_versions

    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Exploit(str(marker)))
    digest = hashlib.sha256(evil).hexdigest()
    registry = services.models

    # An exported file rewritten, with its card's sha256 updated to match.
    for suffix in (".npz", ".joblib"):
        path = tmp_path / f"20990101-000000{suffix}"
        path.write_bytes(evil)
        path.with_name("20990101-000000.card.json").write_text(json.dumps({"sha256": digest}))
        with pytest.raises(ModelError):
            registry.import_file(path)

    # The database blob and its sha256 column rewritten together.
    with services.db.begin() as conn:
        conn.execute(
            model_versions.insert().values(
                version="evil",
                created_at=sa.func.now(),
                sha256=digest,
                blob=evil,
                card="{}",
                active=False,
            )
        )
    with pytest.raises(ModelError, match="safe model format"):
        registry.activate("evil")
    assert not marker.exists()


def test_an_unloadable_active_model_falls_back_to_the_shipped_default(tmp_path: Path) -> None:
    import hashlib
    import pickle

    import sqlalchemy as sa

    from bot.config import PROJECT_ROOT
    from bot.store.db import model_versions

    services = Services(
        make_settings(
            tmp_path, f"sqlite:///{tmp_path / 'm.sqlite3'}", models_dir=PROJECT_ROOT / "models"
        )
    )
    try:
        evil = pickle.dumps(_Exploit(str(tmp_path / "pwned")))
        with services.db.begin() as conn:
            conn.execute(
                model_versions.insert().values(
                    version="old-pickle",
                    created_at=sa.func.now(),
                    sha256=hashlib.sha256(evil).hexdigest(),
                    blob=evil,
                    card="{}",
                    active=True,
                )
            )
        model = services.classifier
        default = (PROJECT_ROOT / "models" / "DEFAULT").read_text().strip()
        assert model is not None and model.version == default
        assert not (tmp_path / "pwned").exists()
    finally:
        services.close()


# --- 4. classification is derived state ---------------------------------------------------------


@pytest.fixture
def modelled(tmp_path: Path) -> Services:
    from tests.auxil.models import tiny_model

    services = Services(
        make_settings(tmp_path, f"sqlite:///{tmp_path / 'c.sqlite3'}", models_dir=tmp_path / "m")
    )
    services.models.add(tiny_model("20240101-000000"), activate=True)
    yield services
    services.close()


def _articles(n: int) -> list[NewDocument]:
    return [
        NewDocument(
            title=f"Tin {i}",
            text=f"Chi bộ thôn {i} tổ chức lễ kết nạp đảng viên mới cho quần chúng ưu tú.",
            external_id=f"a{i}",
        )
        for i in range(n)
    ]


def test_documents_left_untagged_by_a_killed_ingest_are_classified_next_time(
    modelled: Services,
) -> None:
    # A process stored these and was killed before classifying them.
    modelled.documents.add_many(_articles(300))
    version = modelled.classifier.version
    assert modelled.documents.count_pending_classification(version) == 300
    report = ingest_documents(modelled, _articles(300))  # the re-run: all "already present"
    assert len(report.duplicates) == 300
    assert modelled.documents.count_pending_classification(version) == 0
    assert modelled.documents.get("a7").topics


def test_cli_classify_pending(modelled: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main
    from bot.config import get_settings

    modelled.documents.add_many(_articles(5))
    settings = modelled.settings
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MODELS_DIR", str(settings.models_dir))
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["classify", "--pending"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "classified 5 documents" in result.output
    assert modelled.documents.count_pending_classification(modelled.classifier.version) == 0


def test_a_missing_model_is_looked_up_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.classifier import registry as registry_module
    from bot.errors import StoreUnavailable
    from tests.auxil.models import tiny_model

    monkeypatch.setattr(registry_module, "RETRY_EVERY", 0.0)
    settings = make_settings(
        tmp_path, f"sqlite:///{tmp_path / 'c.sqlite3'}", models_dir=tmp_path / "none"
    )
    bot = Services(settings)
    other = Services(settings)  # the CLI, in another process
    try:
        calls = {"n": 0}
        real = bot.models.active_version

        def flaky() -> str | None:
            calls["n"] += 1
            if calls["n"] == 1:
                raise StoreUnavailable("database unavailable: connection refused")
            return real()

        monkeypatch.setattr(bot.models, "active_version", flaky)
        assert bot.classifier is None  # the database hiccuped
        assert bot.classifier is None  # it answers, but there is no model yet
        other.models.add(tiny_model("20240101-000000"), activate=True)
        model = bot.classifier
        assert model is not None and model.version == "20240101-000000"
    finally:
        bot.close()
        other.close()


def test_migrations_are_frozen_and_an_old_database_upgrades(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from bot.store.db import Database
    from bot.store.migrations import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    database = Database(url)
    try:
        with database.begin() as conn:  # a database as version 4 left it
            from bot.store.migrations import schema_migrations

            schema_migrations.create(conn)
            for migration in MIGRATIONS[:4]:
                migration.apply(conn)
                conn.execute(
                    schema_migrations.insert().values(
                        version=migration.version, name=migration.name, applied_at=sa.func.now()
                    )
                )
            conn.execute(
                sa.text(
                    "INSERT INTO documents (id, external_id, title, text, content_hash, "
                    "ingested_at, updated_at) VALUES (1, 'x', 't', 'b', 'h', '2024-01-01', "
                    "'2024-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO document_topics VALUES (1, 'admission', 0.9, '20240101-000000')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO source_items (source_id, guid, status, seen_at) "
                    "VALUES (1, 'g', 'failed', '2024-01-01')"
                )
            )
        assert [m.version for m in database.migrate()] == [5, 6, 7, 8, 9]
        with database.begin() as conn:
            assert conn.execute(sa.text("SELECT topics_version FROM documents")).scalar() == (
                "20240101-000000"
            )
            # A feed entry that failed before the upgrade counts as tried once.
            tries = conn.execute(sa.text("SELECT attempts FROM source_items")).scalar()
            assert tries == 1
    finally:
        database.dispose()


def test_classify_says_what_it_cannot_read_and_what_is_only_a_hint(modelled: Services) -> None:
    # Found by a black-box tester: gibberish was "no topic" as if read, "kỷ luật" alone gave
    # 94% without a word of caution, and "0%" topics followed "belongs to none of them".
    conversation, ctx = Conversation(modelled), Context(lang="vi")
    for text in ("asdkjh qwe zzzz lorem ipsum", "12345 !!!", "football match tonight"):
        said = conversation.classify(ctx, text).html
        assert said.startswith("Không đọc được nội dung để phân loại"), text
    # A word or two that could be Vietnamese ("hi" is "hí"'s letters): too short, not unread.
    for text in ("hi", "Đảng"):
        said = conversation.classify(ctx, text).html
        assert said.startswith("Văn bản quá ngắn để phân loại"), text
    short = conversation.classify(ctx, "kỷ luật đảng viên").html
    assert "Văn bản rất ngắn" in short
    long = (
        "Ủy ban Kiểm tra Huyện ủy đã thi hành kỷ luật cảnh cáo Bí thư Đảng ủy xã vì vi phạm "
        "quy định trong quản lý đất đai, để xảy ra sai phạm kéo dài nhiều năm."
    )
    said = conversation.classify(ctx, long).html
    assert "Văn bản rất ngắn" not in said and "100%" not in said and " 0%" not in said
    weather = "Trời hôm nay nắng đẹp, chiều tối có mưa rào rải rác ở vài nơi, nhiệt độ cao."
    said = conversation.classify(ctx, weather).html
    assert " 0%" not in said and " 1%" not in said


def test_a_document_of_no_topic_says_so_once_a_model_tags(modelled: Services) -> None:
    # /latest led with weather and traffic news, their tag line blank beside Party work.
    modelled.documents.add(
        NewDocument(title="Thời tiết", text="Trời nắng đẹp, chiều có mưa rào.", external_id="w")
    )
    said = Conversation(modelled).latest(Context(lang="vi")).html
    assert "🏷 ngoài các chủ đề" in said
    modelled.use_classifier(None)  # no model: nothing is tagged, so nothing is said
    assert "ngoài các chủ đề" not in Conversation(modelled).latest(Context(lang="vi")).html


def test_a_pasted_text_can_be_classified_whole_from_its_answer(modelled: Services) -> None:
    # A 1,000-word paste was searched by its first 300 characters, and that was all.
    conversation, ctx = Conversation(modelled), Context(lang="vi")
    pasted = "Ủy ban Kiểm tra Huyện ủy thi hành kỷ luật cảnh cáo Bí thư Đảng ủy xã. " * 20
    reply = conversation.message(ctx, pasted)
    (button,) = [b for row in reply.buttons for b in row if b.data.startswith("c:")]
    assert button.text == "🏷 Phân loại chủ đề cả đoạn văn"
    assert len(button.data.encode()) <= 64
    assert conversation.callback(ctx, button.data).html.startswith("🏷 <b>Phân loại chủ đề</b>")
    assert "hết hạn" in conversation.callback(ctx, "c:000000000000").html.lower()
    # A query of normal length has no such button.
    short = conversation.message(ctx, "kỷ luật cảnh cáo")
    assert not [b for row in short.buttons for b in row if b.data.startswith("c:")]
    # Nor a text it cannot label: 5,000 "a"s had the button, then "only Vietnamese text"
    # (a tester's).
    for unreadable in ("a" * 5000, "lorem ipsum dolor sit amet " * 30):
        odd = conversation.message(ctx, unreadable)
        assert not [b for row in odd.buttons for b in row if b.data.startswith("c:")]


def test_classify_evidence_leaves_out_pairs_straddling_two_words(
    modelled: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "căn cứ: …, để xảy, vì vi": halves of "để xảy ra" and "vì vi phạm" read as noise.
    for i, text in enumerate(["Sai phạm xảy ra ở xã.", "Vi phạm xảy ra nhiều năm.", "Vi phạm."]):
        modelled.documents.add(NewDocument(title="Tin", text=text, external_id=f"d{i}"))
    modelled.search.sync()
    model = type(modelled.classifier)  # the services hand out a model per call
    slug = modelled.classifier.labels[0]
    monkeypatch.setattr(model, "predict", lambda self, texts: [[slug] for _ in texts])
    evidence = {slug: [("để xảy", 2.0), ("để", 1.5), ("vi phạm", 1.0)]}
    monkeypatch.setattr(model, "explain", lambda self, text: evidence)
    text = "Ủy ban kiểm tra kết luận: để xảy ra vi phạm kéo dài, chi bộ bị kỷ luật khiển trách."
    said = Conversation(modelled).classify(Context(lang="vi"), text).html
    assert "căn cứ: vi phạm" in said and "để" not in said  # nor a function word alone


def test_a_file_name_that_is_not_utf8_is_stored_with_its_folder(
    services: Services, tmp_path: Path
) -> None:
    # A name copied from an old Windows archive made the database refuse the whole folder,
    # good files included, with a traceback (a tester's).
    import os

    from bot.corpus.ingest import read_paths

    folder = tmp_path / "nu"
    folder.mkdir()
    bad = os.path.join(os.fsencode(folder), b"bad\xffname.txt")
    with open(bad, "wb") as f:
        f.write("Tiêu đề lạ\n\nĐảng ủy phường tổ chức hội nghị học tập.\n".encode())
    (folder / "good.txt").write_text("Tài liệu tốt\n\nChi bộ họp định kỳ hằng tháng.\n")
    report = ingest_documents(services, read_paths([folder]))
    assert report.ok and len(report.added) == 2, report
    assert services.documents.get("bad-name").title == "Tiêu đề lạ"


def test_an_argument_that_is_not_utf8_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    bytes_arg = b"\xff\xfe".decode("utf-8", "surrogateescape")
    try:
        for args in (["docs", "show", bytes_arg], ["users", "allow", "5", "--note", bytes_arg]):
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 2, result.output
            assert "is not UTF-8 text" in result.output and "Traceback" not in result.output
    finally:
        get_settings.cache_clear()


def test_the_first_day_of_1900_is_in_range_and_an_id_of_the_wrong_type_says_so(
    services: Services, tmp_path: Path
) -> None:
    from bot.classifier.data import read_examples

    path = tmp_path / "d.jsonl"
    path.write_text(
        json.dumps({"id": "old", "title": "Cũ", "text": "Chi bộ họp.", "date": "1900-01-01"}) + "\n"
    )
    report = ingest_documents(services, read_jsonl(path))
    assert report.ok, report.failed  # "out of range (1900–2199)" for 1900-01-01
    labelled = tmp_path / "l.jsonl"
    labelled.write_text(json.dumps({"id": 1, "text": "kết nạp", "topics": ["admission"]}) + "\n")
    with pytest.raises(InputError, match="'id' must be a string, not int"):
        read_examples(labelled, ["admission"])
