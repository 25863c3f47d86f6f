"""Learner pages run a fixed number of SQL queries, whatever the number of modules.

Pages load the parcours tree with a few `selectin` queries and the learner's progress with
one query per table, so the count does not grow with content: a regression here (a query per
module from a lazy load in a template, say) shows up as a count above the bound.
"""

import pytest

from tests.learning.helpers import complete_module, enroll, module_url, read

MAX_QUERIES = 14


@pytest.fixture
def learner_midway(client, login, make_user, seed):
    login(make_user())
    enroll(client, seed)
    for module in seed.levels[0].modules:
        complete_module(client, seed, module)
    read(client, seed, seed.levels[1].modules[0])
    return seed


@pytest.mark.parametrize(
    "path",
    [
        lambda seed: "/",
        lambda seed: "/mes-parcours",
        lambda seed: f"/parcours/{seed.slug}",
        lambda seed: module_url(seed, seed.levels[1].modules[0]),
        lambda seed: module_url(seed, seed.levels[1].modules[0], "/quiz"),
        lambda seed: module_url(seed, seed.levels[0].modules[0], "/quiz/tentatives/1"),
    ],
    ids=["catalogue", "home", "parcours", "module", "quiz", "attempt"],
)
def test_learner_pages_run_a_bounded_number_of_queries(client, learner_midway, count_queries, path):
    url = path(learner_midway)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    assert counter.count <= MAX_QUERIES, f"{url}: {counter.count} queries"
