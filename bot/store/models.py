"""Stored model versions: blob, sha256, card, which one is active (SQL only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.errors import ModelError
from bot.store.db import Database, model_versions, utcnow


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
    def topics_known(self) -> tuple[int, int] | None:
        """(topics with training examples, topics): a model never tags a topic it had no
        example of, whatever its macro-F1 over the others (a tester's scored 1.000 with 2 of
        8). None when the card does not say."""
        labels = self.card.get("labels")
        counts = self.card.get("training_data", {}).get("counts", {}).get("positives")
        if not isinstance(labels, list) or not isinstance(counts, dict):
            return None
        known = sum(1 for s in labels if (counts.get(s) or {}).get("train", 0))
        return known, len(labels)

    @property
    def cv_macro_f1(self) -> float | None:
        """Cross-validated macro-F1 from the card."""
        value = self.card.get("cv", {}).get("macro_f1")
        return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class StoredBlob:
    """A version's bytes with what was recorded about them."""

    blob: bytes
    sha256: str
    card: dict[str, Any]


class ModelStore:
    """The ``model_versions`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

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
        return [
            ModelInfo(
                version=row.version,
                created_at=row.created_at,
                sha256=row.sha256,
                active=bool(row.active),
                activated_at=row.activated_at,
                card=json.loads(row.card),
                size=int(row.size or 0),
            )
            for row in rows
        ]

    def active_version(self) -> str | None:
        """The version the database says is active: one indexed one-row query."""
        with self.db.begin() as conn:
            return conn.execute(
                sa.select(model_versions.c.version).where(model_versions.c.active.is_(True))
            ).scalar()

    def blob(self, version: str) -> StoredBlob | None:
        """A version's bytes, sha256 and card; None when there is no such version."""
        with self.db.begin() as conn:
            row = conn.execute(
                sa.select(
                    model_versions.c.blob, model_versions.c.sha256, model_versions.c.card
                ).where(model_versions.c.version == version)
            ).first()
        if row is None:
            return None
        return StoredBlob(bytes(row.blob), row.sha256, json.loads(row.card))

    def insert(
        self, version: str, blob: bytes, sha256: str, card: dict[str, Any], created: datetime
    ) -> None:
        """Store a new version (inactive); :class:`ModelError` when the version exists."""
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

    def set_active(self, version: str) -> None:
        """Make ``version`` the only active one, in one statement (never two at once)."""
        now = utcnow()
        is_it = model_versions.c.version == version
        with self.db.begin() as conn:
            conn.execute(
                model_versions.update().values(
                    active=is_it,
                    activated_at=sa.case((is_it, now), else_=model_versions.c.activated_at),
                )
            )
