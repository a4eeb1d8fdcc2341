"""What each engine adds to the search_entries table (created by migration 0013), and what the
model comparison leaves out because the models cannot describe it:

- SQLite: the FTS5 table ``search_fts`` (rowid = search_entries.id; its columns hold the stemmed
  terms of title and body) with FTS5's own shadow tables (search_fts_data, _idx, _docsize,
  _config), and a trigger that deletes its row with the entry's (also on a cascade);
- PostgreSQL: the column ``search_entries.document`` (tsvector, 'dutch' configuration, title
  weighted A, body B) and its GIN index ``ix_search_entries_document``.
"""
FTS_TABLE = "search_fts"
DOCUMENT_COLUMN = "document"
DOCUMENT_INDEX = "ix_search_entries_document"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_entries_fts_delete AFTER DELETE ON search_entries "
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS search_entries_fts_delete", f"DROP TABLE IF EXISTS {FTS_TABLE}")

POSTGRES_CREATE = (
    f"ALTER TABLE search_entries ADD COLUMN {DOCUMENT_COLUMN} tsvector NOT NULL DEFAULT ''::tsvector",
    f"CREATE INDEX {DOCUMENT_INDEX} ON search_entries USING gin ({DOCUMENT_COLUMN})",
)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {DOCUMENT_INDEX}",
                 f"ALTER TABLE search_entries DROP COLUMN IF EXISTS {DOCUMENT_COLUMN}")


def create_statements(dialect):
    return SQLITE_CREATE if dialect == "sqlite" else POSTGRES_CREATE


def drop_statements(dialect):
    return SQLITE_DROP if dialect == "sqlite" else POSTGRES_DROP


def is_engine_table(name):
    """The FTS5 table and its shadow tables (not rows of the application's own)."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def include_name(name, type_, parent_names):
    """For Alembic's comparison (migrations/env.py, tests/test_migrations.py): leave out what
    only the engine knows (above)."""
    if type_ == "table":
        return not is_engine_table(name)
    if type_ == "column" and parent_names.get("table_name") == "search_entries":
        return name != DOCUMENT_COLUMN
    if type_ == "index":
        return name != DOCUMENT_INDEX
    return True
