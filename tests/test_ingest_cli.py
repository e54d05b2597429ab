"""`partybot ingest` / `docs` / `db` through click, with good and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.corpus.readers import decode_bytes
from bot.errors import InputError
from tests.auxil.encodings import cp1258
from tests.auxil.settings import SEEDS


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    from bot.config import get_settings

    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ingest_seeds_twice_then_list(runner: CliRunner) -> None:
    first = runner.invoke(main, ["ingest", str(SEEDS)])
    assert first.exit_code == 0, first.output
    assert "5 added, 0 updated, 0 already present, 0 failed" in first.output
    second = runner.invoke(main, ["ingest", str(SEEDS)])
    assert second.exit_code == 0
    assert "0 added, 0 updated, 5 already present, 0 failed" in second.output
    listing = runner.invoke(main, ["docs", "list"])
    assert listing.exit_code == 0
    for title, date in [
        ("Công tác xây dựng Đảng có nhiều đổi mới", "05/07/2022 09:38"),
        ("Triển khai nhiệm vụ công tác tổ chức xây dựng Đảng năm 2023", "06/01/2023 01:01"),
        ("Ban Thường vụ Tỉnh ủy làm việc với Đoàn khảo sát", "30/11/2021 15:08"),
        ("Kiểm tra công tác xây dựng Đảng và hệ thống chính trị tại Đảng bộ", "—"),
        ("Nhằm giúp cho cán bộ, đảng viên nhận thức sâu sắc", "—"),
    ]:
        line = next(line for line in listing.output.splitlines() if title in line)
        assert date in line
    assert "5 documents in total; shown 1-5\n" in listing.output
    # Fewer rows than documents: how to see the rest ("168 in total" under 20 rows read as
    # rows missing, a tester's).
    page = runner.invoke(main, ["docs", "list", "--limit", "2", "--offset", "1"])
    assert page.output.splitlines()[-1] == "5 documents in total; shown 2-3 (next: --offset 3)"


def test_docs_list_past_the_end_says_how_many_there_are(runner: CliRunner, tmp_path: Path) -> None:
    # "no documents here" past the end read as an empty library (a tester's).
    runner.invoke(main, ["ingest", str(SEEDS)])
    past = runner.invoke(main, ["docs", "list", "--offset", "1000"])
    assert past.exit_code == 0 and past.output == "5 documents; none from offset 1000\n"
    topic = runner.invoke(main, ["docs", "list", "--topic", "cadres", "--offset", "1000"])
    assert "on topic cadres" in topic.output, topic.output
    # A long title is cut at a word, with "…" ("…giám sát năm 202" read as another year).
    long = "Tỉnh ủy Hà Giang ban hành Chỉ thị tăng cường công tác kiểm tra, giám sát năm 2026"
    article = tmp_path / "chi-thi.txt"
    body = "Ngày 15/1/2026, Ban Thường vụ Tỉnh ủy ban hành Chỉ thị về công tác kiểm tra, giám sát."
    article.write_text(f"{long}\n\n{body} {body}\n", "utf-8")
    assert runner.invoke(main, ["ingest", str(article)]).exit_code == 0
    row = next(
        x for x in runner.invoke(main, ["docs", "list"]).output.splitlines() if "Hà Giang" in x
    )
    assert row.split("  [")[0].endswith("…") and "năm 202 " not in row, row


def test_docs_show_and_delete(runner: CliRunner) -> None:
    runner.invoke(main, ["ingest", str(SEEDS)])
    shown = runner.invoke(main, ["docs", "show", "003_10b0ac3c46bc575e"])
    assert shown.exit_code == 0
    assert "author: Mai Trâm" in shown.output and "baokontum.com.vn" in shown.output
    deleted = runner.invoke(main, ["docs", "delete", "003_10b0ac3c46bc575e", "--yes"])
    assert deleted.exit_code == 0
    missing = runner.invoke(main, ["docs", "show", "003_10b0ac3c46bc575e"])
    assert missing.exit_code == 1
    assert missing.output.strip() == "error: no document '003_10b0ac3c46bc575e'"


def test_bad_input_batch_reports_each_file_and_keeps_the_rest(
    runner: CliRunner, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(next(SEEDS.glob("000_*")), batch / "good.txt")
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.txt").write_bytes(bytes(range(256)) * 4)
    utf16 = "Tiêu đề UTF-16\n\nĐảng viên mới được kết nạp tại chi bộ thôn."
    (batch / "utf16.txt").write_bytes(utf16.encode("utf-16"))
    legacy = "Tiêu đề cũ\n\nHội nghị tổng kết công tác dân vận năm 2022 của huyện."
    (batch / "legacy.txt").write_bytes(cp1258(legacy))
    (batch / "hostile.html").write_text(
        "<html><body><script>alert(1)</script></body></html>", encoding="utf-8"
    )
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "id": "j1",
                        "title": "Một",
                        "text": "Văn bản JSONL thứ nhất.",
                        "date": "2023-05-01",
                    },
                    ensure_ascii=False,
                ),
                "{not json",
                json.dumps({"id": "j2", "title": "Hai"}),
                json.dumps(
                    {"id": "j3", "title": "Ba", "text": "Văn bản thứ ba.", "date": "ngày mai"},
                    ensure_ascii=False,
                ),
                json.dumps(
                    {
                        "id": "j4",
                        "title": "Bốn",
                        "text": "Văn bản thứ tư.",
                        "url": "https://x.vn/4",
                    },
                    ensure_ascii=False,
                ),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        main, ["ingest", str(batch), str(tmp_path / "missing.txt"), "--jsonl", str(jsonl)]
    )
    assert result.exit_code == 1
    out = result.output
    assert f"error: {batch / 'empty.txt'}: empty file" in out
    assert f"error: {batch / 'binary.txt'}: binary file, not text" in out
    assert f"error: {tmp_path / 'missing.txt'}: no such file" in out
    assert f"error: {jsonl}:2: invalid JSON" in out
    assert f"error: {jsonl}:3: missing text" in out
    assert f"error: {jsonl}:4: unrecognised date 'ngày mai'" in out
    assert f"{batch / 'hostile.html'}: no article text found in the HTML" in out
    assert "Traceback" not in out
    assert "5 added, 0 updated, 0 already present, 7 failed" in out
    listing = runner.invoke(main, ["docs", "list", "--json", "--limit", "50"])
    titles = {json.loads(line)["title"] for line in listing.output.splitlines()}
    assert {
        "Tiêu đề UTF-16",
        "Tiêu đề cũ",
        "Một",
        "Bốn",
        "Công tác xây dựng Đảng có nhiều đổi mới",
    } == titles


def test_decode_legacy_and_utf16_without_bom() -> None:
    text = "Công tác kết nạp đảng viên"
    assert decode_bytes(cp1258(text), source="x").text == text
    assert decode_bytes(text.encode("utf-16-le"), source="x").text == text
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03" * 100, source="x")


def test_a_jsonl_file_in_utf16_or_utf32_with_its_bom_is_read() -> None:
    # Windows PowerShell's `>` writes UTF-16: a tester's one-record file was refused line by
    # line, "not UTF-8" and a phantom line 2, while a .txt file so saved was read.
    import io

    from bot.corpus.readers import iter_jsonl_stream

    data = '{"id": "a", "title": "Kết nạp", "text": "Kết nạp đảng viên."}\r\n'
    data += '{"id": "b", "title": "Chi bộ", "text": "Chi bộ họp."}\n'
    for codec in ("utf-16", "utf-32", "utf-8-sig"):
        items = list(iter_jsonl_stream(io.BytesIO(data.encode(codec)), source="x.jsonl"))
        assert [getattr(i, "external_id", i) for i in items] == ["a", "b"], codec
        assert items[0].title == "Kết nạp" and items[1].text == "Chi bộ họp."


def test_docx_and_pdf(runner: CliRunner, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Hội nghị kết nạp đảng viên mới")
    document.add_paragraph("12/03/2024 08:00")
    document.add_paragraph("Chi bộ thôn Đông tổ chức lễ kết nạp ba quần chúng ưu tú vào Đảng.")
    # A table's text is read too, a row to a line (it was left out without a word).
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {
        (0, 0): "Chi bộ Thôn Đông",
        (0, 1): "Thu nộp đảng phí đầy đủ",
        (1, 0): "Chi bộ Thôn Tây",
        (1, 1): "Chậm nộp đảng phí ba tháng",
    }.items():
        table.cell(row, col).text = text
    document.add_paragraph("Đề nghị các chi bộ khắc phục hạn chế.")
    path = tmp_path / "bai.docx"
    document.save(path)
    result = runner.invoke(
        main, ["ingest", str(path), str(tmp_path / "bad.pdf")], catch_exceptions=False
    )
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    result = runner.invoke(main, ["ingest", str(path), str(tmp_path / "bad.pdf")])
    assert "error:" in result.output and "bad.pdf" in result.output
    shown = runner.invoke(main, ["docs", "show", "bai"])
    assert "Hội nghị kết nạp đảng viên mới" in shown.output
    assert "12/03/2024 08:00" in shown.output
    assert "Chi bộ Thôn Tây | Chậm nộp đảng phí ba tháng\n\nĐề nghị" in shown.output
    # An old Word file under a .docx name, and a blank .docx: what to do, not a class name
    # ("not a readable .docx file (BadZipFile)", "no body text after …": a tester's).
    (tmp_path / "cu.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    docx.Document().save(tmp_path / "trang.docx")
    odd = runner.invoke(main, ["ingest", str(tmp_path / "cu.docx"), str(tmp_path / "trang.docx")])
    assert "old Word .doc file under a .docx name" in odd.output, odd.output
    assert "empty file (the .docx has no text)" in odd.output
    # An empty zip under a .docx name, and a PDF under one: what they are (KeyError,
    # BadZipFile before: a tester's).
    import zipfile

    zipfile.ZipFile(tmp_path / "rong.docx", "w").close()
    (tmp_path / "thuc-ra-pdf.docx").write_bytes((tmp_path / "bad.pdf").read_bytes())
    more = runner.invoke(
        main, ["ingest", str(tmp_path / "rong.docx"), str(tmp_path / "thuc-ra-pdf.docx")]
    )
    assert "a zip without a Word document in it" in more.output, more.output
    assert "BadZipFile" not in more.output


def test_ingest_without_paths_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ingest"])
    assert result.exit_code == 2 and "--jsonl" in result.output


def test_db_migrate_and_status(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A status command looks and never creates: on a mistyped DATABASE_URL `index status`
    # created an empty database and rebuilt the index from it (a tester's).
    for command in (["db", "status"], ["index", "status"], ["index", "rebuild"]):
        missing = runner.invoke(main, command)
        assert missing.exit_code == 1 and "`partybot db migrate` creates one" in missing.output
    # In a folder that does not exist, that hint would fail: the folder is named instead (a
    # tester's).
    from bot.config import get_settings

    with monkeypatch.context() as patched:
        patched.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nowhere' / 'bot.db'}")
        get_settings.cache_clear()
        nowhere = runner.invoke(main, ["db", "status"])
        assert nowhere.exit_code == 1 and "no such folder" in nowhere.output, nowhere.output
    get_settings.cache_clear()
    first = runner.invoke(main, ["db", "migrate"])
    assert "applied 1" in first.output
    assert "up to date" in runner.invoke(main, ["db", "migrate"]).output
    assert "schema version" in runner.invoke(main, ["db", "status"]).output


def test_index_status_changes_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # INDEX_DIR naming the admin's own file: `index status` moved it aside and built an
    # index in its place (a tester's). A status says what it sees.
    from bot.config import get_settings

    runner.invoke(main, ["ingest", str(SEEDS)])
    script = tmp_path / "env.sh"
    script.write_text("export X=1\n", "utf-8")
    monkeypatch.setenv("INDEX_DIR", str(script))
    get_settings.cache_clear()
    status = runner.invoke(main, ["index", "status"])
    assert status.exit_code == 0 and "not usable: not a folder" in status.output, status.output
    assert script.read_text("utf-8") == "export X=1\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("env.sh")) == ["env.sh"]
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "no-index-yet"))
    get_settings.cache_clear()
    missing = runner.invoke(main, ["index", "status", "--json"])
    assert json.loads(missing.output)["stale"] == "missing"
    assert not (tmp_path / "no-index-yet").exists()


def test_start_answers_a_query_on_a_fresh_database(runner: CliRunner) -> None:
    result = runner.invoke(main, ["start", "kết nạp đảng viên"])
    assert result.exit_code == 0, result.output
    assert "loaded seed documents: 5 added" in result.output
    assert "1." in result.output
    # Every hit line ends with its date or says it has none: never an empty "()".
    answer = runner.invoke(main, ["start", "tham nhung dau thau"]).output
    heads = [line for line in answer.splitlines() if line[:2] in {f"{n}." for n in range(1, 6)}]
    assert len(heads) == 5 and all(not h.endswith("()") for h in heads), answer
    assert any(h.endswith("(không rõ ngày)") for h in heads)  # two seeds carry no date
    # The header says what the bot's does: the corrected query, the document a code names.
    typo = runner.invoke(main, ["start", "tham nhũũng"]).output
    assert "Đã tìm theo: tham nhũng" in typo.splitlines()[1]
    code = runner.invoke(main, ["start", "Kết luận 21-KL/TW"]).output
    assert code.splitlines()[1].startswith("📄 Kết luận số 21-KL/TW về đẩy mạnh xây dựng")


def _jsonl(path: Path, rows: list[dict[str, object] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _one_doc(runner: CliRunner, tmp_path: Path) -> None:
    rows: list[dict[str, object] | str] = [
        {"id": "a1", "title": "Một", "text": "Văn bản thứ nhất về kết nạp đảng viên."}
    ]
    result = runner.invoke(main, ["ingest", "--jsonl", str(_jsonl(tmp_path / "a.jsonl", rows))])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_docs_delete_asks_and_no_or_eof_keeps_the_document(
    runner: CliRunner, tmp_path: Path, answer: str
) -> None:
    _one_doc(runner, tmp_path)
    result = runner.invoke(main, ["docs", "delete", "a1"], input=answer)
    assert result.exit_code == 1
    assert "Delete #1 'Một'? [y/N]" in result.output
    # Not a bare "Aborted!": how to delete in a script (a tester's).
    assert "error: not deleted (answer y, or pass --yes)" in result.output
    assert "Aborted" not in result.output
    assert runner.invoke(main, ["docs", "show", "a1"]).exit_code == 0
    assert "1 document in total" in runner.invoke(main, ["docs", "list"]).output


def test_docs_delete_yes_answer_or_flag_deletes(runner: CliRunner, tmp_path: Path) -> None:
    _one_doc(runner, tmp_path)
    result = runner.invoke(main, ["docs", "delete", "a1"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "deleted #1 a1" in result.output
    assert runner.invoke(main, ["docs", "show", "a1"]).exit_code == 1
    _jsonl(tmp_path / "b.jsonl", [{"id": "b1", "title": "Hai", "text": "Văn bản thứ hai."}])
    runner.invoke(main, ["ingest", "--jsonl", str(tmp_path / "b.jsonl")])
    flagged = runner.invoke(main, ["docs", "delete", "b1", "--yes"], input="")
    assert flagged.exit_code == 0 and "[y/N]" not in flagged.output


def test_docs_list_json_dates_are_vietnam_time_with_offset(
    runner: CliRunner, tmp_path: Path
) -> None:
    rows: list[dict[str, object] | str] = [
        {"id": "d1", "title": "Có ngày", "text": "Văn bản có ngày.", "date": "15/06/2022"}
    ]
    runner.invoke(main, ["ingest", "--jsonl", str(_jsonl(tmp_path / "d.jsonl", rows))])
    result = runner.invoke(main, ["docs", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["date"] == "2022-06-15T00:00:00+07:00"


def test_ingest_reads_a_named_jsonl_and_reports_what_a_folder_skips(
    runner: CliRunner, tmp_path: Path
) -> None:
    rows: list[dict[str, object] | str] = [{"id": "j1", "title": "Một", "text": "Văn bản một."}]
    named = _jsonl(tmp_path / "named.jsonl", rows)
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("000_*")), folder / "good.txt")
    (folder / "garbage.bin").write_bytes(b"\x00\x01")
    (folder / "dangling.txt").symlink_to(tmp_path / "gone")
    _jsonl(folder / "inside.jsonl", [{"id": "j2", "title": "Hai", "text": "Văn bản hai."}])
    (folder / ".hidden.bin").write_bytes(b"x")  # hidden system files stay unmentioned
    # A hidden document is said to be left (it vanished from the counts, a tester's).
    (folder / ".ban-nhap.txt").write_text("Bản nháp\n\nNội dung bản nháp.", encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(named), str(folder)])
    assert result.exit_code == 0, result.output
    assert f"added: j1 (#1) {named}:1" in result.output
    assert f"skipped: {folder / 'garbage.bin'}: unsupported type .bin" in result.output
    assert f"skipped: {folder / 'dangling.txt'}: broken symbolic link" in result.output
    assert f"skipped: {folder / 'inside.jsonl'}: JSONL inside a folder is not read" in result.output
    assert ".hidden" not in result.output
    assert f"skipped: {folder / '.ban-nhap.txt'}: hidden file" in result.output
    assert "2 added, 0 updated, 0 already present, 0 failed, 4 skipped" in result.output
    # Named on its own too, the folder's JSONL is read, and not said to be skipped.
    both = runner.invoke(main, ["ingest", str(folder), str(folder / "inside.jsonl")])
    assert "inside.jsonl: JSONL inside a folder" not in both.output
    assert "j2" in both.output and "3 skipped" in both.output, both.output


def test_ingest_of_a_missing_path_without_extension_says_no_such_file_or_folder(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(main, ["ingest", str(tmp_path / "nope_dir")])
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'nope_dir'}: no such file or folder" in result.output


def test_ingest_help_states_the_limits_the_reader_applies(runner: CliRunner) -> None:
    from bot.corpus.documents import MAX_TEXT_CHARS
    from bot.corpus.readers import MAX_FILE_BYTES, MAX_TEXT_FILE_BYTES

    text = " ".join(runner.invoke(main, ["ingest", "--help"]).output.split())
    assert f"up to {MAX_TEXT_CHARS:,} characters" in text
    assert f"up to {MAX_TEXT_FILE_BYTES:,} bytes" in text
    assert f"up to {MAX_FILE_BYTES // 2**20} MB" in text


def test_oversized_text_is_refused_before_parsing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.corpus import readers

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized text was parsed")

    monkeypatch.setattr(readers, "parse_article", no_parsing)
    line = "Chi bộ họp bàn công tác kết nạp đảng viên mới.\n"
    big = tmp_path / "big.txt"  # over the byte limit: refused from its size, unread
    with big.open("w", encoding="utf-8") as handle:
        handle.write(line * (readers.MAX_TEXT_FILE_BYTES // len(line.encode()) + 1))
    # Under the byte limit, but its text is well over the character limit.
    long = tmp_path / "long.txt"
    long.write_text(line * (readers.MAX_RAW_CHARS // len(line) + 1), "utf-8")
    # Under that too, but its letters alone are over the limit (a tester's 2.4 million
    # characters were refused after 15 s of parsing).
    words = tmp_path / "words.txt"
    words.write_text(line * (readers.MAX_WORD_CHARS * 11 // 10 // len(line)), "utf-8")
    assert len(words.read_text("utf-8")) < readers.MAX_RAW_CHARS
    result = runner.invoke(main, ["ingest", str(big), str(long), str(words)])
    assert result.exit_code == 1
    assert f"error: {big}: file too large (" in result.output
    assert f"error: {long}: document text is too long (" in result.output
    assert f"error: {words}: document text is too long (" in result.output
    assert "limit 2,000,000)" in result.output


def test_jsonl_control_characters_error_says_at_once_and_nul_separates_words(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "nul.jsonl"
    path.write_bytes(
        b'{"id": "raw", "title": "T", "text": "raw\x00nul"}\n'
        + json.dumps({"id": "nul", "title": "Null\u0000byte", "text": "Văn bản."}).encode()
        + b"\n"
    )
    result = runner.invoke(main, ["ingest", str(path)])
    assert f"error: {path}:1: invalid JSON (Invalid control character at column" in result.output
    assert " at at " not in result.output
    assert runner.invoke(main, ["docs", "show", "nul"]).output.startswith("Null byte\n")


def test_a_damaged_pdf_is_one_error_line_without_pypdf_warnings(
    runner: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    fake = tmp_path / "fake.pdf"
    fake.write_bytes("Đây không phải PDF".encode())
    caplog.set_level(logging.WARNING)
    result = runner.invoke(main, ["ingest", str(fake)])
    assert result.exit_code == 1 and f"error: {fake}: not a readable PDF" in result.output
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")] == []
    verbose = runner.invoke(main, ["-v", "ingest", str(fake)])
    assert verbose.exit_code == 1
    assert any(r.name.startswith("pypdf") for r in caplog.records)  # shown with --verbose


def test_empty_answers_say_why(runner: CliRunner) -> None:
    # No subscription: a dry run says so rather than print nothing.
    dry = runner.invoke(main, ["digest", "send", "--all", "--dry-run"])
    assert dry.exit_code == 0 and "no enabled subscriptions" in dry.output
    # A topic that does not exist is an error, not "add some documents".
    unknown = runner.invoke(main, ["docs", "list", "--topic", "nope"])
    assert unknown.exit_code == 2 and "unknown topic 'nope'" in unknown.output
    assert runner.invoke(main, ["ingest", str(SEEDS), "-q"]).exit_code == 0
    beyond = runner.invoke(main, ["docs", "list", "--offset", "50"])
    assert beyond.exit_code == 0 and "ingest seeds" not in beyond.output


def test_digest_on_and_off_from_the_cli(runner: CliRunner) -> None:
    on = runner.invoke(
        main, ["digest", "on", "--chat", "-100123", "--time", "7:30", "--topic", "admission"]
    )
    assert on.exit_code == 0 and "07:30" in on.output and "admission" in on.output, on.output
    listed = runner.invoke(main, ["digest", "list"])
    assert "-100123 on" in listed.output and "topics=admission" in listed.output
    bad = runner.invoke(main, ["digest", "on", "--chat", "5", "--topic", "nope"])
    assert bad.exit_code == 2 and "unknown topic 'nope'" in bad.output
    assert runner.invoke(main, ["digest", "off", "--chat", "-100123"]).exit_code == 0
    assert "-100123 off" in runner.invoke(main, ["digest", "list"]).output
    missing = runner.invoke(main, ["digest", "off", "--chat", "5"])
    assert missing.exit_code == 1 and "no digest subscription" in missing.output


def test_a_number_that_is_also_an_external_id_is_never_guessed(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Document #2's external id is "1": "1" names two documents, and deleting the wrong one
    # is not undone, so the CLI asks which.
    rows: list[dict[str, object] | str] = [
        {"id": "a1", "title": "Một", "text": "Văn bản thứ nhất."},
        {"id": "1", "title": "Hai", "text": "Văn bản thứ hai."},
    ]
    runner.invoke(main, ["ingest", "--jsonl", str(_jsonl(tmp_path / "a.jsonl", rows))])
    for command in (["docs", "show", "1"], ["docs", "delete", "1", "--yes"], ["summarize", "1"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1 and "#1" in result.output and "--external" in result.output
        assert "Traceback" not in result.output
    assert runner.invoke(main, ["docs", "show", "#1"]).output.startswith("Một\n")
    assert runner.invoke(main, ["docs", "show", "1", "--external"]).output.startswith("Hai\n")
    assert runner.invoke(main, ["summarize", "1", "--external"]).output.startswith("Hai\n")
    assert runner.invoke(main, ["docs", "show", "a1"]).output.startswith("Một\n")
    assert runner.invoke(main, ["docs", "show", "2"]).output.startswith("Hai\n")
    deleted = runner.invoke(main, ["docs", "delete", "1", "--external", "--yes"])
    assert "deleted #2 1" in deleted.output
    assert runner.invoke(main, ["docs", "show", "1"]).output.startswith("Một\n")


def test_files_with_the_same_name_in_one_run_stay_two_documents(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The id is the file's name without its extension: two reports both called baocao.txt
    # were one document, the second silently replacing the first.
    texts = {
        "a/baocao.txt": "Báo cáo A\nChi bộ A họp về kỷ luật đảng viên vi phạm.",
        "b/baocao.txt": "Báo cáo B\nChi bộ B họp về kết nạp đảng viên mới.",
        "h/year.txt": "Năm C\nNội dung về công tác dân vận ở cơ sở.",
        "h/year.md": "Năm D\nNội dung về kiểm tra giám sát ở cơ sở.",
    }
    for name, text in texts.items():
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    first = runner.invoke(main, ["ingest", str(tmp_path / "in")])
    assert "4 added, 0 updated" in first.output, first.output
    assert "added: b-baocao (#2)" in first.output and "added: h-year (#4)" in first.output
    for ref, title in [("baocao", "Báo cáo A"), ("b-baocao", "Báo cáo B"), ("year", "Năm D")]:
        assert runner.invoke(main, ["docs", "show", ref]).output.startswith(title + "\n")
    # Read again, each file finds its own document.
    again = runner.invoke(main, ["ingest", str(tmp_path / "in")])
    assert "0 added, 0 updated, 4 already present" in again.output
    # Edited and read alone, or in another order, a file still updates its own document
    # (by its path): b/baocao.txt alone replaced chi bộ A's report.
    (tmp_path / "in" / "b" / "baocao.txt").write_text(
        "Báo cáo B sửa\nChi bộ B họp về kết nạp đảng viên mới, bổ sung.", encoding="utf-8"
    )
    alone = runner.invoke(main, ["ingest", str(tmp_path / "in" / "b" / "baocao.txt")])
    assert "updated: b-baocao (#2)" in alone.output, alone.output
    assert runner.invoke(main, ["docs", "show", "baocao"]).output.startswith("Báo cáo A\n")
    # A new file of a name another file's document has gets its own id, alone too.
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "baocao.txt").write_text("Báo cáo C\nChi bộ C họp.", encoding="utf-8")
    third = runner.invoke(main, ["ingest", str(tmp_path / "c" / "baocao.txt")])
    assert "added: c-baocao (#5)" in third.output, third.output


def test_search_with_an_unknown_source_names_the_known_ones(runner: CliRunner) -> None:
    runner.invoke(main, ["ingest", str(SEEDS)])
    # "0 documents" for a mistyped source read as if nothing matched the words.
    for extra in ([], ["--json"]):
        unknown = runner.invoke(main, ["search", "học sinh", "--source", "nowhere.vn", *extra])
        assert unknown.exit_code == 2 and unknown.stdout == ""
        assert "unknown source 'nowhere.vn' (one of: baokontum.com.vn, baoquangngai.vn)" in (
            unknown.stderr
        )
    # A known one, in any case: the header says the filter applied.
    known = runner.invoke(main, ["search", "kết nạp", "--source", "Baoquangngai.vn"])
    assert known.exit_code == 0
    assert "source: baoquangngai.vn" in known.stdout.splitlines()[0]


def test_search_with_a_source_when_no_document_has_one(runner: CliRunner) -> None:
    result = runner.invoke(main, ["search", "học sinh", "--source", "nowhere.vn"])
    assert result.exit_code == 2
    assert "unknown source 'nowhere.vn' (no document has a source)" in result.stderr


def test_search_reads_topics_by_name_and_writes_codes_as_cadres_do(runner: CliRunner) -> None:
    runner.invoke(main, ["ingest", str(SEEDS)])
    # --topic takes a topic's phrase or name as /topic does, not only its English slug.
    by_slug = runner.invoke(main, ["search", "chi bộ", "--topic", "admission", "--json"])
    for typed in ("kết nạp đảng viên", "Kết nạp và phát triển đảng viên"):
        by_name = runner.invoke(main, ["search", "chi bộ", "--topic", typed, "--json"])
        assert by_name.exit_code == 0 and by_name.stdout == by_slug.stdout, typed
    listed = runner.invoke(main, ["docs", "list", "--topic", "kết nạp đảng viên"])
    assert listed.exit_code == 0 and "#" in listed.output
    # The footer counts the topic's documents, as listed, not every document (a tester's).
    rows = [line for line in listed.output.splitlines() if line.startswith("#")]
    assert (
        listed.output.splitlines()[-1]
        == f"{len(rows)} document{'s' * (len(rows) != 1)} on topic admission; shown 1-{len(rows)}"
    )
    several = runner.invoke(main, ["search", "chi bộ", "--topic", "xây dựng"])
    assert several.exit_code == 2 and "'xây dựng' is in several topics: " in several.stderr
    assert "rectification (Xây dựng, chỉnh đốn Đảng)" in several.stderr
    on = runner.invoke(main, ["digest", "on", "--chat", "5", "--topic", "kết nạp đảng viên"])
    assert on.exit_code == 0 and "admission" in on.stdout
    # The codes read are written as articles write them, each once; a hit with no URL says
    # how to read it rather than repeat its id.
    text = runner.invoke(main, ["search", "Quy định 08 và Quy định số 08-QĐi/TW"]).stdout
    counted = next(line for line in text.splitlines() if " for «" in line)
    assert "(codes: 08-QĐi/TW)" in counted
    # Whether any article cites the document named, as the bot says (13 results for "Quy
    # định 131" read as citing it when none did, a tester's).
    lines = runner.invoke(main, ["search", "Quy định 131"]).stdout.splitlines()
    assert lines[0].startswith("Quy định số 131-QĐ/TW") and lines[1] == (
        "No article cites it; these are on its subject."
    ), lines[:3]
    assert "(codes: 5-ĐA)" in runner.invoke(main, ["search", "Đề án 05"]).stdout
    shown = runner.invoke(main, ["search", "kết nạp"]).stdout.splitlines()
    assert any(line.strip().startswith("partybot docs show ") for line in shown)


def test_a_users_note_is_short(runner: CliRunner) -> None:
    # A 5,000-character note filled `users list` (a tester's).
    long = runner.invoke(main, ["users", "allow", "5", "--note", "a" * 201])
    assert long.exit_code == 2 and "at most 200 characters" in long.output
    assert runner.invoke(main, ["users", "allow", "5", "--note", "a" * 200]).exit_code == 0
    # One line: a newline in it made a row of its own in `users list` (a tester's).
    assert runner.invoke(main, ["users", "allow", "6", "--note", "Ban\nTổ chức"]).exit_code == 0
    listed = runner.invoke(main, ["users", "list"]).stdout.splitlines()
    assert any(line.endswith("  Ban Tổ chức") and " 6 " in line for line in listed), listed


def test_users_ids_and_admins_are_explained(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = runner.invoke(main, ["users", "allow", "abc"])
    assert bad.exit_code == 2 and "'abc' is no user or chat id (a number)" in bad.output
    assert "integer range" not in bad.output
    assert "0 is no user or chat id" in runner.invoke(main, ["users", "deny", "0"]).output
    assert runner.invoke(main, ["users", "allow", "-100123", "5"]).exit_code == 0
    # A group allowed before the bot is in it: the admin's note names it, and the list says
    # the bot has not seen it (it read "member"; a tester's).
    assert (
        runner.invoke(main, ["users", "allow", "-100999", "--note", "Nhóm Đảng ủy xã"]).exit_code
        == 0
    )
    listed = runner.invoke(main, ["users", "list"]).stdout
    assert "chat        -100999  allowed  not seen yet Nhóm Đảng ủy xã" in listed, listed
    # A chat denied reads as a user denied, in the same columns ("not allowed" pushed them).
    runner.invoke(main, ["users", "deny", "-100999"])
    runner.invoke(main, ["users", "deny", "555"])
    listed = runner.invoke(main, ["users", "list"]).stdout.splitlines()
    chat = next(line for line in listed if "-100999" in line)
    user = next(line for line in listed if " 555 " in line)
    assert "  denied   not seen yet" in chat and "  denied   lang=" in user, listed
    assert chat.index("denied") == user.index("denied"), listed
    # Denying an admin: ADMIN_IDS still wins, and both the command and the list say so.
    monkeypatch.setenv("ADMIN_IDS", "777")
    from bot.config import get_settings

    get_settings.cache_clear()
    denied = runner.invoke(main, ["users", "deny", "777"])
    assert "warning: 777 is in ADMIN_IDS and stays an admin" in denied.stderr
    assert "(in ADMIN_IDS: still an admin)" in runner.invoke(main, ["users", "list"]).stdout
    # Nothing to classify is a usage error, not "none (highest: …)".
    for empty in ("", "   "):
        result = runner.invoke(main, ["classify", empty])
        assert result.exit_code == 2 and "nothing to classify" in result.output


def test_markdown_front_matter_and_markup_are_not_stored_as_text(
    runner: CliRunner, tmp_path: Path
) -> None:
    note = tmp_path / "note.md"
    note.write_text(
        "---\ntitle: Kiểm tra giám sát quý I\ndate: 2024-05-05\n---\n"
        "# Kiểm tra giám sát\n\n**Ủy ban kiểm tra** đã [giám sát](http://x) *nhiều* tổ chức.\n\n"
        "- Một là kiểm tra.\n\n![ảnh](a.png)\n",
        encoding="utf-8",
    )
    assert runner.invoke(main, ["ingest", str(note)]).exit_code == 0
    shown = runner.invoke(main, ["docs", "show", "note"]).output
    assert shown.startswith("Kiểm tra giám sát quý I\n")
    assert "date: 05/05/2024\n" in shown  # a date without a time, not "05/05/2024 00:00"
    assert "Ủy ban kiểm tra đã giám sát nhiều tổ chức." in shown and "Một là kiểm tra." in shown
    assert not any(mark in shown for mark in ("**", "](", "---", "title:", "![", "- Một"))
    # Its author, source and link, in English or Vietnamese keys (they were dropped).
    note.write_text(
        "---\ntitle: Sơ kết kiểm tra\nngày: 2024-07-10\ntác giả: Minh Anh\nnguồn: baonghean.vn\n"
        "link: https://baonghean.vn/so-ket.html\ntags: [x]\n---\n"
        "Ủy ban Kiểm tra Tỉnh ủy sơ kết công tác kiểm tra, giám sát sáu tháng đầu năm.\n",
        encoding="utf-8",
    )
    assert runner.invoke(main, ["ingest", str(note)]).exit_code == 0
    shown = runner.invoke(main, ["docs", "show", "note"]).output
    assert "author: Minh Anh" in shown and "source: baonghean.vn" in shown, shown
    assert "url: https://baonghean.vn/so-ket.html" in shown and "date: 10/07/2024" in shown


def test_a_link_loop_is_skipped_and_the_rest_of_the_folder_stored(
    runner: CliRunner, tmp_path: Path
) -> None:
    # "ln -s self d/self" raised RuntimeError out of the whole batch (a tester's).
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("000_*")), folder / "good.txt")
    (folder / "self").symlink_to("self")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "a").symlink_to("b")
    (folder / "b").symlink_to("a")
    result = runner.invoke(main, ["ingest", str(folder), str(folder / "loop.txt")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "added: good" in result.output
    assert f"error: {folder / 'loop.txt'}: cannot open" in result.output
    assert "1 added" in result.output and "Traceback" not in result.output


def test_nothing_stored_from_a_jsonl_line_is_replaced_by_another_input(
    runner: CliRunner, tmp_path: Path
) -> None:
    # A tester lost an article twice: to a file named like its id, and to a later line of
    # the same file with that id.
    rows: list[dict[str, object] | str] = [
        {"id": "j1", "title": "Một", "text": "Chi bộ thôn Đông kết nạp ba đảng viên."},
        {"id": "j2", "title": "Hai", "text": "Văn bản hai."},
        {"id": "j1", "title": "Khác", "text": "Văn bản khác hẳn."},
    ]
    batch = runner.invoke(main, ["ingest", str(_jsonl(tmp_path / "a.jsonl", rows))])
    assert f"{tmp_path / 'a.jsonl'}:3: id 'j1' is also on line 1" in batch.output
    assert "2 added, 0 updated, 0 already present, 1 failed" in batch.output
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "j1.txt").write_text("Tin khác\nMột bài hoàn toàn khác.\n", encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(folder / "j1.txt")])
    assert "added: elsewhere-j1" in result.output, result.output
    shown = runner.invoke(main, ["docs", "show", "j1", "--external"])
    assert "kết nạp ba đảng viên" in shown.output


def test_a_jsonl_line_does_not_replace_a_document_read_from_a_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    # A tester's line with id "baocao" silently replaced the report read from a/baocao.txt,
    # behind every link to it; reading the file again then stored it under a new id.
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "baocao.txt").write_text(
        "Báo cáo kết nạp\nHuyện ủy tổng kết công tác kết nạp đảng viên.\n", encoding="utf-8"
    )
    assert "added: baocao" in runner.invoke(main, ["ingest", str(folder)]).output
    rows: list[dict[str, object] | str] = [
        {"id": "baocao", "title": "Khác", "text": "Nội dung khác hẳn về công tác dân vận."},
        {"id": "j2", "title": "Hai", "text": "Văn bản hai về chi bộ."},
    ]
    lines = _jsonl(tmp_path / "dup.jsonl", rows)
    batch = runner.invoke(main, ["ingest", str(lines)])
    assert batch.exit_code == 1
    assert (
        f"{lines}:1: id 'baocao' is the document read from baocao.txt; a JSONL line does not "
        "replace it: give the line another id"
    ) in batch.output
    assert "1 added, 0 updated, 0 already present, 1 failed" in batch.output
    shown = runner.invoke(main, ["docs", "show", "baocao", "--external"])
    assert "tổng kết công tác kết nạp" in shown.output
    # A line updates what a line stored, as before.
    rows[1] = {"id": "j2", "title": "Hai", "text": "Văn bản hai, sửa lại."}
    again = runner.invoke(main, ["ingest", str(_jsonl(tmp_path / "dup.jsonl", rows))])
    assert "0 added, 1 updated" in again.output


def test_a_jsonl_line_cut_off_names_the_column_where_it_ends(
    runner: CliRunner, tmp_path: Path
) -> None:
    # "invalid JSON (Expecting value at column 1)" for a line cut off at column 38: its own
    # newline was counted as a second line (a tester's).
    path = tmp_path / "cut.jsonl"
    path.write_text('{"id":"j2","title":"broken", "text": \n', encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(path)])
    assert "invalid JSON (Expecting value at column 38)" in result.output, result.output


def test_another_file_with_a_stored_text_says_its_title_is_not_stored(
    runner: CliRunner, tmp_path: Path
) -> None:
    # "already present: utf16 (#8)" for a file with another title and name: its title was
    # dropped without a word (a tester's).
    body = "\n\nChi bộ thôn Đông tổ chức lễ kết nạp ba quần chúng ưu tú vào Đảng.\n"
    (tmp_path / "mot.txt").write_text("Lễ kết nạp" + body, encoding="utf-8")
    (tmp_path / "hai.txt").write_text("Tiêu đề khác hẳn" + body, encoding="utf-8")
    runner.invoke(main, ["ingest", str(tmp_path / "mot.txt")])
    again = runner.invoke(main, ["ingest", str(tmp_path / "mot.txt"), str(tmp_path / "hai.txt")])
    lines = [line for line in again.output.splitlines() if line.startswith("already present")]
    assert len(lines) == 2, again.output
    assert "title is not stored" not in lines[0] and "title is not stored" in lines[1]


def test_a_file_rewritten_with_another_documents_text_says_its_own_is_kept(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The file of document "tandinh" overwritten with another's text: "already present:
    # twoline", and tandinh went on being shown with text its file no longer has (a tester's).
    one, two = tmp_path / "a" / "twoline.txt", tmp_path / "b" / "tandinh.txt"
    one.parent.mkdir()
    two.parent.mkdir()
    one.write_text("Tin một\n\nChi bộ họp bàn việc kết nạp đảng viên mới ở phường.\n", "utf-8")
    two.write_text("Tin hai\n\nĐảng ủy phường sơ kết quý I, kết nạp 6 đảng viên.\n", "utf-8")
    assert runner.invoke(main, ["ingest", str(one), str(two)]).exit_code == 0
    two.write_text(one.read_text("utf-8"), "utf-8")
    again = runner.invoke(main, ["ingest", str(two)])
    assert again.exit_code == 0
    assert "warning: tandinh (#2) was not updated" in again.stderr, again.output
    assert "keeps its earlier text" in again.stderr


def test_a_page_break_inside_a_word_paragraph_parts_its_sentences() -> None:
    # "…quần chúng Trần Văn Chín." then, on the next page, "Biên bản kết thúc …" became
    # "Chín.Biên" (a tester's): python-docx drops the break.
    import io

    from docx import Document
    from docx.enum.text import WD_BREAK

    from bot.corpus.readers import read_bytes

    word = Document()
    word.add_paragraph("Biên bản họp chi bộ")
    paragraph = word.add_paragraph()
    paragraph.add_run("Chi bộ xét kết nạp quần chúng Trần Văn Chín.").add_break(WD_BREAK.PAGE)
    paragraph.add_run("Biên bản kết thúc lúc 10 giờ cùng ngày.")
    data = io.BytesIO()
    word.save(data)
    doc = read_bytes(data.getvalue(), name="bien-ban.docx")
    assert "Chín.Biên" not in doc.text and "Chín." in doc.text and "Biên bản kết" in doc.text


def test_a_files_title_put_right_is_an_update(runner: CliRunner, tmp_path: Path) -> None:
    # Only the title fixed in the file: "already present, 0 updated", the old title kept (a
    # tester's).
    note = tmp_path / "tin.txt"
    note.write_text("Tin một\n\nChi bộ họp bàn việc kết nạp đảng viên mới ở phường.\n", "utf-8")
    assert runner.invoke(main, ["ingest", str(note)]).exit_code == 0
    note.write_text(
        "Tin một, sửa lại\n\nChi bộ họp bàn việc kết nạp đảng viên mới ở phường.\n", "utf-8"
    )
    again = runner.invoke(main, ["ingest", str(note)])
    assert "0 added, 1 updated" in again.output, again.output
    assert runner.invoke(main, ["docs", "show", "tin"]).output.startswith("Tin một, sửa lại")
    same = runner.invoke(main, ["ingest", str(note)])
    assert "1 already present" in same.output, same.output


def test_a_jsonl_line_again_is_already_present_as_itself(runner: CliRunner, tmp_path: Path) -> None:
    # Its own document again was said to have "the same text as that document; this
    # file's title is not stored" (a tester's).
    lines = tmp_path / "e.jsonl"
    lines.write_text(
        '{"id": "j1", "title": "Tin J", "text": "Chi bộ họp bàn việc kết nạp đảng viên."}\n',
        "utf-8",
    )
    runner.invoke(main, ["ingest", str(lines)])
    again = runner.invoke(main, ["ingest", str(lines)])
    assert "already present: j1" in again.output and "not stored" not in again.output


def test_a_copy_under_the_same_title_is_stored_with_a_warning(
    runner: CliRunner, tmp_path: Path
) -> None:
    # The same directive as .docx and .pdf, or with one word changed, was stored twice without
    # a word (bb66 #6, #24): the admin is told which is the copy.
    body = (
        "Ngày 10/7, Ủy ban Kiểm tra Tỉnh ủy tổ chức hội nghị sơ kết công tác kiểm tra, giám sát "
        "6 tháng đầu năm 2024. Qua kiểm tra, đã thi hành kỷ luật 12 đảng viên, trong đó khiển "
        "trách 8, cảnh cáo 3, cách chức 1."
    )
    (tmp_path / "a.txt").write_text(f"Sơ kết công tác kiểm tra\n\n{body}\n", "utf-8")
    copy = body.replace("12 đảng viên", "12 đồng chí")
    (tmp_path / "b.txt").write_text(f"Sơ kết công tác kiểm tra\n\n{copy}\n", "utf-8")
    other = "Chi bộ thôn Đông tổ chức lễ kết nạp đảng viên mới cho hai quần chúng ưu tú."
    (tmp_path / "c.txt").write_text(f"Sơ kết công tác kiểm tra\n\n{other}\n", "utf-8")
    result = runner.invoke(main, ["ingest", str(tmp_path / "a.txt")])
    assert result.exit_code == 0
    result = runner.invoke(main, ["ingest", str(tmp_path / "b.txt"), str(tmp_path / "c.txt")])
    assert result.exit_code == 0 and "2 added" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("warning: b (#2) has the title of a (#1)")
