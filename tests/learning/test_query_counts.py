"""Learner pages run a fixed number of SQL queries, whatever the number of modules.

Pages load the parcours tree with a few `selectin` queries and the learner's progress with
one query per table, so the count does not grow with content: a regression here (a query per
module from a lazy load in a template, say) shows up as a count above the bound, or as a
count that differs between the seed parcours (13 modules) and a large one (73 modules).
"""

import shutil

import pytest
import yaml

from config import ROOT
from lms.catalog.cli import import_courses
from lms.progress.queries import load_parcours
from tests.learning.helpers import answers_for, complete_module, enroll, module_url, read

MAX_QUERIES = 14
# A quiz submission stores its statements (one per question, plus the attempt and its result,
# and the module's completion when passed) in one INSERT, the progress projection updated
# from them in one UPDATE per row: 24 to 33 queries (statement by statement it was about 50),
# the same for a parcours of any size.
MAX_SUBMISSION_QUERIES = 36
SEED = ROOT / "courses" / "modeles-socio-economiques"
EXTRA_MODULES_PER_LEVEL = 20


@pytest.fixture
def large_parcours(db_session, tmp_path):
    """The seed parcours under another slug, with 20 more modules (and quizzes) per level."""
    package = tmp_path / "grand-parcours"
    shutil.copytree(SEED, package)
    manifest = yaml.safe_load((package / "parcours.yaml").read_text())
    manifest["slug"] = "grand-parcours"
    for level in manifest["levels"]:
        first = level["modules"][0]
        for n in range(EXTRA_MODULES_PER_LEVEL):
            copy = f"{first}-bis-{n}"
            shutil.copy(package / "modules" / f"{first}.md", package / "modules" / f"{copy}.md")
            shutil.copy(package / "quizzes" / f"{first}.yaml", package / "quizzes" / f"{copy}.yaml")
            level["modules"].append(copy)
    (package / "parcours.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    import_courses(package)
    parcours = load_parcours("grand-parcours")
    assert sum(len(level.modules) for level in parcours.levels) == 13 + 3 * 20
    return parcours


@pytest.fixture
def learner_midway(client, login, make_user):
    """A learner through the first level of `parcours`, the second level's first module read."""

    def midway(parcours):
        login(make_user())
        enroll(client, parcours)
        for module in parcours.levels[0].modules[:4]:
            complete_module(client, parcours, module)
        read(client, parcours, parcours.levels[1].modules[0])
        return parcours

    return midway


PAGES = {
    "catalogue": lambda parcours: "/",
    "home": lambda parcours: "/mes-parcours",
    "parcours": lambda parcours: f"/parcours/{parcours.slug}",
    "module": lambda parcours: module_url(parcours, parcours.levels[0].modules[1]),
    "quiz": lambda parcours: module_url(parcours, parcours.levels[0].modules[1], "/quiz"),
    "attempt": lambda parcours: module_url(
        parcours, parcours.levels[0].modules[0], "/quiz/tentatives/1"
    ),
}


def _queries(client, count_queries, method, url, data=None) -> tuple[int, int]:
    with count_queries() as counter:
        response = client.open(url, method=method, data=data)
    return response.status_code, counter.count


@pytest.mark.parametrize("page", PAGES)
def test_learner_pages_run_a_bounded_number_of_queries(
    client, seed, learner_midway, count_queries, page
):
    url = PAGES[page](learner_midway(seed))
    status, count = _queries(client, count_queries, "GET", url)
    assert status == 200
    assert count <= MAX_QUERIES, f"{url}: {count} queries"


@pytest.fixture
def count_as_new_learner(client, login, make_user, count_queries):
    """(status, queries) of a request by a new learner, enrolled, once `prepare` has run."""

    def count(parcours, prepare, method, url, data=None) -> tuple[int, int]:
        login(make_user())
        enroll(client, parcours)
        prepare(parcours)
        return _queries(client, count_queries, method, url, data)

    return count


@pytest.mark.parametrize("page", ["parcours", "module", "quiz", "attempt"])
def test_page_queries_do_not_grow_with_the_number_of_modules(
    client, seed, large_parcours, count_as_new_learner, page
):
    def first_module_done(parcours):
        complete_module(client, parcours, parcours.levels[0].modules[0])

    counts = {}
    for parcours in (seed, large_parcours):
        status, counts[parcours.slug] = count_as_new_learner(
            parcours, first_module_done, "GET", PAGES[page](parcours)
        )
        assert status == 200
    assert counts[seed.slug] == counts[large_parcours.slug] <= MAX_QUERIES, counts


@pytest.mark.parametrize("right", [False, True], ids=["failed", "passed"])
def test_quiz_submission_queries_do_not_grow_with_the_number_of_modules(
    client, seed, large_parcours, count_as_new_learner, right
):
    def first_module_read(parcours):  # a passed quiz then completes the module
        read(client, parcours, parcours.levels[0].modules[0])

    counts = {}
    for parcours in (seed, large_parcours):
        module = parcours.levels[0].modules[0]
        status, counts[parcours.slug] = count_as_new_learner(
            parcours,
            first_module_read,
            "POST",
            module_url(parcours, module, "/quiz"),
            answers_for(module, right=right),
        )
        assert status == 302
    assert counts[seed.slug] == counts[large_parcours.slug] <= MAX_SUBMISSION_QUERIES, counts
