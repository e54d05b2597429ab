"""The topic model: a linear scorer per topic over tf-idf features, Platt-calibrated, with
per-topic thresholds; and how it is trained and cross-validated.

A trained :class:`TopicModel` holds only numpy arrays, dicts and the feature extractor, so
predicting needs neither scikit-learn nor the training data, and one sparse product scores all
topics at once (the throughput target is 2,000 documents/s on one core).
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from bot.classifier.data import Example
from bot.classifier.features import build_extractor, phrase_pattern, split_paragraphs
from bot.classifier.metrics import KeywordRule, all_positive, pair_confusion, scores
from bot.errors import InputError

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
FORMAT = 2  # the saved layout (bot/classifier/persist.py); 1 was a joblib pickle
DOC_MODES = ("whole", "para_max", "blend")
FEATURE_KINDS = ("syl1", "syl2", "syl3", "char", "syl2+char")  # features.build_extractor


@dataclass
class TrainConfig:
    """Hyper-parameters. The defaults are what ``training/experiments.py`` measured best by
    cross-validation on the train split (see ``training/experiments.md``)."""

    features: str = "syl2"  # syl1 | syl2 | syl3 | char | syl2+char
    # Taxonomy-keyword counts per topic as extra columns: off, since the n-grams already
    # hold the keywords and the extra columns measured worse (CV macro-F1 0.86 vs 0.87).
    lexicon: bool = False
    lexicon_scale: float = 1.0
    boundaries: bool = True  # no n-gram across clause punctuation
    zero_digits: bool = False  # every digit becomes 0 ("2023" = "1945")
    min_df: int = 2
    estimator: str = "lr"  # lr (LogisticRegression) | svm (LinearSVC)
    C: float = 30.0
    class_weight: str | None = "balanced"
    # Whole text, max over paragraphs, or the mean of whole and max ("blend"): blend measured
    # best on the seed articles and on pseudo-articles (training/experiments.md).
    doc_mode: str = "blend"
    # An "any topic" gate: one more linear model, Party-building or not, on the whole text;
    # below its threshold a text gets no topic, whatever a single topic's words suggest.
    gate: bool = True
    gate_recall: float = 0.98  # the gate keeps at least this share of on-topic texts (CV)
    # Texts shorter than this many syllables (a pasted sentence, a headline) are judged with
    # thresholds scaled by short_scale: one sentence carries less evidence than an article.
    short_tokens: int = 40
    short_scale: float = 0.8  # chosen on 40 short texts written apart from the training data
    folds: int = 5
    # Calibration and thresholds come from out-of-fold scores of this many fold assignments
    # pooled: with one, retraining on a few more examples moved thresholds by ±0.07 (and the
    # share of negatives given a topic between 3% and 8%); three halve that.
    cv_repeats: int = 3
    seed: int = 13

    def as_dict(self) -> dict[str, Any]:
        """For the model card."""
        return asdict(self)


class TopicModel:
    """A trained multi-label topic classifier (see module docstring)."""

    def __init__(
        self,
        *,
        labels: Sequence[str],
        extractor: Any,
        coef: np.ndarray,
        intercept: np.ndarray,
        platt: np.ndarray,
        thresholds: np.ndarray,
        doc_mode: str = "whole",
        version: str = "",
        card: dict[str, Any] | None = None,
        gate_threshold: float | None = None,
        short_tokens: int = 0,
        short_scale: float = 1.0,
    ) -> None:
        self.format = FORMAT
        self.labels = list(labels)
        self.extractor = extractor
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)  # (features, topics)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.platt = np.asarray(platt, dtype=np.float64)  # (2, topics): a, b in sigmoid(a·s+b)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.doc_mode = doc_mode
        self.version = version
        self.card: dict[str, Any] = card or {}
        # With a gate, the last column of coef/intercept/platt is "any topic" (see TrainConfig).
        self.gate_threshold = gate_threshold
        self.short_tokens = short_tokens
        self.short_scale = short_scale
        self._names: list[str] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_names"] = None  # rebuilt on demand; keeps the file small
        return state

    # --- scoring --------------------------------------------------------------------------

    def _proba(self, x: sp.csr_matrix) -> np.ndarray:
        s = x @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-(self.platt[0] * s + self.platt[1])))

    def _proba_rows(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self._proba(self.extractor.transform(texts))

    def _all_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities of every column (topics, then the gate if any): topics by
        the document mode, the gate on the whole text."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        if self.doc_mode == "whole" or not texts:
            return self._proba_rows(texts)
        # Paragraph modes: every paragraph of every multi-paragraph text is scored too.
        parts = [split_paragraphs(t) if "\n" in t else [] for t in texts]
        parts = [p if len(p) > 1 else [] for p in parts]
        owners = [i for i, p in enumerate(parts) for _ in p]
        if not owners:
            return self._proba_rows(texts)
        if hasattr(self.extractor, "transform_with_parts"):
            # One tokenising pass: whole-text counts are sums of paragraph counts.
            x_whole, x_parts = self.extractor.transform_with_parts(texts, parts)
            whole, every = self._proba(x_whole), self._proba(x_parts)
            single = np.array([not p for p in parts])
            # Rows of x_parts: each text's paragraphs, or the text itself when it has none.
            keep = np.repeat(~single, [max(1, len(p)) for p in parts])
            para = every[keep]
        else:
            whole = self._proba_rows(texts)
            para = self._proba_rows([c for p in parts for c in p])
        best = np.zeros_like(whole)
        np.maximum.at(best, np.array(owners), para)
        has = np.zeros(len(texts), dtype=bool)
        has[owners] = True
        if self.doc_mode == "para_max":
            combined = np.maximum(whole, best)
        else:  # blend: a topic carried by one paragraph only counts half
            combined = (whole + np.maximum(whole, best)) / 2
        out = np.where(has[:, None], combined, whole)
        if self.gate_threshold is not None:
            out[:, -1] = whole[:, -1]  # is the text as a whole about Party building?
        return out

    def proba_matrix(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per text, one column per label."""
        return self._all_proba(texts)[:, : len(self.labels)]

    def _decide(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, boolean labels): over each topic's threshold (scaled for short
        texts), and nothing at all where the gate says the text is not about Party work."""
        every = self._all_proba(texts)
        proba = every[:, : len(self.labels)]
        thresholds = np.tile(self.thresholds, (len(texts), 1))
        if self.short_tokens and self.short_scale != 1.0:
            # Counting spaces is enough to tell a sentence from an article, and cheap.
            short = np.array([str(t).count(" ") < self.short_tokens for t in texts], dtype=bool)
            # A threshold of 1 or more means "never" and stays so.
            scaled = np.where(thresholds < 1.0, thresholds * self.short_scale, thresholds)
            thresholds[short] = scaled[short]
        chosen = proba >= thresholds
        if self.gate_threshold is not None and len(texts):
            chosen &= (every[:, -1] >= self.gate_threshold)[:, None]
        return proba, chosen

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text: every label's calibrated probability."""
        matrix = self.proba_matrix(texts)
        return [
            {label: round(float(p), 4) for label, p in zip(self.labels, row, strict=True)}
            for row in matrix
        ]

    def predict_matrix(self, texts: Sequence[str]) -> np.ndarray:
        """Boolean matrix of labels over their thresholds."""
        return self._decide(texts)[1]

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """Per text: the labels over their per-topic thresholds, most probable first; ``[]``
        means none of the topics."""
        proba, chosen = self._decide(texts)
        labels = self.labels
        out: list[list[str]] = []
        for row, on in zip(proba, chosen, strict=True):
            if not on.any():
                out.append([])  # most texts: nothing to sort
                continue
            hits = np.flatnonzero(on)
            out.append([labels[j] for j in hits[np.argsort(-row[hits], kind="stable")]])
        return out

    def classify(self, texts: Sequence[str]) -> list[tuple[list[str], dict[str, float]]]:
        """Labels and probabilities together (one scoring pass)."""
        proba, chosen = self._decide(texts)
        out = []
        for row, on in zip(proba, chosen, strict=True):
            probs = {label: round(float(p), 4) for label, p in zip(self.labels, row, strict=True)}
            hits = [label for label, yes in zip(self.labels, on, strict=True) if yes]
            out.append((sorted(hits, key=lambda s: -probs[s]), probs))
        return out

    # --- explanation ----------------------------------------------------------------------

    def feature_names(self) -> list[str]:
        """Column names of the feature matrix."""
        if self._names is None:
            self._names = self.extractor.feature_names()
        return self._names

    def explain(self, text: str, k: int = 5) -> dict[str, list[tuple[str, float]]]:
        """For each predicted topic, the ``k`` terms that pushed it most (coefficient ×
        tf-idf), shown as written in ``text`` when they can be found there; the keyword
        lexicon shows as the keywords that occur."""
        predicted = self.predict([text])[0]
        if not predicted:
            return {}
        x = self.extractor.transform([text]).tocsr()
        names = self.feature_names()
        surface = _Surface(text)
        out: dict[str, list[tuple[str, float]]] = {}
        for label in predicted:
            j = self.labels.index(label)
            contrib = x.data * self.coef[x.indices, j]
            # One entry per phrase as written: "Đảng" and "Đảng |" (a clause end) add up, and a
            # single word that also pushed as part of a phrase is shown as that phrase ("thầu"
            # → "đấu thầu", "sai" + "phạm" → "sai phạm"): words alone read as noise.
            weights: dict[str, float] = {}
            for i in np.argsort(-contrib):
                if contrib[i] <= 0:
                    break
                term = self._term(int(x.indices[i]), names, x, surface)
                if term.strip("| "):
                    weights[term] = weights.get(term, 0.0) + float(contrib[i])
            phrases_by_word: dict[str, list[str]] = {}
            for term in weights:
                if " " in term and not term.startswith(("từ khóa", "[", "«")):
                    for word in term.lower().split():
                        phrases_by_word.setdefault(word, []).append(term)
            for term in [t for t in weights if " " not in t]:
                homes = phrases_by_word.get(term.lower())
                if homes:
                    best = max(homes, key=weights.__getitem__)
                    weights[best] += weights.pop(term)
            shown: list[tuple[str, float]] = []
            for term, weight in sorted(weights.items(), key=lambda kv: -kv[1]):
                words = set(term.lower().split())
                if any(words <= set(t.lower().split()) for t, _ in shown):
                    continue
                if _straddles(term, [t for t, _ in shown]):
                    continue
                shown.append((term, round(weight, 4)))
                if len(shown) == k:
                    break
            phrases = [set(t.lower().split()) for t, _ in shown]
            out[label] = [
                (t, w)
                for (t, w), words in zip(shown, phrases, strict=True)
                if not any(words < other for other in phrases)
            ]
        return out

    def _term(self, column: int, names: list[str], x: sp.csr_matrix, surface: _Surface) -> str:
        extractor = self.extractor
        n_terms = getattr(extractor, "n_terms", None)
        if n_terms is not None and column >= n_terms:  # a lexicon column
            present = set(x.indices.tolist()) & extractor.keyword_terms(column - n_terms)
            found = sorted({surface(names[c]) for c in present})
            return "từ khóa: " + ", ".join(found) if found else names[column]
        return surface(names[column])

    def summary(self) -> dict[str, Any]:
        """Version, labels and held-out scores, for listings."""
        test = self.card.get("test", {})
        return {"version": self.version, "labels": self.labels, "macro_f1": test.get("macro_f1")}


class _Surface:
    """Finds a folded n-gram in the original text: "ket nap" → "kết nạp"."""

    def __init__(self, text: str) -> None:
        from bot.corpus.text import fold_lower, normalize

        self.original = normalize(text)
        self.folded = fold_lower(self.original)  # one character per character

    def __call__(self, term: str) -> str:
        if term.startswith(("[", "«")):
            return term
        match = phrase_pattern(term).search(self.folded)
        if match is None:
            return term
        return " ".join(self.original[match.start() : match.end()].split())


# --- training --------------------------------------------------------------------------------


def _fit_linear(x: sp.csr_matrix, y: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, float]:
    """Weights and bias of one topic's linear model."""
    if y.min() == y.max():  # a fold without positives (tiny data): a constant scorer
        return np.zeros(x.shape[1]), (5.0 if y[0] else -5.0)
    if config.estimator == "svm":
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=config.C, class_weight=config.class_weight, random_state=config.seed)
        svm.fit(x, y)
        return svm.coef_.ravel(), float(svm.intercept_[0])
    if config.estimator != "lr":
        raise ValueError(f"unknown estimator {config.estimator!r}")
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(
        C=config.C, class_weight=config.class_weight, solver="liblinear", max_iter=1000
    )
    lr.fit(x, y)
    return lr.coef_.ravel(), float(lr.intercept_[0])


def fit_topics(
    texts: Sequence[str], y: np.ndarray, config: TrainConfig, keywords: dict[str, list[str]]
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Extractor, weights (features × topics) and biases fitted on ``texts``."""
    extractor = build_extractor(
        config.features,
        keywords=keywords if config.lexicon else None,
        lexicon_scale=config.lexicon_scale,
        boundaries=config.boundaries,
        zero_digits=config.zero_digits,
        min_df=config.min_df,
    )
    x = extractor.fit_transform(texts)
    coef = np.zeros((x.shape[1], y.shape[1]))
    intercept = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        coef[:, j], intercept[j] = _fit_linear(x, y[:, j], config)
    return extractor, coef, intercept


def fit_platt(s: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: ``a, b`` so that ``sigmoid(a·s + b)`` is a calibrated probability."""
    if y.min() == y.max():
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression

    # Platt's smoothed targets keep a perfectly separated fold from giving infinite slopes.
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    target = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    s2 = np.concatenate([s, s]).reshape(-1, 1)
    y2 = np.concatenate([np.ones(len(s)), np.zeros(len(s))])
    w2 = np.concatenate([target, 1 - target])
    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(s2, y2, sample_weight=w2)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def sigmoid_scores(s: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Apply Platt parameters (2, topics) to raw scores (n, topics)."""
    return 1.0 / (1.0 + np.exp(-(platt[0] * s + platt[1])))


THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut with the best F1 on out-of-fold predictions; among cuts within 0.01
    of that F1, the highest: a topic wrongly given to an unrelated article costs the reader
    more than one missed (measured in cross-validation: same macro-F1, negatives given a topic
    11.8% → 8.7% on an earlier data set)."""
    if y.sum() == 0:
        return 0.5
    best = -1.0
    f1s = []
    for t in THRESHOLD_GRID:
        hit = p >= t
        tp = float(np.sum(hit & (y == 1)))
        f1 = 2 * tp / (hit.sum() + y.sum()) if (hit.sum() + y.sum()) else 0.0
        f1s.append(f1)
        best = max(best, f1)
    good = [t for t, f in zip(THRESHOLD_GRID, f1s, strict=True) if f >= best - 0.01]
    return float(good[-1])


def gate_threshold(p: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The highest cut that keeps at least ``recall`` of the positive texts."""
    positives = np.sort(p[y == 1])
    if not len(positives):
        return 0.5
    k = int(np.floor((1.0 - recall) * len(positives)))
    return float(positives[min(k, len(positives) - 1)])


def target_matrix(examples: Sequence[Example], labels: Sequence[str], *, gate: bool) -> np.ndarray:
    """The label matrix, plus an "any topic" column for the gate."""
    y = label_matrix(examples, labels)
    return np.hstack([y, y.max(axis=1, keepdims=True)]) if gate else y


def fold_ids(examples: Sequence[Example], k: int, seed: int) -> np.ndarray:
    """Fold number per example: stratified by first topic (or none), shuffled by ``seed``."""
    rng = np.random.default_rng(seed)
    strata: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        strata.setdefault(ex.topics[0] if ex.topics else "", []).append(i)
    folds = np.zeros(len(examples), dtype=np.int64)
    offset = 0
    for key in sorted(strata):
        members = np.array(strata[key])
        rng.shuffle(members)
        folds[members] = (np.arange(len(members)) + offset) % k
        offset += len(members)
    return folds


def label_matrix(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    """0/1 matrix (examples × labels)."""
    index = {label: j for j, label in enumerate(labels)}
    y = np.zeros((len(examples), len(labels)), dtype=np.int64)
    for i, ex in enumerate(examples):
        for t in ex.topics:
            y[i, index[t]] = 1
    return y


@dataclass
class CVResult:
    """Out-of-fold raw scores and what was chosen from them."""

    scores: np.ndarray  # (n, topics) out-of-fold decision values
    folds: np.ndarray
    platt: np.ndarray  # (2, topics) fitted on all out-of-fold scores
    thresholds: np.ndarray
    cross_fitted: np.ndarray  # bool predictions, each fold thresholded on the other folds
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def proba(self) -> np.ndarray:
        """Out-of-fold calibrated probabilities."""
        return sigmoid_scores(self.scores, self.platt)


def cross_validate(
    examples: Sequence[Example],
    labels: Sequence[str],
    config: TrainConfig,
    keywords: dict[str, list[str]],
    progress: Progress | None = None,
) -> CVResult:
    """k-fold out-of-fold scores on ``examples`` (the train split only), then Platt
    parameters and thresholds from them.

    The reported CV scores are cross-fitted: each fold is thresholded with calibration and
    thresholds chosen on the other folds, so choosing thresholds does not flatter them.
    """
    started = time.perf_counter()
    texts = [ex.text for ex in examples]
    y = target_matrix(examples, labels, gate=config.gate)
    folds = fold_ids(examples, config.folds, config.seed)
    oof = np.zeros(y.shape, dtype=np.float64)
    for k in range(config.folds):
        if progress:
            progress(f"cross-validation fold {k + 1}/{config.folds}", k, config.folds)
        train_idx, val_idx = np.where(folds != k)[0], np.where(folds == k)[0]
        extractor, coef, intercept = fit_topics(
            [texts[i] for i in train_idx], y[train_idx], config, keywords
        )
        oof[val_idx] = extractor.transform([texts[i] for i in val_idx]) @ coef + intercept
    platt, thresholds = _calibrate(oof, y, gate_recall=config.gate_recall if config.gate else None)
    cross = np.zeros(y.shape, dtype=bool)
    for k in range(config.folds):
        inside, outside = folds == k, folds != k
        fold_platt, fold_thr = _calibrate(
            oof[outside], y[outside], gate_recall=config.gate_recall if config.gate else None
        )
        cross[inside] = sigmoid_scores(oof[inside], fold_platt) >= fold_thr
    if config.gate:
        # A topic only where the gate let the text through, as the model will decide.
        cross = cross[:, :-1] & cross[:, -1:]
    if progress:
        progress("cross-validation done", config.folds, config.folds)
    return CVResult(oof, folds, platt, thresholds, cross, time.perf_counter() - started)


def _calibrate(
    s: np.ndarray, y: np.ndarray, *, gate_recall: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Platt parameters and a threshold per column; with ``gate_recall`` the last column is
    the gate, cut where it keeps that share of on-topic texts."""
    platt = np.zeros((2, y.shape[1]))
    thresholds = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        platt[:, j] = fit_platt(s[:, j], y[:, j])
        p = sigmoid_scores(s[:, [j]], platt[:, [j]]).ravel()
        if gate_recall is not None and j == y.shape[1] - 1:
            thresholds[j] = gate_threshold(p, y[:, j], gate_recall)
        else:
            thresholds[j] = choose_threshold(p, y[:, j])
    return platt, thresholds


def _rows_to_labels(matrix: np.ndarray, labels: Sequence[str]) -> list[list[str]]:
    return [[label for label, on in zip(labels, row, strict=True) if on] for row in matrix]


def evaluate(
    model: TopicModel, examples: Sequence[Example], keywords: dict[str, list[str]]
) -> dict[str, Any]:
    """The model and both baselines on ``examples``, plus the topic-pair confusion."""
    texts = [ex.text for ex in examples]
    gold = [list(ex.topics) for ex in examples]
    pred = _rows_to_labels(model.predict_matrix(texts), model.labels)
    result = scores(gold, pred, model.labels)
    result["baselines"] = {
        "keyword_rule": scores(gold, KeywordRule(keywords).predict(texts), model.labels),
        "all_positive": scores(gold, all_positive(len(texts), model.labels), model.labels),
    }
    result["confusion"] = pair_confusion(gold, pred, model.labels)
    return result


def make_version(now: datetime | None = None) -> str:
    """A sortable version name, ``YYYYMMDD-HHMMSS`` (UTC)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")


def train(
    examples: Sequence[Example],
    labels: Sequence[str],
    keywords: dict[str, list[str]],
    config: TrainConfig | None = None,
    *,
    data_info: dict[str, Any] | None = None,
    progress: Progress | None = None,
    version: str | None = None,
) -> TopicModel:
    """Cross-validate on the train split, fit on all of it, score the held-out split.

    The test split is only scored, never used to choose anything.
    """
    import sklearn

    config = config or TrainConfig()
    if config.doc_mode not in DOC_MODES:
        raise InputError(f"doc_mode must be one of {', '.join(DOC_MODES)}")
    train_set = [ex for ex in examples if ex.split == "train"]
    test_set = [ex for ex in examples if ex.split == "test"]
    if len(train_set) < config.folds * 2:
        raise InputError(f"too few training examples ({len(train_set)})")
    started = time.perf_counter()
    y = target_matrix(train_set, labels, gate=config.gate)
    repeats = [
        cross_validate(train_set, labels, replace(config, seed=config.seed + k), keywords, progress)
        for k in range(max(1, config.cv_repeats))
    ]
    cv = repeats[0]  # its cross-fitted predictions are the reported CV scores
    if len(repeats) > 1:
        pooled = np.vstack([r.scores for r in repeats])
        cv.platt, cv.thresholds = _calibrate(
            pooled,
            np.vstack([y] * len(repeats)),
            gate_recall=config.gate_recall if config.gate else None,
        )
    if progress:
        progress("fitting the final model", 0, 1)
    fit_started = time.perf_counter()
    extractor, coef, intercept = fit_topics([ex.text for ex in train_set], y, config, keywords)
    fit_seconds = time.perf_counter() - fit_started
    model = TopicModel(
        labels=labels,
        extractor=extractor,
        coef=coef,
        intercept=intercept,
        platt=cv.platt,
        thresholds=cv.thresholds[: len(labels)],
        doc_mode=config.doc_mode,
        version=version or make_version(),
        gate_threshold=float(cv.thresholds[-1]) if config.gate else None,
        short_tokens=config.short_tokens,
        short_scale=config.short_scale,
    )
    if progress:
        progress("scoring the held-out split", 0, 1)
    gold_train = [list(ex.topics) for ex in train_set]
    cv_scores = scores(gold_train, _rows_to_labels(cv.cross_fitted, labels), labels)
    texts_train = [ex.text for ex in train_set]
    cv_scores["baselines"] = {
        "keyword_rule": scores(gold_train, KeywordRule(keywords).predict(texts_train), labels),
        "all_positive": scores(gold_train, all_positive(len(train_set), labels), labels),
    }
    test_scores = evaluate(model, test_set, keywords) if test_set else {}
    model.card = {
        "version": model.version,
        "format": FORMAT,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "labels": list(labels),
        "config": config.as_dict(),
        "training_data": {
            **(data_info or {}),
            "train_examples": len(train_set),
            "test_examples": len(test_set),
        },
        "thresholds": {
            label: round(float(t), 2)
            for label, t in zip(labels, cv.thresholds[: len(labels)], strict=True)
        },
        "gate_threshold": round(float(cv.thresholds[-1]), 3) if config.gate else None,
        "features": len(extractor.feature_names()),
        "cv": {
            **cv_scores,
            "folds": config.folds,
            "note": "cross-fitted: each fold thresholded with calibration and thresholds "
            "chosen on the other folds (first fold assignment); the model's calibration and "
            f"thresholds pool the out-of-fold scores of {len(repeats)} fold assignments",
        },
        "test": test_scores,
        "timings": {
            "train_seconds": round(time.perf_counter() - started, 2),
            "cv_seconds": round(sum(r.seconds for r in repeats), 2),
            "final_fit_seconds": round(fit_seconds, 2),
        },
    }
    return model


def _straddles(term: str, shown: list[str]) -> bool:
    """Is a two-word ``term`` the end of one shown phrase and the start of another ("ban
    Kiểm" between "Ủy ban" and "Kiểm tra")? Then it is no term a reader would give."""
    words = term.lower().split()
    if len(words) != 2:
        return False
    phrases = [t.lower().split() for t in shown if len(t.split()) > 1]
    return any(p[-1] == words[0] for p in phrases) and any(p[0] == words[1] for p in phrases)
