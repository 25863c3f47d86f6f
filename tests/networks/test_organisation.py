"""Admins manage networks and their managers; managers their structures and cohorts."""

import re
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.core.db import utcnow
from lms.networks.models import Cohort, NetworkManager
from tests.certificates.helpers import clear_mail, sent_mail
from tests.learning.helpers import page


def test_admin_creates_a_network_and_invites_its_manager(app, client, login, make_user, db_session):
    login(make_user(Role.ADMIN))
    response = client.post("/admin/reseaux", data={"name": "  Réseau   Normandie "})
    assert response.status_code == 302
    network_url = response.headers["Location"]
    assert "Réseau Normandie" in page(client.get(network_url))
    assert client.post("/admin/reseaux", data={"name": "réseau normandie"}).status_code == 422

    clear_mail(app)
    response = client.post(
        network_url + "/responsables",
        data={"email": "nouvelle@example.org", "name": "Nadia Nouvelle"},
    )
    assert response.status_code == 302
    user = db_session.scalar(sa.select(User).where(User.email == "nouvelle@example.org"))
    assert user.role == Role.NETWORK_MANAGER
    [mail] = sent_mail(app)
    assert re.search(r"/invitation/\S+", mail.get_content())
    assert "Réseau Normandie" in mail.get_content()

    learner = make_user()
    client.post(network_url + "/responsables", data={"email": learner.email})
    assert learner.role == Role.NETWORK_MANAGER
    trainer = make_user(Role.TRAINER)
    refused = client.post(network_url + "/responsables", data={"email": trainer.email})
    assert refused.status_code == 422
    assert "un compte n'a qu'un rôle" in page(refused)
    assert trainer.role == Role.TRAINER
    managers = db_session.scalars(sa.select(NetworkManager.user_id)).all()
    assert sorted(managers) == sorted([user.id, learner.id])


def test_a_manager_cannot_create_networks(client, login, manager):
    login(manager)
    assert client.get("/admin/reseaux").status_code == 403


def test_manager_adds_structures_and_creates_a_cohort(
    client, login, manager, network, seed, trainer, db_session
):
    login(manager)
    client.post(
        f"/reseaux/{network.id}/structures",
        data={"names": "Maison des assos\n\nPAVA de Lyon\nMaison des assos"},
    )
    assert [s.name for s in network.structures] == [
        "DLA du Rhône",
        "Maison des assos",
        "PAVA de Lyon",
    ]

    today = utcnow().date()
    data = {
        "name": "Promotion automne",
        "parcours_id": seed.id,
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
        "inactivity_days": "10",
        "trainer_ids": [trainer.id],
    }
    refused = client.post(f"/reseaux/{network.id}/cohortes/nouvelle", data=data)
    assert refused.status_code == 422
    assert "La date de fin doit suivre la date de début." in page(refused)

    data["ends_on"] = (today + timedelta(days=90)).isoformat()
    response = client.post(f"/reseaux/{network.id}/cohortes/nouvelle", data=data)
    assert response.status_code == 302
    cohort = db_session.scalar(sa.select(Cohort).where(Cohort.name == "Promotion automne"))
    assert response.headers["Location"].endswith(f"/cohortes/{cohort.id}/inscriptions")
    assert [t.user_id for t in cohort.trainers] == [trainer.id]
    assert cohort.inactivity_days == 10
    assert "Promotion automne" in page(client.get(f"/reseaux/{network.id}"))


def test_cohort_settings_close_and_renew_the_invitation_link(
    client, login, manager, cohort, make_user
):
    login(manager)
    code = cohort.invitation_code
    assert code in page(client.get(f"/cohortes/{cohort.id}/parametres"))
    data = {
        "name": cohort.name,
        "parcours_id": cohort.parcours_id,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "inactivity_days": "7",
        "reminders_enabled": "y",
    }
    assert client.post(f"/cohortes/{cohort.id}/parametres", data=data).status_code == 302
    assert cohort.is_invitation_open is False
    assert cohort.trainers == []
    assert client.get(f"/rejoindre/{code}").status_code == 404

    data["is_invitation_open"] = "y"
    client.post(f"/cohortes/{cohort.id}/parametres", data=data)
    client.post(f"/cohortes/{cohort.id}/code")
    assert cohort.invitation_code != code
    assert client.get(f"/rejoindre/{code}").status_code == 404
    assert client.get(f"/rejoindre/{cohort.invitation_code}").status_code == 200
