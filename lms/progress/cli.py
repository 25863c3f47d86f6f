import click
from flask.cli import with_appcontext

from lms.extensions import db
from lms.progress.operations import replay_differences, replay_progress


@click.command("replay-progress")
@click.option(
    "--compare",
    is_flag=True,
    help="Replay without keeping the result, and report how it differs from the live progress.",
)
@with_appcontext
def replay_progress_command(compare: bool) -> None:
    """Drop the progress projection and rebuild it from the statement store."""
    if compare:
        only_live, only_replayed = replay_differences()
        for row in sorted(only_live, key=repr):
            click.echo(f"live only:     {row}")
        for row in sorted(only_replayed, key=repr):
            click.echo(f"replayed only: {row}")
        if only_live or only_replayed:
            raise click.ClickException(
                f"replay differs from live progress: {len(only_live)} row(s) live only, "
                f"{len(only_replayed)} replayed only (nothing was changed)"
            )
        click.echo("Replay equals live progress (nothing was changed).")
        return
    count = replay_progress()
    db.session.commit()
    click.echo(f"Progress rebuilt from {count} statements.")
