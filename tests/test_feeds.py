"""Feeds against a local site on 127.0.0.1: extraction, dedupe, bad input, back-off."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.corpus.urls import normalize_url
from bot.errors import InputError
from bot.feeds.poller import Poller
from bot.feeds.sources import every_text, parse_every
from bot.services import Services
from bot.store.sources import Source, SourceStore
from tests.auxil.feedsite import ARTICLES, COMMENTS, NAV, RELATED, FeedSite, article_page, rss
from tests.auxil.settings import make_settings


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    server = await FeedSite().start()
    yield server
    await server.stop()


@pytest.fixture
def svc(tmp_path: Path):  # type: ignore[no-untyped-def]
    services = Services(make_settings(tmp_path, f"sqlite:///{tmp_path / 'feeds.sqlite3'}"))
    yield services
    services.close()


def publish(site: FeedSite, prefix: str = "") -> str:
    items = []
    for slug, (title, paragraphs) in ARTICLES.items():
        link = site.add(f"{prefix}/bai/{slug}.html", article_page(title, paragraphs))
        items.append((title, link + "?utm_source=rss&utm_medium=feed", paragraphs[0][:120]))
    return site.add(
        f"{prefix}/rss/xay-dung-dang.rss",
        rss(items),
        "application/rss+xml",
        headers={"ETag": '"v1"'},
    )


def poller(svc: Services) -> Poller:
    return Poller(svc, politeness=0.0)


async def test_feed_entries_are_extracted_without_page_furniture(
    site: FeedSite, svc: Services
) -> None:
    store = SourceStore(svc.db)
    store.add(publish(site), name="Báo Đảng bộ tỉnh")
    report = await poller(svc).poll_due()
    assert report.stored == 3, report
    docs = {d.title: d for d in svc.documents.list(limit=10)}
    for title, paragraphs in ARTICLES.values():
        doc = docs[title]
        for paragraph in paragraphs:
            assert paragraph in doc.text, (title, paragraph)
        for furniture in [
            *NAV[1:],
            *COMMENTS,
            *RELATED,
            "Gửi bình luận",
            "Giấy phép số 123/GP-BTTTT",
            "Chia sẻ Facebook",
        ]:
            assert furniture not in doc.text, (title, furniture)
        assert doc.url.startswith(site.url) and doc.source == "Báo Đảng bộ tỉnh"
        assert doc.published_at == datetime(2024, 5, 18, 1, 30)


async def test_second_poll_uses_etag_and_adds_nothing(site: FeedSite, svc: Services) -> None:
    store = SourceStore(svc.db)
    feed = publish(site)
    source = store.add(feed)
    await poller(svc).poll_due()
    page_hits = sum(v for k, v in site.hits.items() if k.startswith("/bai/"))
    report = await poller(svc).poll_due(only=[store.get(source.id)])
    assert report.stored == 0 and report.entries == 0  # 304 Not Modified
    assert sum(v for k, v in site.hits.items() if k.startswith("/bai/")) == page_hits
    assert svc.documents.count() == 3
    # Read whole (`sources check`): the entries are "seen before", not duplicates, even
    # one whose document was deleted since ("1 duplicate" of nothing, a tester's).
    svc.documents.delete(svc.documents.list(limit=1)[0].id)
    whole = await poller(svc).poll_due(only=[store.get(source.id)], retry_now=True)
    assert (whole.seen, whole.duplicates, whole.stored) == (3, 0, 0), whole
    assert "3 seen before, 0 duplicates" in whole.summary()


async def test_same_url_with_tracking_parameters_and_republished_copy_are_not_stored_twice(
    site: FeedSite, svc: Services
) -> None:
    store = SourceStore(svc.db)
    store.add(publish(site))
    await poller(svc).poll_due()
    # A second outlet republishes one article with a new headline and a different byline.
    _title, paragraphs = ARTICLES["kiem-tra"]
    copy = site.add(
        "/other/bai-dang-lai.html",
        article_page(
            "Kỷ luật 12 đảng viên vi phạm quản lý đất đai", paragraphs, author="Theo Báo tỉnh"
        ),
    )
    same = site.url + "/bai/ket-nap.html?utm_campaign=x&fbclid=abc"
    feed2 = site.add(
        "/other/rss.xml",
        rss([("Đăng lại", copy, "…"), ("Trùng URL", same, "…")]),
        "application/rss+xml",
    )
    store.add(feed2)
    report = await poller(svc).poll_due(only=[store.get(feed2)])
    assert report.near_duplicates == 1 and report.duplicates == 1 and report.stored == 0
    assert svc.documents.count() == 3
    assert [entry for entry, _ in report.near_of] == [copy]  # named, for the admin


async def test_bad_sources_are_recorded_and_do_not_stop_the_others(
    site: FeedSite, svc: Services
) -> None:
    store = SourceStore(svc.db)
    good = store.add(publish(site))
    malformed = store.add(
        site.add("/broken.rss", '<?xml version="1.0"?><rss><channel><<<>>>', "application/rss+xml")
    )
    partial = store.add(
        site.add(
            "/partial.rss",
            rss([("Tin", site.url + "/bai/ket-nap.html", "Tóm tắt")])[:-40],
            "application/rss+xml",
        )
    )

    async def loop(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/loop")

    loop_src = store.add(site.add_handler("/loop", loop))
    huge = store.add(
        site.add("/huge.html", b"<html><body>" + b"<p>x</p>" * 1_400_000 + b"</body></html>")
    )
    pdf = store.add(site.add("/file.pdf", b"%PDF-1.4 binary", "application/pdf"))
    missing = store.add(site.url + "/gone.html")
    report = await poller(svc).poll_due()
    assert report.stored == 3
    failures = {s.id: s for s in store.list() if s.failures}
    assert set(failures) == {malformed.id, loop_src.id, huge.id, pdf.id, missing.id}
    assert "malformed feed" in failures[malformed.id].last_error
    assert "redirect" in failures[loop_src.id].last_error
    assert "too large" in failures[huge.id].last_error
    assert "not a feed or web page" in failures[pdf.id].last_error
    assert "HTTP 404" in failures[missing.id].last_error
    assert store.get(good.id).failures == 0
    # A truncated feed whose entries still parse is used, with the problem recorded.
    assert (
        store.get(partial.id).failures == 0 and "malformed feed" in store.get(partial.id).last_error
    )
    # Back-off: the failing source is not due again soon, and backs off further each time.
    first_next = failures[missing.id].next_check_at
    assert first_next - failures[missing.id].last_checked_at >= timedelta(minutes=60)
    await poller(svc).poll_due(now=first_next + timedelta(seconds=1), only=[store.get(missing.id)])
    again = store.get(missing.id)
    assert (
        again.failures == 2
        and again.next_check_at - again.last_checked_at
        > first_next - failures[missing.id].last_checked_at
    )


async def test_legacy_encodings_and_single_article_source(site: FeedSite, svc: Services) -> None:
    title, paragraphs = ARTICLES["dan-van"]
    from tests.auxil.encodings import cp1258

    page = article_page(title, paragraphs, charset="windows-1258")
    declared = site.add("/cp1258.html", cp1258(page), "text/html")  # charset only in <meta>
    undeclared = site.add(
        "/cp1258-bare.html",
        cp1258(
            article_page(
                title + " (bản 2)",
                [
                    p + " Thêm một câu khác hẳn để không trùng lặp nội dung với bài trước." * 3
                    for p in paragraphs
                ],
                charset=None,
            )
        ),
        "text/html",
    )
    store = SourceStore(svc.db)
    store.add(declared)
    store.add(undeclared)
    report = await poller(svc).poll_due()
    assert report.stored == 2, report
    texts = [d.text for d in svc.documents.list()]
    assert all("Dân vận khéo" in t and "già làng" in t for t in texts)
    assert {s.kind for s in store.list()} == {"article"}


def test_poll_summary_agrees_in_number() -> None:
    from bot.feeds.poller import PollReport

    report = PollReport(sources=1, entries=1, stored=1, duplicates=1, near_duplicates=1)
    report.failed_entries.append(("https://x.vn/a", "no text"))
    report.failed_sources["https://x.vn/rss"] = "HTTP 500"
    assert report.summary() == (
        "1 source, 1 entry: 1 stored, 1 duplicate, 1 near-duplicate, 1 failed entry, "
        "1 failed source"
    )
    assert PollReport(sources=2, entries=3).summary().startswith("2 sources, 3 entries: ")


def test_normalize_url_and_intervals() -> None:
    assert (
        normalize_url("HTTP://www.Bao.vn/a/b/?utm_source=x&id=3&fbclid=y#top")
        == "https://bao.vn/a/b?id=3"
    )
    assert parse_every("30m") == 1800 and parse_every("2h") == 7200 and parse_every("45") == 2700
    with pytest.raises(InputError):
        parse_every("10s")
    assert parse_every("30d") == 30 * 86400
    # Shown as typed: 90 s read "every 1 min", a day "every 1440 min" (a tester's).
    assert [every_text(parse_every(x)) for x in ("90s", "15m", "120", "2h", "1d")] == [
        "90s",
        "15m",
        "2h",
        "2h",
        "1d",
    ]
    for too_rare in ("31d", "99999d", "9" * 40):
        with pytest.raises(InputError):
            parse_every(too_rare)
    with pytest.raises(InputError):
        SourceStore.add(None, "ftp://x")  # type: ignore[arg-type]


async def test_a_broken_feed_of_empty_items_fails_and_failed_entries_are_named(
    site: FeedSite, svc: Services
) -> None:
    store = SourceStore(svc.db)
    broken = store.add(
        site.add("/bad.rss", "<rss><channel><item><title>unterminated", "application/rss+xml")
    )
    gone = site.url + "/bai/gone.html"
    entries = store.add(
        site.add(
            "/entries.rss",
            rss([("Bài đã gỡ", gone, "Ngắn")]).replace(
                "</channel>",
                "<item><title>Không có liên kết</title></item>"
                "<item><title>JS</title><link>javascript:alert(1)</link></item></channel>",
            ),
            "application/rss+xml",
        )
    )
    report = await poller(svc).poll_due()
    assert set(report.failed_sources) == {broken.url}
    assert "malformed feed" in report.failed_sources[broken.url]
    assert store.get(broken.id).failures == 1
    assert dict(report.failed_entries) == {
        gone: "article fetch failed: HTTP 404",
        f"{entries.url} (entry 'Không có liên kết' without a link)": "no link, and no text",
        # A link that is no web address is named (read as "without a link", a tester's).
        f"{entries.url} (entry 'JS' without a link)": (
            "its link 'javascript:alert(1)' is no http(s) address, and no text"
        ),
    }
    assert not report.ok and "3 failed entries, 1 failed source" in report.summary()


def test_cli_fetch_names_failed_entries_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from bot.cli import main
    from bot.config import get_settings
    from bot.feeds.poller import PollReport

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    report = PollReport(sources=2, entries=3, stored=2)

    async def poll(self: Poller, *args: object, **kwargs: object) -> PollReport:
        return report

    monkeypatch.setattr(Poller, "poll_due", poll)
    try:
        assert CliRunner().invoke(main, ["fetch"]).exit_code == 0
        report.failed_entries.append(("https://bao.vn/a.html", "article fetch failed: HTTP 404"))
        result = CliRunner().invoke(main, ["fetch"])
        assert result.exit_code == 1
        assert "error: entry https://bao.vn/a.html: article fetch failed: HTTP 404" in result.output
        report.failed_entries.clear()
        report.failed_sources["https://x.vn/rss"] = "HTTP 500"
        failed = CliRunner().invoke(main, ["fetch"])
        assert failed.exit_code == 1 and "error: https://x.vn/rss: HTTP 500" in failed.output
    finally:
        get_settings.cache_clear()


def test_a_fetched_page_loses_its_repeated_headline_and_date_line() -> None:
    from bot.feeds.fetch import extract_article

    title = "Lễ kết nạp đảng viên ở thôn Đông"
    body = " ".join(["Chi bộ tổ chức lễ kết nạp đảng viên mới cho hai quần chúng ưu tú."] * 4)
    html = (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>Ngày 05/12/2026</p><p>{body}</p><p>{body}</p></article></body></html>"
    )
    article = extract_article(html, "http://bao.example/a.html")
    assert article is not None and article.title == title
    assert article.text.startswith("Chi bộ tổ chức"), article.text[:80]  # the news first


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A CliRunner on a temporary database, and that database's Services."""
    from click.testing import CliRunner

    from bot.config import get_settings

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    get_settings.cache_clear()
    services = Services(make_settings(tmp_path, url))
    yield CliRunner(), services
    services.close()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://", "no host"),
        ("http://:80/", "no host"),
        ("http://127.0.0.1:99999/", "1 to 65535"),
        ("http://127.0.0.1:0/", "1 to 65535"),
        ("http://127.0.0.1:abc/", "1 to 65535"),
        ("http://[::1", "malformed URL"),
        ("http://a..vn/", "invalid host name"),
        ("http://bao .vn/", "invalid host name"),
        ("http://bao.vn/a\nb", "control characters"),
    ],
)
def test_sources_add_refuses_urls_that_can_never_work(cli, url: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    runner, _ = cli
    result = runner.invoke(main, ["sources", "add", url])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert reason in result.output
    assert "no sources" in runner.invoke(main, ["sources", "list"]).output


def test_a_source_that_cannot_be_fetched_is_one_line_not_a_traceback(cli) -> None:  # type: ignore[no-untyped-def]
    """A URL stored before sources were checked (port 99999 once gave an ExceptionGroup)."""
    from bot.cli import main
    from bot.store.db import sources, utcnow

    runner, services = cli
    with services.db.begin() as conn:
        conn.execute(
            sources.insert().values(
                url="http://127.0.0.1:99999/",
                kind="feed",
                every_seconds=1800,
                enabled=True,
                failures=0,
                next_check_at=utcnow(),
                created_at=utcnow(),
            )
        )
    result = runner.invoke(main, ["sources", "check", "1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "ExceptionGroup" not in result.output
    assert "error: http://127.0.0.1:99999/: the port must be a number from 1 to 65535" in (
        result.output
    )
    listing = runner.invoke(main, ["sources", "list"]).output
    assert "FAILING x1: the port must be" in listing and "ExceptionGroup" not in listing


async def test_a_connect_error_wrapped_in_an_exception_group_is_recorded_as_its_cause(
    svc: Services, caplog: pytest.LogCaptureFixture
) -> None:
    import httpx

    def refuse(request: httpx.Request) -> httpx.Response:
        # What anyio's TaskGroup in httpcore raises when connect() itself fails.
        raise ExceptionGroup(
            "unhandled errors in a TaskGroup", [OverflowError("connect(): port must be 0-65535.")]
        )

    store = SourceStore(svc.db)
    source = store.add("http://127.0.0.1:8/feed.rss")
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        report = await Poller(svc, client=client, politeness=0.0).poll_due()
    reason = "OverflowError: connect(): port must be 0-65535."
    assert report.failed_sources == {source.url: reason}
    assert store.get(source.id).last_error == reason
    assert not [r for r in caplog.records if r.exc_info], "an expected failure has no traceback"


def test_scheme_and_host_are_compared_and_stored_in_lower_case(cli) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    runner, services = cli
    first = runner.invoke(main, ["sources", "add", "http://127.0.0.1:8765/feed.xml"])
    assert first.exit_code == 0, first.output
    for again in ("HTTP://127.0.0.1:8765/feed.xml", " http://127.0.0.1:8765/feed.xml "):
        result = runner.invoke(main, ["sources", "add", again])
        assert result.exit_code == 1
        assert result.output == "error: source already added (#1 http://127.0.0.1:8765/feed.xml)\n"
    # The path stays as written: servers may tell /Feed.xml from /feed.xml.
    added = runner.invoke(main, ["sources", "add", "HTTPS://Bao.VN/RSS/Home.rss", "--no-check"])
    assert "added source #2 https://bao.vn/RSS/Home.rss" in added.output
    store = SourceStore(services.db)
    assert store.get("https://BAO.vn/RSS/Home.rss").id == 2
    assert [s.url for s in store.list()] == [
        "http://127.0.0.1:8765/feed.xml",
        "https://bao.vn/RSS/Home.rss",
    ]


def test_a_source_name_with_control_characters_is_refused_and_old_ones_are_shown_escaped(
    cli,  # type: ignore[no-untyped-def]
) -> None:
    from bot.cli import main
    from bot.store.db import sources

    runner, services = cli
    url = "http://127.0.0.1:8765/feed.xml"
    for name in ("A\x1b[31mRED\x07\nnewline", "Báo\u202eĐảng", "Báo\tĐảng"):
        result = runner.invoke(main, ["sources", "add", url, "--name", name])
        assert result.exit_code == 1
        assert result.output.startswith("error: a source name must be one line of printable text")
        assert result.output.count("\n") == 1
    named = runner.invoke(main, ["sources", "add", url, "--name", "  Báo   Đảng "])
    assert named.exit_code == 0
    # Nothing answers on that port: added, with a warning that says how to go on (it said
    # nothing until the first poll failed, a tester's), and "unchecked" in the list.
    assert "warning: http://127.0.0.1:8765/feed.xml:" in named.stderr
    assert "sources check 1" in named.stderr
    assert "unchecked" in runner.invoke(main, ["sources", "list"]).stdout
    assert SourceStore(services.db).get(1).name == "Báo Đảng"
    # A name stored before names were checked: escaped, one row.
    with services.db.begin() as conn:
        conn.execute(sources.update().values(name="A\x1b[31mRED\x07\nnewline"))
    listing = runner.invoke(main, ["sources", "list"]).output
    assert listing.count("\n") == 1 and "\x1b" not in listing and "\x07" not in listing
    assert "A\\x1b[31mRED\\x07\\nnewline http://127.0.0.1:8765/feed.xml" in listing


async def test_a_server_sending_a_byte_now_and_then_meets_the_deadline() -> None:
    # A tester's slow-loris feed held `sources check` for minutes: the client's timeouts are
    # per read, and every read got its byte in time.
    import asyncio
    import time

    import httpx

    from bot.errors import FetchError
    from bot.feeds.fetch import fetch

    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(100):  # 5 s in all
                await asyncio.sleep(0.05)
                yield b"<"

    def slow(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/xml"}, stream=Trickle())

    start = time.monotonic()
    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as client:
        with pytest.raises(FetchError, match=r"no complete response within 0\.5 s"):
            await fetch(client, "http://127.0.0.1:9/feed.rss", deadline=0.5)
    assert time.monotonic() - start < 2


async def test_an_atom_feeds_relative_links_resolve_against_the_feed(
    site: FeedSite, svc: Services
) -> None:
    # <link href="a0.html"/> is legal Atom; every entry failed as "not an http(s) URL".
    title, paragraphs = next(iter(ARTICLES.values()))
    site.add("/atom/a0.html", article_page(title, paragraphs))
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Tin</title><id>urn:tin</id><updated>2024-05-18T01:30:00Z</updated>"
        f'<entry><title>{title}</title><link href="a0.html"/><id>urn:a0</id>'
        "<updated>2024-05-18T01:30:00Z</updated></entry></feed>"
    )
    SourceStore(svc.db).add(site.add("/atom/feed.xml", atom, "application/atom+xml"))
    report = await poller(svc).poll_due()
    assert report.stored == 1, report.failed_entries
    (doc,) = svc.documents.list(limit=10)
    assert doc.url == site.url + "/atom/a0.html"


async def test_an_atom_entry_without_a_link_is_stored_from_its_content(
    site: FeedSite, svc: Services
) -> None:
    # feedparser gave the entry's id as its link: "urn:2" was fetched, and failed, every poll
    # (a tester's); an RSS item without a link was stored from its description.
    body = "Chi bộ thôn Đông tổ chức sinh hoạt chuyên đề về học tập và làm theo tư tưởng Bác."
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Tin</title><id>urn:tin</id><updated>2024-05-18T01:30:00Z</updated>"
        "<entry><title>Sinh hoạt chuyên đề</title><id>urn:2</id>"
        f"<updated>2024-05-18T01:30:00Z</updated><content>{body}</content></entry>"
        "<entry><title>Ngắn</title><id>urn:3</id>"
        "<updated>2024-05-18T01:30:00Z</updated><content>Nội dung ngắn.</content></entry>"
        "</feed>"
    )
    SourceStore(svc.db).add(site.add("/atom/nolink.xml", atom, "application/atom+xml"))
    report = await poller(svc).poll_due()
    assert report.stored == 1, report.failed_entries
    (doc,) = svc.documents.list(limit=10)
    assert doc.url is None and doc.text.startswith("Chi bộ thôn Đông")
    ((name, reason),) = report.failed_entries
    assert "urn:" not in name and "without a link" in name
    assert reason == "no link, and its text is too short to store (14 characters)"


def test_a_feeds_credentials_are_never_printed(cli) -> None:  # type: ignore[no-untyped-def]
    # A tester's "http://admin:hunter2@…?api_key=SECRETKEY" was printed in full by `sources
    # list` and in every fetch error.
    from bot.cli import main
    from bot.corpus.urls import redacted_url

    runner, _ = cli
    url = "http://admin:hunter2@127.0.0.1:1/x?api_key=SECRETKEY&page=2"
    outputs = [runner.invoke(main, ["sources", "add", url]).output]
    outputs.append(runner.invoke(main, ["sources", "check", "1"]).output)
    outputs.append(runner.invoke(main, ["sources", "list"]).output)
    outputs.append(runner.invoke(main, ["sources", "add", url]).output)  # already added
    other = url.replace("/x?", "/y?")  # no such source: the error named it in clear
    outputs.append(runner.invoke(main, ["sources", "remove", other]).output)
    joined = "\n".join(outputs)
    assert "hunter2" not in joined and "SECRETKEY" not in joined, joined
    assert "admin:***@127.0.0.1:1/x?api_key=***&page=2" in joined
    assert (
        redacted_url("https://bao.vn/rss?token=abc;sig=d") == "https://bao.vn/rss?token=***;sig=***"
    )
    assert redacted_url("https://bao.vn/rss/home.rss") == "https://bao.vn/rss/home.rss"
    # The same feed with a tracking parameter is the same source; the URL as `sources list`
    # shows it, masked, names it (both testers').
    tracked = runner.invoke(main, ["sources", "add", url + "&utm_source=zalo", "--no-check"])
    assert "source already added (#1" in tracked.output, tracked.output
    masked = "http://admin:***@127.0.0.1:1/x?api_key=***&page=2"
    checked = runner.invoke(main, ["sources", "check", "#1"])  # as `sources list` writes it
    assert "no source" not in checked.output, checked.output
    removed = runner.invoke(main, ["sources", "remove", masked])
    assert removed.exit_code == 0 and "removed" in removed.output, removed.output


async def test_a_feed_of_dead_links_gives_up_after_a_few_in_a_row(
    site: FeedSite, svc: Services
) -> None:
    # 50 dead links took 52 s, a second each (a tester's): after five failures in a row the
    # rest wait for the next poll, which, as failed entries wait half an hour before another
    # try, gets further.
    from bot.feeds.poller import MAX_FAILED_IN_A_ROW

    items = [(f"Bài {i}", f"{site.url}/bai/gone-{i}.html", "Ngắn") for i in range(12)]
    feed = SourceStore(svc.db).add(site.add("/dead.rss", rss(items), "application/rss+xml"))
    first = await poller(svc).poll_due()
    assert len(first.failed_entries) == MAX_FAILED_IN_A_ROW
    assert first.stopped == {feed.url: MAX_FAILED_IN_A_ROW}
    assert not first.failed_sources  # the source itself did not fail
    second = await poller(svc).poll_due(only=[SourceStore(svc.db).get(feed.id)])
    assert len(second.failed_entries) == MAX_FAILED_IN_A_ROW  # the next five


def _feed_ahead_of_its_page(site: FeedSite, store: SourceStore) -> Source:
    """A feed (with an ETag: unchanged, it answers "304 Not Modified", and a retry must not
    wait for it to change) whose one item links to a page not published yet (404)."""
    late = rss([("Kết nạp", f"{site.url}/bai/ket-nap.html", "Ngắn")])
    return store.add(site.add("/late.rss", late, "application/rss+xml", headers={"ETag": '"v1"'}))


async def test_sources_check_tries_a_failed_entry_again_at_once(
    site: FeedSite, svc: Services
) -> None:
    # An admin fixed the article, ran `sources check`, and got "0 entries" behind the feed's
    # 304: the article waited for its retry time (a tester's).
    store = SourceStore(svc.db)
    feed = _feed_ahead_of_its_page(site, store)
    first = await poller(svc).poll_due()
    assert len(first.failed_entries) == 1
    # The source polled fine, but an entry of it failed: the list says so, not only "ok".
    assert store.failing_entries() == {feed.id: 1}
    title, paragraphs = ARTICLES["ket-nap"]
    site.add("/bai/ket-nap.html", article_page(title, paragraphs))
    checked = await poller(svc).poll_due(only=[store.get(feed.id)], retry_now=True)
    assert checked.stored == 1 and not checked.failed_entries
    assert store.failing_entries() == {}
    assert site.hits["/bai/ket-nap.html"] == 2


async def test_an_entry_whose_page_failed_is_tried_again_at_later_polls(
    site: FeedSite, svc: Services
) -> None:
    # A feed item published before its page (a 404 at the first poll) was never fetched
    # again, and counted as a duplicate from then on (a tester's): the article was lost.
    import sqlalchemy as sa

    from bot.store.db import source_items
    from bot.store.sources import ENTRY_RETRY, MAX_ENTRY_ATTEMPTS

    store = SourceStore(svc.db)
    feed = _feed_ahead_of_its_page(site, store)

    def earlier(by: timedelta) -> None:  # as if the last try was ``by`` ago
        with svc.db.begin() as conn:
            rows = conn.execute(sa.select(source_items.c.id, source_items.c.seen_at)).all()
            for row_id, seen_at in rows:
                at = source_items.c.id == row_id
                conn.execute(source_items.update().where(at).values(seen_at=seen_at - by))

    first = await poller(svc).poll_due()
    assert len(first.failed_entries) == 1 and site.hits["/bai/ket-nap.html"] == 1
    title, paragraphs = ARTICLES["ket-nap"]
    site.add("/bai/ket-nap.html", article_page(title, paragraphs))
    soon = await poller(svc).poll_due(only=[store.get(feed.id)])  # unchanged: 304, not due
    assert (soon.stored, soon.duplicates) == (0, 0) and site.hits["/bai/ket-nap.html"] == 1
    earlier(ENTRY_RETRY)
    later = await poller(svc).poll_due(only=[store.get(feed.id)])
    assert later.stored == 1 and not later.failed_entries and later.retry_later == 0
    assert svc.search.search("Mường Tè").total == 1
    again = await poller(svc).poll_due(only=[store.get(feed.id)])
    assert again.stored == 0 and site.hits["/bai/ket-nap.html"] == 2  # done with it
    # A page that never comes is tried a few times, further apart, then left alone.
    gone = store.add(
        site.add(
            "/gone.rss", rss([("Mất", f"{site.url}/bai/mat.html", "Ngắn")]), "application/rss+xml"
        )
    )
    guid = f"{site.url}/bai/mat.html"  # the item's <guid>
    await poller(svc).poll_due(only=[store.get(gone.id)])
    waiting = await poller(svc).poll_due(only=[store.get(gone.id)])  # no ETag: read again
    assert (waiting.duplicates, waiting.retry_later) == (0, 1)
    assert waiting.summary().endswith(", 1 to retry later")
    for attempt in range(1, MAX_ENTRY_ATTEMPTS):
        assert store.entry_state(gone.id, guid) == "waiting"
        earlier(ENTRY_RETRY * 2 ** (attempt - 1))
        assert store.entry_state(gone.id, guid) == "retry"
        report = await poller(svc).poll_due(only=[store.get(gone.id)])
        assert len(report.failed_entries) == 1
    assert store.entry_state(gone.id, guid) == "given_up"
    given_up = await poller(svc).poll_due(only=[store.get(gone.id)])
    assert given_up.given_up == 1 and given_up.duplicates == 0
    assert given_up.summary().endswith(", 1 given up after failing every try")
    with svc.db.begin() as conn:
        tries = conn.execute(sa.select(source_items.c.attempts).where(source_items.c.guid == guid))
        assert tries.scalar_one() == MAX_ENTRY_ATTEMPTS


async def test_a_directive_linked_as_docx_is_stored_and_the_entries_after_it_too(
    site: FeedSite, svc: Services
) -> None:
    # An entry linking to a .docx failed its whole feed ("binary file, not text"), every
    # poll, and the article after it was never fetched (a tester's).
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Chỉ thị về tăng cường công tác kết nạp đảng viên")
    document.add_paragraph(
        "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy chú trọng phát triển đảng viên."
    )
    body = io.BytesIO()
    document.save(body)
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    attached = site.add("/files/chi-thi.docx", body.getvalue(), word)
    title, paragraphs = ARTICLES["ket-nap"]
    page = site.add("/bai/sau.html", article_page(title, paragraphs))
    broken = site.add("/files/hong.docx", b"PK\x03\x04 not really a zip", word)
    feed = site.add(
        "/rss/van-ban.rss",
        rss([("Chỉ thị số 12", attached, "…"), ("Tệp hỏng", broken, "…"), (title, page, "…")]),
        "application/rss+xml",
    )
    store = SourceStore(svc.db)
    store.add(feed)
    report = await poller(svc).poll_due()
    assert not report.failed_sources, report
    assert report.stored == 2 and site.hits["/bai/sau.html"] == 1, report
    assert [name for name, _ in report.failed_entries] == [broken], report.failed_entries
    stored = {d.url: d for d in svc.documents.list(limit=10)}
    assert "phát triển đảng viên" in stored[attached].text
    assert stored[attached].title == "Chỉ thị số 12"


def _commune_items(site: FeedSite, count: int) -> list[tuple[str, str, str]]:
    """Feed items for ``count`` distinct pages, one commune's admission news each."""
    places = ["Tân Lập", "Hòa Bình", "Quang Trung", "Đông Sơn", "Yên Thế", "Kim Liên"]
    items = []
    for n, place in enumerate(places[:count]):
        text = [
            f"Ngày {n + 3}/5/2024, Đảng ủy xã {place} tổ chức lễ kết nạp {n + 2} đảng viên mới.",
            f"Bí thư Đảng ủy xã {place} trao quyết định và giao nhiệm vụ cho các đảng viên.",
            f"Năm 2024, Đảng bộ xã {place} phấn đấu kết nạp {n + 10} quần chúng ưu tú.",
        ]
        items.append((place, site.add(f"/p{n}.html", article_page(place, text)), "…"))
    return items


async def test_a_feed_longer_than_one_poll_takes_gives_the_rest_at_the_next(
    site: FeedSite, svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 500 entries: the first 50 were stored, then the feed answered 304 and the other 450
    # were never fetched, without a word (a tester's).
    import bot.feeds.poller as poller_module

    monkeypatch.setattr(poller_module, "MAX_ENTRIES", 2)
    items = _commune_items(site, 5)
    feed = site.add("/rss/big.rss", rss(items), "application/rss+xml", headers={"ETag": '"v1"'})
    store = SourceStore(svc.db)
    store.add(feed)
    stored = []
    for _ in range(3):
        report = await poller(svc).poll_due(only=store.list())
        stored.append(report.stored)
        if report.left:  # the rest at the next minute's poll, not the source's interval
            assert store.due(datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=2))
    assert stored == [2, 2, 1] and svc.documents.count() == 5, stored
    assert "left for the next poll" not in report.summary()


async def test_notices_on_one_template_for_different_people_are_all_stored(
    site: FeedSite, svc: Services
) -> None:
    # One of four disciplinary notices on one template was dropped as a near-duplicate of
    # another, and the output did not say which (a tester's). A re-published article is
    # still one document (see the test of tracking parameters above).
    template = (
        "Ngày {day}/3/2024, Ủy ban Kiểm tra Tỉnh ủy đã họp kỳ thứ mười hai, xem xét kết quả "
        "kiểm tra khi có dấu hiệu vi phạm đối với đồng chí {name}, {post}. Qua kiểm tra, "
        "Ủy ban Kiểm tra Tỉnh ủy nhận thấy đồng chí đã vi phạm quy định về những điều đảng "
        "viên không được làm, thiếu trách nhiệm trong lãnh đạo, chỉ đạo, kiểm tra, giám sát "
        "để cơ quan, đơn vị xảy ra nhiều vi phạm, khuyết điểm kéo dài. Căn cứ Quy định số "
        "69-QĐ/TW của Bộ Chính trị về kỷ luật tổ chức đảng, đảng viên vi phạm, Ủy ban Kiểm "
        "tra Tỉnh ủy quyết định thi hành kỷ luật đồng chí bằng hình thức {penalty} theo "
        "Quyết định số {number}-QĐ/UBKT. Đề nghị các cấp ủy, tổ chức đảng rút kinh nghiệm."
    )
    people = [
        ("Nguyễn Văn An", "Phó Giám đốc Sở Tài chính", "khiển trách", 11, 3),
        ("Vũ Văn Phúc", "Phó Giám đốc Sở Xây dựng", "cách chức", 12, 4),
    ]
    items = []
    for name, post, penalty, number, day in people:
        text = template.format(name=name, post=post, penalty=penalty, number=number, day=day)
        path = f"/kl/{number}.html"
        items.append((f"Kỷ luật {name}", site.add(path, article_page(name, [text])), "…"))
    store = SourceStore(svc.db)
    store.add(site.add("/rss/kl.rss", rss(items), "application/rss+xml"))
    report = await poller(svc).poll_due()
    assert report.stored == 2 and report.near_duplicates == 0, report


async def test_a_pages_publication_time_is_kept_in_its_zone(site: FeedSite, svc: Services) -> None:
    # A page published "2024-05-18T08:30:00+07:00" was stored as the day alone at midnight
    # UTC (07:00 in Vietnam) from a feed without pubDate, and 7 hours off as an article
    # source (a tester's).
    from datetime import UTC

    title, paragraphs = ARTICLES["ket-nap"]
    page = site.add("/bai/gio.html", article_page(title, paragraphs))
    other_title, other = ARTICLES["dan-van"]
    single = site.add("/bai/mot-bai.html", article_page(other_title, other))
    feed = site.add(
        "/rss/khong-ngay.rss",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>{title}'
        f"</title><link>{page}</link><guid>{page}</guid></item></channel></rss>",
        "application/rss+xml",
    )
    store = SourceStore(svc.db)
    store.add(feed)
    store.add(single)
    report = await poller(svc).poll_due()
    assert report.stored == 2, report
    for doc in svc.documents.list(limit=10):
        when = doc.published_at
        assert when is not None and when.replace(tzinfo=UTC) == datetime(
            2024, 5, 18, 1, 30, tzinfo=UTC
        )


def _docx_bytes(*paragraphs: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    body = io.BytesIO()
    document.save(body)
    return body.getvalue()


async def test_attachments_are_known_by_their_bytes_and_text_files_are_read(
    site: FeedSite, svc: Services
) -> None:
    # A .docx served as application/octet-stream without its extension, and a .txt as
    # text/plain, were refused as "not an HTML page", then given up (a tester's).
    word = _docx_bytes(
        "Chỉ thị về công tác dân vận", "Ban Thường vụ yêu cầu các chi bộ làm tốt công tác dân vận."
    )
    blob = site.add("/tai-ve?id=7", word, "application/octet-stream")
    text = "Thông báo kết luận\n\nĐảng ủy xã kết luận về việc kiện toàn chi bộ thôn Bản Mé.\n"
    plain = site.add("/thong-bao.txt", text, "text/plain; charset=utf-8")
    title, paragraphs = ARTICLES["kiem-tra"]
    page = site.add("/bai/trang.txt", article_page(title, paragraphs), "text/plain")  # a page
    items = [("Chỉ thị dân vận", blob, "…"), ("Thông báo", plain, "…"), (title, page, "…")]
    SourceStore(svc.db).add(site.add("/rss/tep.rss", rss(items), "application/rss+xml"))
    report = await poller(svc).poll_due()
    assert report.stored == 3 and not report.failed_entries, report
    texts = {d.url: d.text for d in svc.documents.list(limit=10)}
    assert "công tác dân vận" in texts[blob] and "Bản Mé" in texts[plain]
    assert "<" not in texts[page] and "Trang chủ" not in texts[page]


async def test_new_entries_come_before_failed_ones_tried_again(
    site: FeedSite, svc: Services
) -> None:
    # Five links of unsupported types, then an article: every poll retried the five first,
    # stopped after them, and the article waited for hours (a tester's).
    bad = [
        site.add(f"/files/{n}.xls", b"\xd0\xcf\x11\xe0" * 64, "application/vnd.ms-excel")
        for n in range(5)
    ]
    items = [(f"Bảng {n}", link, "…") for n, link in enumerate(bad)]
    feed = site.add("/rss/bang.rss", rss(items), "application/rss+xml")
    store = SourceStore(svc.db)
    store.add(feed)
    first = await poller(svc).poll_due()
    assert len(first.failed_entries) == 5 and first.stored == 0
    title, paragraphs = ARTICLES["ket-nap"]
    article = site.add("/bai/moi.html", article_page(title, paragraphs))
    site.add("/rss/bang.rss", rss([*items, (title, article, "…")]), "application/rss+xml")
    later = await poller(svc).poll_due(only=store.list(), retry_now=True)  # all five due
    assert later.stored == 1 and site.hits["/bai/moi.html"] == 1, later


async def test_sources_check_tries_even_an_entry_given_up(site: FeedSite, svc: Services) -> None:
    # An entry given up after failing every try stayed out though its file was fixed and
    # `sources check` promised failed entries would be tried again (a tester's).
    import sqlalchemy as sa

    from bot.store.db import source_items
    from bot.store.sources import MAX_ENTRY_ATTEMPTS

    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    link = site.add("/files/hong.docx", b"PK\x03\x04 broken", word)
    # With an ETag: the feed then answers 304 "not modified", which kept the entry out even
    # after `sources check` (a tester's recheck).
    one = rss([("Quyết định", link, "…")])
    feed = site.add("/rss/mot.rss", one, "application/rss+xml", headers={"ETag": '"v1"'})
    store = SourceStore(svc.db)
    store.add(feed)
    await poller(svc).poll_due()
    with svc.db.begin() as conn:
        conn.execute(source_items.update().values(attempts=MAX_ENTRY_ATTEMPTS))
    given_up = await poller(svc).poll_due(only=store.list())
    assert given_up.stored == 0 and not given_up.entries  # 304: the feed is as it was
    site.add(
        "/files/hong.docx",
        _docx_bytes("Quyết định kỷ luật", "Khiển trách đảng viên vi phạm."),
        word,
    )
    fixed = await poller(svc).poll_due(only=store.list(), retry_now=True)
    assert fixed.stored == 1, fixed
    with svc.db.begin() as conn:
        assert conn.execute(sa.select(source_items.c.status)).scalar() == "stored"


async def test_a_guid_that_is_no_url_is_no_link(site: FeedSite, svc: Services) -> None:
    # <guid>gnolink</guid> without <link> was fetched as the feed's address + "gnolink",
    # a 404 at every poll (a tester's): the item is stored from its own text.
    text = "Đảng ủy phường tổ chức hội nghị đối thoại với nhân dân về chỉnh trang đô thị."
    feed = site.add(
        "/rss/guid.rss",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<title>Đối thoại</title><description>{text}</description><guid>gnolink</guid>"
        "</item></channel></rss>",
        "application/rss+xml",
    )
    SourceStore(svc.db).add(feed)
    report = await poller(svc).poll_due()
    assert report.stored == 1 and not report.failed_entries, report
    assert "/rss/gnolink" not in site.hits and "/gnolink" not in site.hits
    # An Atom entry with an id "tag:…" and a <link> of its own is fetched from its link:
    # every entry of such a feed was lost as "without a link" (a tester's).
    title, paragraphs = ARTICLES["ket-nap"]
    page = site.add("/a/r1.html", article_page(title, paragraphs))
    atom = site.add(
        "/atom/tag.xml",
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>T</title><id>urn:f</id><updated>2024-05-18T00:00:00Z</updated><entry>"
        f'<title>{title}</title><id>tag:bao.vn,2024:r1</id><link href="{page}"/>'
        "<updated>2024-05-18T00:00:00Z</updated></entry></feed>",
        "application/atom+xml",
    )
    SourceStore(svc.db).add(atom)
    tagged = await poller(svc).poll_due()
    assert tagged.stored == 1 and not tagged.failed_entries, tagged
    assert site.hits["/a/r1.html"] == 1


async def test_a_source_is_probed_when_added(site: FeedSite) -> None:
    from bot.errors import FetchError
    from bot.feeds.poller import probe

    assert await probe(publish(site)) == "RSS/Atom feed, 3 entries"
    title, paragraphs = ARTICLES["ket-nap"]
    assert (await probe(site.add("/bai/mot.html", article_page(title, paragraphs)))).startswith(
        "article page «"
    )
    site.add("/trang-chu.html", "<html><body><nav><a href='/a'>Trang chủ</a></nav></body></html>")
    with pytest.raises(FetchError, match="without an article"):
        await probe(site.url + "/trang-chu.html")
    # A feed with nothing in it yet is a feed ("polls will fail" was said of it, and they
    # passed; a tester's); XML of another kind, or text that is no XML, is not.
    empty = site.add("/rong.xml", '<?xml version="1.0"?><rss><channel/></rss>', "text/xml")
    assert await probe(empty) == "RSS/Atom feed, no entries yet"
    with pytest.raises(FetchError, match=r"^an XML document, with no RSS/Atom entries"):
        await probe(site.add("/khac.xml", '<?xml version="1.0"?><foo/>', "text/xml"))
    with pytest.raises(FetchError, match=r"^not XML, with no RSS/Atom entries"):
        await probe(site.add("/rac.xml", "not xml at all {{{", "text/xml"))


async def test_entries_a_capped_poll_left_are_fetched_after_the_feed_drops_them(
    site: FeedSite, svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A capped poll left the oldest entries for the next; when new items pushed them out of
    # the feed meanwhile, they were lost without a word (a tester's).
    import bot.feeds.poller as poller_module

    monkeypatch.setattr(poller_module, "MAX_ENTRIES", 2)
    items = _commune_items(site, 6)
    feed = site.add("/rss/xoay.rss", rss(items[2:]), "application/rss+xml")
    store = SourceStore(svc.db)
    store.add(feed)
    first = await poller(svc).poll_due(only=store.list())
    assert first.stored == 2 and first.left, first
    # Two new items on top; the feed keeps four: the two left behind are gone from it.
    site.add("/rss/xoay.rss", rss(items[:4]), "application/rss+xml")
    stored = [first.stored]
    for _ in range(3):
        stored.append((await poller(svc).poll_due(only=store.list())).stored)
    assert sum(stored) == 6 and svc.documents.count() == 6, stored


async def test_an_empty_feed_is_a_feed_not_a_failing_source(site: FeedSite, svc: Services) -> None:
    # A well-formed feed with no items yet (served as text/plain) was FAILING, "malformed
    # feed (NonXMLContentType …)" (a tester's): it is a feed, with nothing in it yet.
    empty = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Tin mới</title></channel></rss>'
    )
    store = SourceStore(svc.db)
    store.add(site.add("/rss/rong.rss", empty, "text/plain"))
    report = await poller(svc).poll_due()
    assert not report.failed_sources, report
    source = store.list()[0]
    assert source.failures == 0 and source.last_error == "the feed has no entries yet"


async def test_a_footer_year_is_no_date_and_a_future_date_is_the_polls(
    site: FeedSite, svc: Services
) -> None:
    # A page without a date got 1 January of its footer's "© 2024"; an entry dated 2030
    # stood first in every newest-first list (a tester's).
    _, paragraphs = ARTICLES["ket-nap"]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = site.add(
        "/bai/khong-ngay.html",
        f"<html><head><title>Kết nạp</title></head><body><article><h1>Kết nạp</h1>{body}"
        "</article><footer>Bản quyền © 2024 Báo XYZ</footer></body></html>",
    )
    other_title, other = ARTICLES["dan-van"]
    ahead = site.add("/bai/tuong-lai.html", article_page(other_title, other))
    feed = site.add(
        "/rss/ngay.rss",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Kết nạp</title><link>{page}</link><guid>{page}</guid></item>"
        f"<item><title>{other_title}</title><link>{ahead}</link><guid>{ahead}</guid>"
        "<pubDate>Mon, 01 Jan 2030 08:00:00 +0000</pubDate></item></channel></rss>",
        "application/rss+xml",
    )
    SourceStore(svc.db).add(feed)
    before = datetime.now(UTC)
    report = await poller(svc).poll_due()
    assert report.stored == 2, report
    dates = {d.title: d.published_at for d in svc.documents.list(limit=10)}
    assert dates["Kết nạp"] is None, dates
    stored = dates[other_title].replace(tzinfo=UTC)
    assert before - timedelta(seconds=5) <= stored <= datetime.now(UTC) + timedelta(seconds=5)
    assert [when.year for _, when in report.future] == [2030]


async def test_two_polls_at_once_fetch_each_feed_once(site: FeedSite, svc: Services) -> None:
    # Two `fetch` runs at once polled the same feed and fetched every article twice (a
    # tester's): a due source is taken by the poll that gets it first.
    title, paragraphs = ARTICLES["ket-nap"]
    page = site.add("/bai/mot.html", article_page(title, paragraphs))
    feed = site.add("/rss/mot.rss", rss([(title, page, "Tóm tắt")]), "application/rss+xml")
    store = SourceStore(svc.db)
    store.add(feed)
    now = datetime.now(UTC)
    first, second = await asyncio.gather(poller(svc).poll_due(now), poller(svc).poll_due(now))
    assert first.sources + second.sources == 1, (first, second)
    assert site.hits["/rss/mot.rss"] == 1 and site.hits["/bai/mot.html"] == 1
    assert first.stored + second.stored == 1
    assert store.due(now) == [] and store.due(now, claim=timedelta(minutes=1)) == []
