"""`flask lms demo`: a ready-to-try platform on the embedded database."""

from datetime import timedelta
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
from lms.catalog.models import Parcours
from lms.catalog.operations import add_owner
from lms.certificates.keys import ensure_signing_key
from lms.core.db import utcnow
from lms.extensions import db
from lms.mail.backends import outbox_dir
from lms.networks.enrolment import add_member
from lms.networks.models import MemberSource, Network
from lms.networks.operations import add_manager, add_structures, create_cohort, create_network

DEMO_ACCOUNTS = (
    (Role.LEARNER, "Camille Apprenante", "apprenant@parcours.demo", "demo-apprenant"),
    (Role.TRAINER, "Dominique Formatrice", "formateur@parcours.demo", "demo-formateur"),
    (Role.NETWORK_MANAGER, "Sacha Réseau", "reseau@parcours.demo", "demo-reseau-regional"),
    (Role.ADMIN, "Alex Admin", "admin@parcours.demo", "demo-administrateur"),
)


DEMO_NETWORK = "Réseau régional de démonstration"
DEMO_COHORT = "Cohorte de démonstration"
DEMO_STRUCTURES = (
    "Point d'appui à la vie associative (démo)",
    "Dispositif local d'accompagnement (démo)",
)


def _account(role: Role) -> User:
    email = next(email for r, _n, email, _p in DEMO_ACCOUNTS if r == role)
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _demo_network(parcours_slug: str) -> None:
    """A network managed by the network account, with a cohort on the first parcours that the
    trainer leads and the learner belongs to: what a network manager sees on first login."""
    if db.session.scalar(sa.select(Network.id).where(Network.name == DEMO_NETWORK)):
        return
    admin, manager = _account(Role.ADMIN), _account(Role.NETWORK_MANAGER)
    network = create_network(DEMO_NETWORK)
    add_manager(network, manager.email, manager.name, inviter=admin)
    structure, _other = add_structures(network, list(DEMO_STRUCTURES))
    parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == parcours_slug))
    today = utcnow().date()
    cohort = create_cohort(
        network,
        parcours,
        DEMO_COHORT,
        starts_on=today,
        ends_on=today + timedelta(days=120),
        inactivity_days=14,
        trainer_ids=[_account(Role.TRAINER).id],
        creator=admin,
    )
    learner = _account(Role.LEARNER)
    add_member(
        cohort,
        email=learner.email,
        name=learner.name,
        structure_id=structure.id,
        source=MemberSource.CSV,
        actor=admin,
        notify=False,
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
    if reports:
        _demo_network(reports[0].slug)
    ensure_signing_key()  # the Open Badges signing key, generated on first start
    db.session.commit()
    for report in reports:
        click.echo(
            f"Parcours « {report.slug} » : {report.modules} modules, {report.questions} questions."
        )
    click.echo(
        f"\nRéseau « {DEMO_NETWORK} », cohorte « {DEMO_COHORT} » : le compte réseau la suit, "
        "le compte formateur l'anime, le compte apprenant en fait partie."
    )
    click.echo(f"\nE-mails (développement) : fichiers .eml dans {outbox_dir(current_app)}")
    click.echo("\nComptes de démonstration (rôle, e-mail, mot de passe) :")
    for role, _name, email, password in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<16} {email:<28} {password}")
