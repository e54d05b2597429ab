"""Labelled training data: reading, validating and splitting ``training/data/*.jsonl``.

Every line is one example ``{"id", "text", "topics", "provenance", "split"}`` (see
``training/data/README.md``). A malformed line is an :class:`~bot.errors.InputError` naming the
file and the line, so an admin can fix it without guessing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.corpus.readers import json_error
from bot.corpus.text import normalize
from bot.errors import InputError

SPLITS = ("train", "test")
TEST_PERCENT = 20  # share of ids hashed into the held-out split


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    id: str
    text: str
    topics: tuple[str, ...]
    split: str
    source: str = ""  # file it came from
    line: int = 0
    provenance: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_negative(self) -> bool:
        """True for a text that carries none of the topics."""
        return not self.topics


def split_for(example_id: str) -> str:
    """The fixed split of an id: a stable hash, so it never depends on file order or runs."""
    digest = hashlib.sha256(example_id.encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:8], "big") % 100 < TEST_PERCENT else "train"


def data_files(data_dir: Path) -> list[Path]:
    """The ``*.jsonl`` files of a data folder, in name order (the order never matters)."""
    if not data_dir.is_dir():
        raise InputError("training data folder not found", source=str(data_dir))
    return sorted(p for p in data_dir.glob("*.jsonl") if p.is_file())


def _parse_line(
    raw: bytes, source: str, number: int, slugs: Sequence[str], *, require_split: bool
) -> tuple[dict[str, Any], Example]:
    def bad(message: str) -> InputError:
        return InputError(message, source=source, line=number)

    try:
        item = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        raise bad("not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise bad(f"invalid JSON ({json_error(exc)})") from exc
    if not isinstance(item, dict):
        raise bad("expected a JSON object")
    example_id = item.get("id")
    if example_id is not None and not isinstance(example_id, str):
        # {"id": 1} has an id: what is wrong is its type (it read "missing", a tester's).
        raise bad(f"'id' must be a string, not {type(example_id).__name__}")
    if not isinstance(example_id, str) or not example_id.strip():
        raise bad("missing or empty 'id'")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad(f"{example_id}: missing or empty 'text'")
    topics = item.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise bad(f"{example_id}: 'topics' must be a list of slugs ([] for none)")
    unknown = sorted(set(topics) - set(slugs))
    if unknown:
        raise bad(f"{example_id}: unknown topic {', '.join(unknown)} (known: {', '.join(slugs)})")
    if len(set(topics)) != len(topics):
        raise bad(f"{example_id}: a topic is listed twice")
    provenance = item.get("provenance", {})
    if not isinstance(provenance, dict):
        raise bad(f"{example_id}: 'provenance' must be an object")
    split = item.get("split")
    if split is None:
        if require_split:
            raise bad(f"{example_id}: no 'split' (run: partybot data split)")
        split = split_for(example_id)
    elif split not in SPLITS:
        raise bad(f"{example_id}: 'split' must be 'train' or 'test', not {split!r}")
    example = Example(
        id=example_id,
        text=normalize(text),
        topics=tuple(t for t in slugs if t in topics),  # taxonomy order, so labels compare
        split=split,
        source=source,
        line=number,
        provenance=provenance,
    )
    return item, example


MAX_BAD_LINES = 20  # named in the error; the rest counted


def _read_file(
    path: Path, slugs: Sequence[str], *, require_split: bool
) -> tuple[list[Example], list[InputError]]:
    """One JSONL file's examples and its malformed lines' errors (a file that cannot be read
    raises)."""
    source = str(path)
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError as exc:
        raise InputError("no such file", source=source) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, expected a .jsonl file", source=source) from exc
    examples: list[Example] = []
    bad: list[InputError] = []
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            try:
                parsed = _parse_line(raw, source, number, slugs, require_split=require_split)
            except InputError as exc:
                bad.append(exc)
                continue
            examples.append(parsed[1])
    return examples, bad


def _raise_all(bad: list[InputError], source: str | None) -> None:
    """Every error of ``bad`` in one :class:`InputError` (up to :data:`MAX_BAD_LINES`): one
    re-run per bad line was a tester's way to fix a file."""
    if len(bad) == 1:
        raise bad[0]
    if bad:
        shown = "\n".join(f"  {exc}" for exc in bad[:MAX_BAD_LINES])
        more = f"\n  … and {len(bad) - MAX_BAD_LINES} more" if len(bad) > MAX_BAD_LINES else ""
        raise InputError(f"{len(bad)} malformed lines:\n{shown}{more}", source=source)


def read_examples(
    path: Path, slugs: Sequence[str], *, require_split: bool = False
) -> list[Example]:
    """Examples of one JSONL file; malformed lines raise :class:`InputError`, naming each."""
    examples, bad = _read_file(path, slugs, require_split=require_split)
    _raise_all(bad, str(path))
    return examples


def load_examples(
    paths: Path | Iterable[Path], slugs: Sequence[str], *, require_split: bool = False
) -> list[Example]:
    """Examples from a data folder (every ``*.jsonl``) or a list of files; ids must be unique.
    Every malformed line and repeated id of every file is named in one error.

    A line without ``split`` gets the one :func:`split_for` would write, so training before
    ``partybot data split`` still holds out the same texts.
    """
    files = data_files(paths) if isinstance(paths, Path) and paths.is_dir() else None
    if files is None:
        files = [paths] if isinstance(paths, Path) else list(paths)
    seen: dict[str, Example] = {}
    out: list[Example] = []
    bad: list[InputError] = []
    for path in files:
        examples, errors = _read_file(path, slugs, require_split=require_split)
        bad.extend(errors)
        for example in examples:
            first = seen.get(example.id)
            if first is not None:
                bad.append(
                    InputError(
                        f"duplicate id {example.id!r} (first at {first.source}:{first.line})",
                        source=example.source,
                        line=example.line,
                    )
                )
                continue
            seen[example.id] = example
            out.append(example)
    _raise_all(bad, str(files[0]) if len(files) == 1 else None)
    if not out:
        # The folder or the files' names, never a list's repr ("[PosixPath('x.txt')]").
        where = str(paths) if isinstance(paths, Path) else ", ".join(str(p) for p in files)
        raise InputError("no training examples found", source=where)
    return out


def data_sha256(paths: Sequence[Path]) -> str:
    """One hash over the files' names and bytes: the training-data fingerprint in a model card."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class SplitReport:
    """What :func:`assign_splits` did to one file."""

    path: Path
    lines: int
    added: int


def assign_splits(data_dir: Path, slugs: Sequence[str]) -> list[SplitReport]:
    """Add the fixed ``split`` to every line that lacks it; lines that have one are untouched.

    Every file is validated first, so a malformed line stops the run before anything is
    written; each file is then replaced atomically.
    """
    files = data_files(data_dir)
    load_examples(files, slugs)  # validate everything (and duplicate ids) before writing
    reports = []
    for path in files:
        raw_lines = path.read_bytes().splitlines(keepends=True)
        changed = 0
        out: list[bytes] = []
        for number, raw in enumerate(raw_lines, start=1):
            if not raw.strip():
                out.append(raw)
                continue
            item, example = _parse_line(raw, str(path), number, slugs, require_split=False)
            if "split" in item:
                out.append(raw)  # byte for byte: an existing split is never rewritten
                continue
            item["split"] = example.split
            ending = b"\n" if raw.endswith(b"\n") or number < len(raw_lines) else b""
            out.append(json.dumps(item, ensure_ascii=False).encode("utf-8") + ending)
            changed += 1
        if changed:
            _replace(path, b"".join(out))
        reports.append(SplitReport(path, sum(1 for r in raw_lines if r.strip()), changed))
    return reports


def _replace(path: Path, content: bytes) -> None:
    # Write next to the file and rename, so a crash never leaves half a data file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class DataSummary:
    """Per-topic counts of positives, by split, and how many negatives."""

    examples: int
    positives: dict[str, dict[str, int]]  # slug -> {"train": n, "test": n, "all": n}
    negatives: dict[str, int]  # {"train": n, "test": n, "all": n}
    files: dict[str, int]  # file name -> examples

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON and the model card."""
        return {
            "examples": self.examples,
            "positives": self.positives,
            "negatives": self.negatives,
            "files": self.files,
        }

    def shortfalls(self, min_positives: int = 100, min_negatives: int = 150) -> list[str]:
        """Topics (and negatives) below the minimum the issue asks for."""
        low = [
            f"{slug}: {c['all']} positives (< {min_positives})"
            for slug, c in self.positives.items()
            if c["all"] < min_positives
        ]
        if self.negatives["all"] < min_negatives:
            low.append(f"negatives: {self.negatives['all']} (< {min_negatives})")
        return low


def summarize(examples: Sequence[Example], slugs: Sequence[str]) -> DataSummary:
    """Counts for ``partybot data check`` and the model card."""
    positives = {s: {"train": 0, "test": 0, "all": 0} for s in slugs}
    negatives = {"train": 0, "test": 0, "all": 0}
    for ex in examples:
        for slug in ex.topics:
            positives[slug][ex.split] += 1
            positives[slug]["all"] += 1
        if ex.is_negative:
            negatives[ex.split] += 1
            negatives["all"] += 1
    files = Counter(Path(ex.source).name for ex in examples)
    return DataSummary(len(examples), positives, negatives, dict(sorted(files.items())))
