"""Where the files the runtime needs come from: the shipped default model, the seed articles
and the taxonomy.

From a source checkout they are the checkout's ``models/``, ``seeds/`` and ``training/``;
from an installed wheel they are the copies installed under ``<prefix>/share/partybot/``
(``[tool.setuptools.data-files]`` in ``pyproject.toml``). Data the bot writes (the SQLite
file, the search index) never goes there: it defaults to ``./data`` in the working directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
# <prefix>/lib/pythonX.Y/site-packages/bot/resources.py → <prefix>/share/partybot, for the
# prefix the package was installed into (a venv, --user, --prefix) and for this interpreter's.
_HERE = Path(__file__).resolve()
SHARES = tuple(
    dict.fromkeys(
        [
            *([_HERE.parents[4] / "share" / "partybot"] if len(_HERE.parents) > 4 else []),
            Path(sys.prefix) / "share" / "partybot",
        ]
    )
)


def shipped_dir(name: str, *, checkout: Path = CHECKOUT, shares: tuple[Path, ...] = SHARES) -> Path:
    """The folder ``name`` (``models``, ``seeds``, ``training``) of this installation."""
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    for share in shares:
        if (share / name).is_dir():
            return share / name
    return checkout / name  # nothing shipped: commands that need it say what is missing


def data_dir() -> Path:
    """Where the bot keeps what it writes by default: ``./data`` of the working directory."""
    return Path.cwd() / "data"
