"""Pages for cases (filled in by the content issue)."""
