"""flask commands: seed-demo, create-user, create-token, rerender, prune-events."""
import click
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


@click.command("prune-events")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep this many days (default: EVENT_RETENTION_DAYS, 14).")
@with_appcontext
def prune_events_command(days):
    """Delete live-update log rows older than the retention period (run it daily, e.g. from cron).
    A browser away for longer reloads its page instead of catching up."""
    from community.realtime.events import prune_events

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
    from community.queries import user_by_email

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
