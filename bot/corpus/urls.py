"""Article URLs: one canonical form, so the same article reached two ways is one document."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.errors import InputError

__all__ = ["TRACKING", "normalize_url", "public_name", "public_url", "redacted_url", "source_url"]

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|zarsrc|zalo_\w+|_ga|mc_cid|mc_eid|ref|cmpid|icid|igshid|src)$", re.I
)


# A password in the URL's user part, and the values of query parameters that name a secret
# ("api_key", "token", "sig"): a feed reached with credentials must not print them in
# `sources list`, in errors or in logs (a tester's). Patterns, so a malformed URL is masked too.
_USER_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^/?#@:]*:)[^/?#@]*@", re.I)
_SECRET_PARAM = re.compile(
    r"([?&;][\w.-]*(?:key|token|secret|passw|pwd|sig|auth|session)[\w.-]*=)[^&#;]*", re.I
)


def redacted_url(url: str) -> str:
    """``url`` with a password and secret-looking query values shown as ``***``."""
    return _SECRET_PARAM.sub(r"\1***", _USER_PASSWORD.sub(r"\1***@", url))


_SECRET_NAME = re.compile(
    r"(?!keywords?$)[\w.-]*(?:key|token|secret|passw|pwd|sig|auth|session)[\w.-]*", re.I
)
_USER_AT = re.compile(r"^[^@/\s]+@(?=[^@/\s]+$)")


def public_url(url: str) -> str:
    """``url`` as a reader may see it: without a user name or password and without the
    query values that name a secret. An article fetched through a feed added with
    credentials showed them in the bot's answers (a tester's)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redacted_url(url)
    query = "&".join(
        p for p in parts.query.split("&") if p and not _SECRET_NAME.fullmatch(p.split("=", 1)[0])
    )
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def public_name(name: str) -> str:
    """A source's name without credentials: an article page's site name is its host, with
    the user and password when the URL had them ("u:pw@host")."""
    return _USER_AT.sub("", name.strip())


def source_url(url: str) -> str:
    """``url`` checked as something a poll could ever fetch, scheme and host in lower case.

    Raises :class:`InputError` for what can never work (no host, a port outside 1-65535,
    broken brackets, control characters), so it is refused when added rather than
    failing at every poll.
    """
    url = url.strip()
    if not re.match(r"^https?://", url, re.I):
        raise InputError(f"not an http(s) URL: {redacted_url(url)!r}")
    if any(ch < " " or ch == "\x7f" for ch in url):
        raise InputError(f"URL contains control characters: {redacted_url(url)!r}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # "Invalid IPv6 URL" (an unclosed bracket)
        raise InputError(f"malformed URL {redacted_url(url)!r}: {exc}") from None
    if not host:
        raise InputError(f"URL has no host: {redacted_url(url)!r}")
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise InputError(f"the port must be a number from 1 to 65535: {redacted_url(url)!r}")
    try:
        host.encode("idna")  # empty or over-long labels ("a..vn") can never be resolved
    except UnicodeError:
        raise InputError(f"invalid host name in {redacted_url(url)!r}") from None
    if " " in host:
        raise InputError(f"invalid host name in {redacted_url(url)!r}")
    # Scheme and host are case-insensitive: HTTP://Bao.VN/ and http://bao.vn/ are one source.
    userinfo, _, _ = parts.netloc.rpartition("@")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def normalize_url(url: str) -> str:
    """The canonical form used for de-duplication: tracking parameters and fragments dropped."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING.match(k)
        )
    )
    path = parts.path or "/"
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    # http and https copies of one article are the same article.
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, host, path, query, ""))
