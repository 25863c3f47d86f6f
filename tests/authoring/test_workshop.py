"""A trainer builds a parcours in the workshop, publishes it, and a learner takes it."""

import re

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.catalog.models import Question, StoredFile
from lms.learning.models import QuizAttempt
from lms.xapi.models import Statement
from lms.xapi.validation import validate_statement
from tests.authoring import helpers
from tests.learning.helpers import enroll, page

KINDS = list(helpers.QUESTIONS)


def build_parcours(client, slug="mon-parcours"):
    """A parcours with one module (uploaded PDF) and a quiz with one question per type."""
    assert helpers.create_parcours(client, slug).status_code == 302
    assert helpers.add_module(client, slug, "m1").status_code == 302
    assert helpers.save_module(client, slug, "m1", 1).status_code == 302
    response = helpers.upload(client, slug, "m1", helpers.PDF_BYTES, "guide.pdf")
    assert response.status_code == 302, page(response)
    assert helpers.create_quiz(client, slug, "m1", 1).status_code == 302
    # Every level needs a module to be published.
    helpers.add_module(client, slug, "m2", level="competences", title="Deuxième")
    helpers.add_module(client, slug, "m3", level="expertise", title="Troisième")
    for module_slug in ("m2", "m3"):
        helpers.save_module(client, slug, module_slug, 1, title=module_slug)
    for version, kind in enumerate(KINDS, start=2):
        response = helpers.add_question(client, slug, "m1", kind, f"q{version - 1}", version)
        assert response.status_code == 302, page(response)


def learner_answers(html: str, *, right: bool) -> dict:
    """Fill the learner's quiz page as a reader would, from what it shows."""
    data: dict = {"presented": helpers.hidden(html, "presented")}
    # single choice: the alliances; multiple: the two levers; true/false: false
    pick = "Les alliances" if right else "La fiscalité"
    data["q_q1"] = [
        re.search(rf'name="q_q1" value="(\w+)"[^>]*>\s*<label[^>]*>{pick}', html).group(1)
    ]
    wanted = ("Richesses humaines", "Financements") if right else ("Météo",)
    data["q_q2"] = [
        re.search(rf'name="q_q2" value="(\w+)"[^>]*>\s*<label[^>]*>{text}', html).group(1)
        for text in wanted
    ]
    data["q_q3"] = ["false" if right else "true"]
    options = {
        text: token
        for token, text in re.findall(r'<option value="(r\d)"[^>]*>([^<]+)</option>', html)
    }
    data["q_q4__a"] = options["Sans rémunération"] if right else options["Avec indemnité"]
    data["q_q4__b"] = options["Avec indemnité"] if right else options["Sans rémunération"]
    items = re.findall(r'<label for="q_q5__(\d)">([^<]+)</label>', html)
    order = {"Webinaire": 1, "Autodiagnostic": 2, "Ateliers": 3}
    for index, text in items:
        data[f"q_q5__{index}"] = str(order[text.strip()] if right else 4 - order[text.strip()])
    data["q_q6"] = "2014" if right else "2 015"
    return data


def test_a_new_trainer_builds_publishes_and_a_learner_takes_it(
    client, login, make_user, db_session, app
):
    trainer = make_user(Role.TRAINER)
    login(trainer)
    build_parcours(client)
    response = helpers.publish(client, "mon-parcours")
    assert response.status_code == 302, page(response)

    learner = make_user()
    client.post("/deconnexion")
    login(learner)
    parcours_page = client.get("/parcours/mon-parcours")
    assert parcours_page.status_code == 200
    enroll(client, type("P", (), {"slug": "mon-parcours"}))
    module_page = page(client.get("/parcours/mon-parcours/modules/m1"))
    assert "Bienvenue" in module_page
    file_link = re.search(r'href="(/fichiers/\w+/guide\.pdf)"', module_page).group(1)
    download = client.get(file_link)
    assert download.status_code == 200
    assert download.data == helpers.PDF_BYTES
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()

    quiz_page = client.get("/parcours/mon-parcours/modules/m1/quiz").get_data(as_text=True)
    response = client.post(
        "/parcours/mon-parcours/modules/m1/quiz", data=learner_answers(quiz_page, right=True)
    )
    assert response.status_code == 302, page(response)
    result = page(client.get(response.headers["Location"]))
    assert "Score : 6 / 6" in result

    # Every answered statement is valid xAPI, with the interaction type of its question.
    answered = db_session.scalars(
        sa.select(Statement).where(Statement.verb_id.endswith("/answered"))
    ).all()
    kinds = {}
    for statement in answered:
        validate_statement(statement.payload)
        definition = statement.payload["object"]["definition"]
        kinds[definition["interactionType"]] = statement.payload
    assert set(kinds) == {"choice", "true-false", "matching", "sequencing", "numeric"}
    matching = kinds["matching"]
    assert matching["result"]["response"] == "a[.]a[,]b[.]b"
    assert matching["object"]["definition"]["correctResponsesPattern"] == ["a[.]a[,]b[.]b"]
    assert [c["id"] for c in matching["object"]["definition"]["source"]] == ["a", "b"]
    assert kinds["sequencing"]["result"]["response"] == "a[,]b[,]c"
    assert kinds["numeric"]["result"]["response"] == "2014"
    assert kinds["numeric"]["object"]["definition"]["correctResponsesPattern"] == ["2014"]

    # The trainer's item analysis shows the learner's answers.
    client.post("/deconnexion")
    login(trainer)
    analysis = page(client.get("/atelier/mon-parcours/modules/m1/analyse"))
    assert analysis.count("<td>1</td>") == 6
    assert "100 %" in analysis


def test_wrong_answers_are_scored_and_shown_in_words(client, login, make_user, db_session):
    trainer = make_user(Role.TRAINER)
    login(trainer)
    build_parcours(client)
    helpers.publish(client, "mon-parcours")
    client.post("/deconnexion")
    login(make_user())
    enroll(client, type("P", (), {"slug": "mon-parcours"}))
    quiz_page = client.get("/parcours/mon-parcours/modules/m1/quiz").get_data(as_text=True)
    response = client.post(
        "/parcours/mon-parcours/modules/m1/quiz", data=learner_answers(quiz_page, right=False)
    )
    result = page(client.get(response.headers["Location"]))
    assert "Score : 0 / 6" in result
    assert "Bénévolat → Avec indemnité" in result
    assert "2015" in result  # the learner's "2 015", read as a number

    client.post("/deconnexion")
    login(trainer)
    analysis = page(client.get("/atelier/mon-parcours/modules/m1/analyse"))
    assert "Météo (1)" in analysis
    assert "Bénévolat → Avec indemnité ; Volontariat → Sans rémunération (1)" in analysis


def test_a_fake_pdf_is_refused_and_nothing_is_stored(client, login, make_user, db_session, app):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    response = helpers.upload(client, "mon-parcours", "m1", helpers.EXE_BYTES, "guide.pdf")
    assert response.status_code == 422
    assert "ni un PDF" in page(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    assert "resources" not in helpers.draft_of("mon-parcours").module("m1").front


def test_a_pdf_named_otherwise_is_refused(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    response = helpers.upload(client, "mon-parcours", "m1", helpers.PDF_BYTES, "photo.png")
    assert response.status_code == 422
    assert "son extension dit autre chose" in page(response)


def test_a_file_over_the_size_limit_is_refused(
    client, login, make_user, db_session, app, monkeypatch
):
    # A small limit keeps the request body in memory (the default is 10 Mo).
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 200 * 1024)
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    big = helpers.PDF_BYTES + b"0" * app.config["UPLOAD_MAX_BYTES"]
    response = helpers.upload(client, "mon-parcours", "m1", big, "gros.pdf")
    assert response.status_code == 422
    assert "dépasse la taille maximale (200 Ko)" in page(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_the_second_save_of_the_same_module_is_refused(client, login, make_user, db_session):
    first, second = make_user(Role.TRAINER, name="Alice"), make_user(Role.TRAINER, name="Bruno")
    login(first)
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    client.post("/atelier/mon-parcours/proprietaires", data={"email": second.email})
    # Both opened the module at version 1; Alice saves first.
    assert (
        helpers.save_module(client, "mon-parcours", "m1", 1, title="Version d'Alice").status_code
        == 302
    )
    client.post("/deconnexion")
    login(second)
    response = helpers.save_module(client, "mon-parcours", "m1", 1, title="Version de Bruno")
    assert response.status_code == 409
    assert "a été modifié par Alice" in page(response)
    assert helpers.draft_of("mon-parcours").module("m1").front["title"] == "Version d'Alice"


def test_modules_are_reordered_with_buttons(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    helpers.add_module(client, "mon-parcours", "m2", title="Second")
    response = client.post("/atelier/mon-parcours/modules/m2/deplacer", data={"direction": "up"})
    assert response.headers["Location"].endswith("#deplacer-m2-up")
    assert helpers.draft_of("mon-parcours").structure["connaissances"] == ["m2", "m1"]


def test_publishing_an_invalid_draft_lists_what_to_fix(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    response = helpers.publish(client, "mon-parcours")
    assert response.status_code == 422
    text = page(response)
    assert "levels[1].modules" in text
    assert "le niveau « Compétences » n'a aucun module" in text


def test_preview_creates_no_learner_record(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    build_parcours(client)
    counts = [
        db_session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Statement, QuizAttempt)
    ]
    assert "Bienvenue" in page(client.get("/atelier/mon-parcours/modules/m1/apercu"))
    quiz_page = client.get("/atelier/mon-parcours/modules/m1/quiz/apercu").get_data(as_text=True)
    data = learner_answers(quiz_page, right=True)
    data["seed"] = helpers.hidden(quiz_page, "seed")
    result = page(client.post("/atelier/mon-parcours/modules/m1/quiz/apercu", data=data))
    assert "Score : 6 / 6" in result
    assert counts == [
        db_session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Statement, QuizAttempt)
    ]
    assert (
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(Question)
            .where(Question.prompt.like("Quel levier%"))
        )
        == 0
    )


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    client, login, make_user, db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 10 * 1024)
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    big = helpers.PDF_BYTES + b"0" * (200 * 1024)
    response = helpers.upload(client, "mon-parcours", "m1", big, "gros.pdf")
    assert response.status_code == 413
    assert "Le fichier dépasse la taille maximale (10 Ko)" in page(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_markdown_preview_renders_without_saving(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    response = helpers.save_module(
        client,
        "mon-parcours",
        "m1",
        1,
        body="## Titre\n\n<script>x()</script>\n\n**gras**",
        action="preview",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Titre</h2>" in text
    assert "<strong>gras</strong>" in text
    assert "<script>x()" not in text
    draft = helpers.draft_of("mon-parcours")
    assert draft.module("m1").body_markdown == ""
    assert draft.module("m1").version == 1


def test_links_are_checked_and_added(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    url = "/atelier/mon-parcours/modules/m1/liens"
    refused = client.post(
        url,
        data={"link-title": "Site", "link-url": "javascript:alert(1)", "link-kind": "lien"},
        follow_redirects=True,
    )
    assert "Une adresse complète, en http ou https." in page(refused)
    client.post(
        url,
        data={
            "link-title": "Le RAMEAU",
            "link-url": "https://www.lerameau.fr",
            "link-kind": "lien",
        },
    )
    assert helpers.draft_of("mon-parcours").module("m1").front["resources"] == [
        {"title": "Le RAMEAU", "url": "https://www.lerameau.fr", "kind": "lien"}
    ]


def test_a_learner_gets_a_message_for_an_unreadable_number_or_rank(
    client, login, make_user, db_session
):
    login(make_user(Role.TRAINER))
    build_parcours(client)
    helpers.publish(client, "mon-parcours")
    client.post("/deconnexion")
    login(make_user())
    enroll(client, type("P", (), {"slug": "mon-parcours"}))
    quiz_page = client.get("/parcours/mon-parcours/modules/m1/quiz").get_data(as_text=True)
    for number, rank in (("1e999999999", "²"), ("1e999999", "1"), ("9" * 40, "1")):
        data = learner_answers(quiz_page, right=True)
        data["q_q6"] = number
        data["q_q5__0"] = rank
        response = client.post("/parcours/mon-parcours/modules/m1/quiz", data=data)
        assert response.status_code == 422, number
        assert "Écrivez un nombre" in page(response)
        assert "Placez chaque élément" in page(response) or rank == "1"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_a_tampered_version_is_a_form_message_not_an_error(client, login, make_user):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    response = helpers.save_module(client, "mon-parcours", "m1", "1x")
    assert response.status_code == 422
    assert "rechargez la page" in page(response)
    assert helpers.draft_of("mon-parcours").module("m1").front["title"] == "Premier module"
    response = helpers.create_quiz(client, "mon-parcours", "m1", "9" * 40)
    assert response.status_code == 422
    assert "rechargez la page" in page(response)


def test_removing_a_resource_by_a_stale_position_removes_nothing_else(
    client, login, make_user, db_session
):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    for title, url in (("Un", "https://exemple.org/un"), ("Deux", "https://exemple.org/deux")):
        client.post(
            "/atelier/mon-parcours/modules/m1/liens",
            data={"link-title": title, "link-url": url, "link-kind": "document"},
        )
    # Both trainers see "Un" first; the first removes it, the second then clicks too.
    url = "/atelier/mon-parcours/modules/m1/ressources/0/supprimer"
    assert client.post(url, data={"resource": "https://exemple.org/un"}).status_code == 302
    response = client.post(url, data={"resource": "https://exemple.org/un"})
    assert response.status_code == 302
    resources = helpers.draft_of("mon-parcours").module("m1").front["resources"]
    assert [resource["title"] for resource in resources] == ["Deux"]
    assert "déjà été retirée" in page(client.get(response.headers["Location"]))
