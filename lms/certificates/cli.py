import click
from flask.cli import with_appcontext

from lms.certificates.keys import public_jwks, rotate_signing_key
from lms.extensions import db


@click.command("rotate-signing-key")
@with_appcontext
def rotate_signing_key_command() -> None:
    """Sign new Open Badges credentials with a new key; earlier ones still verify."""
    key = rotate_signing_key()
    db.session.commit()
    published = len(public_jwks()["keys"])
    click.echo(f"New signing key {key.kid}; {published} public key(s) published.")
