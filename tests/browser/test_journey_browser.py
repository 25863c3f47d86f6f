"""A new learner's first steps, in a real browser: register, enrol, read, fail, pass, go on."""

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.models import User
from lms.extensions import db
from lms.mail.models import MailMessage
from lms.progress.operations import replay_progress
from lms.progress.queries import load_parcours
from lms.xapi import vocabulary as verbs
from lms.xapi.models import Statement

pytestmark = pytest.mark.browser

SEED_SLUG = "modeles-socio-economiques"
PARCOURS_TITLE = "Modèles socio-économiques d'intérêt général"
NAME = "Camille Durand"
EMAIL = "camille.durand@example.org"
PASSWORD = "un mot de passe assez long"


@dataclass(frozen=True)
class QuestionData:
    prompt: str
    right: list[str]  # choice texts to tick to answer right
    wrong: list[str]  # … and to answer wrong


@dataclass(frozen=True)
class ModuleData:
    slug: str
    title: str
    questions: list[QuestionData]


def confirmation_path(app, email: str) -> str:
    """The account activation link of the registration mail sent to `email`."""
    with app.app_context():
        body = db.session.scalar(
            sa.select(MailMessage.body_text)
            .where(MailMessage.recipient == email)
            .order_by(MailMessage.id.desc())
        )
        db.session.remove()
    return "/inscription/" + body.split("/inscription/")[1].split()[0]


def log_in(page: Page, email: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def first_modules(app, count: int) -> list[ModuleData]:
    """The first modules of the seed parcours, with their quiz answers, as plain data."""
    with app.app_context():
        parcours = load_parcours(SEED_SLUG)
        assert parcours.title == PARCOURS_TITLE
        modules = [m for level in parcours.levels for m in level.modules][:count]
        data = []
        for module in modules:
            questions = []
            for question in module.quiz.questions if module.quiz else []:
                correct = set(question.correct_choice_ids)
                texts = {choice["id"]: choice["text"] for choice in question.choices}
                wrong_id = next(c["id"] for c in question.choices if c["id"] not in correct)
                questions.append(
                    QuestionData(
                        prompt=question.prompt,
                        right=[texts[i] for i in question.correct_choice_ids],
                        wrong=[texts[wrong_id]],
                    )
                )
            data.append(ModuleData(module.slug, module.title, questions))
        db.session.remove()
    return data


def learner_statements(app, email: str) -> list[tuple[str, str, str]]:
    """(verb id, object id, actor homePage) of the learner's statements, in storage order."""
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        assert user_id is not None
        rows = db.session.scalars(
            sa.select(Statement).where(Statement.user_id == user_id).order_by(Statement.seq)
        )
        result = [
            (row.verb_id, row.object_id, row.payload["actor"]["account"]["homePage"])
            for row in rows
        ]
        db.session.remove()
    return result


def answer_quiz(page: Page, module: ModuleData, *, right: bool) -> None:
    """Tick each question's choices by their labels, then submit."""
    expect(page.get_by_role("button", name="Valider mes réponses")).to_be_visible()
    for question in module.questions:
        group = page.get_by_role("group", name=question.prompt)
        for text in question.right if right else question.wrong:
            group.get_by_label(text, exact=True).check()
    page.get_by_role("button", name="Valider mes réponses").click()


def module_item(page: Page, title: str):
    """The parcours page's list item of the module titled `title`."""
    return page.locator("li.module").filter(has=page.get_by_text(title, exact=True))


def test_new_learner_registers_enrols_fails_then_passes_first_quiz(
    page: Page, live_server, tmp_path
):
    first, second, third = first_modules(live_server.app, 3)
    assert first.questions, "the first module has a quiz"
    parcours_path = f"/parcours/{SEED_SLUG}"

    # The catalogue lists the parcours; its page shows every module locked.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des parcours")
    page.get_by_role("link", name=PARCOURS_TITLE).click()
    expect(page).to_have_url(re.compile(re.escape(parcours_path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PARCOURS_TITLE)

    # Register from the parcours page: the form sends the learner back to it.
    page.get_by_role("main").get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    page.get_by_label("Nom et prénom").fill(NAME)
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    # The link in the mail activates the account; logging in goes back to the parcours.
    page.goto(confirmation_path(live_server.app, EMAIL))
    expect(page.get_by_role("status")).to_contain_text(f"Bienvenue {NAME}")
    log_in(page, EMAIL)
    expect(page).to_have_url(re.compile(re.escape(parcours_path) + "$"))

    page.get_by_role("button", name="S'inscrire au parcours").click()
    expect(page.get_by_role("status")).to_contain_text("Vous êtes inscrit au parcours")
    expect(module_item(page, second.title)).to_contain_text("Verrouillé")

    # Read the first module: its quiz opens next.
    page.get_by_role("link", name=first.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    page.get_by_role("button", name="J'ai lu ce module").click()
    expect(page).to_have_url(re.compile(re.escape(f"/modules/{first.slug}/quiz") + "$"))
    expect(page.get_by_role("status")).to_contain_text("Module lu")

    # All wrong: failed, with a way to try again.
    answer_quiz(page, first, right=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de la tentative 1")
    result = page.locator(".result")
    expect(result).to_contain_text("Quiz non réussi")
    expect(result).to_contain_text(f"Score : 0 / {len(first.questions)}")
    expect(page.get_by_role("link", name=re.compile("^Module suivant"))).to_have_count(0)
    page.screenshot(path=tmp_path / "quiz-failed.png", full_page=True)

    page.get_by_role("link", name="Réessayer le quiz").click()
    answer_quiz(page, first, right=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de la tentative 2")
    expect(result).to_contain_text("Quiz réussi")
    expect(result).to_contain_text(f"Score : {len(first.questions)} / {len(first.questions)}")
    page.screenshot(path=tmp_path / "quiz-passed.png", full_page=True)

    # The first module is done: the second one opens.
    page.get_by_role("link", name=f"Module suivant : {second.title}").click()
    expect(page).to_have_url(re.compile(re.escape(f"{parcours_path}/modules/{second.slug}") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    expect(page.get_by_role("button", name="J'ai lu ce module")).to_be_visible()

    # Back on the parcours page: first done, second open, third still locked.
    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role(
        "link", name=PARCOURS_TITLE
    ).click()
    expect(page).to_have_url(re.compile(re.escape(parcours_path) + "$"))
    expect(module_item(page, first.title)).to_contain_text("Terminé")
    expect(module_item(page, second.title)).not_to_contain_text("Verrouillé")
    expect(module_item(page, second.title).get_by_role("link", name=second.title)).to_be_visible()
    expect(module_item(page, third.title)).to_contain_text("Verrouillé")
    expect(module_item(page, third.title).get_by_role("link")).to_have_count(0)
    page.screenshot(path=tmp_path / "parcours.png", full_page=True)

    # The learning record: the whole journey, in the order it happened, under this
    # server's address.
    statements = learner_statements(live_server.app, EMAIL)
    answered = [verbs.ANSWERED.id] * len(first.questions)
    assert [verb for verb, _, _ in statements] == [
        verbs.REGISTERED.id,
        verbs.EXPERIENCED.id,
        verbs.ATTEMPTED.id,
        *answered,
        verbs.FAILED.id,
        verbs.ATTEMPTED.id,
        *answered,
        verbs.PASSED.id,
        verbs.COMPLETED.id,
    ]
    assert {home for _, _, home in statements} == {live_server.url}
    assert statements[-1][1].endswith(f"{parcours_path}/modules/{first.slug}")


def test_learner_completes_the_first_level_and_the_second_unlocks(page: Page, live_server):
    """Continues with a new learner through all of level 1, then checks that replaying the
    statement store gives back the progress the pages showed."""
    modules = first_modules(live_server.app, 5)
    level_one, level_two_first = modules[:4], modules[4]
    parcours_path = f"/parcours/{SEED_SLUG}"

    page.goto("/inscription")
    page.get_by_label("Nom et prénom").fill("Sacha Lemoine")
    page.get_by_label("Adresse e-mail").fill("sacha.lemoine@example.org")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.goto(confirmation_path(live_server.app, "sacha.lemoine@example.org"))
    log_in(page, "sacha.lemoine@example.org")
    page.goto(parcours_path)
    page.get_by_role("button", name="S'inscrire au parcours").click()
    level_two = page.locator("section.level").nth(1)
    expect(level_two).to_contain_text("Verrouillé : terminez le niveau précédent")

    for index, module in enumerate(level_one):
        page.goto(f"{parcours_path}/modules/{module.slug}")
        page.get_by_role("button", name="J'ai lu ce module").click()
        answer_quiz(page, module, right=True)
        expect(page.locator(".result")).to_contain_text("Quiz réussi")
        following = modules[index + 1]
        expect(page.get_by_role("link", name=f"Module suivant : {following.title}")).to_be_visible()

    page.goto(parcours_path)
    expect(page.locator("section.level").nth(0)).to_contain_text("Niveau terminé")
    expect(level_two).not_to_contain_text("Verrouillé : terminez le niveau précédent")
    expect(module_item(page, level_two_first.title).get_by_role("link")).to_be_visible()
    expect(page.locator("section.level").nth(2)).to_contain_text("Verrouillé")
    page_before = page.locator("main").inner_text()

    with live_server.app.app_context():
        replay_progress()
        db.session.commit()
        db.session.remove()
    page.reload()
    assert page.locator("main").inner_text() == page_before
    completed = [
        obj
        for verb, obj, _ in learner_statements(live_server.app, "sacha.lemoine@example.org")
        if verb == verbs.COMPLETED.id
    ]
    assert completed[-1].endswith(f"{parcours_path}/niveaux/connaissances")
    assert len(completed) == 5
