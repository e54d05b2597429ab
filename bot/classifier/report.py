"""Human-readable views of scores and model cards: text tables and the PNG next to a card."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.classifier.metrics import top_confusions


def f1_text(value: float | None) -> str:
    """``0.842``, or ``—`` for a score that is undefined (no example has a topic)."""
    return "—" if value is None else f"{value:.3f}"


def score_table(result: dict[str, Any], labels: Sequence[str]) -> list[str]:
    """Per-topic P/R/F1 of the model beside the two baselines' F1, then macro-F1."""
    base = result.get("baselines", {})
    kw = base.get("keyword_rule", {}).get("per_topic", {})
    allpos = base.get("all_positive", {}).get("per_topic", {})
    lines = [
        f"{'topic':<18} {'P':>6} {'R':>6} {'F1':>6} │ {'kw F1':>6} {'all F1':>6} │ {'n':>5}",
        "─" * 65,
    ]
    for label in labels:
        row = result["per_topic"][label]
        if not row["support"] and not row["predicted"]:
            lines.append(f"{label:<18} {'—':>6} {'—':>6} {'—':>6} │ {'':>6} {'':>6} │ {0:>5}")
            continue
        lines.append(
            f"{label:<18} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} │ "
            f"{kw.get(label, {}).get('f1', 0):>6.3f} {allpos.get(label, {}).get('f1', 0):>6.3f} │ "
            f"{row['support']:>5}"
        )
    lines.append("─" * 65)
    lines.append(
        f"{'macro-F1':<18} {'':>6} {'':>6} {f1_text(result['macro_f1']):>6} │ "
        f"{f1_text(base.get('keyword_rule', {}).get('macro_f1', 0)):>6} "
        f"{f1_text(base.get('all_positive', {}).get('macro_f1', 0)):>6} │ {result['examples']:>5}"
    )
    lines.append(
        f"negatives given a topic: {result['negatives_with_topic']:.1%} of {result['negatives']}"
        + (
            f" (keyword rule {base['keyword_rule']['negatives_with_topic']:.1%})"
            if "keyword_rule" in base
            else ""
        )
    )
    confusion = result.get("confusion")
    if confusion:
        worst = top_confusions(confusion, 6)
        if worst:
            lines.append(
                "most confused (gold → predicted): "
                + ", ".join(f"{g}→{p} {n}" for g, p, n in worst)
            )
    return lines


def card_lines(card: dict[str, Any]) -> list[str]:
    """A model card as text: data, config, CV and held-out scores, timings."""
    data = card.get("training_data", {})
    lines = [
        f"model {card.get('version')}  (created {card.get('created_at')}, "
        f"scikit-learn {card.get('sklearn_version')})",
        f"data: {data.get('train_examples')} train / {data.get('test_examples')} held-out "
        f"examples, sha256 {str(data.get('sha256', ''))[:16]}…",
        f"config: {card.get('config')}",
        f"thresholds: {card.get('thresholds')}",
    ]
    labels = card.get("labels", [])
    for key, title in (("cv", "cross-validation (train split)"), ("test", "held-out split")):
        result = card.get(key)
        if result:
            lines += ["", f"{title}:", *score_table(result, labels)]
    timings = card.get("timings", {})
    if timings:
        lines += ["", "timings: " + ", ".join(f"{k} {v}" for k, v in timings.items())]
    return lines


def write_plot(card: dict[str, Any], path: Path) -> Path:
    """PNG: per-topic F1 (CV, held-out, keyword rule) and the held-out topic-pair confusion."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt
    import numpy as np

    labels = card["labels"]
    test = card.get("test") or card.get("cv") or {}
    cv = card.get("cv") or {}
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), gridspec_kw={"width_ratios": [1, 1.1]})
    x = np.arange(len(labels))
    series = [
        ("CV", [cv.get("per_topic", {}).get(t, {}).get("f1", 0) for t in labels]),
        ("held-out", [test.get("per_topic", {}).get(t, {}).get("f1", 0) for t in labels]),
        (
            "keyword rule (held-out)",
            [
                test.get("baselines", {})
                .get("keyword_rule", {})
                .get("per_topic", {})
                .get(t, {})
                .get("f1", 0)
                for t in labels
            ],
        ),
    ]
    width = 0.27
    for k, (name, values) in enumerate(series):
        left.bar(x + (k - 1) * width, values, width, label=name)
    left.set_xticks(x, labels, rotation=35, ha="right")
    left.set_ylim(0, 1.05)
    left.set_ylabel("F1")
    left.set_title(f"per-topic F1 — model {card.get('version')}")
    left.legend(loc="lower right", fontsize=8)
    confusion = test.get("confusion")
    if confusion:
        names = confusion["labels"]
        matrix = np.array(confusion["matrix"], dtype=float)
        # Colour only the mistakes: the diagonal (topics found) would swamp the scale.
        errors = matrix.copy()
        np.fill_diagonal(errors, 0)
        right.imshow(errors, cmap="Reds")
        right.set_xticks(range(len(names)), names, rotation=35, ha="right")
        right.set_yticks(range(len(names)), names)
        right.set_xlabel("predicted (none = missed)")
        right.set_ylabel("gold (none = negatives)")
        right.set_title("held-out topic-pair confusion")
        for i in range(len(names)):
            for j in range(len(names)):
                if matrix[i, j]:
                    right.text(
                        j,
                        i,
                        int(matrix[i, j]),
                        ha="center",
                        va="center",
                        fontsize=7,
                        fontweight="bold" if i == j else "normal",
                        color="white" if errors[i, j] > errors.max() / 2 else "black",
                    )
    else:
        right.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
