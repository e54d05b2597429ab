"""`python -m bot` is the admin CLI."""

from __future__ import annotations

from bot.cli import main

if __name__ == "__main__":
    main()
