"""A manager enrols a cohort from a spreadsheet: preview, bad rows explained, confirmation,
invitations with one-time links; enrolling twice changes nothing."""

import io
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.learning.models import Enrollment
from lms.networks.models import CohortMember, Invitation
from lms.xapi import vocabulary
from lms.xapi.models import Statement
from tests.certificates.helpers import clear_mail, sent_mail
from tests.learning.helpers import page
from tests.networks.helpers import csv_bytes

GOOD_AND_BAD = (
    "E-mail;Prénom;Nom;Structure\n"
    "alice.martin@example.org;Alice;Martin;PAVA de Lyon\n"
    "pas-une-adresse;Bruno;Petit;PAVA de Lyon\n"
    "bob.durand@example.org;Bob;Durand;dla du rhône\n"
    "ALICE.MARTIN@example.org;Alice;Martin;PAVA de Lyon\n"
    "chloe.roux@example.org;Chloé;Roux;Maison inconnue\n"
    "dan.nguyen@example.org;;Nguyen;PAVA de Lyon\n"
    "eve.lambert@example.org;Ève;Lambert;DLA du Rhône\n"
)


def upload(client, cohort, data: bytes, name: str = "inscrits.csv"):
    return client.post(
        f"/cohortes/{cohort.id}/inscriptions",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def preview_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.fixture
def manager_client(client, login, manager):
    login(manager)
    return client


def test_preview_explains_each_bad_row_then_confirm_invites_the_good_ones(
    app, manager_client, cohort, db_session
):
    clear_mail(app)
    url = preview_url(upload(manager_client, cohort, csv_bytes(GOOD_AND_BAD, bom=True)))
    text = page(manager_client.get(url))

    assert "3 nouvelle(s) personne(s)" in text
    assert "4 ligne(s) en erreur" in text
    assert "Adresse e-mail invalide : « pas-une-adresse »" in text
    assert "Doublon : cette adresse figure déjà ligne 2" in text
    assert "Structure inconnue du réseau : « Maison inconnue »" in text
    assert "Champ(s) manquant(s) : prénom" in text
    # Nothing is done before the confirmation.
    assert (
        db_session.scalar(sa.select(User).where(User.email == "alice.martin@example.org")) is None
    )
    assert sent_mail(app) == []

    response = manager_client.post(url + "/confirmer")
    assert response.status_code == 302
    text = page(manager_client.get(url))
    assert "3 invitation(s) envoyée(s)" in text
    assert "4 ligne(s) ignorée(s)" in text

    members = db_session.scalars(
        sa.select(User.email)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.email)
    ).all()
    assert members == [
        "alice.martin@example.org",
        "bob.durand@example.org",
        "eve.lambert@example.org",
    ]
    # Each enrolment went through the write path: a `registered` statement each.
    registered = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(Statement)
        .join(Enrollment, Enrollment.registration == Statement.registration)
        .join(CohortMember, CohortMember.enrollment_id == Enrollment.id)
        .where(CohortMember.cohort_id == cohort.id, Statement.verb_id == vocabulary.REGISTERED.id)
    )
    assert registered == 3
    mails = sent_mail(app)
    assert sorted(str(m["To"]) for m in mails) == members
    body = mails[0].get_content()
    assert "/invitation/" in body
    assert cohort.name in body


def test_confirming_again_or_reuploading_changes_nothing(app, manager_client, cohort, db_session):
    good = "email,prenom,nom,structure\nzoe.bernard@example.org,Zoé,Bernard,PAVA de Lyon\n"
    url = preview_url(upload(manager_client, cohort, csv_bytes(good)))
    manager_client.post(url + "/confirmer")
    clear_mail(app)
    statements = db_session.scalar(sa.select(sa.func.count()).select_from(Statement))

    assert manager_client.post(url + "/confirmer").status_code == 409
    again = preview_url(upload(manager_client, cohort, csv_bytes(good)))
    assert "1 déjà dans la cohorte" in page(manager_client.get(again))
    manager_client.post(again + "/confirmer")
    assert "1 personne(s) déjà inscrite(s)" in page(manager_client.get(again))

    assert sent_mail(app) == []
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Statement)) == statements
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(CohortMember)
            .where(CohortMember.cohort_id == cohort.id)
        )
        == 1
    )


@pytest.mark.parametrize(
    ("text", "bom", "encoding"),
    [
        (
            "email;prenom;nom;structure\r\nyann@example.org;Yann;Le Gall;PAVA de Lyon\r\n",
            True,
            "utf-8",
        ),
        (
            "Email,First name,Last name,Structure\nyann@example.org,Yann,Le Gall,PAVA de Lyon\n",
            False,
            "utf-8",
        ),
        (
            '"courriel";"prénom";"nom";"structure"\n'
            '"yann@example.org";"Yann";"Le Gall";"PAVA de Lyon"\n',
            False,
            "cp1252",
        ),
    ],
    ids=["utf8-bom-semicolon", "utf8-comma-english", "excel-windows-1252"],
)
def test_spreadsheet_exports_are_read(manager_client, cohort, text, bom, encoding):
    url = preview_url(upload(manager_client, cohort, csv_bytes(text, bom=bom, encoding=encoding)))
    content = page(manager_client.get(url))
    assert "1 nouvelle(s) personne(s)" in content
    assert "Le Gall" in content


def test_an_unusable_file_is_refused_with_the_reason(manager_client, cohort):
    response = upload(manager_client, cohort, csv_bytes("email;nom\nx@example.org;X\n"))
    assert response.status_code == 422
    assert "colonne(s) manquante(s) : prénom, structure" in page(response)


def test_existing_account_is_enrolled_without_a_new_account(
    app, manager_client, cohort, make_user, db_session
):
    learner = make_user(email="deja@example.org")
    clear_mail(app)
    url = preview_url(
        upload(
            manager_client,
            cohort,
            csv_bytes("email;prenom;nom;structure\ndeja@example.org;A;B;PAVA de Lyon\n"),
        )
    )
    assert "1 compte(s) existant(s)" in page(manager_client.get(url))
    manager_client.post(url + "/confirmer")
    assert (
        db_session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == "deja@example.org")
        )
        == 1
    )
    assert db_session.scalar(sa.select(Invitation).where(Invitation.user_id == learner.id)) is None
    [mail] = sent_mail(app)
    assert "/invitation/" not in mail.get_content()


def test_invitation_link_sets_the_password_once(app, manager_client, cohort, client):
    clear_mail(app)
    url = preview_url(
        upload(
            manager_client,
            cohort,
            csv_bytes("email;prenom;nom;structure\nines@example.org;Inès;Benali;PAVA de Lyon\n"),
        )
    )
    manager_client.post(url + "/confirmer")
    manager_client.post("/deconnexion")
    link = re.search(
        r"https://parcours\.test(/invitation/\S+)", sent_mail(app)[0].get_content()
    ).group(1)

    assert "Bienvenue Inès Benali" in page(client.get(link))
    response = client.post(
        link, data={"password": "un mot de passe sûr", "password_confirm": "un mot de passe sûr"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/parcours/{cohort.parcours.slug}")
    client.post("/deconnexion")

    again = client.get(link)
    assert again.status_code == 410
    assert "Ce lien a déjà servi" in page(again)
    assert (
        client.post(
            "/connexion", data={"email": "ines@example.org", "password": "un mot de passe sûr"}
        ).status_code
        == 302
    )


def test_invitation_code_link_enrols_a_logged_in_person_once(
    client, login, make_user, cohort, db_session
):
    learner = make_user()
    login(learner)
    url = f"/rejoindre/{cohort.invitation_code}"
    assert cohort.name in page(client.get(url))
    structure = cohort.network.structures[0]
    assert client.post(url, data={"structure_id": structure.id}).status_code == 302
    assert client.post(url, data={"structure_id": structure.id}).status_code == 302
    members = db_session.scalars(
        sa.select(CohortMember).where(CohortMember.user_id == learner.id)
    ).all()
    assert len(members) == 1
    assert members[0].structure_id == structure.id
    assert client.get("/rejoindre/NOTACODE").status_code == 404
