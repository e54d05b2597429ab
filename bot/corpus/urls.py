"""Article URLs: one canonical form, so the same article reached two ways is one document."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["TRACKING", "normalize_url"]

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|zarsrc|zalo_\w+|_ga|mc_cid|mc_eid|ref|cmpid|icid|igshid|src)$", re.I
)


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
