"""The ``partybot`` command line: the only package that imports click.

``main`` is the root group; each module adds its feature's commands (``COMMANDS``).
"""

from __future__ import annotations

from bot.cli import classifier, digest, feeds, search, telegram
from bot.cli.main import FriendlyGroup, main, with_services

for _module in (classifier, search, telegram, digest, feeds):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["FriendlyGroup", "main", "with_services"]
