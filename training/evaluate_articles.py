"""The topic model on whole articles labelled at the document level.

    .venv/bin/python training/evaluate_articles.py FILE.jsonl [FILE…] [--model models/X.npz]

Each line: ``{"id", "title"?, "text", "topics", "kind"?}``; the model reads the headline and
the body as a stored document (``bot.classifier.apply.document_text``). Prints macro-F1, the
share of unrelated articles given a topic, per-topic precision/recall/F1 and the errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.classifier.metrics import KeywordRule, scores  # noqa: E402
from bot.classifier.persist import loads  # noqa: E402
from bot.corpus.topics import load_taxonomy  # noqa: E402


def read_articles(paths: list[Path]) -> list[dict[str, Any]]:
    """Every article in ``paths``."""
    out = []
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def article_text(item: dict[str, Any]) -> str:
    """What the model reads for a stored document: headline, then body."""
    title = (item.get("title") or "").strip()
    return f"{title}\n\n{item['text']}" if title else item["text"]


def evaluate(model: Any, articles: list[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """Scores of ``model`` (anything with ``predict``) on ``articles``."""
    gold = [list(a.get("topics") or []) for a in articles]
    pred = model.predict([article_text(a) for a in articles])
    result = scores(gold, pred, labels)
    unrelated = [p for a, p in zip(articles, pred, strict=True) if not a.get("topics")]
    result["unrelated"] = len(unrelated)
    result["unrelated_tagged"] = sum(1 for p in unrelated if p)
    result["errors"] = [
        (a["id"], g, p) for a, g, p in zip(articles, gold, pred, strict=True) if set(g) != set(p)
    ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    default = ROOT / "models" / ((ROOT / "models" / "DEFAULT").read_text().strip() + ".npz")
    parser.add_argument("--model", type=Path, default=default)
    parser.add_argument("--errors", action="store_true", help="list every wrong article")
    args = parser.parse_args()
    taxonomy = load_taxonomy(ROOT / "training" / "taxonomy.json")
    labels = taxonomy.slugs
    model = loads(args.model.read_bytes(), what=str(args.model))
    articles = read_articles(args.files)
    rule = KeywordRule({t.slug: list(t.keywords) for t in taxonomy})
    for name, scorer in (("model " + model.version, model), ("keyword rule", rule)):
        r = evaluate(scorer, articles, labels)
        print(
            f"{name}: macro-F1 {r['macro_f1']:.3f}, micro-F1 {r['micro_f1']:.3f}, "
            f"unrelated given a topic {r['unrelated_tagged']}/{r['unrelated']}"
        )
        if scorer is model:
            for slug in labels:
                t = r["per_topic"][slug]
                print(f"  {slug:<18} P {t['precision']:.2f} R {t['recall']:.2f} F1 {t['f1']:.2f}")
            if args.errors:
                for doc_id, g, p in r["errors"]:
                    print(f"  ≠ {doc_id}: gold {g} predicted {p}")


if __name__ == "__main__":
    main()
