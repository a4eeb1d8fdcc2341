"""Pages for people (filled in by the content issue)."""
