"""The course loader: reading and validating packages, and importing them idempotently."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import ROOT
from lms.catalog.cli import import_courses
from lms.catalog.loader import PackageError, read_package
from lms.catalog.models import Module, Question, Quiz, Resource
from lms.extensions import db
from lms.progress.queries import load_parcours
from tests.catalog.packages import Package, write_package
from tests.conftest import SEED_SLUG
from tests.learning.helpers import complete_module, enroll, module_url, page

SEED_PATH = ROOT / "courses" / SEED_SLUG
CATALOG_TABLES = {"parcours", "levels", "modules", "resources", "quizzes", "questions"}


def snapshot(session, tables: Callable[[str], bool] = lambda name: True) -> dict[str, list]:
    """Every row of every table (or of those `tables` accepts), in primary key order."""
    session.flush()
    return {
        table.name: [
            tuple(row)
            for row in session.execute(sa.select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
        if tables(table.name)
    }


def learner_records(session) -> dict[str, list]:
    """Everything but the catalogue: accounts, enrolments, attempts, progress, statements."""
    return snapshot(session, lambda name: name not in CATALOG_TABLES)


def import_cli(runner, path: Path):
    return runner.invoke(args=["lms", "import-course", str(path)])


# --- the seed package -------------------------------------------------------------------


def test_seed_package_reads_and_validates():
    package = read_package(SEED_PATH)

    assert package.manifest.slug == SEED_SLUG
    assert [level.key for level in package.manifest.levels] == [
        "connaissances",
        "competences",
        "expertise",
    ]
    assert len(package.modules) == 13
    assert sum(len(module.quiz.questions) for module in package.modules if module.quiz) == 39
    assert all(module.front.levers for module in package.modules)
    listed = [slug for level in package.manifest.levels for slug in level.modules]
    assert [module.slug for module in package.modules] == listed


# --- importing again --------------------------------------------------------------------


def test_reimporting_the_seed_changes_nothing(db_session):
    before = snapshot(db_session)

    [report] = import_courses(SEED_PATH)

    assert (report.slug, report.created, report.modules, report.questions) == (
        SEED_SLUG,
        False,
        13,
        39,
    )
    assert report.archived_modules == []
    assert snapshot(db_session) == before


def test_importing_a_new_package_twice_changes_nothing_the_second_time(tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    [first] = import_courses(package.path)
    assert (first.created, first.modules, first.questions) == (True, 4, 4)
    before = snapshot(db_session)

    [second] = import_courses(package.path)

    assert (second.created, second.modules, second.questions) == (False, 4, 4)
    assert snapshot(db_session) == before


def test_reimport_after_edits_updates_content_and_keeps_learner_records(
    tmp_path, db_session, client, login, make_user
):
    package = write_package(tmp_path / "essai")
    import_courses(package.path)
    parcours = load_parcours("essai")
    bases, vocabulaire = parcours.levels[0].modules
    q1 = db_session.scalar(
        sa.select(Question).join(Quiz).where(Quiz.module_id == bases.id, Question.key == "q1")
    )
    login(make_user())
    enroll(client, parcours)
    complete_module(client, parcours, bases)
    complete_module(client, parcours, vocabulaire)
    records = learner_records(db_session)
    assert len(records["enrollments"]) == 1
    assert len(records["quiz_attempts"]) == 2
    assert len(records["module_progress"]) == 2
    ids = (parcours.id, bases.id, vocabulaire.id, q1.id)

    package.replace("modules/bases.md", "title: Les bases", "title: Les fondamentaux")
    package.replace("modules/bases.md", "Un texte **important**", "Un texte *revu*")
    package.replace("quizzes/bases.yaml", "Quelle est la bonne réponse ?", "Laquelle choisir ?")
    package.write(
        "quizzes/bases.yaml",
        package.read("quizzes/bases.yaml")
        + "  - id: q4\n"
        + "    type: true_false\n"
        + "    prompt: Une question ajoutée.\n"
        + "    answer: false\n"
        + "    explanation: Elle vient d'être ajoutée.\n",
    )
    package.replace("parcours.yaml", "      - vocabulaire\n", "")
    package.remove("quizzes/vocabulaire.yaml")
    [report] = import_courses(package.path)

    assert (report.created, report.modules, report.questions) == (False, 3, 4)
    assert report.archived_modules == ["vocabulaire"]
    db_session.expire_all()
    assert learner_records(db_session) == records
    edited = db_session.get(Module, bases.id)
    assert edited.title == "Les fondamentaux"
    assert "<em>revu</em>" in edited.body_html
    assert "**important**" not in edited.body_markdown
    assert [(q.key, q.prompt) for q in edited.quiz.questions] == [
        ("q1", "Laquelle choisir ?"),
        ("q2", "Lesquelles sont justes ?"),
        ("q3", "Le ciel est bleu."),
        ("q4", "Une question ajoutée."),
    ]
    assert edited.quiz.questions[0].id == q1.id
    removed = db_session.get(Module, vocabulaire.id)
    assert removed.is_archived
    assert (parcours.id, edited.id, removed.id, q1.id) == ids

    body = page(client.get("/parcours/essai"))
    assert "Les fondamentaux" in body
    assert "Le vocabulaire" not in body
    assert client.get(module_url(parcours, removed)).status_code == 404


def test_reimport_updates_resources_in_place(tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    import_courses(package.path)
    bases = load_parcours("essai").levels[0].modules[0]
    [original] = bases.resources
    original_id = original.id

    package.replace("modules/bases.md", "title: Une ressource", "title: Une ressource renommée")
    package.replace(
        "modules/bases.md",
        "    kind: fiche-action\n",
        "    kind: fiche-action\n"
        "  - title: Un kit\n"
        "    url: https://example.org/kit\n"
        "    kind: kit\n",
    )
    import_courses(package.path)
    db_session.expire_all()

    assert [(r.position, r.title, r.url, r.kind) for r in bases.resources] == [
        (1, "Une ressource renommée", "https://example.org/ressource", "fiche-action"),
        (2, "Un kit", "https://example.org/kit", "kit"),
    ]
    assert bases.resources[0].id == original_id

    package.write(
        "modules/bases.md",
        "---\ntitle: Les bases\nduration: 15\nlevers: [alliances]\n---\n\nTexte.\n",
    )
    import_courses(package.path)
    db_session.expire_all()

    assert bases.resources == []
    count = sa.select(sa.func.count()).select_from(Resource).where(Resource.module_id == bases.id)
    assert db_session.scalar(count) == 0


def test_a_removed_module_listed_again_comes_back(tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    import_courses(package.path)
    package.replace("parcours.yaml", "      - vocabulaire\n", "")
    package.remove("quizzes/vocabulaire.yaml")
    import_courses(package.path)

    package = write_package(tmp_path / "essai")
    [report] = import_courses(package.path)

    assert report.archived_modules == []
    parcours = load_parcours("essai")
    assert [module.slug for module in parcours.levels[0].modules] == ["bases", "vocabulaire"]


# --- refused packages -------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The one error a broken package must produce."""

    file: Path
    line: int
    field: str | None
    message: str  # a part of the message

    def prefix(self) -> str:
        where = f"{self.file}:{self.line}: "
        return f"{where}{self.field}: " if self.field else where


QUIZ = "quizzes/bases.yaml"
MANIFEST = "parcours.yaml"


def yaml_syntax_error_in_a_quiz(package: Package) -> Expected:
    package.replace(QUIZ, "prompt: Le ciel est bleu.", "prompt: Le ciel: bleu.")
    return Expected(package.file(QUIZ), package.line_of(QUIZ, "Le ciel: bleu"), None, "YAML")


def yaml_syntax_error_in_front_matter(package: Package) -> Expected:
    name = "modules/bases.md"
    package.replace(name, "title: Les bases", "title: Les bases: le retour")
    return Expected(package.file(name), 2, None, "YAML invalide")


def yaml_unclosed_bracket_in_the_manifest(package: Package) -> Expected:
    package.replace(MANIFEST, "title: Pratiquer", "title: [Pratiquer")
    opened = package.line_of(MANIFEST, "[Pratiquer")
    # PyYAML notices the problem on the next line; the message points back at the bracket.
    return Expected(package.file(MANIFEST), opened + 1, None, f"ligne {opened}")


def unknown_field_in_the_manifest(package: Package) -> Expected:
    package.replace(MANIFEST, "pass_mark: 60\n", "pass_mark: 60\nauteur: Moi\n")
    return Expected(package.file(MANIFEST), 5, "auteur", "champ inconnu")


def unknown_field_in_a_level(package: Package) -> Expected:
    package.replace(MANIFEST, "title: Pratiquer\n", "title: Pratiquer\n    couleur: bleu\n")
    line = package.line_of(MANIFEST, "couleur")
    return Expected(package.file(MANIFEST), line, "levels[1].couleur", "champ inconnu")


def unknown_field_in_front_matter(package: Package) -> Expected:
    name = "modules/vocabulaire.md"
    package.replace(name, "duration: 10\n", "duration: 10\nauteur: Moi\n")
    return Expected(package.file(name), 4, "auteur", "champ inconnu")


def unknown_field_in_a_question(package: Package) -> Expected:
    package.replace(QUIZ, "answer: true\n", "answer: true\n    indice: aucun\n")
    line = package.line_of(QUIZ, "indice")
    return Expected(package.file(QUIZ), line, "questions[2].indice", "champ inconnu")


def unknown_question_type(package: Package) -> Expected:
    package.replace(QUIZ, "type: true_false", "type: open_text")
    line = package.line_of(QUIZ, "open_text")
    return Expected(package.file(QUIZ), line, "questions[2].type", "« open_text » non admise")


def question_without_a_correct_answer(package: Package) -> Expected:
    package.replace(QUIZ, "La bonne, correct: true", "La bonne")
    line = package.line_of(QUIZ, "choices:", after="id: q1")
    return Expected(package.file(QUIZ), line, "questions[0].choices", "aucune bonne réponse")


def single_choice_with_two_correct_answers(package: Package) -> Expected:
    package.replace(QUIZ, "La mauvaise}", "La mauvaise, correct: true}")
    line = package.line_of(QUIZ, "choices:", after="id: q1")
    return Expected(
        package.file(QUIZ), line, "questions[0].choices", "exactement une bonne réponse (ici 2)"
    )


def module_listed_but_missing(package: Package) -> Expected:
    package.remove("modules/diagnostic.md")
    line = package.line_of(MANIFEST, "- diagnostic")
    return Expected(
        package.file(MANIFEST), line, "levels[1].modules[0]", "modules/diagnostic.md absent"
    )


def module_listed_twice(package: Package) -> Expected:
    package.replace(MANIFEST, "      - posture\n", "      - posture\n      - bases\n")
    line = package.line_of(MANIFEST, "- bases", after="- posture")
    return Expected(package.file(MANIFEST), line, "levels[2].modules[1]", "listé deux fois")


def two_packages_with_the_same_slug(package: Package) -> Expected:
    other = write_package(package.path.parent / "essai-bis", slug="essai")
    return Expected(other.file(MANIFEST), 1, "slug", f"déjà utilisé par {package.file(MANIFEST)}:1")


def duplicate_key_in_the_manifest(package: Package) -> Expected:
    package.replace(MANIFEST, "summary: Un petit", "title: Un autre titre\nsummary: Un petit")
    line = package.line_of(MANIFEST, "Un autre titre")
    return Expected(package.file(MANIFEST), line, "title", "présent deux fois")


def duplicate_key_in_a_question(package: Package) -> Expected:
    package.replace(QUIZ, "answer: true\n", "answer: true\n    answer: false\n")
    line = package.line_of(QUIZ, "answer: false")
    return Expected(package.file(QUIZ), line, "questions[2].answer", "présent deux fois")


def missing_field_in_the_manifest(package: Package) -> Expected:
    package.replace(MANIFEST, "summary: Un petit parcours pour les tests.\n", "")
    return Expected(package.file(MANIFEST), 1, "summary", "champ obligatoire manquant")


def missing_field_in_front_matter(package: Package) -> Expected:
    name = "modules/vocabulaire.md"
    package.replace(name, "duration: 10\n", "")
    # The field is absent: the error points at the start of the front matter.
    return Expected(package.file(name), 2, "duration", "champ obligatoire manquant")


def missing_field_in_a_question(package: Package) -> Expected:
    package.replace(QUIZ, "    explanation: Par beau temps.\n", "")
    line = package.line_of(QUIZ, "id: q3")
    return Expected(package.file(QUIZ), line, "questions[2].explanation", "obligatoire")


def levels_out_of_order(package: Package) -> Expected:
    package.replace(MANIFEST, "key: competences", "key: placeholder")
    package.replace(MANIFEST, "key: expertise", "key: competences")
    package.replace(MANIFEST, "key: placeholder", "key: expertise")
    line = package.line_of(MANIFEST, "levels:")
    return Expected(
        package.file(MANIFEST), line, "levels", "reçu : connaissances, expertise, competences"
    )


def quiz_without_a_module(package: Package) -> Expected:
    package.write("quizzes/inconnu.yaml", package.read("quizzes/vocabulaire.yaml"))
    return Expected(package.file("quizzes/inconnu.yaml"), 1, None, "aucun module « inconnu » dans")


def two_quiz_files_for_one_module(package: Package) -> Expected:
    package.write("quizzes/bases.yml", package.read("quizzes/vocabulaire.yaml"))
    return Expected(package.file("quizzes/bases.yml"), 1, None, "quizzes/bases.yaml")


def module_not_in_utf8(package: Package) -> Expected:
    name = "modules/vocabulaire.md"
    line = package.line_of(name, "Les mots du parcours.")
    text = package.read(name).replace("Les mots du parcours.", "Les mots du parcours éducatif.")
    package.write(name, text.encode("latin-1"))
    return Expected(package.file(name), line, None, "non UTF-8")


def manifest_not_in_utf8(package: Package) -> Expected:
    line = package.line_of(MANIFEST, "Connaître")
    package.write(MANIFEST, package.read(MANIFEST).encode("latin-1"))
    return Expected(package.file(MANIFEST), line, None, "octet 0xee")


def module_without_front_matter(package: Package) -> Expected:
    name = "modules/posture.md"
    package.write(name, "# La posture\n\nTenir sa posture.\n")
    return Expected(package.file(name), 1, None, "en-tête YAML absent")


def front_matter_never_closed(package: Package) -> Expected:
    name = "modules/posture.md"
    package.write(name, "---\ntitle: La posture\nduration: 25\nlevers: [alliances]\n\nTexte.\n")
    return Expected(package.file(name), 1, None, "non fermé")


def module_without_content(package: Package) -> Expected:
    name = "modules/posture.md"
    package.write(name, "---\ntitle: La posture\nduration: 25\nlevers: [alliances]\n---\n\n")
    return Expected(package.file(name), 6, None, "pas de contenu")


BAD_PACKAGES = [
    yaml_syntax_error_in_a_quiz,
    yaml_syntax_error_in_front_matter,
    yaml_unclosed_bracket_in_the_manifest,
    unknown_field_in_the_manifest,
    unknown_field_in_a_level,
    unknown_field_in_front_matter,
    unknown_field_in_a_question,
    unknown_question_type,
    question_without_a_correct_answer,
    single_choice_with_two_correct_answers,
    module_listed_but_missing,
    module_listed_twice,
    two_packages_with_the_same_slug,
    duplicate_key_in_the_manifest,
    duplicate_key_in_a_question,
    missing_field_in_the_manifest,
    missing_field_in_front_matter,
    missing_field_in_a_question,
    levels_out_of_order,
    quiz_without_a_module,
    two_quiz_files_for_one_module,
    module_not_in_utf8,
    manifest_not_in_utf8,
    module_without_front_matter,
    front_matter_never_closed,
    module_without_content,
]


@pytest.fixture(params=BAD_PACKAGES, ids=lambda breakage: breakage.__name__)
def broken(request, tmp_path) -> tuple[Path, Expected]:
    """A folder of packages holding one package broken in one way, and the error expected."""
    courses = tmp_path / "courses"
    expected = request.param(write_package(courses / "essai"))
    return courses, expected


def test_bad_package_is_refused_and_nothing_is_written(broken, db_session):
    courses, expected = broken
    before = snapshot(db_session)

    with pytest.raises(PackageError) as caught:
        import_courses(courses)

    [error] = caught.value.errors
    assert (error.file, error.line, error.field) == (
        str(expected.file),
        expected.line,
        expected.field,
    )
    assert expected.message in error.message
    assert str(error).startswith(expected.prefix())
    assert snapshot(db_session) == before


def test_bad_package_is_refused_by_the_cli(broken, db_session, runner):
    courses, expected = broken
    before = snapshot(db_session)

    result = import_cli(runner, courses)

    assert result.exit_code == 1
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith(f"error: {expected.prefix()}")
    assert expected.message in error
    assert "1 error(s): nothing was imported" in result.stderr
    assert result.stdout == ""
    assert snapshot(db_session) == before


def test_every_problem_is_reported_at_once(tmp_path, db_session, runner):
    package = write_package(tmp_path / "essai")
    package.remove("modules/diagnostic.md")
    package.write("modules/posture.md", "Pas d'en-tête.\n")
    package.replace(QUIZ, "type: true_false", "type: open_text")
    before = snapshot(db_session)

    result = import_cli(runner, package.path)

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    # In the manifest's order: the quiz is read with its module.
    assert errors == [
        f"error: {package.file(QUIZ)}:{package.line_of(QUIZ, 'open_text')}: "
        "questions[2].type: valeur « open_text » non admise ; "
        "attendu : 'single_choice', 'multiple_choice', 'true_false', 'matching', 'ordering' "
        "or 'numeric'",
        f"error: {package.file(MANIFEST)}:{package.line_of(MANIFEST, '- diagnostic')}: "
        f"levels[1].modules[0]: module « diagnostic » listé mais fichier "
        f"{package.file('modules/diagnostic.md')} absent",
        f"error: {package.file('modules/posture.md')}:1: "
        "en-tête YAML absent (le fichier doit commencer par ---)",
    ]
    assert "3 error(s): nothing was imported" in result.stderr
    assert snapshot(db_session) == before


def test_a_byte_order_mark_is_tolerated(tmp_path):
    package = write_package(tmp_path / "essai")
    for name in ("parcours.yaml", "modules/bases.md", QUIZ):
        package.write(name, "\ufeff" + package.read(name))

    source = read_package(package.path)

    assert source.modules[0].front.title == "Les bases"


# --- a new package through the command line --------------------------------------------


def test_cli_imports_a_new_package_that_then_appears_in_the_catalogue(tmp_path, runner, client):
    package = write_package(tmp_path / "essai", title="Un parcours tout neuf")
    assert "Un parcours tout neuf" not in page(client.get("/"))

    result = import_cli(runner, package.path)

    assert result.exit_code == 0, result.output
    assert result.stdout == "essai: created, 4 modules, 4 questions\n"
    body = page(client.get("/"))
    assert "Un parcours tout neuf" in body
    assert 'href="/parcours/essai"' in body
    assert "4 modules" in body
    body = page(client.get("/parcours/essai"))
    assert "Les bases" in body
    assert "La posture" in body

    again = import_cli(runner, package.path)
    assert again.exit_code == 0, again.output
    assert again.stdout == "essai: updated, 4 modules, 4 questions\n"
