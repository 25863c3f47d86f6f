"""Packages built from the catalogue: canonical files, a stable zip, a safe unzip."""

import io
import zipfile

import pytest

from lms.catalog.cli import import_courses
from lms.catalog.package import (
    BadArchiveError,
    live_package,
    package_files,
    unzip_package,
    zip_files,
)
from lms.extensions import db
from lms.progress.queries import load_parcours
from tests.catalog.packages import write_package
from tests.conftest import SEED_SLUG


def export(slug: str) -> bytes:
    db.session.expire_all()
    parcours = load_parcours(slug)
    return zip_files(slug, package_files(live_package(parcours)))


def test_seed_export_import_export_is_byte_identical(seed, tmp_path):
    first = export(SEED_SLUG)
    folder = unzip_package(first, tmp_path / "unzipped")
    import_courses(folder)
    assert export(SEED_SLUG) == first


def test_exported_seed_keeps_its_content(seed, tmp_path):
    files = package_files(live_package(seed))
    assert sorted(name for name in files if name.startswith("modules/")) == sorted(
        f"modules/{module.slug}.md" for level in seed.levels for module in level.modules
    )
    body = files["modules/c1-quest-ce-quun-mse.md"].decode()
    module = seed.levels[0].modules[0]
    assert body.endswith(module.body_markdown)


def test_a_package_with_every_question_type_round_trips(db_session, tmp_path):
    package = write_package(tmp_path / "src", slug="tous-types")
    package.write(
        "quizzes/diagnostic.yaml",
        """\
shuffle_choices: true
draw: {count: 1, levers: [alliances]}
questions:
  - id: m1
    type: matching
    prompt: Associez.
    pairs:
      - {id: a, left: Bénévolat, right: Sans rémunération}
      - {id: b, left: Volontariat, right: Avec indemnité}
    explanation: Deux engagements.
  - id: o1
    type: ordering
    prompt: Dans l'ordre.
    items:
      - {id: a, text: Webinaire}
      - {id: b, text: Autodiagnostic}
      - {id: c, text: Ateliers}
    explanation: Trois temps.
  - id: n1
    type: numeric
    prompt: En quelle année ?
    answer: 2014
    tolerance: 0.5
    explanation: La loi ESS.
""",
    )
    package.write(
        "banque.yaml",
        """\
questions:
  - id: b1
    type: true_false
    prompt: Une alliance peut réduire les coûts.
    levers: [alliances]
    answer: true
    explanation: La mutualisation.
""",
    )
    import_courses(package.path)
    first = export("tous-types")
    files = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "tous-types/banque.yaml" in files
    folder = unzip_package(first, tmp_path / "unzipped")
    import_courses(folder)
    assert export("tous-types") == first


@pytest.mark.parametrize(
    ("name", "message"),
    [("../evil.yaml", "Chemin refusé"), ("/etc/passwd", "Chemin refusé")],
)
def test_unzip_refuses_paths_that_climb_out(tmp_path, name, message, app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "x")
    with app.test_request_context(), pytest.raises(BadArchiveError, match=message):
        unzip_package(buffer.getvalue(), tmp_path)
    assert not (tmp_path.parent / "evil.yaml").exists()


def test_unzip_refuses_what_is_not_a_zip(tmp_path, app):
    with app.test_request_context(), pytest.raises(BadArchiveError, match="pas une archive"):
        unzip_package(b"MZ\x90\x00 not a zip", tmp_path)
