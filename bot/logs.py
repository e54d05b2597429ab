"""Logging set-up: one format, the level from the settings, secrets never written out.

PTB logs the Bot API URL (which contains the token) at DEBUG; a filter on the root handlers
replaces every configured secret in every record before it is formatted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's message (and its arguments) by ``[redacted]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Short values would redact ordinary words; real tokens are long.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is logging's problem, not ours
            return True
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            for secret in self.secrets:
                record.exc_text = record.exc_text.replace(secret, "[redacted]")
        return True


def configure(level: str | int, secrets: Iterable[str] = ()) -> None:
    """Set the root level (also when logging was configured before) and redact ``secrets``."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    if isinstance(level, str):
        level = logging.getLevelName(level.strip().upper())
        if not isinstance(level, int):
            level = logging.INFO
    root.setLevel(level)
    redact = RedactSecrets(secrets)
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(old)
        handler.addFilter(redact)
    # httpx logs every request URL at INFO, token included: keep it to warnings.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    # "Using categorical units ..." at INFO each time /stats draws its chart.
    logging.getLogger("matplotlib").setLevel(max(level, logging.WARNING))
    # "WARNING trafilatura.core: discarding data: URL" above the poll's own "error: URL: no
    # article text found", which says it, and its ERROR lines beside `sources add`'s warning
    # (testers'): each of its failures is ours to say; the library's lines at debug only.
    quiet = level if level <= logging.DEBUG else logging.CRITICAL
    logging.getLogger("trafilatura").setLevel(quiet)
    logging.getLogger("htmldate").setLevel(quiet)
