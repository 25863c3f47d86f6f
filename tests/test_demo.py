"""`flask lms demo`, the README's first command: accounts, content, and a network to look at."""

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.demo import DEMO_ACCOUNTS, DEMO_COHORT, DEMO_NETWORK
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.networks.models import Cohort, CohortMember, Network
from tests.fixtures.apps import app_on_new_database


@pytest.fixture(autouse=True)
def db_session():
    """The demo command migrates and commits: it runs on a database of its own."""


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo-db")
    with app_on_new_database(request.param, directory, courses=False) as app:
        app.config["MAIL_FILE_DIR"] = str(directory / "mail")
        app.config["CERTIFICATE_KEYS_DIR"] = str(directory / "keys")
        yield app


def test_demo_prints_the_accounts_and_sets_up_a_network_once(fresh_app):
    runner, client = fresh_app.test_cli_runner(), fresh_app.test_client()
    first = runner.invoke(args=["lms", "demo"])
    again = runner.invoke(args=["lms", "demo"])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    for _role, _name, email, password in DEMO_ACCOUNTS:
        assert email in first.output
        assert password in first.output
    with fresh_app.app_context():
        network_id = _check_the_demo_network()

    login = client.post(
        "/connexion", data={"email": "reseau@parcours.demo", "password": "demo-reseau-regional"}
    )
    assert login.status_code == 302
    assert DEMO_NETWORK in client.get("/reseaux").get_data(as_text=True)
    assert DEMO_COHORT in client.get(f"/reseaux/{network_id}").get_data(as_text=True)


def _check_the_demo_network() -> int:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Network)) == 1
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == DEMO_COHORT))
    assert cohort.network.name == DEMO_NETWORK
    members = db.session.scalars(
        sa.select(User.email).join(CohortMember, CohortMember.user_id == User.id)
    ).all()
    assert members == ["apprenant@parcours.demo"]
    enrolled = db.session.scalar(
        sa.select(Enrollment).join(Enrollment.user).where(User.email == "apprenant@parcours.demo")
    )
    assert enrolled.parcours_id == cohort.parcours_id
    return cohort.network_id
