"""The domain's exceptions.

Every error the domain raises on purpose derives from :class:`PartyBotError`, so the CLI and
the bot can turn it into one clear line instead of a traceback (the way httpx keeps one
``HTTPError`` root).
"""

from __future__ import annotations


class PartyBotError(Exception):
    """Base class of every error partybot raises on purpose."""


class ConfigError(PartyBotError):
    """The settings are missing or invalid."""


class InputError(PartyBotError):
    """User- or admin-supplied input cannot be used (bad file, bad line, bad query)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        super().__init__(message)

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        base = super().__str__()
        return f"{where}: {base}" if where else base


class StoreError(PartyBotError):
    """The database failed or is unreachable."""


class StoreConflict(StoreError):
    """A concurrent writer got there first (a unique constraint); retrying usually resolves it."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now; retry later."""


class NotFound(PartyBotError):
    """A document, model version, chat or source does not exist."""


class ModelError(PartyBotError):
    """A classifier model is missing, tampered with or incompatible."""


class SearchError(PartyBotError):
    """The search index failed."""


class FetchError(PartyBotError):
    """A feed or article could not be fetched or extracted."""


class TelegramUnavailable(PartyBotError):
    """Telegram's Bot API could not be reached at start, or refused the bot's token."""
