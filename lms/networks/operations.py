"""Organisation changes: networks, managers, structures, cohorts. They flush; the caller
commits."""

import secrets
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user, find_user_by_email
from lms.catalog.models import Parcours
from lms.core.errors import Conflict, DomainError, NotFound
from lms.extensions import db
from lms.networks.invitations import invite
from lms.networks.models import (
    Cohort,
    CohortTrainer,
    Network,
    NetworkManager,
    Structure,
    new_invitation_code,
)


def normalise_name(name: str) -> str:
    return " ".join(name.split())


def create_network(name: str) -> Network:
    """Create a regional network; raises Conflict if the name is taken."""
    name = normalise_name(name)
    if not name:
        raise DomainError(_("Le nom du réseau est obligatoire."))
    exists = db.session.scalar(
        sa.select(Network.id).where(sa.func.lower(Network.name) == name.lower())
    )
    if exists is not None:
        raise Conflict(_("Un réseau porte déjà ce nom."))
    network = Network(name=name)
    db.session.add(network)
    db.session.flush()
    return network


def add_manager(network: Network, email: str, name: str, inviter: User) -> tuple[User, bool]:
    """Make someone a manager of the network; returns (user, invited).

    A new address gets a network-manager account and an invitation to choose a password;
    a learner's account becomes a network manager's. Trainers and admins keep their role
    (a role is single), so they are refused with the reason.
    """
    user = find_user_by_email(email)
    invited = False
    if user is None:
        if not normalise_name(name):
            raise DomainError(_("Indiquez le nom de la personne à inviter."))
        user = create_user(
            normalise_name(name), email, secrets.token_urlsafe(32), Role.NETWORK_MANAGER
        )
        invite(user, cohort=None, inviter=inviter, network=network)
        invited = True
    elif user.role == Role.LEARNER:
        user.role = Role.NETWORK_MANAGER
    elif user.role != Role.NETWORK_MANAGER:
        raise DomainError(
            _(
                "%(email)s a déjà le rôle « %(role)s » : un compte n'a qu'un rôle.",
                email=user.email,
                role=user.role.value,
            )
        )
    if db.session.get(NetworkManager, (network.id, user.id)) is None:
        db.session.add(NetworkManager(network_id=network.id, user_id=user.id))
    db.session.flush()
    return user, invited


def remove_manager(network: Network, user_id: int) -> None:
    db.session.execute(
        sa.delete(NetworkManager).where(
            NetworkManager.network_id == network.id, NetworkManager.user_id == user_id
        )
    )
    db.session.flush()


def add_structures(network: Network, names: list[str]) -> list[Structure]:
    """Add member structures (one name each); names already there are left as they are."""
    existing = {structure.name.lower() for structure in network.structures}
    added = []
    for raw in names:
        name = normalise_name(raw)
        if not name or name.lower() in existing:
            continue
        if len(name) > 200:
            raise DomainError(_("Un nom de structure compte au plus 200 caractères."))
        structure = Structure(network=network, name=name)
        db.session.add(structure)
        existing.add(name.lower())
        added.append(structure)
    db.session.flush()
    return added


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError(_("La date de fin doit suivre la date de début."))


def _trainers(user_ids: list[int]) -> list[User]:
    users = db.session.scalars(sa.select(User).where(User.id.in_(user_ids))).all()
    if len(users) != len(set(user_ids)) or any(
        user.role not in {Role.TRAINER, Role.ADMIN} for user in users
    ):
        raise DomainError(_("Choisissez les formateurs parmi les comptes formateurs."))
    return list(users)


def create_cohort(
    network: Network,
    parcours: Parcours,
    name: str,
    starts_on: date,
    ends_on: date,
    inactivity_days: int,
    trainer_ids: list[int],
    creator: User,
) -> Cohort:
    """Create a cohort of the network on a parcours, with its trainers."""
    name = normalise_name(name)
    if not name:
        raise DomainError(_("Le nom de la cohorte est obligatoire."))
    _check_dates(starts_on, ends_on)
    cohort = Cohort(
        network_id=network.id,
        parcours_id=parcours.id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        inactivity_days=inactivity_days,
        created_by_id=creator.id,
    )
    cohort.trainers = [CohortTrainer(user_id=user.id) for user in _trainers(trainer_ids)]
    db.session.add(cohort)
    db.session.flush()
    return cohort


def update_cohort(
    cohort: Cohort,
    name: str,
    starts_on: date,
    ends_on: date,
    inactivity_days: int,
    trainer_ids: list[int],
    reminders_enabled: bool,
    is_invitation_open: bool,
) -> None:
    """Change a cohort's settings and trainers (its parcours is fixed once created)."""
    name = normalise_name(name)
    if not name:
        raise DomainError(_("Le nom de la cohorte est obligatoire."))
    _check_dates(starts_on, ends_on)
    cohort.name = name
    cohort.starts_on = starts_on
    cohort.ends_on = ends_on
    cohort.inactivity_days = inactivity_days
    cohort.reminders_enabled = reminders_enabled
    cohort.is_invitation_open = is_invitation_open
    wanted = {user.id for user in _trainers(trainer_ids)}
    cohort.trainers = [t for t in cohort.trainers if t.user_id in wanted] + [
        CohortTrainer(user_id=user_id)
        for user_id in sorted(wanted - {t.user_id for t in cohort.trainers})
    ]
    db.session.flush()


def renew_invitation_code(cohort: Cohort) -> None:
    """A new code for the cohort's invitation link; the old link stops working."""
    cohort.invitation_code = new_invitation_code()
    db.session.flush()


def parcours_by_id(parcours_id: int) -> Parcours:
    parcours = db.session.get(Parcours, parcours_id)
    if parcours is None or not parcours.is_published:
        raise NotFound(_("Ce parcours n'existe pas."))
    return parcours
