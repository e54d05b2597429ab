"""Search at scale: our engine vs the raw tantivy engine vs SQLite FTS5, in the same run.

    python -m bench.search_bench --docs 100000

Generates synthetic Vietnamese documents from the labelled data's sentences (with topics and
document codes), loads them into a SQLite database, then — each engine in its own process, so
memory is measured separately — builds an index (one engine after the other) and times queries
of seven kinds, the engines taking turns query by query, in an order shuffled each turn, so that a slow
spell of the shared machine falls on all of them alike:

* ``keyword``: accented words ("tham nhũng đấu thầu"), ``unaccented``: the same folded,
* ``code``: "21-KL/TW", "Kết luận 21", ``phrase``: quoted text, ``typo``: one edited letter,
* ``topic``: a topic's name or phrase ("kết nạp đảng viên"),
* ``question``: cadres' questions from the judged sets (``training/eval``), eight to twelve
  words ("đảng viên dự bị bao lâu thì được xét chính thức?").

p50/p95 per kind, over every query together (``all``) and over the six kinds of short
queries (``short``, every kind but questions, as measured before questions were added);
the ratio lines divide each engine's p95 by raw tantivy's. A last, untimed pass says where ours's time goes (``_phases``).

In its first turn, once every engine has built its index, every engine has its index files
read into the OS cache and answers one untimed query (``WARM_UP``); ours does both through
``SearchEngine.warm()``, as the bot does at start: one-time costs (index pages read from disk,
folding tables, compiled patterns) belong to start-up, not to a user's query. (Warming right
after each build favoured the engine built last: this virtual machine steadily takes back
cached file pages nobody has read for a while, so an index warmed before another engine's
two-minute build had largely left the cache again.)
Summaries are cleared after that, so the first pass still makes every hit's summary afresh.

Engines:

* ``ours`` — :class:`bot.search.engine.SearchEngine.search`, end to end: query analysis, ranking,
  and for every hit what the bot shows: its snippet (or, when no sentence matches, its
  summary), title, date and link;
* ``ours-1`` — ``ours`` with ``SEARCH_THREADS=1``, on the index ``ours`` built: every search
  in one piece, on one core. ``ours`` (the default, two threads) runs a search over this
  index as two at once, each over half of its segments (bot/search/halves.py); raw tantivy
  searches on one core, as tantivy-py offers no way to search segments in parallel. So
  ``ours-1``/``raw`` is the like-for-like ratio on one core, ``ours``/``raw`` what a user of
  a two-core host waits;
* ``ours-rank`` — the same ranking with hit rendering switched off, on the index ``ours``
  built (no second build between ours's and the passes, no second copy to cache). Sharing
  the files has a price: ours-rank often runs a query after ours or ours-1 ran it on the
  same postings (the engines' order is shuffled each turn), so the ranking-only figures
  are somewhat flattered. A machine
  with caches cold from another process's turn slows our engine (Python around tantivy)
  more than raw tantivy (measured in one process,
  a 64 MB scan and a 20 ms pause before each query, two runs: ours 24-63% slower on
  average, raw 9-47%, and our mean time over raw's 0.12-0.17x higher than back to back);
* ``raw`` — tantivy alone: one folded text field per title/body (simple tokenizer, lower case,
  ASCII folding), tantivy's own lenient query parser, top hits of one page (5, as the bot shows) with a count, titles loaded;
* ``raw-snip`` — ``raw`` on the index raw built, and for each hit tantivy's own snippet of its
  body (``SnippetGenerator``, 220 characters as ours, the words to mark): the same work as
  ``ours`` end to end, a snippet per hit, done in Rust, so the ratio to it says what ours's
  snippets, in Python, cost beyond tantivy's;
* ``fts5`` — SQLite FTS5 over hand-folded text (``remove_diacritics`` does not fold đ), terms
  OR-ed, ``bm25()`` top hits of one page (no count: that would double its time).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT, percentile

KINDS = ("keyword", "unaccented", "code", "phrase", "typo", "topic", "question")
PAGE = 5  # hits per query: what the bot shows on one page (bot.present.conversation.PAGE_SIZE)
ENGINES = ("ours", "ours-1", "ours-rank", "raw", "raw-snip", "fts5")

_CODE_KINDS = [("KL", "Kết luận"), ("NQ", "Nghị quyết"), ("CT", "Chỉ thị"), ("QĐ", "Quy định")]


# --- corpus ------------------------------------------------------------------------------------


def labelled_sentences() -> list[tuple[str, tuple[str, ...]]]:
    """(sentence, topics of its example) from the labelled data, plus seed sentences."""
    from bot.corpus.text import split_sentences

    out: list[tuple[str, tuple[str, ...]]] = []
    for path in sorted((ROOT / "training" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            topics = tuple(item.get("topics") or ())
            out.extend((s, topics) for s in split_sentences(item.get("text", "")) if len(s) > 30)
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.extend((s, ()) for s in split_sentences(text) if len(s) > 40)
    if not out:
        raise SystemExit("no sentences: training/data/*.jsonl and seeds/ are empty")
    return out


def generate(n: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    """``n`` documents: a headline and 3–6 paragraphs of 1–3 sentences, mostly on one topic,
    some citing a document code; dates over ten years."""
    from bot.corpus.text import normalize

    rng = random.Random(seed)
    pool = labelled_sentences()
    by_topic: dict[str, list[str]] = {}
    for sentence, topics in pool:
        for topic in topics or ("",):
            by_topic.setdefault(topic, []).append(sentence)
    topics = sorted(by_topic)
    start = datetime(2015, 1, 1)
    for i in range(n):
        main = rng.choice(topics)
        paragraphs = []
        for _ in range(rng.randint(3, 6)):
            source = by_topic[main] if rng.random() < 0.7 else [rng.choice(pool)[0]]
            sentences = [rng.choice(source) for _ in range(rng.randint(1, 3))]
            paragraphs.append(" ".join(sentences))
        if rng.random() < 0.3:
            abbr, name = rng.choice(_CODE_KINDS)
            number = rng.randint(1, 150)
            code = f"{number:02d}-{abbr}/TW" if rng.random() < 0.7 else f"số {number}"
            paragraphs.insert(
                rng.randint(0, len(paragraphs)),
                f"Các cấp ủy tiếp tục quán triệt, thực hiện {name} {code} của Trung ương.",
            )
        title = rng.choice(by_topic[main])
        if len(title) > 110:  # cut at a word, as a headline is: no half syllables in the index
            title = title[:110].rsplit(" ", 1)[0]
        date = start + timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 10))
        yield {
            "id": f"syn-{i:06d}",
            "title": normalize(title),
            "text": normalize("\n\n".join(paragraphs) + f"\n\nTin số {i}."),
            "date": date,
            "topics": [main] if main else [],
        }


def load_database(path: Path, n: int) -> None:
    """Write the corpus straight into a migrated SQLite database (bulk, bench only)."""
    import sqlalchemy as sa

    from bot.corpus.documents import content_hash
    from bot.store.db import Database, doc_changes, document_topics, documents

    db = Database(f"sqlite:///{path}")
    db.migrate()
    now = datetime.now(UTC).replace(tzinfo=None)
    batch: list[dict[str, Any]] = []
    topics: list[tuple[int, str]] = []  # (position in batch, slug)

    def flush() -> None:
        with db.begin() as conn:
            first = conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(documents.c.id), 0))
            ).scalar()
            conn.execute(documents.insert(), batch)
            conn.execute(
                doc_changes.insert(),
                [
                    {"document_id": first + k + 1, "op": "upsert", "at": now}
                    for k in range(len(batch))
                ],
            )
            if topics:
                rows = [
                    {
                        "document_id": first + k + 1,
                        "topic": slug,
                        "score": 0.9,
                        "model_version": "bench",
                    }
                    for k, slug in topics
                ]
                conn.execute(document_topics.insert(), rows)
        batch.clear()
        topics.clear()

    for doc in generate(n):
        for slug in doc["topics"]:
            topics.append((len(batch), slug))
        batch.append(
            {
                "external_id": doc["id"],
                "title": doc["title"],
                "text": doc["text"],
                "published_at": doc["date"],
                "url": None,
                "source": "bench.example",
                "author": None,
                "content_hash": content_hash(doc["text"]),
                "origin": "bench",
                "ingested_at": now,
                "updated_at": now,
            }
        )
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    db.dispose()


# --- queries -----------------------------------------------------------------------------------

_KEYWORDS = [
    "tham nhũng đấu thầu",
    "kỷ luật đảng viên",
    "sinh hoạt chi bộ",
    "quy hoạch cán bộ",
    "kê khai tài sản",
    "dấu hiệu vi phạm",
    "tự diễn biến tự chuyển hóa",
    "dân vận khéo",
    "nền tảng tư tưởng",
    "thu hồi tài sản tham nhũng",
]
_TOPICS = [
    "kết nạp đảng viên",
    "kiểm tra giám sát",
    "phòng chống tham nhũng",
    "công tác cán bộ",
    "sinh hoạt chi bộ",
    "công tác dân vận",
    "chỉnh đốn đảng",
    "tuyên truyền",
]


def questions(per_kind: int) -> list[str]:
    """Questions as cadres type them, from the judged query sets, in file order (only their
    wording is used here, not their judgments)."""
    found = []
    for name in (
        "search_queries.jsonl",
        "search_queries_fresh.jsonl",
        "search_queries_third.jsonl",
    ):
        for line in (ROOT / "training" / "eval" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if item.get("kind") == "question":
                found.append(item["query"])
    return (found * (per_kind // len(found) + 1))[:per_kind]


def make_queries(per_kind: int, seed: int = 5) -> dict[str, list[str]]:
    """Query strings per kind, drawn from the same sentences as the corpus."""
    from bot.corpus.text import fold_lower, tokenize

    rng = random.Random(seed)
    pool = [s for s, _ in labelled_sentences()]

    def ngram(n: int) -> str:
        while True:
            words = [t.text for t in tokenize(rng.choice(pool))]
            if len(words) > n + 2:
                i = rng.randrange(len(words) - n)
                return " ".join(words[i : i + n]).lower()

    keyword = (_KEYWORDS + [ngram(rng.randint(2, 3)) for _ in range(per_kind)])[:per_kind]

    def typo(query: str) -> str:
        words = query.split()
        long = [i for i, w in enumerate(words) if len(w) >= 4] or [0]
        i = rng.choice(long)
        w = words[i]
        if len(w) < 2:
            return query  # a one-letter first word: no letter after the first to edit
        j = rng.randrange(1, len(w))
        words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.5 else w[:j] + w[j] + w[j:]
        return " ".join(words)

    codes = ["21-KL/TW", "Kết luận 21", "Nghị quyết 35", "05-CT/TW"]
    codes += [
        f"{rng.randint(1, 150):02d}-{rng.choice(['KL', 'NQ', 'CT'])}/TW" for _ in range(per_kind)
    ]
    return {
        "keyword": keyword,
        "unaccented": [fold_lower(q) for q in keyword],
        "code": codes[:per_kind],
        "phrase": [f'"{ngram(rng.randint(3, 4))}"' for _ in range(per_kind)],
        "typo": [typo(q) for q in keyword],
        "topic": (_TOPICS * (per_kind // len(_TOPICS) + 1))[:per_kind],
        "question": questions(per_kind),
    }


# --- engines (each runs in its own process) ------------------------------------------------------


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# In an engine process: the pipe to the parent, which gives each engine its turn (see run()).
_TURNS: Any = None


# Passes over the queries: a kind's p95 is then its 10th slowest time of 200 (20 queries × 10),
# not the 5th of 100, which moved by a fifth or more between runs on this machine.
REPEAT = 10

WARM_UP = "đảng viên"  # one untimed query per engine before timing: what a server does at start


def _time_queries(
    run_one: Any, queries: dict[str, list[str]], repeat: int, warm: Any = None
) -> dict[str, dict[str, float]]:
    """p50/p95 per kind over ``repeat`` passes. Before each query, wait for our turn: the
    engines take turns query by query, so each query is timed on every engine within a few
    milliseconds, and a slow spell of this shared machine falls on all of them alike. (Turns
    of a whole pass, a minute or more, let one spell land on one engine: the same code
    measured 1.13× and 1.36× of raw on typos in two runs an hour apart; turns of one kind,
    a fraction of a second, still measured 0.91× to 1.3× from one run to the next.)

    The warm-up (``warm``, then one untimed query) happens in the engine's first turn, once
    every engine has built its index: an index built earlier would otherwise have been pushed
    out of the OS cache by the later builds, and the engine built last would start warm."""
    times: dict[str, list[float]] = {kind: [] for kind in queries}
    first = True
    for _ in range(repeat):
        for kind, items in queries.items():
            for q in items:
                if _TURNS is not None:
                    _TURNS.send("ready")
                    _TURNS.recv()
                if first:
                    first = False
                    if warm is not None:
                        warm()
                    run_one(WARM_UP)  # not among the queries timed
                start = time.perf_counter()
                run_one(q)
                times[kind].append((time.perf_counter() - start) * 1000)
    latency = {
        kind: {"p50": percentile(t, 50), "p95": percentile(t, 95), "n": len(t)}
        for kind, t in times.items()
    }
    # Every query of every kind together: what a user who asks all sorts of things sees; and
    # the short queries alone, the kinds measured before questions were.
    for name, kinds in (("all", list(times)), ("short", [k for k in times if k != "question"])):
        pooled = [ms for kind in kinds for ms in times[kind]]
        latency[name] = {
            "p50": percentile(pooled, 50),
            "p95": percentile(pooled, 95),
            "n": len(pooled),
        }
    return latency


PHASES = ("parse", "build", "search", "fetch", "render", "other")


def _show(hits: Any) -> None:
    """What the bot shows of each hit: its snippet (or summary), title, date and link."""
    for hit in hits:
        _ = (hit.snippet.text or hit.summary, hit.title, hit.date, hit.link("bench_bot"))


def _phases(engine: Any, queries: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Where ours's time goes, mean ms per query and kind, in one more pass after the timed
    ones (its wrappers would slow the timed ones): ``parse`` the query (twice when a typo's
    correction is checked for a topic), ``build`` the tantivy query (typo correction, word
    pairs, catalogue), ``search`` in tantivy (ranking or a topic's newest, and the counts),
    ``fetch`` the page's stored documents, ``render`` what :func:`_show` shows of them,
    ``other`` the rest (filters, notes, suggestions)."""
    import bot.search.engine as engine_module

    spent: dict[str, float] = dict.fromkeys(PHASES, 0.0)

    def timed(phase: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - start

        return wrapper

    parse = engine_module.parse_query
    engine_module.parse_query = timed("parse", parse)
    engine._count = timed("search", engine._count)  # a count without a page
    engine._keywords = timed("build", engine._keywords)
    engine._ranked = timed("search", engine._ranked)
    engine._newest = timed("search", engine._newest)  # a topic's listing, newest first
    engine._hits = timed("fetch", engine._hits)
    out: dict[str, dict[str, float]] = {}
    try:
        for kind, items in queries.items():
            for phase in spent:
                spent[phase] = 0.0
            total = render = 0.0
            for q in items:
                start = time.perf_counter()
                hits = engine.search(q, limit=PAGE).hits
                shown = time.perf_counter()
                _show(hits)
                end = time.perf_counter()
                total += end - start
                render += end - shown
            spent["render"] = render
            spent["other"] = total - sum(v for k, v in spent.items() if k != "other")
            out[kind] = {"total": total * 1000 / len(items)}
            out[kind].update({k: v * 1000 / len(items) for k, v in spent.items()})
    finally:
        engine_module.parse_query = parse
    return out


def _dir_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def run_ours(
    db_path: Path,
    work: Path,
    queries: dict[str, list[str]],
    repeat: int,
    rank_only: bool,
    threads: int = 2,
) -> dict[str, Any]:
    from bot.config import Settings
    from bot.search.summary import clear_cache
    from bot.services import Services

    # ours-rank opens the index ours built (the same code over the same documents builds the
    # same index): two copies would compete for the OS cache, which neither would in use.
    index_dir = work / "index-ours"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{db_path}",
        data_dir=work,
        index_dir=index_dir,
        search_threads=threads,
    )
    services = Services(settings)
    services.use_classifier(None)
    engine = services.search
    shared = (rank_only or threads == 1) and index_dir.is_dir()  # ours ran first and built it
    start = time.perf_counter()
    count = engine.index.ensure_open().searcher().num_docs if shared else engine.rebuild()
    build = None if shared else time.perf_counter() - start
    rss_built = _rss_mb()
    if rank_only:
        engine._hits = lambda *_args: []  # type: ignore[method-assign]

    def warm() -> None:
        engine.warm()  # as the bot does at start (bot.tg.app.run_bot) ...
        engine.follow()  # ... and it catches up with the database in the background
        clear_cache()  # summaries are made afresh in the timed passes

    def run_one(q: str) -> None:
        _show(engine.search(q, limit=PAGE).hits)

    latency = _time_queries(run_one, queries, repeat, warm)
    rss = max(rss_built, _rss_mb())
    phases = None if rank_only or threads == 1 else _phases(engine, queries)
    result = {
        "docs": count,
        "build_s": build,
        "phases": phases,
        "index_mb": _dir_mb(index_dir),
        "rss_mb": rss,
        "peak_rss_mb": _peak_mb(),
        "latency": latency,
    }
    services.close()
    return result


def run_raw(
    db_path: Path, work: Path, queries: dict[str, list[str]], repeat: int, snippets: bool = False
) -> dict[str, Any]:
    import tantivy

    from bot.search.index import read_files

    folder = work / "index-raw"
    shared = snippets and folder.is_dir()  # raw ran first and built it (as ours-rank does)
    folder.mkdir(parents=True, exist_ok=True)
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("title", stored=True, tokenizer_name="vnraw")
    sb.add_text_field("body", stored=True, tokenizer_name="vnraw")
    schema = sb.build()
    index = tantivy.Index(schema, path=str(folder), reuse=shared)
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    index.register_tokenizer("vnraw", analyzer)
    build = None
    if not shared:
        conn = sqlite3.connect(db_path)
        start = time.perf_counter()
        writer = index.writer(200_000_000, 0)
        for doc_id, title, text in conn.execute("SELECT id, title, text FROM documents"):
            d = tantivy.Document()
            d.add_unsigned("id", doc_id)
            d.add_text("title", title)
            d.add_text("body", text)
            writer.add_document(d)
        writer.commit()
        writer.wait_merging_threads()
        build = time.perf_counter() - start
        conn.close()
    index.reload()
    rss_built = _rss_mb()

    def run_one(q: str) -> None:
        query, _ = index.parse_query_lenient(q, ["title", "body"], field_boosts={"title": 1.5})
        searcher = index.searcher()
        hits = searcher.search(query, PAGE, count=True).hits
        if not snippets:
            for _, address in hits:
                searcher.doc(address)
            return
        generator = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        generator.set_max_num_chars(220)  # as ours (bot.search.summary.snippet)
        for _, address in hits:
            doc = searcher.doc(address)
            snippet = generator.snippet_from_doc(doc)
            _ = (snippet.fragment(), snippet.highlighted(), doc["title"])

    # As ours does in warm() (bot.search.index.read_files): the index in the OS cache.
    latency = _time_queries(run_one, queries, repeat, lambda: read_files(folder.iterdir()))
    return {
        "docs": index.searcher().num_docs,
        "build_s": build,
        "index_mb": _dir_mb(folder),
        "rss_mb": max(rss_built, _rss_mb()),
        "peak_rss_mb": _peak_mb(),
        "latency": latency,
    }


def _fts5_query(q: str) -> str:
    from bot.corpus.text import fold_lower, tokenize

    if q.startswith('"') and q.endswith('"'):
        words = [fold_lower(t.text) for t in tokenize(q)]
        return '"' + " ".join(words) + '"' if words else '""'
    words = [fold_lower(t.text) for t in tokenize(q)]
    return " OR ".join(f'"{w}"' for w in words) if words else '""'


def run_fts5(
    db_path: Path, work: Path, queries: dict[str, list[str]], repeat: int
) -> dict[str, Any]:
    from bot.corpus.text import fold_lower
    from bot.search.index import read_files

    path = work / "fts5.sqlite3"
    path.unlink(missing_ok=True)
    src = sqlite3.connect(db_path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    start = time.perf_counter()
    conn.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61 remove_diacritics 0')"
    )
    rows = (
        (i, fold_lower(t), fold_lower(x))
        for i, t, x in src.execute("SELECT id, title, text FROM documents")
    )
    conn.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", rows)
    conn.commit()
    build = time.perf_counter() - start
    src.close()
    rss_built = _rss_mb()

    def run_one(q: str) -> None:
        match = _fts5_query(q)
        conn.execute(
            "SELECT rowid, title FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 1.5, 1.0) LIMIT ?",
            (match, PAGE),
        ).fetchall()

    latency = _time_queries(run_one, queries, repeat, lambda: read_files([path]))
    result = {
        "docs": conn.execute("SELECT count(*) FROM docs").fetchone()[0],
        "build_s": build,
        "index_mb": path.stat().st_size / 1e6,
        "rss_mb": max(rss_built, _rss_mb()),
        "peak_rss_mb": _peak_mb(),
        "latency": latency,
    }
    conn.close()
    return result


def _engine_main(
    name: str,
    db_path: str,
    work: str,
    queries: dict[str, list[str]],
    repeat: int,
    page: int,
    out: Any,
    turns: Any = None,
) -> None:
    global PAGE, _TURNS
    PAGE = page  # a spawned process does not inherit the parent's module state
    _TURNS = turns
    args = (Path(db_path), Path(work), queries, repeat)
    if name == "ours":
        out.put(run_ours(*args, rank_only=False))
    elif name == "ours-1":
        out.put(run_ours(*args, rank_only=False, threads=1))
    elif name == "ours-rank":
        out.put(run_ours(*args, rank_only=True))
    elif name == "raw":
        out.put(run_raw(*args))
    elif name == "raw-snip":
        out.put(run_raw(*args, snippets=True))
    else:
        out.put(run_fts5(*args))


def run(
    n: int,
    *,
    queries_per_kind: int = 20,
    repeat: int = REPEAT,
    work: Path | None = None,
    engines: Sequence[str] = ENGINES,
    page: int = PAGE,
) -> dict[str, Any]:
    """Generate, load, then run each engine in its own process; returns the measurements."""
    tmp = None
    if work is None:
        tmp = tempfile.TemporaryDirectory(prefix="partybot-bench-")
        work = Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "corpus.sqlite3"
    db_path.unlink(missing_ok=True)
    start = time.perf_counter()
    load_database(db_path, n)
    results: dict[str, Any] = {"docs": n, "page": page, "load_s": time.perf_counter() - start}
    queries = make_queries(queries_per_kind)
    results["queries"] = queries
    ctx = mp.get_context("spawn")
    # Each engine builds its index alone (one after the other), then the engines take turns:
    # the first query of pass 1 for every engine, the next query for every engine (starting
    # with the next engine), … A load spike on this shared machine then lands on all of them
    # instead of on whichever engine ran during it.
    running: list[tuple[str, Any, Any, Any]] = []
    for name in engines:
        out = ctx.Queue()
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(
            target=_engine_main,
            args=(name, str(db_path), str(work), queries, repeat, page, out, theirs),
        )
        proc.start()
        mine.recv()  # built and ready for its first pass
        running.append((name, proc, out, mine))
    turns = repeat * sum(map(len, queries.values()))  # a turn: one query (see _time_queries)
    order = random.Random(20261206)
    for turn in range(turns):
        # A new order each turn, so no engine always follows the same one: FTS5's slow turns
        # leave the machine's caches cold for whoever comes next. (The order used to rotate,
        # which keeps each engine's predecessor: ours ran after FTS5 in every turn.)
        engines_now = order.sample(running, len(running))
        for name, _, out, mine in engines_now:
            mine.send("go")
            if turn < turns - 1:
                mine.recv()  # its turn is done
            else:
                results[name] = out.get()
    for _, proc, _, _ in running:
        proc.join()
    if tmp is not None:
        tmp.cleanup()
    return results


def phases_table(phases: dict[str, dict[str, float]]) -> str:
    """A Markdown table of where ours's time goes (see :func:`_phases`)."""
    lines = [
        "ours, where the time goes (mean ms per query, one untimed pass after the timed ones):",
        "",
        "| kind | total | " + " | ".join(PHASES) + " |",
        "|" + "---|" * (2 + len(PHASES)),
    ]
    for kind, row in phases.items():
        cells = [kind, f"{row['total']:.2f}"]
        cells += [f"{row[p]:.2f} ({row[p] / (row['total'] or 1e-9):.0%})" for p in PHASES]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ratios(results: dict[str, Any], engine: str, base: str) -> str:
    """``engine``'s p95 over ``base``'s, per kind and over all queries."""
    ours, theirs = results[engine]["latency"], results[base]["latency"]
    return ", ".join(
        f"{k} {ours[k]['p95'] / (theirs[k]['p95'] or 1e-9):.2f}×"
        for k in (*KINDS, "short", "all")
        if k in ours and k in theirs  # results saved before "all" or a kind existed
    )


def _twin(results: dict[str, Any], engine: str, base: str) -> float:
    """``engine``'s typo p95 over ``base``'s p95 for the same queries typed right."""
    return float(
        results[engine]["latency"]["typo"]["p95"]
        / (results[base]["latency"]["keyword"]["p95"] or 1e-9)
    )


def table(results: dict[str, Any]) -> str:
    """A Markdown table: one row per engine, p50/p95 per query kind."""
    engines = [e for e in ENGINES if e in results]
    head = "| engine | build | index | RSS | " + " | ".join(f"{k} p50/p95" for k in KINDS) + " |"
    lines = [head, "|" + "---|" * (4 + len(KINDS))]
    for e in engines:
        r = results[e]
        cells = [
            e,
            f"({'ours' if e.startswith('ours') else 'raw'}'s)"
            if r["build_s"] is None
            else f"{r['build_s']:.1f} s",
            f"{r['index_mb']:.0f} MB",
            f"{r['rss_mb']:.0f} MB",
        ]
        cells += [f"{r['latency'][k]['p50']:.1f}/{r['latency'][k]['p95']:.1f} ms" for k in KINDS]
        lines.append("| " + " | ".join(cells) + " |")
    if "ours" in results and "raw" in results:
        lines.append("")
        for engine in ("ours", "ours-1", "ours-rank"):
            if engine in results:
                lines.append(f"p95 {engine}/raw: " + _ratios(results, engine, "raw"))
        if "ours-1" in results:  # what searching a question in two halves at once saves
            halves = _ratios(results, "ours", "ours-1")
            lines.append("p95 ours/ours-1 (two threads against one): " + halves)
        # Raw tantivy drops a misspelt word (it matches nothing), so its typo queries are
        # shorter searches than their keyword twins; ours corrects the word and runs the twin.
        # The same work on both sides: ours's typos against raw's typed-right twins.
        twins = [
            f"{engine} {_twin(results, engine, 'raw'):.2f}×"
            for engine in ("ours", "ours-1", "ours-rank")
            if engine in results
        ]
        lines.append("p95 typo/raw's keyword (the same queries typed right): " + ", ".join(twins))
    if "ours" in results and "raw-snip" in results:
        # Both with a snippet per hit: what the bot shows against tantivy's own snippets.
        for engine in ("ours", "ours-1"):
            if engine in results:
                ratios = _ratios(results, engine, "raw-snip")
                lines.append(f"p95 {engine}/raw-snip (a snippet per hit on both sides): " + ratios)
        twin = _twin(results, "ours", "raw-snip")
        lines.append(f"p95 ours's typo/raw-snip's keyword (typed right): {twin:.2f}×")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20, help="queries per kind")
    parser.add_argument("--page", type=int, default=PAGE, help="hits per query (bot page: 5)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="passes over the queries")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--work", type=Path, default=None, help="keep files here (default: a temp dir)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "search.json")
    args = parser.parse_args()
    results = run(
        args.docs,
        queries_per_kind=args.queries,
        repeat=args.repeat,
        work=args.work,
        engines=[e for e in args.engines.split(",") if e],
        page=args.page,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    print(f"search benchmark: {results['docs']:,} documents (loaded in {results['load_s']:.1f} s)")
    print(table(results))
    if results.get("ours", {}).get("phases"):
        print()
        print(phases_table(results["ours"]["phases"]))
    # A path relative to the checkout, so the generated docs read the same on every machine.
    shown = args.out.resolve()
    print(f"(details in {shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown})")


if __name__ == "__main__":
    main()
