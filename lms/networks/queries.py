"""Lists for the network pages: networks in scope, their cohorts with summaries."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.catalog.models import Parcours
from lms.extensions import db
from lms.networks.dashboard import Summary, scope_for, summary
from lms.networks.models import Cohort, CohortTrainer, Network, NetworkManager
from lms.networks.scoping import managed_network_ids, visible_cohorts


def my_networks(user: User) -> list[Network]:
    return list(
        db.session.scalars(
            sa.select(Network)
            .where(Network.id.in_(managed_network_ids(user)))
            .order_by(Network.name)
        )
    )


def trained_cohorts(user: User) -> list[Cohort]:
    return list(
        db.session.scalars(
            visible_cohorts(user)
            .where(
                Cohort.id.in_(
                    sa.select(CohortTrainer.cohort_id).where(CohortTrainer.user_id == user.id)
                )
            )
            .order_by(Cohort.starts_on.desc())
        )
    )


@dataclass
class CohortOverview:
    cohort: Cohort
    summary: Summary


def network_overview(network: Network, now: datetime) -> list[CohortOverview]:
    """Each cohort of the network with its figures, most recent first, to compare them."""
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.network_id == network.id)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ).all()
    return [CohortOverview(cohort, summary(scope_for(cohort, now))) for cohort in cohorts]


def managers_of(network: Network) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(NetworkManager, NetworkManager.user_id == User.id)
            .where(NetworkManager.network_id == network.id)
            .order_by(User.name)
        )
    )


def trainer_accounts() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_([Role.TRAINER, Role.ADMIN]), User.is_active.is_(True))
            .order_by(User.name)
        )
    )


def published_parcours() -> list[Parcours]:
    return list(
        db.session.scalars(
            sa.select(Parcours).where(Parcours.is_published.is_(True)).order_by(Parcours.title)
        )
    )


def all_networks() -> list[Network]:
    return list(db.session.scalars(sa.select(Network).order_by(Network.name)))
