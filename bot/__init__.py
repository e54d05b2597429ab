"""partybot: a Telegram assistant for Party-building work in Vietnam."""

from __future__ import annotations

__version__ = "0.1.0"
