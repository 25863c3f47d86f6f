"""A new network manager, in a real browser: create a cohort, upload a CSV with 3 good rows
and 4 bad ones, see each bad one explained, confirm; the 3 get invitations; one of them
sets a password and progresses; the dashboard and both exports show it."""

import csv
import io
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.extensions import db
from lms.networks import operations
from lms.networks.models import NetworkManager
from tests.browser.test_journey_browser import SEED_SLUG, answer_quiz, first_modules

pytestmark = pytest.mark.browser

MANAGER_EMAIL = "sacha.reseau@example.org"
PASSWORD = "un mot de passe assez long"
CSV_TEXT = (
    "email;prenom;nom;structure\n"
    "lina.moreau@example.org;Lina;Moreau;PAVA de Clermont\n"
    "theo.garnier@example.org;Théo;Garnier;DLA du Puy-de-Dôme\n"
    "pas-une-adresse;Zoé;Faure;PAVA de Clermont\n"
    "LINA.MOREAU@example.org;Lina;Moreau;PAVA de Clermont\n"
    "noe.blanc@example.org;Noé;Blanc;Maison fantôme\n"
    "ana.petit@example.org;Ana;;PAVA de Clermont\n"
    "rose.henry@example.org;Rose;Henry;PAVA de Clermont\n"
)


def _organisation(app) -> None:
    with app.app_context():
        network = operations.create_network("Réseau Auvergne")
        operations.add_structures(network, ["PAVA de Clermont", "DLA du Puy-de-Dôme"])
        manager = create_user("Sacha Réseau", MANAGER_EMAIL, PASSWORD, Role.NETWORK_MANAGER)
        db.session.add(NetworkManager(network_id=network.id, user_id=manager.id))
        db.session.commit()
        db.session.remove()


def _mail(folder: Path) -> dict[str, str]:
    messages = {}
    for path in folder.glob("*.eml"):
        message = BytesParser(policy=policy.default).parse(io.BytesIO(path.read_bytes()))
        messages[str(message["To"])] = message.get_content()
    return messages


def _log_in(page: Page, email: str, password: str) -> None:
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_network_manager_enrols_a_cohort_and_sees_it_progress(
    page: Page, browser, live_server, tmp_path
):
    app = live_server.app
    outbox = tmp_path / "outbox"
    app.config["MAIL_FILE_DIR"] = str(outbox)
    _organisation(app)
    first = first_modules(app, 1)[0]

    _log_in(page, MANAGER_EMAIL, PASSWORD)
    page.get_by_role("link", name="Réseaux").click()
    page.get_by_role("link", name="Réseau Auvergne").click()
    page.get_by_role("link", name="Nouvelle cohorte").click()
    page.get_by_label("Nom de la cohorte").fill("Promotion printemps")
    page.get_by_label("Début").fill("2026-01-05")
    page.get_by_label("Fin").fill("2027-06-30")
    page.get_by_label(re.compile("^Alerte après")).fill("10")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Cohorte « Promotion printemps » créée")

    csv_file = tmp_path / "inscrits.csv"
    csv_file.write_bytes(b"\xef\xbb\xbf" + CSV_TEXT.encode())
    page.get_by_label("Fichier CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Vérifier le fichier").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("3 nouvelle(s) personne(s)")
    expect(main).to_contain_text("4 ligne(s) en erreur")
    for reason in (
        "Adresse e-mail invalide : « pas-une-adresse »",
        "Doublon : cette adresse figure déjà ligne 2",
        "Structure inconnue du réseau : « Maison fantôme »",
        "Champ(s) manquant(s) : nom",
    ):
        expect(page.locator("tr.row-error").filter(has_text=reason)).to_have_count(1)
    assert list(outbox.glob("*.eml")) == []
    page.screenshot(path=tmp_path / "preview.png", full_page=True)

    page.get_by_role("button", name="Confirmer l'inscription des lignes valides").click()
    expect(page.get_by_role("status").first).to_contain_text("3 invitation(s) envoyée(s)")
    mails = _mail(outbox)
    assert sorted(mails) == [
        "lina.moreau@example.org",
        "rose.henry@example.org",
        "theo.garnier@example.org",
    ]

    # Lina follows her invitation in her own browser, chooses a password and passes a module.
    link = re.search(r"(/invitation/\S+)", mails["lina.moreau@example.org"]).group(1)
    learner_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    learner = learner_context.new_page()
    learner.goto(link)
    learner.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    learner.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    learner.get_by_role("button", name="Enregistrer et commencer").click()
    expect(learner).to_have_url(re.compile(re.escape(f"/parcours/{SEED_SLUG}") + "$"))
    learner.goto(f"/parcours/{SEED_SLUG}/modules/{first.slug}")
    learner.get_by_role("button", name="J'ai lu ce module").click()
    answer_quiz(learner, first, right=True)
    expect(learner.locator(".result")).to_contain_text("Quiz réussi")
    learner.goto(link)
    expect(learner.get_by_role("alert")).to_contain_text("Ce lien a déjà servi")
    learner_context.close()

    # The manager's dashboard shows it, and so do both exports.
    page.get_by_role("link", name="Voir le tableau de bord de la cohorte").click()
    row = page.locator("table.learners tr").filter(has_text="Lina Moreau")
    expect(row).to_contain_text("8 %")  # 1 of 13 modules
    expect(row).to_contain_text("25 %")  # 1 of 4 modules of level 1
    expect(row).to_contain_text("100 %")  # quiz average
    expect(page.get_by_role("img", name="Entonnoir de complétion")).to_be_visible()
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(
        csv.DictReader(
            io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")), delimiter=";"
        )
    )
    lina = next(row for row in rows if row["email"] == "lina.moreau@example.org")
    assert (lina["progression_pct"], lina["modules_termines"], lina["structure"]) == (
        "8",
        "1",
        "PAVA de Clermont",
    )
    assert len(rows) == 3

    with page.expect_download() as download:
        page.get_by_role("link", name="Export Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    download.value.save_as(tmp_path / "export.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "export.xlsx").active
    values = list(sheet.values)
    lina_row = dict(
        zip(values[0], next(v for v in values if v[1] == "lina.moreau@example.org"), strict=True)
    )
    assert lina_row["progression_pct"] == 8
    assert lina_row["statut"] == "en_cours"

    with app.app_context():
        statements = db.session.scalar(
            sa.text("SELECT COUNT(*) FROM statements WHERE verb_id LIKE '%registered'")
        )
        db.session.remove()
    assert statements == 3  # each enrolment went through the write path
