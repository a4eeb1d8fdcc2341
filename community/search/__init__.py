"""Full-text search over discussions, replies, practice cases and trajectories (issue 17).

- ``text``: folding, Dutch stemming and stop words, reading a query, snippets;
- ``index``: keeps the search_entries rows current (called by the actions, in their transaction)
  and rebuilds them (`flask search rebuild`);
- ``engine_sqlite`` / ``engine_postgres``: the two engines behind one small interface
  (``engine()`` picks the one of the database in use);
- ``schema``: what each engine adds to the table (created by migration 0013);
- ``query``: the search itself, with the permission filters inside the SQL;
- ``views``: the page /zoeken (the API's endpoint is community.api.search).

This package's __init__ imports nothing, so the migration can import ``schema`` cheaply.
"""
