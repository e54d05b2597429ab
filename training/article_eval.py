"""Document-level check: the shipped model on whole articles, by document scoring mode.

    .venv/bin/python training/article_eval.py [--model models/X.npz]

``training/eval/articles.jsonl`` holds article-length documents (headline, dateline, 4–5
paragraphs, byline) written for this project and labelled at the document level: the topics a
reader would file the article under, i.e. those with at least a paragraph of substance. They are
not training data (``partybot train`` reads only ``training/data``) and were written after the
document scoring mode was chosen, so they are an independent check of that choice.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.classifier.data import load_examples  # noqa: E402
from bot.classifier.metrics import KeywordRule, scores  # noqa: E402
from bot.classifier.registry import load_blob  # noqa: E402
from bot.corpus.topics import load_taxonomy  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = ROOT / "models" / ((ROOT / "models" / "DEFAULT").read_text().strip() + ".npz")
    parser.add_argument("--model", type=Path, default=default)
    parser.add_argument("--data", type=Path, default=ROOT / "training" / "eval" / "articles.jsonl")
    args = parser.parse_args()
    taxonomy = load_taxonomy(ROOT / "training" / "taxonomy.json")
    labels = taxonomy.slugs
    docs = load_examples([args.data], labels)
    texts = [d.text for d in docs]
    gold = [list(d.topics) for d in docs]
    card_path = args.model.with_name(args.model.name.removesuffix(".npz") + ".card.json")
    sha256 = json.loads(card_path.read_text("utf-8"))["sha256"]
    model = load_blob(args.model.read_bytes(), sha256, what=str(args.model))  # checked first
    print(f"{len(docs)} articles, model {model.version} (shipped mode: {model.doc_mode})")
    print(f"{'scoring':<14} {'macro-F1':>8} {'micro-F1':>8} {'exact':>6}  negatives tagged")
    rows = {}
    shipped = model.doc_mode
    for mode in ("whole", "para_max", "blend"):
        model.doc_mode = mode
        rows[mode] = model.predict(texts)
    model.doc_mode = shipped
    rows["keyword rule"] = KeywordRule({t.slug: list(t.keywords) for t in taxonomy}).predict(texts)
    for name, pred in rows.items():
        r = scores(gold, pred, labels)
        print(
            f"{name:<14} {r['macro_f1']:>8.3f} {r['micro_f1']:>8.3f} {r['exact_match']:>6.2f}  "
            f"{r['negatives_with_topic']:.0%} of {r['negatives']}"
        )
    print()
    for d, pred in zip(docs, rows[shipped], strict=True):
        mark = "=" if set(pred) == set(d.topics) else "≠"
        print(f"{mark} {d.id}: gold {list(d.topics)}  predicted {pred}")


if __name__ == "__main__":
    main()
