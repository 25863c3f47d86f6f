"""`flask lms demo`: a ready-to-try platform on the embedded database."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user, normalise_email
from lms.catalog.cli import import_courses
from lms.catalog.loader import PackageError
from lms.catalog.operations import add_owner
from lms.certificates.keys import ensure_signing_key
from lms.extensions import db
from lms.mail.backends import outbox_dir

DEMO_ACCOUNTS = (
    (Role.LEARNER, "Camille Apprenante", "apprenant@parcours.demo", "demo-apprenant"),
    (Role.TRAINER, "Dominique Formatrice", "formateur@parcours.demo", "demo-formateur"),
    (Role.NETWORK_MANAGER, "Sacha Réseau", "reseau@parcours.demo", "demo-reseau-regional"),
    (Role.ADMIN, "Alex Admin", "admin@parcours.demo", "demo-administrateur"),
)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Apply migrations, import courses/ and create one demo account per role."""
    if not current_app.config.get("DEBUG") and current_app.config.get("SESSION_COOKIE_SECURE"):
        raise click.ClickException("demo accounts are refused in production")
    upgrade()
    try:
        reports = import_courses(Path(current_app.config["COURSES_DIR"]))
    except PackageError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    for role, name, email, password in DEMO_ACCOUNTS:
        exists = db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email)))
        if exists is None:
            create_user(name, email, password, role)
    trainer_email = next(email for role, _n, email, _p in DEMO_ACCOUNTS if role == Role.TRAINER)
    for report in reports:
        add_owner(report.slug, trainer_email)
    ensure_signing_key()  # the Open Badges signing key, generated on first start
    db.session.commit()
    for report in reports:
        click.echo(
            f"Parcours « {report.slug} » : {report.modules} modules, {report.questions} questions."
        )
    click.echo(f"\nE-mails (développement) : fichiers .eml dans {outbox_dir(current_app)}")
    click.echo("\nComptes de démonstration (rôle, e-mail, mot de passe) :")
    for role, _name, email, password in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<16} {email:<28} {password}")
