"""Feed sources: fetching, extraction, de-duplication, polling."""

from __future__ import annotations

from bot.feeds.poller import Poller
from bot.feeds.sources import parse_every

__all__ = ["Poller", "parse_every"]
