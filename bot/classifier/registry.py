"""Model versions: stored in the database, exported to ``models/``, hot-reloaded.

Every trained model is a row of ``model_versions`` (joblib blob, its sha256, the card as JSON).
Exactly one row is active. A process holds the active model in memory and checks, at most every
:data:`CHECK_EVERY` seconds and only when the model is used (or when :meth:`reload_if_changed`
is called), which version the database says is active: one indexed one-row query, so a CLI that
activated a version on another machine against the same PostgreSQL is picked up without a
restart. Rolling back is activating an older version.

joblib files are pickles, and unpickling runs code: the blob's sha256 is compared with the
recorded one *before* ``joblib.load`` and a mismatch is a :class:`ModelError`, never a load.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bot.classifier.model import TopicModel, check_compatible
from bot.db import model_versions, utcnow
from bot.errors import ModelError, NotFound, StoreError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0  # seconds between checks of the active version in a running process
DEFAULT_POINTER = "DEFAULT"  # models/DEFAULT names the version a fresh install imports

Listener = Callable[[TopicModel, bool], None]  # (new model, changed by another process)


@dataclass
class ModelInfo:
    """A stored version without its blob."""

    version: str
    created_at: datetime
    sha256: str
    active: bool
    activated_at: datetime | None
    card: dict[str, Any]
    size: int = 0

    @property
    def test_macro_f1(self) -> float | None:
        """Held-out macro-F1 from the card."""
        value = self.card.get("test", {}).get("macro_f1")
        return float(value) if isinstance(value, int | float) else None

    @property
    def cv_macro_f1(self) -> float | None:
        """Cross-validated macro-F1 from the card."""
        value = self.card.get("cv", {}).get("macro_f1")
        return float(value) if isinstance(value, int | float) else None


@dataclass
class _State:
    """What one process knows, shared by every registry built on the same Services."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    model: TopicModel | None = None
    checked_at: float = float("-inf")
    refused: set[str] = field(default_factory=set)  # versions that failed to load
    listeners: list[Listener] = field(default_factory=list)
    default_checked: bool = False
    background: list[threading.Thread] | None = None  # re-classifications started here


_STATES: weakref.WeakKeyDictionary[Any, _State] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state_for(services: Any) -> _State:
    with _STATES_LOCK:
        state = _STATES.get(services)
        if state is None:
            state = _STATES[services] = _State()
        return state


def dump_model(model: TopicModel) -> bytes:
    """The joblib bytes of a model (compressed: the vocabulary compresses well)."""
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def load_blob(blob: bytes, sha256: str, *, what: str) -> TopicModel:
    """Unpickle a model blob, but only if its sha256 is the recorded one."""
    actual = hashlib.sha256(blob).hexdigest()
    if actual != sha256:
        raise ModelError(
            f"{what}: sha256 mismatch (recorded {sha256[:12]}…, file {actual[:12]}…); "
            "refusing to load a modified model"
        )
    import joblib

    try:
        model = joblib.load(io.BytesIO(blob))
    except Exception as exc:  # a corrupt pickle can raise almost anything
        raise ModelError(f"{what}: cannot be loaded ({exc.__class__.__name__}: {exc})") from exc
    return check_compatible(model)


class ModelRegistry:
    """Stored model versions and the process's active model (see module docstring)."""

    def __init__(
        self,
        services: Services,
        *,
        check_every: float = CHECK_EVERY,
        background_reclassify: bool = True,
    ) -> None:
        self.services = services
        self.db = services.db
        self.check_every = check_every
        self.background_reclassify = background_reclassify
        self._state = _state_for(services)

    @property
    def models_dir(self) -> Path:
        """Where versions are exported and the default model is shipped."""
        return Path(self.services.settings.models_dir)

    # --- reading ------------------------------------------------------------------------

    def list(self) -> list[ModelInfo]:
        """Every stored version, newest first (no blobs)."""
        cols = [c for c in model_versions.c if c.name != "blob"]
        size = sa.func.length(model_versions.c.blob).label("size")
        with self.db.begin() as conn:
            rows = conn.execute(
                sa.select(*cols, size).order_by(
                    model_versions.c.created_at.desc(), model_versions.c.id.desc()
                )
            ).all()
        return [self._info(row) for row in rows]

    @staticmethod
    def _info(row: sa.Row) -> ModelInfo:
        return ModelInfo(
            version=row.version,
            created_at=row.created_at,
            sha256=row.sha256,
            active=bool(row.active),
            activated_at=row.activated_at,
            card=json.loads(row.card),
            size=int(getattr(row, "size", 0) or 0),
        )

    def info(self, version: str) -> ModelInfo:
        """One version's metadata; :class:`NotFound` when there is no such version."""
        for item in self.list():
            if item.version == version:
                return item
        raise NotFound(f"no model version {version!r} (see: partybot models list)")

    def active_version(self) -> str | None:
        """The version the database says is active: the cheap hot-reload check."""
        with self.db.begin() as conn:
            return conn.execute(
                sa.select(model_versions.c.version).where(model_versions.c.active.is_(True))
            ).scalar()

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
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(model_versions.c.blob, model_versions.c.sha256).where(
                    model_versions.c.version == version
                )
            ).first()
        if row is None:
            raise NotFound(f"no model version {version!r} (see: partybot models list)")
        model = load_blob(bytes(row.blob), row.sha256, what=f"model {version}")
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
        self, version: str, blob: bytes, sha256: str, card: dict[str, Any], activate: bool
    ) -> ModelInfo:
        created = _parse_time(card.get("created_at")) or utcnow()
        try:
            with self.db.begin() as conn:
                exists = conn.execute(
                    sa.select(model_versions.c.id).where(model_versions.c.version == version)
                ).first()
                if exists is not None:
                    raise ModelError(f"model version {version!r} already exists")
                conn.execute(
                    model_versions.insert().values(
                        version=version,
                        created_at=created,
                        sha256=sha256,
                        blob=blob,
                        card=json.dumps(card, ensure_ascii=False),
                        active=False,
                    )
                )
        except StoreError:
            # Two processes importing the default at once: the other one won, which is fine.
            if not any(item.version == version for item in self.list()):
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
        now = utcnow()
        is_it = model_versions.c.version == version
        with self.db.begin() as conn:
            # One statement: there is never a moment with two active versions.
            conn.execute(
                model_versions.update().values(
                    active=is_it,
                    activated_at=sa.case((is_it, now), else_=model_versions.c.activated_at),
                )
            )
        self._swap(model, external=False)
        return self.info(version)

    # --- files --------------------------------------------------------------------------

    def export(self, version: str, directory: Path | None = None) -> tuple[Path, Path]:
        """Write ``<version>.joblib`` and ``<version>.card.json`` (card + sha256)."""
        directory = directory or self.models_dir
        directory.mkdir(parents=True, exist_ok=True)
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(model_versions).where(model_versions.c.version == version)
            ).first()
        if row is None:
            raise NotFound(f"no model version {version!r} (see: partybot models list)")
        blob = bytes(row.blob)
        if hashlib.sha256(blob).hexdigest() != row.sha256:
            raise ModelError(f"model {version}: stored blob does not match its sha256")
        model_path = directory / f"{version}.joblib"
        card_path = directory / f"{version}.card.json"
        model_path.write_bytes(blob)
        card = {**json.loads(row.card), "sha256": row.sha256, "size": len(blob)}
        card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return model_path, card_path

    def import_file(self, model_path: Path, *, activate: bool = False) -> ModelInfo:
        """Store an exported model; its bytes must match the sha256 in its card file."""
        card_path = model_path.with_name(model_path.name.removesuffix(".joblib") + ".card.json")
        try:
            card = json.loads(card_path.read_text("utf-8"))
            blob = model_path.read_bytes()
        except FileNotFoundError as exc:
            raise ModelError(f"{exc.filename}: not found") from exc
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
        return self._insert(model.version, blob, sha256, card, activate)

    def default_file(self) -> Path | None:
        """The shipped default model: the one ``models/DEFAULT`` names, else the newest."""
        directory = self.models_dir
        pointer = directory / DEFAULT_POINTER
        if pointer.is_file():
            path = directory / f"{pointer.read_text('utf-8').strip()}.joblib"
            return path if path.is_file() else None
        files = sorted(directory.glob("*.joblib"))
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

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(model, external)`` whenever this process switches models."""
        with self._state.lock:
            self._state.listeners.append(listener)

    def _swap(self, model: TopicModel, *, external: bool) -> None:
        state = self._state
        with state.lock:
            old = state.model
            if old is not None and old.version == model.version:
                return
            state.model = model
            state.checked_at = time.monotonic()
            listeners = list(state.listeners)
        log.info("active model: %s (was %s)", model.version, old.version if old else "none")
        for listener in listeners:
            try:
                listener(model, external)
            except Exception:  # a listener must not break classification
                log.exception("model listener failed")

    def reload_if_changed(self, *, force: bool = False) -> bool:
        """Load the active version if it changed since the last check; True when it did.

        Checks the database at most every ``check_every`` seconds unless ``force``. A version
        that fails to load is logged and skipped (the old model keeps serving).
        """
        state = self._state
        now = time.monotonic()
        with state.lock:
            if not force and now - state.checked_at < self.check_every:
                return False
            state.checked_at = now
            try:
                if not state.default_checked:
                    state.default_checked = True
                    self.ensure_default()
                version = self.active_version()
            except StoreError as exc:
                log.warning("cannot check the active model: %s", exc)
                return False
            current = state.model.version if state.model else None
            if version is None or version == current or version in state.refused:
                return False
            try:
                model = self.load(version)
            except (ModelError, NotFound) as exc:
                state.refused.add(version)
                log.error("active model %s refused: %s", version, exc)
                return False
        self._swap(model, external=current is not None)
        return True

    def current(self) -> TopicModel | None:
        """The active model as a fixed object (checked for a newer one first)."""
        self.reload_if_changed()
        return self._state.model

    def active(self) -> ActiveModel | None:
        """The active model, following later activations (None when there is none at all).

        The returned handle loads each version once and re-checks the database at most every
        ``check_every`` seconds when used; use :meth:`current` for a model that never changes
        under you (e.g. to re-classify everything with one version).
        """
        state = self._state
        if self.background_reclassify and state.background is None:
            # A process that serves the model (the bot) re-classifies stored documents when
            # another process activates a version and did not re-classify them itself.
            from bot.classifier.apply import install_background_reclassify

            state.background = install_background_reclassify(self.services)
        self.reload_if_changed(force=state.model is None)
        if state.model is None:
            return None
        return ActiveModel(self)

    def background_threads(self) -> list[threading.Thread]:
        """Background re-classifications this process started (tests wait for them)."""
        return list(self._state.background or [])


class ActiveModel:
    """A handle on the process's active model with the model's API (hot reload)."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    @property
    def model(self) -> TopicModel:
        """The model in use now."""
        self.registry.reload_if_changed()
        model = self.registry._state.model
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
