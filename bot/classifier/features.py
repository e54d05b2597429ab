"""Features: tf-idf over accent-folded syllable n-grams, char n-grams, a keyword lexicon.

Classification runs on every stored article, so the syllable vectorizer is built for speed
(the target is 2,000 articles/s on one core) rather than taken from sklearn, whose per-token
Python loop is several times slower on article-length text:

* folding is ``NFKD`` + ``encode("ascii", "ignore")`` + ``bytes.translate``, all in C. It
  gives the same letters as :func:`bot.text.fold_lower` (``đ`` → ``d``, every tone and hat
  dropped, both tone placements equal) and also handles decomposed input and odd spaces;
* syllables become integer ids with one ``map(dict.get)``; bigram and trigram ids are
  arithmetic on numpy arrays, looked up with ``searchsorted``; counting is one sparse build.

The arithmetic is sklearn's (smooth idf, sublinear tf, l2-normalised rows). Models need only
numpy and scipy to predict, so loading one does not import scikit-learn.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise, repeat
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

BOUNDARY = b"|"


def _table(*, boundaries: bool, zero_digits: bool) -> bytes:
    table = bytearray(range(256))
    for c in range(256):
        ch = chr(c)
        if ch.isascii() and ch.isalpha():
            table[c] = ord(ch.lower())
        elif ch.isdigit() and ch.isascii():
            table[c] = ord("0") if zero_digits else c
        else:
            table[c] = ord(" ")
    if boundaries:
        # Clause punctuation is a token "|" so n-grams do not join "tham nhũng, đấu thầu";
        # "|" itself is in every text and weighs almost nothing.
        for ch in '.,;:!?()[]"\n':
            table[ord(ch)] = ord("|")
    return bytes(table)


_TABLES = {
    (b, z): _table(boundaries=b, zero_digits=z) for b in (True, False) for z in (True, False)
}


def fold_ascii(text: str) -> bytes:
    """Lower-case ASCII bytes without accents (``"Đảng ủy"`` → ``b"dang uy"``).

    Characters with no ASCII base (curly quotes, CJK) disappear; dashes and the ellipsis are
    kept as separators.
    """
    text = text.replace("đ", "d").replace("Đ", "D").replace("–", "-").replace("—", "-")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore")


def stream(text: str, *, boundaries: bool = True, zero_digits: bool = False) -> list[bytes]:
    """Folded syllables (and ``|`` at clause punctuation) of ``text``."""
    folded = fold_ascii(text).translate(_TABLES[boundaries, zero_digits])
    if boundaries:
        folded = folded.replace(BOUNDARY, b" | ")
    return folded.split()


def tokens(text: str) -> list[str]:
    """Folded syllables of ``text`` (``"Kết nạp Đảng"`` → ``["ket", "nap", "dang"]``)."""
    return [t.decode("ascii") for t in stream(text, boundaries=False)]


def ngrams(toks: Sequence[bytes], n_max: int) -> list[bytes]:
    """Syllable 1..``n_max``-grams joined by spaces (used when fitting, not predicting)."""
    grams = list(toks)
    if n_max >= 2:
        grams.extend(map(b" ".join, pairwise(toks)))
    if n_max >= 3:
        grams.extend(map(b" ".join, zip(toks, toks[1:], toks[2:], strict=False)))
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


class SyllableTfidf:
    """tf-idf over folded syllable 1..n-grams, plus optional keyword-lexicon columns.

    The lexicon (``keywords``: slug → phrases from the taxonomy) adds one column per topic,
    ``log1p(keyword occurrences) * lexicon_scale``; a keyword is counted through its n-gram
    column, so it costs one sparse product. Keywords longer than ``n_max`` syllables are left
    out rather than cut short: "ủy ban kiểm tra" cut to "ủy ban" would fire on every
    committee (that cut cost 0.04 macro-F1 in cross-validation).
    """

    def __init__(
        self,
        n_max: int = 2,
        min_df: int = 2,
        sublinear_tf: bool = True,
        boundaries: bool = True,
        zero_digits: bool = False,
        keywords: dict[str, Sequence[str]] | None = None,
        lexicon_scale: float = 1.0,
    ) -> None:
        if not 1 <= n_max <= 3:
            raise ValueError("n_max must be 1, 2 or 3")
        self.n_max = n_max
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.boundaries = boundaries
        self.zero_digits = zero_digits
        self.keywords = {k: list(v) for k, v in (keywords or {}).items()}
        self.lexicon_scale = lexicon_scale
        self.unigrams: dict[bytes, int] = {}
        self.bigram_keys = np.zeros(0, dtype=np.int64)  # sorted a*V+b
        self.trigram_keys = np.zeros(0, dtype=np.int64)  # sorted (a*V+b)*V+c
        self.idf = np.zeros(0)
        self.lexicon = sp.csr_matrix((0, 0))  # (terms, topics) 0/1

    def _stream(self, text: str) -> list[bytes]:
        return stream(text, boundaries=self.boundaries, zero_digits=self.zero_digits)

    def fit(self, texts: Sequence[str]) -> SyllableTfidf:
        """Keep n-grams found in at least ``min_df`` texts; compute idf and the lexicon."""
        df: Counter[bytes] = Counter()
        for text in texts:
            df.update(set(ngrams(self._stream(text), self.n_max)))
        kept = [g for g, c in df.items() if c >= self.min_df]
        by_order: dict[int, list[bytes]] = {1: [], 2: [], 3: []}
        for gram in kept:
            by_order[gram.count(b" ") + 1].append(gram)
        self.unigrams = {g: i for i, g in enumerate(sorted(by_order[1]))}
        v = len(self.unigrams)
        uni = self.unigrams

        def key(gram: bytes) -> int:
            k = 0
            for part in gram.split(b" "):
                k = k * v + uni[part]
            return k

        # Every part of a kept n-gram is a kept unigram: it occurs in the same texts.
        self.bigram_keys = np.array(sorted(key(g) for g in by_order[2]), dtype=np.int64)
        self.trigram_keys = np.array(sorted(key(g) for g in by_order[3]), dtype=np.int64)
        names = self._names()
        counts = np.array([df[n] for n in names], dtype=np.float64)
        self.idf = np.log((1 + len(texts)) / (1 + counts)) + 1.0  # sklearn's smooth idf
        self._build_lexicon(names)
        return self

    def _names(self) -> list[bytes]:
        inverse = sorted(self.unigrams, key=self.unigrams.__getitem__)
        v = len(inverse)
        names = list(inverse)
        for k in self.bigram_keys.tolist():
            names.append(inverse[k // v] + b" " + inverse[k % v])
        for k in self.trigram_keys.tolist():
            names.append(b" ".join((inverse[k // (v * v)], inverse[k // v % v], inverse[k % v])))
        return names

    def _build_lexicon(self, names: list[bytes]) -> None:
        if not self.keywords:
            self.lexicon = sp.csr_matrix((len(names), 0))
            return
        column = {n: i for i, n in enumerate(names)}
        rows, cols = [], []
        for j, phrases in enumerate(self.keywords.values()):
            for phrase in phrases:
                syllables = self._stream(phrase)
                if len(syllables) > self.n_max:
                    continue
                gram = b" ".join(syllables)
                if gram in column:
                    rows.append(column[gram])
                    cols.append(j)
        data = np.ones(len(rows))
        self.lexicon = sp.csr_matrix((data, (rows, cols)), shape=(len(names), len(self.keywords)))
        self.lexicon.data[:] = 1.0  # a keyword listed twice still counts once

    def _dense_bigrams(self) -> np.ndarray | None:
        """Column of every possible bigram key (-1 when not kept), for a lookup 15× faster
        than ``searchsorted``; built on first use and never pickled. None when the table would
        exceed 64 MB (a vocabulary over 4,096 syllables)."""
        dense = self.__dict__.get("_dense")
        if dense is None:
            v = len(self.unigrams)
            if v * v > 16_000_000:
                return None
            dense = np.full(v * v, -1, dtype=np.int32)
            dense[self.bigram_keys] = np.arange(len(self.bigram_keys))
            self.__dict__["_dense"] = dense
        return dense

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_dense", None)  # derived; rebuilt on first use
        return state

    @property
    def n_terms(self) -> int:
        """Size of the tf-idf block (the lexicon columns come after it)."""
        return len(self.idf)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per text."""
        uni_get = self.unigrams.get
        v = len(self.unigrams)
        parts: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            toks = self._stream(text)
            lengths[i] = len(toks)
            parts.append(np.fromiter(map(uni_get, toks, repeat(-1)), np.int64, len(toks)))
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        doc = np.repeat(np.arange(len(texts)), lengths)
        known = ids >= 0
        cols = [ids[known]]
        rows = [doc[known]]
        offset = v
        for order, table in ((2, self.bigram_keys), (3, self.trigram_keys)):
            if self.n_max < order:
                break
            n = len(ids) - order + 1
            if n > 0 and len(table):
                ok = doc[:n] == doc[order - 1 :]  # never across two texts
                key = np.zeros(n, dtype=np.int64)
                for k in range(order):
                    part = ids[k : k + n]
                    ok &= part >= 0
                    key = key * v + part
                key, where = key[ok], doc[:n][ok]
                dense = self._dense_bigrams() if order == 2 else None
                if dense is not None:
                    pos = dense[key]
                    hit = pos >= 0
                else:
                    pos = np.minimum(np.searchsorted(table, key), len(table) - 1)
                    hit = table[pos] == key
                cols.append(pos[hit] + offset)
                rows.append(where[hit])
            offset += len(table)
        col = np.concatenate(cols)
        return sp.csr_matrix(
            (np.ones(len(col)), (np.concatenate(rows), col)), shape=(len(texts), self.n_terms)
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """One l2-normalised tf-idf row per text (+ lexicon columns)."""
        return self.from_counts(self.counts(texts))

    def transform_with_parts(
        self, texts: Sequence[str], parts: Sequence[Sequence[str]]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Rows for whole texts and for their parts (paragraphs) from one tokenising pass.

        ``parts[i]`` are the pieces of ``texts[i]`` (or empty to use the text alone); a whole
        text's counts are the sum of its parts' counts. Paragraph breaks are clause boundaries,
        so no n-gram spans two parts and the sum equals counting the text itself.
        """
        pieces: list[str] = []
        owner: list[int] = []
        for i, (text, split) in enumerate(zip(texts, parts, strict=True)):
            chunk = list(split) or [text]
            pieces.extend(chunk)
            owner.extend([i] * len(chunk))
        piece_counts = self.counts(pieces)
        gather = sp.csr_matrix(
            (np.ones(len(owner)), (np.array(owner, dtype=np.int64), np.arange(len(owner)))),
            shape=(len(texts), len(pieces)),
        )
        whole = self.from_counts(gather @ piece_counts)
        return whole, self.from_counts(piece_counts)

    def from_counts(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """tf-idf rows (+ lexicon columns) from raw n-gram counts."""
        counts = counts.tocsr()
        counts.sum_duplicates()
        tfidf = counts.copy()
        if self.sublinear_tf:
            np.log(tfidf.data, out=tfidf.data)
            tfidf.data += 1.0
        tfidf.data *= self.idf[tfidf.indices]
        norms = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        tfidf.data /= np.repeat(norms, np.diff(tfidf.indptr))
        if not self.keywords:
            return tfidf
        hits = np.log1p((counts @ self.lexicon).toarray()) * self.lexicon_scale
        return sp.hstack([tfidf, sp.csr_matrix(hits)], format="csr")

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(texts).transform(texts)

    def feature_names(self) -> list[str]:
        """Column names: n-grams, then the lexicon's ``[từ khóa: slug]``."""
        names = [n.decode("ascii") for n in self._names()]
        return names + [f"[từ khóa: {slug}]" for slug in self.keywords]

    def keyword_terms(self, slug_index: int) -> set[int]:
        """Columns of one topic's keywords (``explain`` shows them instead of the lexicon)."""
        return set(self.lexicon[:, slug_index].nonzero()[0].tolist())


def _char_prepare(text: str) -> str:
    return fold_ascii(text).decode("ascii").lower()


class CharTfidf:
    """sklearn's char_wb n-gram tf-idf on folded text (measured against syllables)."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer: Any = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=ngram_range,
            min_df=min_df,
            sublinear_tf=True,
            preprocessor=_char_prepare,
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
    zero_digits: bool = False,
    min_df: int = 2,
) -> Any:
    """An unfitted extractor by name: ``syl1``, ``syl2``, ``syl3``, ``char``, ``syl2+char``.

    ``keywords`` (slug → phrases) adds the lexicon columns to the syllable part.
    """
    parts: list[Any] = []
    for name in kind.split("+"):
        if name.startswith("syl"):
            parts.append(
                SyllableTfidf(
                    n_max=int(name[3:] or 2),
                    min_df=min_df,
                    boundaries=boundaries,
                    zero_digits=zero_digits,
                    keywords=keywords,
                    lexicon_scale=lexicon_scale,
                )
            )
        elif name == "char":
            parts.append(CharTfidf(min_df=min_df))
        else:
            raise ValueError(f"unknown feature kind {name!r}")
    return parts[0] if len(parts) == 1 else Union(parts)


_WORD_GAP = r"[\W_]+"


def phrase_pattern(term: str) -> re.Pattern[str]:
    """A regex finding a folded n-gram in :func:`bot.text.fold_lower`-ed text."""
    words = [re.escape(w) for w in term.split() if w != "|"]
    return re.compile(r"(?<![^\W_])" + _WORD_GAP.join(words) + r"(?![^\W_])")
