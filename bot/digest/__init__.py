"""Daily digests: subscriptions, content and exactly-once delivery."""
