"""Networks test helpers: organisation built through the real operations."""

from datetime import UTC, datetime, timedelta

from lms.accounts.models import Role
from lms.catalog.models import Parcours
from lms.extensions import db
from lms.networks import operations
from lms.networks.models import Cohort, Network, NetworkManager


def make_network(name: str, structures: list[str] | None = None) -> Network:
    network = operations.create_network(name)
    operations.add_structures(network, structures or ["PAVA de Lyon", "DLA du Rhône"])
    return network


def make_manager(make_user, network: Network):
    user = make_user(Role.NETWORK_MANAGER)
    db.session.add(NetworkManager(network_id=network.id, user_id=user.id))
    db.session.flush()
    return user


def make_cohort(
    network: Network, parcours: Parcours, creator, *, name: str = "Promotion 2026", trainers=()
) -> Cohort:
    today = datetime.now(UTC).date()
    return operations.create_cohort(
        network,
        parcours,
        name,
        today - timedelta(days=30),
        today + timedelta(days=60),
        14,
        [trainer.id for trainer in trainers],
        creator,
    )


def csv_bytes(text: str, *, bom: bool = False, encoding: str = "utf-8") -> bytes:
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data
