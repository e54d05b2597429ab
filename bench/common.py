"""Helpers shared by the benchmarks: synthetic Vietnamese text, timers, memory."""

from __future__ import annotations

import json
import random
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def vocabulary() -> list[str]:
    """Sentences from the labelled data and the seeds, the raw material for synthetic documents."""
    from bot.corpus.text import split_sentences

    sentences: list[str] = []
    for path in sorted((ROOT / "training" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                sentences.extend(split_sentences(json.loads(line)["text"]))
            except (ValueError, KeyError):
                continue
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        sentences.extend(
            s for s in split_sentences(path.read_text(encoding="utf-8")) if len(s) > 40
        )
    return sentences


def synthetic_documents(n: int, seed: int = 7) -> Iterator[dict[str, str]]:
    """``n`` documents of 4–12 sentences drawn from the vocabulary, with unique ids."""
    rng = random.Random(seed)
    pool = vocabulary()
    for i in range(n):
        body = rng.sample(pool, k=min(len(pool), rng.randint(4, 12)))
        year = rng.randint(2015, 2026)
        yield {
            "id": f"syn-{i:06d}",
            "title": body[0][:90],
            "text": "\n\n".join(body[1:]) + f"\n\nMã tin {i}.",
            "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: …`` then ``t[0]`` is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]
