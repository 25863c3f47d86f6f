"""Publishing a change never erases a learner's progress or attempts; an attempt keeps its
questions as they were answered; random draws are kept by the attempt."""

import io
import re
import zipfile

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.catalog.cli import import_courses
from lms.catalog.operations import add_owner
from lms.learning.models import QuizAttempt
from lms.progress.models import ModuleProgress
from lms.progress.operations import replay_progress
from lms.progress.queries import load_parcours
from tests.authoring import helpers
from tests.catalog.packages import write_package
from tests.conftest import SEED_SLUG
from tests.learning.helpers import all_modules, complete_module, enroll, page

FIRST = "c1-quest-ce-quun-mse"


def test_publishing_keeps_progress_and_attempts_keep_their_questions(
    client, login, make_user, seed, db_session
):
    learner = make_user()
    login(learner)
    enroll(client, seed)
    complete_module(client, seed, all_modules(seed)[0])
    before = db_session.execute(
        sa.select(ModuleProgress.module_id, ModuleProgress.completed_at)
    ).all()
    attempt = db_session.scalar(sa.select(QuizAttempt))
    old_prompt = attempt.questions[0]["prompt"]

    trainer = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, trainer.email)
    client.post("/deconnexion")
    login(trainer)
    editor = client.get(f"/atelier/{SEED_SLUG}/modules/{FIRST}/quiz/questions/q1").get_data(
        as_text=True
    )
    version = helpers.hidden(editor, "version")
    data = {
        "version": version,
        "key": "q1",
        "prompt": "Une toute nouvelle question ?",
        "explanation": "Nouvelle explication.",
        "rows-0-text": "Oui",
        "rows-0-correct": "y",
        "rows-1-text": "Non",
    }
    response = client.post(f"/atelier/{SEED_SLUG}/modules/{FIRST}/quiz/questions/q1", data=data)
    assert response.status_code == 302, page(response)
    client.post(f"/atelier/{SEED_SLUG}/modules/{FIRST}/quiz/questions/q3/supprimer")
    response = helpers.publish(client, SEED_SLUG)
    assert response.status_code == 302, page(response)

    assert (
        db_session.execute(sa.select(ModuleProgress.module_id, ModuleProgress.completed_at)).all()
        == before
    )
    client.post("/deconnexion")
    login(learner)
    result = page(client.get(f"/parcours/{SEED_SLUG}/modules/{FIRST}/quiz/tentatives/1"))
    assert old_prompt.replace(" :", "") in result.replace(" :", "")
    assert "Une toute nouvelle question" not in result
    assert "remplace l'analyse financière" in result  # q3, since removed, as answered
    quiz = page(client.get(f"/parcours/{SEED_SLUG}/modules/{FIRST}/quiz"))
    assert "Une toute nouvelle question" in quiz
    assert "remplace l'analyse financière" not in quiz


def bank_package(path):
    """A package whose first quiz draws 2 of 4 bank questions."""
    package = write_package(path, slug="tirage")
    package.write(
        "quizzes/bases.yaml",
        "draw: {count: 2, levers: [financements]}\n",
    )
    questions = "".join(
        f"""\
  - id: b{n}
    type: true_false
    prompt: Affirmation numéro {n}.
    levers: [{"financements" if n <= 4 else "alliances"}]
    answer: true
    explanation: Vrai.
"""
        for n in range(1, 6)
    )
    package.write("banque.yaml", "questions:\n" + questions)
    return package


def test_an_attempt_keeps_exactly_the_questions_drawn(
    client, login, make_user, db_session, tmp_path
):
    import_courses(bank_package(tmp_path / "pkg").path)
    parcours = load_parcours("tirage")
    login(make_user())
    enroll(client, parcours)
    first = page(client.get("/parcours/tirage/modules/bases/quiz"))
    again = page(client.get("/parcours/tirage/modules/bases/quiz"))
    shown = re.findall(r"Affirmation numéro (\d)", first)
    assert len(shown) == 2
    assert shown == re.findall(r"Affirmation numéro (\d)", again)  # a reload draws nothing new
    assert "5" not in shown  # only questions with the quiz's lever
    presented = helpers.hidden(first, "presented")
    data = {"presented": presented, **{f"q_{key}": "true" for key in presented.split(",")}}
    response = client.post("/parcours/tirage/modules/bases/quiz", data=data)
    assert response.status_code == 302, page(response)
    attempt = db_session.scalar(sa.select(QuizAttempt))
    assert [q["key"] for q in attempt.questions] == presented.split(",")
    assert all(q["from_bank"] for q in attempt.questions)
    assert attempt.is_passed


def test_a_stale_quiz_page_is_not_scored(client, login, make_user, db_session, tmp_path):
    import_courses(bank_package(tmp_path / "pkg").path)
    parcours = load_parcours("tirage")
    login(make_user())
    enroll(client, parcours)
    response = client.post(
        "/parcours/tirage/modules/bases/quiz", data={"presented": "b9,b8", "q_b9": "true"}
    )
    assert response.status_code == 409
    assert "Ce quiz a changé" in page(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_a_bank_draw_that_cannot_be_filled_is_refused_by_the_loader(tmp_path, db_session, runner):
    package = bank_package(tmp_path / "pkg")
    package.write("quizzes/bases.yaml", "draw: {count: 9, levers: [financements]}\n")
    result = runner.invoke(args=["lms", "import-course", str(package.path)])
    assert result.exit_code == 1
    assert (
        "draw.count: le tirage demande 9 question(s) mais banque.yaml n'en a que 4" in result.stderr
    )


def test_replay_gives_back_the_same_progress_after_authoring(
    client, login, make_user, db_session, tmp_path
):
    """Progress reached through published workshop content (bank draw included) is still a
    pure fold of the statement store."""
    import_courses(bank_package(tmp_path / "pkg").path)
    parcours = load_parcours("tirage")
    login(make_user())
    enroll(client, parcours)
    client.post("/parcours/tirage/modules/bases/lu")
    first = page(client.get("/parcours/tirage/modules/bases/quiz"))
    presented = helpers.hidden(first, "presented")
    data = {"presented": presented, **{f"q_{key}": "true" for key in presented.split(",")}}
    assert client.post("/parcours/tirage/modules/bases/quiz", data=data).status_code == 302

    def rows():
        return db_session.execute(
            sa.select(
                ModuleProgress.module_id,
                ModuleProgress.read_at,
                ModuleProgress.quiz_passed_at,
                ModuleProgress.completed_at,
                ModuleProgress.best_score,
            ).order_by(ModuleProgress.module_id)
        ).all()

    before = rows()
    assert any(row.completed_at is not None for row in before)
    replay_progress()
    db_session.expire_all()
    assert rows() == before


def edited_export(client, tmp_path, name: str, old: str, new: str) -> bytes:
    """The seed's package, exported, with one replacement in one of its files."""
    source = zipfile.ZipFile(io.BytesIO(client.get(f"/atelier/{SEED_SLUG}/export.zip").data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for entry in source.namelist():
            content = source.read(entry)
            if entry == f"{SEED_SLUG}/{name}":
                assert old.encode() in content
                content = content.replace(old.encode(), new.encode(), 1)
            target.writestr(entry, content)
    return buffer.getvalue()


def import_zip(client, data: bytes):
    return client.post(
        "/atelier/importer",
        data={"file": (io.BytesIO(data), "paquet.zip")},
        content_type="multipart/form-data",
    )


def test_a_draft_never_undoes_an_import_it_did_not_see(
    client, login, make_user, db_session, tmp_path
):
    trainer, colleague = make_user(Role.TRAINER), make_user(Role.TRAINER)
    add_owner(SEED_SLUG, trainer.email)
    add_owner(SEED_SLUG, colleague.email)
    login(trainer)
    editor = client.get(f"/atelier/{SEED_SLUG}/modules/{FIRST}").get_data(as_text=True)
    version = helpers.hidden(editor, "version")
    helpers.save_module(client, SEED_SLUG, FIRST, version, title="Titre du brouillon")
    # Meanwhile a colleague imports a new version of the package.
    package = edited_export(
        client, tmp_path, "modules/c2-trois-leviers.md", "title: '", "title: 'Importé — "
    )
    client.post("/deconnexion")
    login(colleague)
    assert import_zip(client, package).status_code == 302
    assert "Importé" in page(client.get(f"/parcours/{SEED_SLUG}"))
    # The draft keeps its change…
    assert helpers.draft_of(SEED_SLUG).module(FIRST).front["title"] == "Titre du brouillon"
    # …but publishing it would undo the import: refused.
    response = helpers.publish(client, SEED_SLUG)
    assert response.status_code == 303
    assert "La version publiée a changé" in page(client.get(response.headers["Location"]))
    assert "Importé" in page(client.get(f"/parcours/{SEED_SLUG}"))
    # Starting again from the published version brings the import into the draft.
    client.post(f"/atelier/{SEED_SLUG}/abandonner")
    draft = helpers.draft_of(SEED_SLUG)
    assert draft.module("c2-trois-leviers").front["title"].startswith("Importé")
    assert helpers.publish(client, SEED_SLUG).status_code == 302


def test_a_draft_without_changes_follows_an_import(client, login, make_user, db_session, tmp_path):
    trainer = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, trainer.email)
    login(trainer)
    client.get(f"/atelier/{SEED_SLUG}/")
    package = edited_export(client, tmp_path, "parcours.yaml", "pass_mark: 70", "pass_mark: 80")
    assert import_zip(client, package).status_code == 302
    client.get(f"/atelier/{SEED_SLUG}/")
    assert helpers.draft_of(SEED_SLUG).manifest["pass_mark"] == 80


def test_every_editor_follows_an_import_from_the_cli(
    client, runner, login, make_user, db_session, tmp_path
):
    trainer = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, trainer.email)
    login(trainer)
    client.get(f"/atelier/{SEED_SLUG}/modules/{FIRST}")  # the draft is made, unchanged
    package = edited_export(client, tmp_path, f"modules/{FIRST}.md", "title: Qu'", "title: CLI Qu'")
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        archive.extractall(tmp_path / "paquet")
    result = runner.invoke(args=["lms", "import-course", str(tmp_path / "paquet" / SEED_SLUG)])
    assert result.exit_code == 0, result.output
    # The module editor, not only the parcours page, shows what is now published.
    editor = page(client.get(f"/atelier/{SEED_SLUG}/modules/{FIRST}"))
    assert 'value="CLI Qu' in editor


def test_a_parcours_made_in_the_browser_is_not_overwritten_by_a_later_import(
    client, runner, login, make_user, db_session, tmp_path
):
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client, slug="essai")
    assert helpers.draft_of("essai").based_on is not None
    # Someone imports a package with the same slug from the command line.
    package = write_package(tmp_path / "essai")
    assert runner.invoke(args=["lms", "import-course", str(package.path)]).exit_code == 0
    for level, slug in (("connaissances", "a1"), ("competences", "a2"), ("expertise", "a3")):
        helpers.add_module(client, "essai", slug, level=level)
    response = helpers.publish(client, "essai")
    assert response.status_code == 303
    assert "La version publiée a changé" in page(client.get(response.headers["Location"]))
