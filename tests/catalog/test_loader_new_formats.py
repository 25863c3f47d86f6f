"""The loader on the new parts of the format: question types, bank, draw, resource files.
Each error names the file, the line when known, and the field; nothing is imported."""

import pytest

from lms.catalog.models import Parcours
from tests.catalog.packages import write_package

QUIZ = "quizzes/bases.yaml"


def import_cli(runner, path):
    return runner.invoke(args=["lms", "import-course", str(path)])


def quiz_with(question: str) -> str:
    return "questions:\n" + question


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (
            "  - {id: q1, type: matching, prompt: P, explanation: E,\n"
            "     pairs: [{id: a, left: L, right: R}]}\n",
            "questions[0].pairs",
            "il faut au moins deux éléments (ici 1)",
        ),
        (
            "  - {id: q1, type: ordering, prompt: P, explanation: E,\n"
            "     items: [{id: a, text: A}, {id: a, text: B}]}\n",
            "questions[0].items",
            "identifiant d'élément en double : a",
        ),
        (
            "  - {id: q1, type: numeric, prompt: P, explanation: E}\n",
            "questions[0]",
            "une question numeric doit avoir un « answer » numérique",
        ),
        (
            "  - {id: q1, type: numeric, prompt: P, explanation: E, answer: 3,\n"
            "     choices: [{id: a, text: A}]}\n",
            "questions[0]",
            "une question numeric n'a pas de « choices »",
        ),
        (
            "  - {id: q1, type: numeric, prompt: P, explanation: E, answer: 3, tolerance: -1}\n",
            "questions[0].tolerance",
            "",
        ),
        (
            "  - {id: q1, type: numeric, prompt: P, explanation: E, answer: 3, tolerance: .inf}\n",
            "questions[0].tolerance",
            "",
        ),
        (
            "  - {id: q1, type: numeric, prompt: P, explanation: E, answer: .nan}\n",
            "questions[0].answer.float",
            "",
        ),
    ],
)
def test_invalid_new_questions_are_reported_with_file_line_and_field(
    runner, tmp_path, db_session, question, field, message
):
    package = write_package(tmp_path / "essai")
    package.write(QUIZ, quiz_with(question))
    result = import_cli(runner, package.path)
    assert result.exit_code == 1
    # The line of the field when it has its own, of the question otherwise.
    line = 3 if field.endswith(("pairs", "items")) else 2
    assert f"{package.file(QUIZ)}:{line}: {field}: {message}" in result.stderr
    assert db_session.scalar(db_session.query(Parcours).filter_by(slug="essai").statement) is None


def test_a_resource_file_missing_from_the_package(runner, tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    package.replace(
        "modules/bases.md", "    url: https://example.org/ressource", "    file: fichiers/guide.pdf"
    )
    result = import_cli(runner, package.path)
    assert result.exit_code == 1
    assert "modules/bases.md: resources[0].file: fichier fichiers/guide.pdf absent" in result.stderr


def test_a_resource_file_that_is_not_what_it_says(runner, tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    package.replace(
        "modules/bases.md", "    url: https://example.org/ressource", "    file: fichiers/guide.pdf"
    )
    package.write("fichiers/guide.pdf", b"MZ\x90\x00 an executable")
    result = import_cli(runner, package.path)
    assert result.exit_code == 1
    assert "resources[0].file: Le contenu de « guide.pdf » n'est ni un PDF" in result.stderr


def test_a_resource_with_both_url_and_file(runner, tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    package.replace(
        "modules/bases.md",
        "    url: https://example.org/ressource",
        "    url: https://example.org/ressource\n    file: fichiers/guide.pdf",
    )
    result = import_cli(runner, package.path)
    assert result.exit_code == 1
    assert "soit un « url », soit un « file »" in result.stderr


def test_bank_questions_need_a_lever(runner, tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    package.write(
        "banque.yaml",
        "questions:\n  - {id: b1, type: true_false, prompt: P, explanation: E, answer: true}\n",
    )
    result = import_cli(runner, package.path)
    assert result.exit_code == 1
    assert "banque.yaml:1: questions: chaque question de la banque a au moins un levier" in (
        result.stderr
    )
