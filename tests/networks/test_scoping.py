"""A manager sees only their networks: every cohort, dashboard and export URL of another
network answers 403 or 404, whatever the method, and changes nothing."""

import io

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.networks.enrolment import add_member, start_import
from lms.networks.models import CohortMember, EnrolmentImport, MemberSource
from tests.networks.helpers import csv_bytes, make_cohort, make_manager, make_network

SCOPED_ARGUMENTS = {"cohort_id", "network_id", "import_id", "user_id"}


def scoped_urls(app, values: dict) -> list[tuple[str, str]]:
    """(method, url) of every rule that takes a network, cohort or import id."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or not rule.arguments <= SCOPED_ARGUMENTS:
            continue
        if not rule.arguments & {"cohort_id", "network_id"}:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


@pytest.fixture
def other_network(app, make_user, seed, manager, cohort):
    """Network A (the `network` fixture) with a cohort, a member and a pending import."""
    learner = make_user()
    add_member(
        cohort,
        email=learner.email,
        name=learner.name,
        structure_id=None,
        source=MemberSource.CSV,
        actor=manager,
        notify=False,
    )
    upload = start_import(
        cohort,
        "a.csv",
        csv_bytes("email;prenom;nom;structure\nn@example.org;N;O;PAVA de Lyon\n"),
        manager,
    )
    return {
        "cohort_id": cohort.id,
        "network_id": cohort.network_id,
        "import_id": upload.id,
        "user_id": manager.id,
        "learner": learner,
    }


def test_a_manager_of_another_network_gets_403_or_404_everywhere(
    app, client, login, make_user, seed, other_network, db_session
):
    network_b = make_network("Réseau Bretagne", ["PAVA de Rennes"])
    manager_b = make_manager(make_user, network_b)
    own = make_cohort(network_b, seed, manager_b, name="Promotion Bretagne")
    login(manager_b)

    urls = scoped_urls(app, other_network)
    walked = {url for _method, url in urls}
    cohort_id = other_network["cohort_id"]
    # The walk covers the dashboard, both exports, the certificates and every management page.
    for suffix in (
        "",
        "/export.csv",
        "/export.xlsx",
        "/certificats.zip",
        "/parametres",
        "/inscriptions",
    ):
        assert f"/cohortes/{cohort_id}{suffix}" in walked
    assert f"/reseaux/{other_network['network_id']}" in walked

    statuses = {}
    for method, url in urls:
        response = client.open(
            url,
            method=method,
            data={"file": (io.BytesIO(b"x"), "x.csv")} if method == "POST" else None,
        )
        statuses[(method, url)] = response.status_code
    assert {key: status for key, status in statuses.items() if status not in {403, 404}} == {}

    # Nothing changed in network A; the manager's own cohort is theirs to see.
    upload = db_session.get(EnrolmentImport, other_network["import_id"])
    assert upload.confirmed_at is None
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(CohortMember)
            .where(CohortMember.cohort_id == cohort_id)
        )
        == 1
    )
    assert client.get(f"/cohortes/{own.id}").status_code == 200
    assert client.get(f"/cohortes/{own.id}/export.csv").status_code == 200
    assert "Promotion 2026" not in client.get("/reseaux").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_learners_and_other_trainers_see_no_cohort(
    app, client, login, make_user, role, other_network
):
    login(make_user(role))
    for method, url in scoped_urls(app, other_network):
        assert client.open(url, method=method).status_code in {403, 404}, (method, url)


def test_the_cohort_trainer_sees_the_dashboard_but_cannot_manage(
    app, client, login, trainer, other_network
):
    login(trainer)
    cohort_id = other_network["cohort_id"]
    assert client.get(f"/cohortes/{cohort_id}").status_code == 200
    assert client.get(f"/cohortes/{cohort_id}/export.csv").status_code == 200
    assert client.get(f"/cohortes/{cohort_id}/inscriptions").status_code == 403
    assert client.get(f"/cohortes/{cohort_id}/parametres").status_code == 403
    assert client.get(f"/reseaux/{other_network['network_id']}").status_code == 403


def test_a_learner_sees_only_their_own_progress(client, login, other_network):
    login(other_network["learner"])
    assert client.get(f"/cohortes/{other_network['cohort_id']}").status_code == 403
    assert client.get("/mes-parcours").status_code == 200
