"""Search: a derived full-text index over the documents, ranking, snippets and summaries."""
