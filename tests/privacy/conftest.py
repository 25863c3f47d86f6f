# The networks' fixtures (a network, its manager, a cohort of the seed parcours with a
# trainer) and an LRS client's credentials, shared with these tests.
from tests.networks.conftest import cohort, manager, network, trainer  # noqa: F401
from tests.xapi.conftest import credentials  # noqa: F401
