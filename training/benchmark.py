"""Classification throughput on one core and retraining time.

    .venv/bin/python training/benchmark.py [--model models/X.npz] [--no-train]

Throughput is ``TopicModel.predict`` (vectorise + score + thresholds) on one pinned core with
single-threaded BLAS, in batches of 256, best of three runs, for three document sizes:
paragraphs (the labelled examples), short news items (4–12 sentences, like the ingest
benchmark's synthetic documents) and full articles (the five seed articles, 5–9 KB). It also
times storing topics for documents in a database (``classify_documents``) and a full
retraining (cross-validation + final fit + held-out scoring) on ``training/data``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.classifier.data import data_files, load_examples  # noqa: E402
from bot.classifier.model import TopicModel, TrainConfig, train  # noqa: E402
from bot.corpus.text import split_sentences  # noqa: E402
from bot.corpus.topics import load_taxonomy  # noqa: E402


def docs_per_second(model: TopicModel, docs: list[str], repeat: int = 3) -> float:
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        for start in range(0, len(docs), 256):
            model.predict(docs[start : start + 256])
        best = max(best, len(docs) / (time.perf_counter() - started))
    return best


def corpora(examples: list[Any], n: int = 4000) -> dict[str, list[str]]:
    rng = random.Random(7)
    paragraphs = [ex.text for ex in examples]
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    short = []
    for _ in range(n):
        body = rng.sample(sentences, k=rng.randint(4, 12))
        short.append(body[0][:90] + "\n\n" + "\n\n".join(body[1:]))
    seeds = [p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return {
        "paragraphs": [paragraphs[i % len(paragraphs)] for i in range(n)],
        "news items (4–12 sentences)": short,
        "seed articles (5–9 KB)": [seeds[i % len(seeds)] for i in range(n)],
    }


def store_rate(model: TopicModel, docs: list[str]) -> float:
    """Documents/s for classify_documents into a fresh SQLite database (DB writes included)."""
    from bot.classifier.apply import classify_documents
    from bot.config import Settings
    from bot.corpus.documents import NewDocument
    from bot.services import Services

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=f"sqlite:///{tmp}/b.sqlite3",
            data_dir=Path(tmp),
            models_dir=Path(tmp) / "models",
        )
        services = Services(settings)
        results = services.documents.add_many(
            [NewDocument(title=f"Tin {i}", text=f"{t}\n\nMã {i}") for i, t in enumerate(docs)]
        )
        ids = [r.document_id for r in results if not isinstance(r, Exception)]
        started = time.perf_counter()
        classify_documents(services.documents, model, ids)
        rate = len(ids) / (time.perf_counter() - started)
        services.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="A models/VERSION.npz to measure.")
    parser.add_argument("--no-train", action="store_true", help="Skip the retraining timing.")
    parser.add_argument("--json", type=Path, help="Also write the numbers here.")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    taxonomy = load_taxonomy(ROOT / "training" / "taxonomy.json")
    keywords = {t.slug: list(t.keywords) for t in taxonomy}
    files = data_files(ROOT / "training" / "data")
    examples = load_examples(files, taxonomy.slugs)
    out: dict[str, Any] = {"cpu": os.uname().machine, "examples": len(examples)}
    if not args.no_train:
        started = time.perf_counter()
        model = train(examples, taxonomy.slugs, keywords, TrainConfig())
        out["retrain_seconds"] = round(time.perf_counter() - started, 2)
        out["retrain_timings"] = model.card["timings"]
        print(
            f"retraining on {len(examples)} examples: {out['retrain_seconds']} s "
            f"({model.card['timings']})"
        )
    if args.model or args.no_train:
        from bot.classifier.persist import loads

        path = args.model or ROOT / "models" / (
            (ROOT / "models" / "DEFAULT").read_text("utf-8").strip() + ".npz"
        )
        model = loads(path.read_bytes(), what=str(path))
    out["version"] = model.version or "(fresh)"
    out["throughput"] = {}
    for name, docs in corpora(examples).items():
        rate = docs_per_second(model, docs)
        mean = sum(map(len, docs)) / len(docs)
        out["throughput"][name] = {"docs_per_s": round(rate), "mean_chars": round(mean)}
        print(f"{name:<30} {rate:>8,.0f} docs/s  (mean {mean:,.0f} chars)")
    stored = store_rate(model, corpora(examples, 1000)["news items (4–12 sentences)"])
    out["classify_and_store_docs_per_s"] = round(stored)
    print(f"{'classify + store (SQLite)':<30} {stored:>8,.0f} docs/s")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
