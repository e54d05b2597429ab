"""The Telegram layer: the only package that imports ``telegram``."""

from __future__ import annotations

from bot.tg.app import build_application, run_bot

__all__ = ["build_application", "run_bot"]
