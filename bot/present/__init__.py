"""Presentation shared by Telegram and the console: the conversation, rendering, messages.

(``bot.present.conversation.Conversation`` is imported from its module: it needs the whole
composition, and this package's other modules are used below it.)
"""

from __future__ import annotations

from bot.config import DEFAULT_LANG, LANGS
from bot.present.messages import t
from bot.present.render import Reply

__all__ = ["DEFAULT_LANG", "LANGS", "Reply", "t"]
