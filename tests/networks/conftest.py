import pytest

from lms.accounts.models import Role
from tests.networks.helpers import make_cohort, make_manager, make_network


@pytest.fixture
def network(db_session):
    return make_network("Réseau Auvergne-Rhône-Alpes")


@pytest.fixture
def manager(make_user, network):
    return make_manager(make_user, network)


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER)


@pytest.fixture
def cohort(network, seed, manager, trainer):
    return make_cohort(network, seed, manager, trainers=[trainer])
