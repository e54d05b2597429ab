"""Test helpers: the fake Bot API, a local newspaper site, settings, bots, models, encoders."""
