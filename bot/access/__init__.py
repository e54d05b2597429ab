"""Access: who may use the bot, and how fast."""

from __future__ import annotations

from bot.access.policy import AccessPolicy
from bot.access.ratelimit import RateLimiter

__all__ = ["AccessPolicy", "RateLimiter"]
