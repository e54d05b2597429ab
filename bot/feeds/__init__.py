"""Live ingestion: RSS/Atom feeds and article URLs, polled on a schedule."""
