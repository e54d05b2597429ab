"""The webhook server: Telegram POSTs updates here when the bot runs behind a public URL.

PTB's built-in server accepts any request when no secret is configured and compares the
secret with ``!=``; ours refuses to run without a secret (see :func:`require_secret`),
compares it in constant time, caps the body size and answers 403 before parsing anything.
It follows PTB's "custom webhook" example: updates go straight into the application's
``update_queue``.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.errors import ConfigError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # Telegram's updates are a few KB; a megabyte is generous
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts


def require_secret(secret: str) -> str:
    """The webhook secret, or a :class:`ConfigError` when it is missing or malformed."""
    if not secret:
        raise ConfigError(
            "webhook mode needs WEBHOOK_SECRET: without it anyone who finds the URL can post "
            "updates that look like they come from an admin"
        )
    if not _SECRET_RE.fullmatch(secret):
        raise ConfigError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return secret


class _UpdateHandler(tornado.web.RequestHandler):
    """POST /<path>: one update from Telegram."""

    def initialize(self, ptb: Application, secret: bytes) -> None:
        self.application_ptb = ptb
        self.secret = secret

    async def post(self) -> None:
        token = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        # Constant time: the comparison must not tell an attacker how much of a guess was right.
        if not hmac.compare_digest(token, self.secret):
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.application_ptb.bot)
        except Exception as exc:  # malformed JSON or not an update: Telegram never sends that
            log.warning("webhook: unreadable update (%s)", exc.__class__.__name__)
            self.set_status(400)
            return
        if update is None:
            self.set_status(400)
            return
        await self.application_ptb.update_queue.put(update)
        self.set_status(200)

    def get(self) -> None:
        self.set_status(405)

    def log_exception(self, *args: Any) -> None:  # tornado's default logs request bodies
        log.warning("webhook request failed")


class _Health(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("ok")


class WebhookServer:
    """A small tornado server feeding ``application.update_queue``."""

    def __init__(self, application: Application, *, secret: str, path: str = "telegram") -> None:
        self.application = application
        self.secret = require_secret(secret).encode("ascii")
        self.path = "/" + path.strip("/")
        self.port = 0
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0 picks a free port); returns the port."""
        app = tornado.web.Application(
            [
                (
                    self.path,
                    _UpdateHandler,
                    {"ptb": self.application, "secret": self.secret},
                ),
                (r"/healthz", _Health),
            ]
        )
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY)
        sockets = tornado.netutil.bind_sockets(port, address=host, family=socket.AF_INET)
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop accepting requests."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
