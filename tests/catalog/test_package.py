"""Packages built from the catalogue: canonical files, a stable zip, a safe unzip."""

import io
import zipfile

import pytest

from lms.catalog.cli import import_courses
from lms.catalog.files import FileRejectedError, check_file
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


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _patched(data: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """The zip with its one entry's flags or compression method rewritten in both the local
    header and the central directory, as an encrypting or deflate64 tool would write them."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = patched.index(signature) + offset
        if flags is not None:
            patched[at : at + 2] = flags.to_bytes(2, "little")
        if method is not None:
            patched[at + 2 : at + 4] = method.to_bytes(2, "little")
    return bytes(patched)


def _bad_crc() -> bytes:
    data = _zip({"parcours.yaml": b"slug: abimee\n"})
    return data.replace(b"slug: abimee", b"slug: ABIMEE", 1)


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (_bad_crc(), "endommagée"),
        (_patched(_zip({"parcours.yaml": b"slug: x\n"}), flags=1), "chiffré"),
        (_patched(_zip({"parcours.yaml": b"slug: x\n"}), method=9), "endommagée"),
        (_zip({"a": b"x", "a/b": b"y"}), "à la fois un fichier et un dossier"),
        (_zip({"a/b": b"y", "./a": b"x"}), "à la fois un fichier et un dossier"),
        (_zip({"parcours.yaml": b"x"})[:-10], "pas une archive"),
    ],
    ids=["bad-crc", "encrypted", "deflate64", "file-then-folder", "folder-then-file", "cut"],
)
def test_unzip_refuses_damaged_or_unusual_archives(tmp_path, app, archive, message):
    with app.test_request_context(), pytest.raises(BadArchiveError, match=message):
        unzip_package(archive, tmp_path)


def test_a_damaged_document_upload_is_refused_not_an_error(app):
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    encrypted_mimetype = _patched(
        _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), flags=1
    )
    with app.test_request_context():
        assert check_file("note.docx", docx).label == "DOCX"
        with pytest.raises(FileRejectedError, match="ni un PDF"):
            check_file("note.odt", encrypted_mimetype)
