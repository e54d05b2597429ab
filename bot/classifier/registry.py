"""Model versions: stored in the database, exported to ``models/``, hot-reloaded.

Every trained model is a row of ``model_versions`` (the ``.npz`` blob of :mod:`bot.classifier.persist`,
its sha256, the card as JSON).
Exactly one row is active. A process holds the active model in memory and checks, at most every
:data:`CHECK_EVERY` seconds and only when the model is used (or when :meth:`reload_if_changed`
is called), which version the database says is active: one indexed one-row query, so a CLI that
activated a version on another machine against the same PostgreSQL is picked up without a
restart. Rolling back is activating an older version.

Loading a model never runs code from it: the format is numeric arrays plus JSON, read with
``allow_pickle=False``, and pickles (old joblib files) are refused. The sha256 only tells a
damaged blob from a good one; it is not what keeps code out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.classifier import persist
from bot.classifier.model import TopicModel
from bot.errors import InputError, ModelError, NotFound, StoreError
from bot.store.db import Database, utcnow
from bot.store.models import ModelInfo, ModelStore

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0  # seconds between checks of the active version in a running process
RETRY_EVERY = 1.0  # seconds between lookups while there is no model at all
DEFAULT_POINTER = "DEFAULT"  # models/DEFAULT names the version a fresh install imports


MODEL_SUFFIX = ".npz"


def dump_model(model: TopicModel) -> bytes:
    """The stored bytes of a model (see :mod:`bot.classifier.persist`)."""
    return persist.dumps(model)


def load_blob(blob: bytes, sha256: str, *, what: str) -> TopicModel:
    """A model from its stored bytes; :class:`ModelError` when damaged or not our format."""
    actual = hashlib.sha256(blob).hexdigest()
    if actual != sha256:
        raise ModelError(
            f"{what}: sha256 mismatch (recorded {sha256[:12]}…, file {actual[:12]}…); "
            "refusing to load a modified model"
        )
    return persist.loads(blob, what=what)


class ModelRegistry:
    """Stored model versions and the process's active model (see module docstring)."""

    def __init__(
        self, db: Database, models_dir: Path | str, *, check_every: float = CHECK_EVERY
    ) -> None:
        self.store = ModelStore(db)
        self.models_dir = Path(models_dir)
        self.check_every = check_every
        # What this process holds; one registry per process (Services owns it).
        self._lock = threading.RLock()
        self._model: TopicModel | None = None
        self._checked_at = float("-inf")
        self._refused: set[str] = set()  # versions that failed to load
        self._default_checked = False

    # --- reading ------------------------------------------------------------------------

    def list(self) -> list[ModelInfo]:
        """Every stored version, newest first (no blobs)."""
        return self.store.list()

    def info(self, version: str) -> ModelInfo:
        """One version's metadata; :class:`NotFound` when there is no such version."""
        for item in self.list():
            if item.version == version:
                return item
        raise NotFound(f"no model version {version!r} (see: partybot models list)")

    def active_version(self) -> str | None:
        """The version the database says is active: the cheap hot-reload check."""
        return self.store.active_version()

    def new_version(self) -> str:
        """A version name not used yet: the UTC time, with a suffix if taken this second."""
        from bot.classifier.model import make_version

        base = make_version()
        taken = {item.version for item in self.list()}
        version, n = base, 1
        while version in taken:
            n += 1
            version = f"{base}-{n}"
        return version

    def load(self, version: str) -> TopicModel:
        """A stored version, sha256-checked before unpickling."""
        row = self.store.blob(version)
        if row is None:
            raise NotFound(f"no model version {version!r} (see: partybot models list)")
        model = load_blob(row.blob, row.sha256, what=f"model {version}")
        if model.version != version:
            raise ModelError(f"model {version}: the blob says it is {model.version!r}")
        return model

    # --- writing ------------------------------------------------------------------------

    def add(self, model: TopicModel, *, activate: bool = False) -> ModelInfo:
        """Store a trained model as a new version (optionally making it active)."""
        blob = dump_model(model)
        return self._insert(
            model.version, blob, hashlib.sha256(blob).hexdigest(), model.card, activate
        )

    def _insert(
        self,
        version: str,
        blob: bytes,
        sha256: str,
        card: dict[str, Any],
        activate: bool,
        *,
        same_ok: bool = False,
    ) -> ModelInfo:
        created = _parse_time(card.get("created_at")) or utcnow()
        try:
            self.store.insert(version, blob, sha256, card, created)
        except (StoreError, ModelError):
            # Two processes importing the default at once: the other one won, which is fine
            # when it stored the same bytes. It committed between import_file's look at the
            # versions and the store's own check (ModelError) or its insert (a unique
            # violation). Adding a version that exists is still an error (``same_ok``).
            stored = self.store.blob(version) if same_ok else None
            if stored is None or stored.sha256 != sha256:
                raise
        if activate:
            return self.activate(version)
        return self.info(version)

    def activate(self, version: str) -> ModelInfo:
        """Make ``version`` the active one (rollback = activating an older version).

        The version is loaded (and its sha256 checked) first, so a tampered or incompatible
        blob never becomes active; running processes switch at their next check.
        """
        model = self.load(version)
        self.store.set_active(version)
        self._swap(model)
        return self.info(version)

    # --- files --------------------------------------------------------------------------

    def export(self, version: str, directory: Path | None = None) -> tuple[Path, Path]:
        """Write ``<version>.npz`` and ``<version>.card.json`` (card + sha256)."""
        directory = directory or self.models_dir
        row = self.store.blob(version)
        if row is None:
            raise NotFound(f"no model version {version!r} (see: partybot models list)")
        # Checked after the version, so a mistyped version creates no folder.
        if directory.exists() and not directory.is_dir():
            raise InputError(
                "not a folder (--dir names the folder to write into)", source=str(directory)
            )
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the folder ({exc.strerror or exc})", source=str(directory)
            ) from exc
        blob = row.blob
        if hashlib.sha256(blob).hexdigest() != row.sha256:
            raise ModelError(f"model {version}: stored blob does not match its sha256")
        model_path = directory / f"{version}{MODEL_SUFFIX}"
        card_path = directory / f"{version}.card.json"
        model_path.write_bytes(blob)
        card = {**row.card, "sha256": row.sha256, "size": len(blob)}
        card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return model_path, card_path

    def import_file(self, model_path: Path, *, activate: bool = False) -> ModelInfo:
        """Store an exported model; its bytes must match the sha256 in its card file."""
        if model_path.suffix != MODEL_SUFFIX:
            raise ModelError(
                f"{model_path}: only {MODEL_SUFFIX} model files are imported (joblib/pickle files "
                "can run code when loaded)"
            )
        card_path = model_path.with_name(model_path.name.removesuffix(MODEL_SUFFIX) + ".card.json")
        try:
            # The model first: a missing .npz is the mistake to name, not its card.
            blob = model_path.read_bytes()
            card = json.loads(card_path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise ModelError(f"{exc.filename}: no such file") from exc
        except IsADirectoryError as exc:
            raise ModelError(f"{exc.filename}: is a folder, expected a file") from exc
        except json.JSONDecodeError as exc:
            raise ModelError(f"{card_path}: invalid JSON ({exc.msg})") from exc
        sha256 = card.pop("sha256", None)
        card.pop("size", None)
        if not isinstance(sha256, str):
            raise ModelError(f"{card_path}: no sha256")
        model = load_blob(blob, sha256, what=str(model_path))  # verifies before unpickling
        existing = {item.version: item for item in self.list()}
        if model.version in existing:
            if existing[model.version].sha256 != sha256:
                raise ModelError(f"{model_path}: version {model.version} exists with other content")
            return self.activate(model.version) if activate else existing[model.version]
        return self._insert(model.version, blob, sha256, card, activate, same_ok=True)

    def default_file(self) -> Path | None:
        """The shipped default model: the one ``models/DEFAULT`` names, else the newest."""
        directory = self.models_dir
        pointer = directory / DEFAULT_POINTER
        if pointer.is_file():
            path = directory / f"{pointer.read_text('utf-8').strip()}{MODEL_SUFFIX}"
            return path if path.is_file() else None
        files = sorted(directory.glob(f"*{MODEL_SUFFIX}"))
        return files[-1] if files else None  # versions sort by time

    def ensure_default(self) -> ModelInfo | None:
        """On a database with no model at all, import and activate the shipped default."""
        if self.list():
            return None
        path = self.default_file()
        if path is None:
            log.warning("no model stored and no default model in %s", self.models_dir)
            return None
        info = self.import_file(path)
        if self.active_version() is None:
            info = self.activate(info.version)
        log.info("imported the default model %s from %s", info.version, path)
        return info

    # --- the process's active model -------------------------------------------------------

    def _swap(self, model: TopicModel) -> None:
        with self._lock:
            old = self._model
            if old is not None and old.version == model.version:
                return
            self._model = model
            self._checked_at = time.monotonic()
        log.info("active model: %s (was %s)", model.version, old.version if old else "none")

    def reload_if_changed(self, *, force: bool = False) -> bool:
        """Load the active version if it changed since the last check; True when it did.

        Checks the database at most every ``check_every`` seconds unless ``force``. A version
        that fails to load is logged and skipped (the old model keeps serving).
        """
        now = time.monotonic()
        with self._lock:
            if not force and now - self._checked_at < self.check_every:
                return False
            self._checked_at = now
            try:
                if not self._default_checked:
                    self.ensure_default()
                    self._default_checked = True  # only once it worked: a hiccup retries
                version = self.active_version()
            except StoreError as exc:
                log.warning("cannot check the active model: %s", exc)
                return False
            current = self._model.version if self._model else None
            if version is None or version == current or version in self._refused:
                return False
            try:
                model = self.load(version)
            except (ModelError, NotFound) as exc:
                self._refused.add(version)
                log.error("active model %s refused: %s", version, exc)
                fallback = self._default_instead_of(version)
                if fallback is None:
                    return False
                model = fallback
        self._swap(model)
        return True

    def _default_instead_of(self, broken: str) -> TopicModel | None:
        """The shipped default, activated in place of an active version that cannot be loaded
        (an old pickle, a damaged blob); None when there is no usable default."""
        path = self.default_file()
        if path is None:
            return None
        try:
            info = self.import_file(path)
            if info.version == broken:
                return None
            self.activate(info.version)
            log.warning(
                "active model %s cannot be loaded; activated the shipped default %s instead",
                broken,
                info.version,
            )
            return self.load(info.version)
        except (ModelError, NotFound, StoreError) as exc:
            log.error("the shipped default model cannot be used either: %s", exc)
            return None

    def current(self) -> TopicModel | None:
        """The active model as a fixed object (checked for a newer one first)."""
        self.reload_if_changed()
        return self._model

    def active(self) -> ActiveModel | None:
        """A handle on the active model that follows later activations; None when there is
        none yet. Without a model the database is asked again (at most every
        :data:`RETRY_EVERY` seconds), never "no model" remembered for good: a model activated
        later, or a database that was briefly away, is picked up by the next call."""
        if self._model is None:
            self.reload_if_changed(force=time.monotonic() - self._checked_at >= RETRY_EVERY)
        else:
            self.reload_if_changed()
        if self._model is None:
            return None
        return ActiveModel(self)


class ActiveModel:
    """A handle on the process's active model with the model's API (hot reload)."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    @property
    def model(self) -> TopicModel:
        """The model in use now."""
        self.registry.reload_if_changed()
        model = self.registry._model
        if model is None:
            raise ModelError("no active model")
        return model

    @property
    def version(self) -> str:
        """The active version."""
        return self.model.version

    @property
    def labels(self) -> list[str]:
        """Topic slugs, taxonomy order."""
        return self.model.labels

    @property
    def card(self) -> dict[str, Any]:
        """The active version's card."""
        return self.model.card

    def predict_proba(self, texts: list[str]) -> list[dict[str, float]]:
        """See :meth:`TopicModel.predict_proba`."""
        return self.model.predict_proba(texts)

    def predict(self, texts: list[str]) -> list[list[str]]:
        """See :meth:`TopicModel.predict`."""
        return self.model.predict(texts)

    def classify(self, texts: list[str]) -> list[tuple[list[str], dict[str, float]]]:
        """See :meth:`TopicModel.classify`."""
        return self.model.classify(texts)

    def explain(self, text: str, k: int = 5) -> dict[str, list[tuple[str, float]]]:
        """See :meth:`TopicModel.explain`."""
        return self.model.explain(text, k)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        from datetime import UTC

        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
