"""Telegram handlers."""
