"""What every handler shares: the application's ``bot_data`` as a typed object.

Registered through :class:`telegram.ext.ContextTypes`, so handlers read
``context.bot_data.services`` instead of digging in a dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.access import AccessPolicy, RateLimiter

if TYPE_CHECKING:
    from bot.present.conversation import Conversation
    from bot.services import Services


@dataclass
class BotData:
    """Shared state of one running application (filled in by the composition root)."""

    services: Services = None  # type: ignore[assignment]
    conversation: Conversation = None  # type: ignore[assignment]
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(20, 60.0))
    refused_at: dict[int, float] = field(default_factory=dict)  # user/chat → last refusal
    reported_at: dict[str, float] = field(default_factory=dict)  # error kind → last report
    timings: list[float] = field(default_factory=list)  # seconds per update, the last 10,000
    started: dict[int, float] = field(default_factory=dict)  # update id → start time
    digest_delivery: Any = None  # built on the first digest pass
    poller: Any = None  # built on the first feed poll

    @property
    def access(self) -> AccessPolicy:
        """Who may use the bot."""
        return self.services.access


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(context=CallbackContext, bot_data=BotData)


def state(context: Context) -> BotData:
    """The shared state of the running application."""
    return context.bot_data
