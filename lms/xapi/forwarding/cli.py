import socket

import click
from flask.cli import with_appcontext

from lms.xapi.forwarding.operations import forward_pending

# tincan opens its connections without a timeout; a silent outside LRS must not hang us.
SOCKET_TIMEOUT = 30


@click.command("forward-statements")
@with_appcontext
def forward_statements_command() -> None:
    """Send one batch of stored statements to the outside LRS (XAPI_FORWARD_URL)."""
    socket.setdefaulttimeout(SOCKET_TIMEOUT)
    result = forward_pending()
    if result.skipped:
        reason = (
            "backing off until " + result.next_attempt_at.isoformat()
            if (result.next_attempt_at)
            else "forwarding is off (XAPI_FORWARD_URL)"
        )
        click.echo(f"Nothing sent: {reason}. {result.pending} pending.")
        return
    if result.error:
        click.echo(f"Failed: {result.error}. {result.pending} pending.", err=True)
        raise SystemExit(1)
    click.echo(f"{result.sent} statement(s) sent, {result.pending} pending.")
