"""flask commands: seed-demo, create-user, create-token, rerender, prune-events, backup, restore,
search rebuild, and `db downgrade` with its --yes-drop-data guard."""
import copy
import sqlite3
from contextlib import contextmanager

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from community.actions import ActionError
from community.seed import seed_demo


def register_cli(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(rerender_command)
    app.cli.add_command(prune_events_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(search_group)
    migrate_group = app.cli.commands.get("db")
    if migrate_group is not None:  # Flask-Migrate's group, with our downgrade (this app only)
        guarded = copy.copy(migrate_group)
        guarded.commands = {**migrate_group.commands, "downgrade": downgrade_command}
        app.cli.add_command(guarded, "db")


@click.command("prune-events")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep this many days (default: EVENT_RETENTION_DAYS, 14).")
@with_appcontext
def prune_events_command(days):
    """Delete live-update log rows older than the retention period now (the job consumer also
    does it every hour). A browser away for longer reloads its page instead of catching up."""
    from community.actions.retention import prune_events

    days = days or current_app.config["EVENT_RETENTION_DAYS"]
    click.echo(f"Deleted {prune_events(days)} event log rows older than {days} days.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no users yet.")
@with_appcontext
def seed_demo_command(if_empty):
    """Add demo organisations, users and content (idempotent). Prints the demo logins."""
    from community.models import User
    from community.extensions import db

    if if_empty and db.session.query(User.id).first() is not None:
        click.echo("Database already has users; demo data not added.")
        return
    logins = seed_demo()
    password = current_app.config["SEED_DEMO_PASSWORD"]
    click.echo("Demo logins (password for all: %s):" % password)
    for email, description in logins:
        click.echo(f"  {email:38} {description}")


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--kind", default="other", type=click.Choice(["employee", "teacher", "student", "other"]))
@click.option("--language", default="nl", type=click.Choice(["nl", "en"]))
@click.option("--admin", is_flag=True, help="Make the user a platform administrator.")
@with_appcontext
def create_user_command(email, display_name, password, kind, language, admin):
    """Create an account."""
    from community.actions.accounts import register_user

    try:
        user = register_user(email, display_name, password, kind=kind, language=language, is_admin=admin)
    except ActionError as error:
        raise click.ClickException(f"{error.field or 'input'}: {error.message}")
    click.echo(f"Created user {user.id} <{user.email}>{' (admin)' if admin else ''}.")


@click.command("create-token")
@click.option("--email", required=True, help="The account the token acts as.")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@with_appcontext
def create_token_command(email, name):
    """Create a personal access token and print it (shown once)."""
    from community.actions.tokens import create_token
    from community.queries.accounts import user_by_email

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    try:
        _, plaintext = create_token(user, name)
    except ActionError as error:
        raise click.ClickException(str(error.message))
    click.echo(plaintext)


@click.command("rerender")
@with_appcontext
def rerender_command():
    """Re-render stored markdown made by an older renderer (run after changing markup.py and
    raising its RENDER_VERSION). Pages never render on a read, so this is how old posts catch up."""
    from community.actions.cases import rerender_cases
    from community.actions.communities import rerender_descriptions
    from community.actions.discussions import rerender_discussions
    from community.markup import RENDER_VERSION

    descriptions = rerender_descriptions()
    posts = rerender_discussions()
    cases = rerender_cases()
    click.echo(f"Re-rendered to render version {RENDER_VERSION}: {descriptions} community descriptions, "
               f"{posts} discussions and replies, {cases} cases.")


@click.group("search")
def search_group():
    """The full-text search index."""


@search_group.command("rebuild")
@with_appcontext
def search_rebuild_command():
    """Rebuild the search index from all discussions, replies, cases and trajectories (after a
    restore from an old backup, or an import that wrote rows directly)."""
    from community.actions.search import rebuild_search_index

    counts = rebuild_search_index(echo=None)
    click.echo("Search index rebuilt: " + ", ".join(f"{kind} {number}" for kind, number in counts.items()) + ".")


@contextmanager
def _expected_errors():
    """Expected failures (a missing pg_dump, a non-empty target, an unreachable database, a full
    disk) end with a one-line message and exit status 1, not a traceback."""
    from community.backup import BackupError

    try:
        yield
    except BackupError as error:
        raise click.ClickException(str(error))
    except sa.exc.SQLAlchemyError as error:
        raise click.ClickException(f"database: {getattr(error, 'orig', None) or error}")
    except (OSError, sqlite3.Error) as error:
        raise click.ClickException(str(error))


def _summary(manifest):
    from community.backup import KIND_NAMES

    counts = manifest.get("counts", {})
    rows = ", ".join(f"{counts[name]} {name}" for name in
                     ("users", "communities", "discussions", "replies", "cases", "attachments") if name in counts)
    uploads = manifest.get("uploads", {})
    return (f"  database: {KIND_NAMES[manifest['database']]}, schema revision {manifest.get('schema_revision')}\n"
            f"  rows: {rows or 'none'}\n"
            f"  uploads: {uploads.get('files', 0)} files, {uploads.get('bytes', 0) / 1e6:.1f} MB")


@click.command("backup")
@click.option("--to", "to_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write the backup folder into (default: backups/ in the instance folder).")
@with_appcontext
def backup_command(to_dir):
    """Back up the database and the uploads into one timestamped folder with a manifest. Safe while
    the site runs (SQLite's online backup API; pg_dump on PostgreSQL)."""
    from community.backup import create_backup

    with _expected_errors():
        path, manifest = create_backup(to_dir)
    click.echo(f"Backup written to {path}\n{_summary(manifest)}")
    missing = manifest["uploads"]["missing"]
    if missing:
        click.echo(f"Warning: {len(missing)} attachment files were missing (deleted while the backup ran, "
                   f"or lost before): {', '.join(missing[:5])}", err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True))
@click.option("--yes", is_flag=True, help="Replace a database and uploads folder that already have data.")
@with_appcontext
def restore_command(path, yes):
    """Restore a backup folder made by `flask backup` into an empty site (stop the site first)."""
    from community.backup import restore_backup

    with _expected_errors():
        manifest, revision, head = restore_backup(path, replace=yes)
    click.echo(f"Restored the backup of {manifest['created_at']}\n{_summary(manifest)}")
    if revision == head:
        click.echo(f"The schema is at this code's head ({head}): `flask db upgrade` has nothing to do.")
    else:
        click.echo(f"Run `flask db upgrade` next: the schema is at {revision}, this code's head is {head}.")


@click.command("downgrade")
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("--sql", is_flag=True, help="Don't emit SQL to database - dump to standard output instead")
@click.option("--tag", default=None, help='Arbitrary "tag" name - can be used by custom env.py scripts')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@click.option("--yes-drop-data", is_flag=True,
              help="Go ahead even when the downgrade drops tables or columns that hold data.")
@click.argument("revision", default="-1")
@with_appcontext
def downgrade_command(directory, sql, tag, x_arg, yes_drop_data, revision):
    """Revert to a previous version. Refuses when it would delete data (a dropped table with rows,
    a dropped column with values) unless --yes-drop-data; see migrations/env.py."""
    from flask import g
    from flask_migrate import downgrade

    extra = ["yes_drop_data=1"] if yes_drop_data else []
    downgrade(directory or g.get("directory"), revision, sql, tag, [*x_arg, *extra])
