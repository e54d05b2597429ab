"""Saving and loading topic models in a format that cannot run code when loaded.

A model file (and a ``model_versions`` blob) is an ``.npz`` archive: numeric arrays plus one
JSON document, read with ``numpy.load(allow_pickle=False)``, which refuses object arrays, so a
crafted file can at worst fail to load. Pickles (what joblib writes) execute code on load;
checking a sha256 stored next to the blob does not help when an attacker can rewrite both, so
pickles are refused outright.

Layout: ``meta`` (UTF-8 JSON as uint8: format, labels, version, card, doc mode and each
feature block's settings), ``coef``, ``intercept``, ``platt``, ``thresholds``, and per feature
block ``b<i>.*`` arrays (vocabulary as newline-joined bytes, n-gram keys, idf, lexicon).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import scipy.sparse as sp

from bot.classifier.features import CharTfidf, SyllableTfidf, Union
from bot.classifier.model import FORMAT, TopicModel
from bot.errors import ModelError

MAX_MEMBERS = 64
MAX_UNPACKED = 512 * 1024 * 1024  # the default model unpacks to ~3 MB
_ZIP_MAGIC = b"PK\x03\x04"


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _blocks(extractor: Any) -> list[Any]:
    if isinstance(extractor, Union):
        return list(extractor.parts)
    return [extractor]


def dumps(model: TopicModel) -> bytes:
    """The model as ``.npz`` bytes (compressed: the vocabulary compresses well)."""
    arrays: dict[str, np.ndarray] = {
        "coef": np.asarray(model.coef, dtype=np.float32),
        "intercept": np.asarray(model.intercept, dtype=np.float64),
        "platt": np.asarray(model.platt, dtype=np.float64),
        "thresholds": np.asarray(model.thresholds, dtype=np.float64),
    }
    blocks: list[dict[str, Any]] = []
    for i, block in enumerate(_blocks(model.extractor)):
        prefix = f"b{i}."
        if isinstance(block, SyllableTfidf):
            inverse = sorted(block.unigrams, key=block.unigrams.__getitem__)
            arrays[prefix + "vocab"] = np.frombuffer(b"\n".join(inverse), dtype=np.uint8)
            arrays[prefix + "bigram_keys"] = np.asarray(block.bigram_keys, dtype=np.int64)
            arrays[prefix + "trigram_keys"] = np.asarray(block.trigram_keys, dtype=np.int64)
            arrays[prefix + "idf"] = np.asarray(block.idf, dtype=np.float64)
            lexicon = sp.coo_matrix(block.lexicon)
            arrays[prefix + "lex_rows"] = lexicon.row.astype(np.int64)
            arrays[prefix + "lex_cols"] = lexicon.col.astype(np.int64)
            blocks.append(
                {
                    "kind": "syllables",
                    "n_max": block.n_max,
                    "min_df": block.min_df,
                    "sublinear_tf": block.sublinear_tf,
                    "boundaries": block.boundaries,
                    "zero_digits": block.zero_digits,
                    "keywords": block.keywords,
                    "lexicon_scale": block.lexicon_scale,
                    "vocab_size": len(inverse),
                }
            )
        elif isinstance(block, CharTfidf):
            vectorizer = block.vectorizer
            grams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            arrays[prefix + "vocab"] = _text_array("\n".join(grams))
            arrays[prefix + "idf"] = np.asarray(vectorizer.idf_, dtype=np.float64)
            blocks.append(
                {
                    "kind": "chars",
                    "ngram_range": list(vectorizer.ngram_range),
                    "min_df": vectorizer.min_df,
                    "vocab_size": len(grams),
                }
            )
        else:
            raise ModelError(f"cannot save a feature block of type {type(block).__name__}")
    weights = list(model.extractor.weights) if isinstance(model.extractor, Union) else None
    meta = {
        "format": FORMAT,
        "version": model.version,
        "labels": model.labels,
        "doc_mode": model.doc_mode,
        "card": model.card,
        "gate_threshold": model.gate_threshold,
        "short_tokens": model.short_tokens,
        "short_scale": model.short_scale,
        "blocks": blocks,
        "weights": weights,
    }
    arrays["meta"] = _text_array(json.dumps(meta, ensure_ascii=False))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def is_model_blob(blob: bytes) -> bool:
    """True for our ``.npz`` format (a zip); False for a pickle or anything else."""
    return blob[:4] == _ZIP_MAGIC


def _check_archive(blob: bytes, what: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ModelError(f"{what}: not a model archive ({exc})") from exc
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise ModelError(f"{what}: archive too large to be a topic model")


def loads(blob: bytes, *, what: str = "model") -> TopicModel:
    """A model from :func:`dumps` bytes; :class:`ModelError` for anything else.

    No code from the blob is ever run: pickles are refused, arrays are loaded with
    ``allow_pickle=False`` and every shape is checked against the others.
    """
    if not is_model_blob(blob):
        raise ModelError(
            f"{what}: not in the safe model format (an old joblib/pickle file? those can run "
            "code when loaded and are refused; retrain with: partybot train)"
        )
    _check_archive(blob, what)
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
        return _build(meta, arrays)
    except ModelError:
        raise
    except Exception as exc:  # a damaged archive can raise many kinds of error
        raise ModelError(f"{what}: cannot be loaded ({exc.__class__.__name__}: {exc})") from exc


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ModelError(f"inconsistent model file: {message}")


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> TopicModel:
    _need(isinstance(meta, dict), "meta is not an object")
    if meta.get("format") != FORMAT:
        raise ModelError(f"model format {meta.get('format')} is not {FORMAT}; retrain")
    labels = meta.get("labels")
    _need(isinstance(labels, list) and all(isinstance(x, str) for x in labels), "labels")
    blocks = [_block(spec, i, arrays) for i, spec in enumerate(meta.get("blocks") or [])]
    _need(bool(blocks), "no feature blocks")
    weights = meta.get("weights")
    extractor: Any = blocks[0] if len(blocks) == 1 else Union(blocks, weights)
    n_features = sum(_width(b) for b in blocks)
    coef = arrays["coef"]
    gate = meta.get("gate_threshold")
    _need(gate is None or isinstance(gate, int | float), "gate_threshold")
    columns = len(labels) + (gate is not None)  # the gate is one more column
    _need(coef.shape == (n_features, columns), f"coef {coef.shape} vs {n_features} features")
    for name, shape in (("intercept", (columns,)), ("platt", (2, columns))):
        _need(arrays[name].shape == shape, name)
    _need(arrays["thresholds"].shape == (len(labels),), "thresholds")
    doc_mode = meta.get("doc_mode", "whole")
    _need(doc_mode in ("whole", "para_max", "blend"), "doc_mode")
    card = meta.get("card") or {}
    _need(isinstance(card, dict), "card")
    return TopicModel(
        labels=labels,
        extractor=extractor,
        coef=coef,
        intercept=arrays["intercept"],
        platt=arrays["platt"],
        thresholds=arrays["thresholds"],
        doc_mode=doc_mode,
        version=str(meta.get("version") or ""),
        card=card,
        gate_threshold=float(gate) if gate is not None else None,
        short_tokens=int(meta.get("short_tokens") or 0),
        short_scale=float(meta.get("short_scale") or 1.0),
    )


def _width(block: Any) -> int:
    if isinstance(block, SyllableTfidf):
        return block.n_terms + len(block.keywords)
    return len(block.vectorizer.vocabulary_)


def _block(spec: dict[str, Any], i: int, arrays: dict[str, np.ndarray]) -> Any:
    prefix = f"b{i}."
    _need(isinstance(spec, dict), f"block {i}")
    vocab = arrays[prefix + "vocab"].tobytes()
    if spec.get("kind") == "syllables":
        keywords = spec.get("keywords") or {}
        _need(isinstance(keywords, dict), "keywords")
        block = SyllableTfidf(
            n_max=int(spec["n_max"]),
            min_df=int(spec["min_df"]),
            sublinear_tf=bool(spec["sublinear_tf"]),
            boundaries=bool(spec["boundaries"]),
            zero_digits=bool(spec["zero_digits"]),
            keywords={str(k): [str(p) for p in v] for k, v in keywords.items()},
            lexicon_scale=float(spec["lexicon_scale"]),
        )
        words = vocab.split(b"\n") if vocab else []
        _need(len(words) == int(spec["vocab_size"]), "vocabulary size")
        block.unigrams = {w: j for j, w in enumerate(words)}
        block.bigram_keys = arrays[prefix + "bigram_keys"].astype(np.int64)
        block.trigram_keys = arrays[prefix + "trigram_keys"].astype(np.int64)
        block.idf = arrays[prefix + "idf"].astype(np.float64)
        n_terms = len(words) + len(block.bigram_keys) + len(block.trigram_keys)
        _need(len(block.idf) == n_terms, "idf length")
        limit = len(words) ** min(3, block.n_max)
        for keys in (block.bigram_keys, block.trigram_keys):
            _need(bool(np.all(keys >= 0)) and bool(np.all(keys < max(1, limit))), "n-gram keys")
        rows, cols = arrays[prefix + "lex_rows"], arrays[prefix + "lex_cols"]
        _need(len(rows) == len(cols), "lexicon")
        block.lexicon = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(n_terms, len(block.keywords))
        )
        return block
    if spec.get("kind") == "chars":
        low, high = (int(x) for x in spec["ngram_range"])
        block = CharTfidf(ngram_range=(low, high), min_df=int(spec["min_df"]))
        grams = vocab.decode("utf-8").split("\n") if vocab else []
        _need(len(grams) == int(spec["vocab_size"]), "char vocabulary size")
        block.vectorizer.vocabulary_ = {g: j for j, g in enumerate(grams)}
        block.vectorizer.idf_ = arrays[prefix + "idf"].astype(np.float64)
        return block
    raise ModelError(f"inconsistent model file: unknown feature block {spec.get('kind')!r}")
