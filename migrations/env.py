import logging
from contextlib import contextmanager
from logging.config import fileConfig
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from alembic import context
from alembic.operations import BatchOperations, Operations, ops
from alembic.runtime.migration import RevisionStep
from alembic.util import CommandError

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
# Keep the application's own loggers working when migrations run inside it (tests, CLI).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


# --- the downgrade guard -----------------------------------------------------------------------
# A downgrade that drops a table with rows, or a column with values (not NULL, not ''), deletes
# data for good. It is refused unless asked for: `flask db downgrade --yes-drop-data`
# (community/cli.py), or `-x yes_drop_data=1`. Before anything runs, each downgrade script is
# read with a stand-in for `op` that records what it drops and executes nothing; then the
# database is asked whether those tables and columns hold anything. A script that cannot be read
# that way counts as dropping data.

class _DropRecorder(Operations):
    def __init__(self, migration_context, drops):
        super().__init__(migration_context)
        self.drops = drops

    def invoke(self, operation):
        if isinstance(operation, ops.DropTableOp):
            self.drops.append((operation.table_name, None))
        elif isinstance(operation, ops.DropColumnOp):
            self.drops.append((operation.table_name, operation.column_name))

    @contextmanager
    def batch_alter_table(self, table_name, schema=None, **kwargs):
        batch = BatchOperations(self.migration_context,
                                impl=SimpleNamespace(table_name=table_name, schema=schema))
        batch.invoke = self.invoke
        yield batch

    def get_bind(self):
        raise RuntimeError("it reads the database, so it cannot be checked in advance")


def _drops_of(step, migration_context):
    module, drops = step.revision.module, []
    saved = module.__dict__.get('op')
    module.op = _DropRecorder(migration_context, drops)
    try:
        step.migration_fn()
    finally:
        if saved is None:
            del module.op
        else:
            module.op = saved
    return drops


def _data_in(connection, drops):
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    found = []
    for table, column in drops:
        if table not in tables:
            continue  # made by an earlier step of this downgrade: empty
        query = sa.select(sa.literal(1)).select_from(sa.table(table)).limit(1)
        if column is not None:
            types = {c['name']: c['type'] for c in inspector.get_columns(table)}
            if column not in types:
                continue
            query = query.where(sa.column(column).is_not(None))
            if isinstance(types[column], sa.String):  # '' is a text column's "nothing"
                query = query.where(sa.column(column) != '')
        if connection.scalar(query) is not None:
            found.append(f'table {table}' if column is None else f'column {table}.{column}')
    return found


def guard_downgrades(migration_context):
    x_args = context.get_x_argument(as_dictionary=True)
    if x_args.get('yes_drop_data', '').lower() in {'1', 'true', 'yes', 'on'}:
        return
    find_steps = migration_context._migrations_fn  # what the command will run, worked out once

    def guarded(heads, ctx):
        steps = list(find_steps(heads, ctx))
        problems = []
        for step in steps:
            if not (isinstance(step, RevisionStep) and step.is_downgrade):
                continue
            try:
                found = _data_in(ctx.connection, _drops_of(step, ctx))
            except Exception as error:
                found = [f'(could not be checked: {error})']
            if found:
                problems.append(f'  {step.revision.revision} ({step.revision.doc}): {", ".join(found)}')
        if problems:
            raise CommandError(
                'Refusing to downgrade: it would delete data.\n' + '\n'.join(problems) + '\n'
                'Make a backup first (flask backup), then run it again with --yes-drop-data '
                '(flask db downgrade --yes-drop-data ...; with plain Alembic: -x yes_drop_data=1).')
        return steps

    migration_context._migrations_fn = guarded


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        # What only the search engine knows (FTS5 table, tsvector column) stays out of autogenerate.
        from community.search.schema import include_name
        conf_args.setdefault("include_name", include_name)
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )
        guard_downgrades(context.get_context())

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
