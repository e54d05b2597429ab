"""Daily digests: what they say and exactly-once delivery."""

from __future__ import annotations

from bot.digest.content import Digest, build_digest
from bot.digest.delivery import DigestDelivery, preview

__all__ = ["Digest", "DigestDelivery", "build_digest", "preview"]
