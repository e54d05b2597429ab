"""Multi-label scores, the two baselines, and the confusion between topics.

Plain Python over label lists (no scikit-learn), so ``partybot evaluate`` and the tests read
the same numbers the model card stores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.classifier.features import phrase_pattern, tokens
from bot.corpus.text import fold_lower, normalize

NONE = "none"


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def scores(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict[str, Any]:
    """Per-topic precision/recall/F1, macro-F1 (over topics present in ``gold``), micro-F1,
    and the share of negatives (no gold topic) given any topic.

    Macro-F1 is None when no example has a topic (no topic to average over), micro-F1 when
    there is neither a gold nor a predicted topic: undefined, not 0 (a perfect model on
    negatives alone scored 0.000)."""
    if len(gold) != len(pred):
        raise ValueError("gold and predictions differ in length")
    per_topic: dict[str, dict[str, float]] = {}
    total_tp = total_fp = total_fn = 0
    for label in labels:
        tp = fp = fn = 0
        for g, p in zip(gold, pred, strict=True):
            if label in p:
                if label in g:
                    tp += 1
                else:
                    fp += 1
            elif label in g:
                fn += 1
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        per_topic[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
            "predicted": tp + fp,
        }
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
    present = [label for label in labels if per_topic[label]["support"]]
    negatives = [p for g, p in zip(gold, pred, strict=True) if not g]
    return {
        "per_topic": per_topic,
        "macro_f1": round(sum(per_topic[x]["f1"] for x in present) / len(present), 4)
        if present
        else None,
        "micro_f1": round(_ratio(2 * total_tp, 2 * total_tp + total_fp + total_fn), 4)
        if total_tp + total_fp + total_fn
        else None,
        "examples": len(gold),
        "negatives": len(negatives),
        "negatives_with_topic": round(_ratio(sum(1 for p in negatives if p), len(negatives)), 4),
        "exact_match": round(
            _ratio(sum(1 for g, p in zip(gold, pred, strict=True) if set(g) == set(p)), len(gold)),
            4,
        ),
    }


class KeywordRule:
    """The baseline: a topic whenever one of its taxonomy keywords occurs (accents ignored)."""

    def __init__(self, keywords: dict[str, Sequence[str]]) -> None:
        self.patterns: dict[str, re.Pattern[str]] = {}
        for slug, phrases in keywords.items():
            alternatives = [phrase_pattern(" ".join(tokens(p))).pattern for p in phrases]
            if alternatives:
                self.patterns[slug] = re.compile("|".join(f"(?:{a})" for a in alternatives))

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """Topics whose keywords occur in each text."""
        out = []
        for text in texts:
            folded = fold_lower(normalize(text))
            out.append([slug for slug, pat in self.patterns.items() if pat.search(folded)])
        return out


def all_positive(n: int, labels: Sequence[str]) -> list[list[str]]:
    """The other baseline: every topic for every text (recall 1, precision = prevalence)."""
    return [list(labels) for _ in range(n)]


def pair_confusion(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict[str, Any]:
    """Which topic gets mistaken for which.

    Rows are gold topics plus ``none`` (negatives); columns are predicted topics plus
    ``none`` (missed). Cell (i, j), i ≠ j, counts texts labelled i but not j that were given
    j; (i, i) counts i found; (i, none) counts i missed; (none, j) counts negatives given j.
    """
    names = [*labels, NONE]
    index = {name: k for k, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for g, p in zip(gold, pred, strict=True):
        g_set, p_set = set(g), set(p)
        rows = g_set or {NONE}
        for row in rows:
            r = index[row]
            if row != NONE:
                matrix[r][r if row in p_set else index[NONE]] += 1
            for col in p_set - g_set:
                matrix[r][index[col]] += 1
            if row == NONE and not p_set:
                matrix[r][index[NONE]] += 1
    return {"labels": names, "matrix": matrix}


def top_confusions(confusion: dict[str, Any], k: int = 5) -> list[tuple[str, str, int]]:
    """The ``k`` largest off-diagonal cells as ``(gold, predicted, count)``."""
    names, matrix = confusion["labels"], confusion["matrix"]
    cells = [
        (names[i], names[j], matrix[i][j])
        for i in range(len(names))
        for j in range(len(names))
        if i != j and matrix[i][j] and not (names[i] == NONE and names[j] == NONE)
    ]
    return sorted(cells, key=lambda c: -c[2])[:k]
