"""Who sees what: admins everything; a network manager their networks' cohorts; a trainer
the cohorts they train. Views ask here and answer 404 for anything out of scope, so that
nothing reveals whether another network's cohort exists."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.networks.models import Cohort, CohortTrainer, Network, NetworkManager


def local_today(now: datetime) -> date:
    """The calendar day in the platform's time zone: cohorts start and end on French days."""
    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def managed_network_ids(user: User) -> sa.Select:
    if user.role == Role.ADMIN:
        return sa.select(Network.id)
    return sa.select(NetworkManager.network_id).where(NetworkManager.user_id == user.id)


def visible_cohorts(user: User) -> sa.Select:
    """A select of the cohorts this user may see (dashboards and exports)."""
    query = sa.select(Cohort)
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.NETWORK_MANAGER:
        return query.where(Cohort.network_id.in_(managed_network_ids(user)))
    if user.role == Role.TRAINER:
        trained = sa.select(CohortTrainer.cohort_id).where(CohortTrainer.user_id == user.id)
        return query.where(Cohort.id.in_(trained))
    return query.where(sa.false())


def can_manage_network(user: User, network_id: int) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.NETWORK_MANAGER:
        return False
    return db.session.get(NetworkManager, (network_id, user.id)) is not None


def network_or_404(user: User, network_id: int) -> Network:
    network = db.session.get(Network, network_id)
    if network is None or not can_manage_network(user, network_id):
        abort(404)
    return network


def cohort_or_404(user: User, cohort_id: int) -> Cohort:
    """The cohort if the user may see it; 404 otherwise (also for a mere learner)."""
    cohort = db.session.scalar(visible_cohorts(user).where(Cohort.id == cohort_id))
    if cohort is None:
        abort(404)
    return cohort


def managed_cohort_or_404(user: User, cohort_id: int) -> Cohort:
    """The cohort if the user may change it (enrol, edit); its trainers may only look: 403."""
    cohort = cohort_or_404(user, cohort_id)
    if not can_manage_network(user, cohort.network_id):
        abort(403)
    return cohort
