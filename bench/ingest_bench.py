"""Ingest throughput: our pipeline vs a plain INSERT of the same rows, in the same run.

python -m bench.ingest_bench --docs 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import tempfile
from pathlib import Path

from bench.common import synthetic_documents, timer


def run(n: int) -> dict[str, float]:
    from bot.config import Settings
    from bot.corpus.ingest import ingest_documents, read_jsonl
    from bot.services import Services

    docs = list(synthetic_documents(n))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        jsonl = tmp_path / "docs.jsonl"
        jsonl.write_text(
            "\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8"
        )

        # Baseline: the same rows with one executemany INSERT, no parsing, no dedupe.
        conn = sqlite3.connect(tmp_path / "plain.sqlite3")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE documents (external_id TEXT UNIQUE, title TEXT, text TEXT, content_hash TEXT UNIQUE, date TEXT)"
        )
        with timer() as plain:
            conn.executemany(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        d["id"],
                        d["title"],
                        d["text"],
                        hashlib.sha256(d["text"].encode()).hexdigest(),
                        d["date"],
                    )
                    for d in docs
                ],
            )
            conn.commit()
        conn.close()

        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{tmp_path / 'ours.sqlite3'}",  # type: ignore[call-arg]
            data_dir=tmp_path,
            index_dir=tmp_path / "index",
        )
        services = Services(settings)
        # Measure the store path alone (classification and indexing are benchmarked separately).
        services.after_documents_changed = lambda ids: None  # type: ignore[method-assign]
        with timer() as ours:
            report = ingest_documents(services, read_jsonl(jsonl))
        assert len(report.added) == n, report.summary()
        with timer() as again:
            report2 = ingest_documents(services, read_jsonl(jsonl))
        assert len(report2.duplicates) == n
        services.close()
    return {
        "docs": n,
        "plain_insert_docs_per_s": n / plain[0],
        "ours_docs_per_s": n / ours[0],
        "ours_vs_plain": ours[0] / plain[0],
        "reingest_docs_per_s": n / again[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    result = run(parser.parse_args().docs)
    print(f"ingest {result['docs']:,} documents (SQLite)")
    print(f"  plain executemany INSERT : {result['plain_insert_docs_per_s']:>10,.0f} docs/s")
    print(
        f"  partybot ingest          : {result['ours_docs_per_s']:>10,.0f} docs/s  ({result['ours_vs_plain']:.1f}× the baseline's time)"
    )
    print(f"  re-ingest (all duplicates): {result['reingest_docs_per_s']:>9,.0f} docs/s")


if __name__ == "__main__":
    main()
