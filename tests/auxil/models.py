"""A tiny topic model trained in a second, for tests that need a real one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.classifier.data import load_examples
from bot.classifier.model import TopicModel, TrainConfig, train
from bot.config import PROJECT_ROOT
from bot.corpus.topics import load_taxonomy

TINY = Path(__file__).resolve().parent.parent / "classifier_tiny.jsonl"
TAXONOMY = load_taxonomy(PROJECT_ROOT / "training" / "taxonomy.json")
SLUGS = TAXONOMY.slugs
KEYWORDS = {t.slug: list(t.keywords) for t in TAXONOMY}


def tiny_model(version: str, *, seed: int = 13, shuffle_labels: bool = False) -> TopicModel:
    examples = load_examples([TINY], SLUGS)
    if shuffle_labels:  # a deliberately bad model
        rng = np.random.default_rng(seed)
        topics = [ex.topics for ex in examples]
        rng.shuffle(topics)
        examples = [
            type(ex)(ex.id, ex.text, t, ex.split, ex.source, ex.line)
            for ex, t in zip(examples, topics, strict=True)
        ]
    # On a few dozen examples the keyword lexicon and stronger regularisation carry the model
    # (the shipped model, trained on 1,000+, measured better without the lexicon and with
    # C=30); the lexicon also keeps explain's keyword path tested.
    config = TrainConfig(folds=3, seed=seed, lexicon=True, C=10.0)
    return train(examples, SLUGS, KEYWORDS, config, version=version)
