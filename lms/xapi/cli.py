import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.accounts.operations import find_user_by_email
from lms.core.errors import DomainError
from lms.extensions import db
from lms.xapi.clients import Scope, create_client
from lms.xapi.models import Statement


@click.command("statements")
@click.option("--email", help="Only this learner's statements.")
@click.option("--limit", default=50, show_default=True, help="How many, most recent last.")
@click.option("--full", is_flag=True, help="Print whole statements as JSON lines.")
@with_appcontext
def statements_command(email: str | None, limit: int, full: bool) -> None:
    """Show the most recent statements of the store."""
    query = sa.select(Statement).order_by(Statement.seq.desc()).limit(limit)
    if email:
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"no account with e-mail {email}")
        query = query.where(Statement.user_id == user.id)
    rows = list(reversed(db.session.scalars(query).all()))
    for row in rows:
        if full:
            click.echo(json.dumps(row.payload, ensure_ascii=False, sort_keys=True))
            continue
        verb = row.verb_id.rsplit("/", 1)[-1]
        score = ((row.payload.get("result") or {}).get("score") or {}).get("scaled")
        extra = f" score={score}" if score is not None else ""
        click.echo(
            f"{row.timestamp.isoformat(timespec='seconds')} {verb:<11} {row.object_id}{extra}"
        )
    if not rows:
        click.echo("No statement stored yet.")


@click.command("create-lrs-client")
@click.option("--name", required=True, help="Who uses it, e.g. the outside authoring tool.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice([scope.value for scope in Scope]),
    default=[Scope.STATEMENTS_WRITE.value, Scope.STATEMENTS_READ_MINE.value],
    show_default=True,
    help="Repeat for several scopes.",
)
@with_appcontext
def create_lrs_client_command(name: str, scopes: tuple[str, ...]) -> None:
    """Create xAPI API credentials (HTTP Basic key and secret); the secret is shown once."""
    try:
        client, secret = create_client(name, list(scopes))
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"key:    {client.key}\nsecret: {secret}\nscopes: {', '.join(client.scopes)}")
    click.echo("The secret is not stored: copy it now.")
