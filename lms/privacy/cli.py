import click
from flask.cli import with_appcontext

from lms.accounts.operations import find_user_by_email
from lms.core.errors import DomainError
from lms.extensions import db
from lms.privacy.operations import erase_account


@click.command("erase-account")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_account_command(email: str, yes: bool) -> None:
    """Erase an account as its owner would (personal data erased, statements pseudonymised,
    certificates revoked). Any role, admins included."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the e-mail {email!r}")
    if not yes:
        click.confirm(f"Erase {user.role.value} {user.email} (id {user.id}) for good?", abort=True)
    try:
        erasure = erase_account(user)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(
        f"Erased account {user.id}: {erasure.statements} statement(s) pseudonymised, "
        f"{erasure.certificates_revoked} certificate(s) revoked, "
        f"{erasure.documents_deleted} xAPI document(s) deleted."
    )
