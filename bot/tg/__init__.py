"""The Telegram layer: thin handlers over the domain (python-telegram-bot 22)."""
