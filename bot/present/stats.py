"""Corpus statistics for admins: counts and a chart of documents per topic per month."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

from bot.services import Services
from bot.store.subscriptions import SubscriptionStore


@dataclass
class Stats:
    """What /stats shows."""

    documents: int
    topics: dict[str, int]
    model_version: str | None
    macro_f1: float | None
    subscriptions: int


def collect(services: Services) -> Stats:
    """Counts from the database and the active model's card."""
    subs = SubscriptionStore(services.db).count_enabled()
    model = services.classifier
    version, f1 = None, None
    if model is not None:
        version = getattr(model, "version", None)
        card = getattr(model, "card", {}) or {}
        f1 = _macro_f1(card)
    return Stats(
        services.documents.count(), services.documents.topic_counts(), version, f1, int(subs or 0)
    )


def _macro_f1(card: dict) -> float | None:  # type: ignore[type-arg]
    for path in (
        ("heldout", "macro_f1"),
        ("test", "macro_f1"),
        ("metrics", "test", "macro_f1"),
        ("macro_f1",),
    ):
        node: object = card
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, int | float):
            return float(node)
    return None


def monthly_topic_counts(services: Services) -> dict[str, Counter[str]]:
    """``{slug: Counter({"2023-01": n, ...})}`` by publication (else ingestion) month."""
    out: dict[str, Counter[str]] = {}
    for topic, when in services.documents.topic_dates(published=True):
        out.setdefault(topic, Counter())[when.strftime("%Y-%m")] += 1
    return out


def chart_png(services: Services, lang: str = "vi") -> bytes | None:
    """A line chart of documents per topic per month (PNG), or None with nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = monthly_topic_counts(services)
    if not data:
        return None
    months = sorted({m for counts in data.values() for m in counts})
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for topic in services.taxonomy:
        counts = data.get(topic.slug)
        if not counts:
            continue
        ax.plot(months, [counts.get(m, 0) for m in months], marker="o", label=topic.name(lang)[:32])
    ax.set_title(
        "Tài liệu theo chủ đề mỗi tháng" if lang == "vi" else "Documents per topic per month"
    )
    ax.tick_params(axis="x", rotation=45, labelsize=7)
    ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
