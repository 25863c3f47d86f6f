import click
from flask.cli import with_appcontext

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.core.errors import DomainError
from lms.extensions import db


@click.command("create-user")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", required=True, help="E-mail address, used to log in.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.LEARNER.value,
    show_default=True,
)
@click.password_option(help="Password (asked for if not given).")
@with_appcontext
def create_user_command(name: str, email: str, role: str, password: str) -> None:
    """Create an account with a role."""
    try:
        user = create_user(name, email, password, Role(role))
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
