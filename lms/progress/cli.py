import click
from flask.cli import with_appcontext

from lms.extensions import db
from lms.progress.operations import replay_progress


@click.command("replay-progress")
@with_appcontext
def replay_progress_command() -> None:
    """Drop the progress projection and rebuild it from the statement store."""
    count = replay_progress()
    db.session.commit()
    click.echo(f"Progress rebuilt from {count} statements.")
