"""Features: tf-idf over accent-folded syllable n-grams, char n-grams, a keyword lexicon.

The syllable vectorizer is hand-written rather than sklearn's ``TfidfVectorizer`` because
classification runs on every stored article and sklearn's per-token Python loop is the
bottleneck there: counting with ``collections.Counter`` and looking the distinct n-grams up with
``map(dict.get, ...)`` keeps the inner loops in C (about 4× faster on article-length texts). It
only needs numpy and scipy, so loading a model does not import scikit-learn. The arithmetic is
sklearn's (smooth idf, sublinear tf, l2 rows), so the two are interchangeable in experiments.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise, repeat
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from bot.text import fold_lower, normalize

# Numbers that carry no topic (years, dates, amounts) become one token "#"; short ones stay,
# because "Nghị quyết 35", "Chỉ thị 05", "21-KL/TW" are topical. Leading zeros go ("05" = "5").
_LONG_NUMBER = re.compile(r"\d+(?:[.,/]\d+)+|\d{4,}")
_LEADING_ZEROS = re.compile(r"(?<![\d#])0+(?=\d)")
_TOKEN = re.compile(r"[^\W_]+|#")
# With boundaries, clause punctuation is a token "|" so n-grams do not join words across
# "tham nhũng, đấu thầu"; "|" itself is in every text and weighs almost nothing.
_CLAUSE_PUNCT = re.compile(r"[.,;:!?()\[\]\"“”…\n]+")
_TOKEN_OR_BOUNDARY = re.compile(r"[^\W_]+|[#|]")


def prepare(text: str) -> str:
    """Normalised, accent-folded, lower-case text with long numbers collapsed to ``#``."""
    return _LEADING_ZEROS.sub("", _LONG_NUMBER.sub("#", fold_lower(normalize(text))))


def tokens(text: str) -> list[str]:
    """Folded syllables of ``text`` (``"Kết nạp đảng viên"`` → ``["ket", "nap", "dang", "vien"]``)."""
    return _TOKEN.findall(prepare(text))


def stream(prepared: str, boundaries: bool) -> list[str]:
    """Tokens of :func:`prepare`-d text; clause punctuation becomes ``|`` with ``boundaries``."""
    if not boundaries:
        return _TOKEN.findall(prepared)
    return _TOKEN_OR_BOUNDARY.findall(_CLAUSE_PUNCT.sub(" | ", prepared))


def ngrams(toks: list[str], n_max: int) -> list[str]:
    """Syllable 1..``n_max``-grams, joined by spaces."""
    grams = list(toks)
    if n_max >= 2:
        grams.extend(map(" ".join, pairwise(toks)))
    if n_max >= 3:
        grams.extend(map(" ".join, zip(toks, toks[1:], toks[2:], strict=False)))
    return grams


def split_paragraphs(text: str, min_chars: int = 150) -> list[str]:
    """Lines of a document merged until each chunk has ``min_chars``: headings and dates join
    the paragraph after them instead of being classified alone."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        current.append(line)
        size += len(line)
        if size >= min_chars:
            chunks.append("\n".join(current))
            current, size = [], 0
    if current:
        if chunks and size < min_chars:
            chunks[-1] = chunks[-1] + "\n" + "\n".join(current)
        else:
            chunks.append("\n".join(current))
    return chunks or [text]


class Extractor(Protocol):
    """What the model needs from a feature extractor."""

    def fit(self, texts: Sequence[str]) -> Extractor: ...
    def transform(self, texts: Sequence[str]) -> sp.csr_matrix: ...
    def feature_names(self) -> list[str]: ...


class Lexicon:
    """Per-topic keyword counts (the taxonomy's keywords), as ``log1p(count) * scale``.

    Keywords are matched on the same folded n-grams the vectorizer builds; a keyword longer
    than ``n_max`` syllables is matched by its first ``n_max`` ones.
    """

    def __init__(
        self,
        keywords: dict[str, Sequence[str]],
        n_max: int,
        scale: float = 1.0,
        boundaries: bool = True,
    ) -> None:
        self.slugs = list(keywords)
        self.scale = scale
        self.keys: list[list[str]] = []
        for slug in self.slugs:
            keys = {
                " ".join(stream(prepare(k), boundaries)[: max(n_max, 1)]) for k in keywords[slug]
            }
            self.keys.append(sorted(k for k in keys if k))

    def row(self, counts: Counter[str]) -> list[float]:
        """The lexicon features of one text from its n-gram counts."""
        get = counts.get
        return [
            math.log1p(sum(get(k, 0) for k in keys)) * self.scale if keys else 0.0
            for keys in self.keys
        ]

    def names(self) -> list[str]:
        """Readable names shown by ``explain``."""
        return [f"[từ khóa: {slug}]" for slug in self.slugs]


class SyllableTfidf:
    """tf-idf over syllable 1..n-grams of :func:`prepare`-d text, plus an optional lexicon."""

    def __init__(
        self,
        n_max: int = 2,
        min_df: int = 2,
        max_df: float = 1.0,
        sublinear_tf: bool = True,
        lexicon: Lexicon | None = None,
        boundaries: bool = True,
    ) -> None:
        self.n_max = n_max
        self.boundaries = boundaries
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.lexicon = lexicon
        self.vocabulary: dict[str, int] = {}
        self.idf: np.ndarray = np.zeros(0, dtype=np.float64)

    def fit(self, texts: Sequence[str]) -> SyllableTfidf:
        """Learn the vocabulary (n-grams in at least ``min_df`` texts) and idf."""
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(ngrams(stream(prepare(text), self.boundaries), self.n_max)))
        n = len(texts)
        limit = self.max_df * n
        kept = sorted(g for g, c in df.items() if self.min_df <= c <= limit)
        self.vocabulary = {g: i for i, g in enumerate(kept)}
        counts = np.array([df[g] for g in kept], dtype=np.float64)
        self.idf = np.log((1 + n) / (1 + counts)) + 1.0  # sklearn's smooth idf
        return self

    @property
    def n_terms(self) -> int:
        """Size of the tf-idf block (the lexicon columns come after it)."""
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """A sparse matrix with one l2-normalised tf-idf row per text (+ lexicon columns)."""
        vocab_get = self.vocabulary.get
        boundaries = self.boundaries
        all_ids: list[int] = []
        all_counts: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        lex_rows: list[list[float]] = []
        for i, text in enumerate(texts):
            counts = Counter(ngrams(stream(prepare(text), boundaries), self.n_max))
            ids = list(map(vocab_get, counts.keys(), repeat(-1)))
            all_ids.extend(ids)
            all_counts.extend(counts.values())
            lengths[i] = len(ids)
            if self.lexicon is not None:
                lex_rows.append(self.lexicon.row(counts))
        ids_arr = np.array(all_ids, dtype=np.int64)
        values = np.array(all_counts, dtype=np.float64)
        rows = np.repeat(np.arange(len(texts)), lengths)
        keep = ids_arr >= 0
        ids_arr, values, rows = ids_arr[keep], values[keep], rows[keep]
        if self.sublinear_tf:
            values = 1.0 + np.log(values)
        values *= self.idf[ids_arr]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(texts)))
        norms[norms == 0] = 1.0
        values /= norms[rows]
        matrix = sp.csr_matrix(
            (values, (rows, ids_arr)), shape=(len(texts), self.n_terms), dtype=np.float64
        )
        if self.lexicon is None:
            return matrix
        lex = sp.csr_matrix(np.array(lex_rows, dtype=np.float64).reshape(len(texts), -1))
        return sp.hstack([matrix, lex], format="csr")

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(texts).transform(texts)

    def feature_names(self) -> list[str]:
        """Column names: n-grams, then lexicon names."""
        names = [""] * self.n_terms
        for gram, i in self.vocabulary.items():
            names[i] = gram
        if self.lexicon is not None:
            names.extend(self.lexicon.names())
        return names


class CharTfidf:
    """sklearn's char_wb n-gram tf-idf on :func:`prepare`-d text (measured against syllables)."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer: Any = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=ngram_range,
            min_df=min_df,
            sublinear_tf=True,
            preprocessor=prepare,
            dtype=np.float64,
        )

    def fit(self, texts: Sequence[str]) -> CharTfidf:
        """Learn the char n-gram vocabulary."""
        self.vectorizer.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """One l2-normalised row per text."""
        return sp.csr_matrix(self.vectorizer.transform(texts))

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(texts).transform(texts)

    def feature_names(self) -> list[str]:
        """The char n-grams."""
        return [f"«{g}»" for g in self.vectorizer.get_feature_names_out()]


class Union:
    """Several extractors side by side, each block weighted."""

    def __init__(self, parts: list[Any], weights: list[float] | None = None) -> None:
        self.parts = parts
        self.weights = weights or [1.0] * len(parts)

    def fit(self, texts: Sequence[str]) -> Union:
        """Fit every part."""
        for part in self.parts:
            part.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The parts' matrices, weighted and stacked."""
        blocks = [p.transform(texts) * w for p, w in zip(self.parts, self.weights, strict=True)]
        return sp.hstack(blocks, format="csr")

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(texts).transform(texts)

    def feature_names(self) -> list[str]:
        """All parts' names, in column order."""
        return [name for p in self.parts for name in p.feature_names()]


def build_extractor(
    kind: str,
    *,
    keywords: dict[str, Sequence[str]] | None = None,
    lexicon_scale: float = 1.0,
    boundaries: bool = True,
    min_df: int = 2,
) -> Any:
    """An unfitted extractor by name: ``syl1``, ``syl2``, ``syl3``, ``char``, ``syl2+char``…

    ``keywords`` (slug → phrases) adds the lexicon columns to the syllable part.
    """
    parts: list[Any] = []
    for name in kind.split("+"):
        if name.startswith("syl"):
            n_max = int(name[3:] or 2)
            lexicon = Lexicon(keywords, n_max, lexicon_scale, boundaries) if keywords else None
            parts.append(
                SyllableTfidf(n_max=n_max, min_df=min_df, lexicon=lexicon, boundaries=boundaries)
            )
        elif name == "char":
            parts.append(CharTfidf())
        else:
            raise ValueError(f"unknown feature kind {name!r}")
    return parts[0] if len(parts) == 1 else Union(parts)
