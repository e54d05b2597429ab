"""Topic classifier: features, the model, its safe file format, the registry of versions,
and putting topics on stored documents. Training lives in ``bot.classifier.training``-style
modules (data, metrics, report) and ``model.train``."""

from __future__ import annotations

from bot.classifier.apply import classify_documents, classify_pending
from bot.classifier.model import TopicModel, TrainConfig
from bot.classifier.registry import ActiveModel, ModelRegistry

__all__ = [
    "ActiveModel",
    "ModelRegistry",
    "TopicModel",
    "TrainConfig",
    "classify_documents",
    "classify_pending",
]
