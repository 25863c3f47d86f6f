"""A new trainer, in a real browser: builds a parcours with a module, an uploaded PDF and a
quiz holding one question of each type; reorders modules from the keyboard; publishes; a
learner takes the quiz; the item analysis shows that learner's answers."""

import re

import pytest
from playwright.sync_api import Page, expect

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.extensions import db
from tests.authoring.helpers import PDF_BYTES

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe assez long"
SLUG = "animer-un-reseau"


def log_in(page: Page, email: str) -> None:
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def add_module(page: Page, level: str, slug: str, title: str) -> None:
    page.goto(f"/atelier/{SLUG}/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Ajouter le module"))
    form.get_by_label("Niveau").select_option(label=level)
    form.get_by_label("Identifiant du module").fill(slug)
    form.get_by_label("Titre").fill(title)
    form.get_by_role("button", name="Ajouter le module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("group", name="Leviers travaillés").get_by_label("Alliances").check()
    page.get_by_label("Contenu (Markdown)").fill(f"## {title}\n\nUn contenu **important**.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("Module enregistré")


def add_question(page: Page, kind_label: str, fill) -> None:
    page.get_by_role("link", name=kind_label, exact=True).click()
    fill(page)
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.get_by_role("status")).to_contain_text("Question enregistrée")


def rows(page: Page, texts, matches=None, correct=()):
    for index, text in enumerate(texts):
        page.locator(f"#rows-{index}-text").fill(text)
        if matches:
            page.locator(f"#rows-{index}-match").fill(matches[index])
        if index in correct:
            page.locator(f"#rows-{index}-correct").check()


def common(page: Page, prompt: str) -> None:
    page.get_by_label("Énoncé").fill(prompt)
    page.get_by_label("Explication montrée après la réponse").fill("Voir le module.")


def test_trainer_builds_publishes_and_sees_the_learners_answers(page: Page, live_server, tmp_path):
    with live_server.app.app_context():
        create_user("Dominique Formatrice", "formatrice@example.org", PASSWORD, Role.TRAINER)
        create_user("Lou Apprenant", "lou@example.org", PASSWORD, Role.LEARNER)
        db.session.commit()
        db.session.remove()

    log_in(page, "formatrice@example.org")
    page.get_by_role("link", name="Atelier").click()
    page.get_by_label("Identifiant").fill(SLUG)
    page.get_by_label("Titre").fill("Animer un réseau")
    page.get_by_label("Résumé").fill("Un parcours court pour animer un réseau d'accompagnateurs.")
    page.get_by_role("button", name="Créer le parcours").click()
    expect(page.get_by_role("status")).to_contain_text("Parcours créé")

    add_module(page, "Connaissances", "premier", "Premier module")
    # A PDF, and an executable pretending to be one.
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(PDF_BYTES)
    fake = tmp_path / "programme.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    upload = page.locator("form").filter(has=page.get_by_role("button", name="Envoyer le fichier"))
    upload.get_by_label("Titre du document").fill("Programme")
    upload.get_by_label("Fichier (PDF, ODT, DOCX ou image)").set_input_files(str(fake))
    upload.get_by_role("button", name="Envoyer le fichier").click()
    expect(page.locator(".error-message")).to_contain_text("ni un PDF")
    upload = page.locator("form").filter(has=page.get_by_role("button", name="Envoyer le fichier"))
    upload.get_by_label("Titre du document").fill("Guide de l'animateur")
    upload.get_by_label("Fichier (PDF, ODT, DOCX ou image)").set_input_files(str(pdf))
    upload.get_by_role("button", name="Envoyer le fichier").click()
    expect(page.get_by_role("status")).to_contain_text("Fichier « guide.pdf » ajouté")

    page.get_by_role("link", name="Quiz du module").click()
    page.get_by_role("button", name="Créer le quiz").click()
    expect(page.get_by_role("status")).to_contain_text("Quiz enregistré")

    def single(p):
        common(p, "Quel levier relève des partenariats ?")
        rows(p, ["Les alliances", "La fiscalité"], correct=(0,))

    def multiple(p):
        common(p, "Lesquels sont des leviers ?")
        rows(p, ["Richesses humaines", "Financements", "La météo"], correct=(0, 1))

    def true_false(p):
        common(p, "Le bénévolat est rémunéré.")
        p.get_by_label("Faux").check()

    def matching(p):
        common(p, "Associez chaque engagement à son cadre.")
        rows(p, ["Bénévolat", "Volontariat"], matches=["Sans rémunération", "Avec indemnité"])

    def ordering(p):
        common(p, "Remettez les temps dans l'ordre.")
        rows(p, ["Webinaire", "Autodiagnostic", "Ateliers"])

    def numeric(p):
        common(p, "En quelle année la loi ESS ?")
        p.get_by_label("Réponse attendue (nombre)").fill("2014")

    for label, fill in [
        ("Choix unique", single),
        ("Choix multiple", multiple),
        ("Vrai ou faux", true_false),
        ("Association (paires)", matching),
        ("Remise en ordre", ordering),
        ("Réponse numérique", numeric),
    ]:
        add_question(page, label, fill)

    add_module(page, "Connaissances", "second", "Second module")
    add_module(page, "Compétences", "pratique", "Pratiquer")
    add_module(page, "Expertise", "maitrise", "Maîtriser")

    # Reorder from the keyboard: focus "Monter" on the second module, press Enter.
    page.goto(f"/atelier/{SLUG}/")
    page.get_by_role("button", name="Monter « Second module »").focus()
    page.keyboard.press("Enter")
    level = page.locator("section.level").first
    expect(level.locator(".module-title").first).to_have_text("Second module")
    page.get_by_role("button", name="Monter « Premier module »").focus()
    page.keyboard.press("Enter")
    expect(level.locator(".module-title").first).to_have_text("Premier module")

    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_contain_text("Parcours publié")
    log_out(page)

    # A learner takes the quiz.
    log_in(page, "lou@example.org")
    page.goto(f"/parcours/{SLUG}")
    page.get_by_role("button", name="S'inscrire au parcours").click()
    page.get_by_role("link", name="Premier module", exact=True).click()
    expect(page.get_by_role("link", name="Guide de l'animateur")).to_be_visible()
    page.get_by_role("button", name="J'ai lu ce module").click()
    page.get_by_role("group", name=re.compile("partenariats")).get_by_label("Les alliances").check()
    multiple_group = page.get_by_role("group", name=re.compile("Lesquels"))
    multiple_group.get_by_label("Richesses humaines").check()
    multiple_group.get_by_label("Financements").check()
    page.get_by_role("group", name=re.compile("bénévolat est")).get_by_label("Faux").check()
    matching_group = page.get_by_role("group", name=re.compile("Associez"))
    matching_group.get_by_label("Bénévolat").select_option(label="Sans rémunération")
    matching_group.get_by_label("Volontariat").select_option(label="Avec indemnité")
    ordering_group = page.get_by_role("group", name=re.compile("Remettez"))
    for rank, text in enumerate(["Webinaire", "Autodiagnostic", "Ateliers"], start=1):
        ordering_group.get_by_label(text).select_option(str(rank))
    # A wrong year: one mistake out of six.
    page.get_by_role("group", name=re.compile("loi ESS")).get_by_label("Votre réponse").fill(
        "2 015"
    )
    page.get_by_role("button", name="Valider mes réponses").click()
    expect(page.locator(".result")).to_contain_text("Score : 5 / 6")
    log_out(page)

    # The trainer's item analysis shows that learner's answers.
    log_in(page, "formatrice@example.org")
    page.goto(f"/atelier/{SLUG}/analyse")
    table = page.locator("table.analysis").first
    expect(table.locator("tbody tr")).to_have_count(6)
    numeric_row = table.locator("tr").filter(has_text="loi ESS")
    expect(numeric_row).to_contain_text("0 %")
    expect(numeric_row).to_contain_text("2015 (1)")
    expect(table.locator("tr").filter(has_text="Associez")).to_contain_text("100 %")
    page.screenshot(path=tmp_path / "analysis.png", full_page=True)
