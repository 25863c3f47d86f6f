import click
from flask.cli import with_appcontext

from lms.mail.operations import deliver_pending


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the messages waiting in the outbox (retries earlier failures)."""
    sent = deliver_pending(limit=1000)
    click.echo(f"{sent} message(s) sent.")
