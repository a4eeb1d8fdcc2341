"""Pages for discussions (filled in by the content issue)."""
