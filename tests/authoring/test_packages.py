"""Export a parcours as a package, import it from the web: the round trip gives the same
bytes, and the loader's errors are shown on the page."""

import io
import zipfile

from lms.accounts.models import Role
from lms.catalog.operations import add_owner
from tests.authoring import helpers
from tests.authoring.test_workshop import build_parcours
from tests.conftest import SEED_SLUG
from tests.learning.helpers import page


def import_zip(client, data: bytes, name="paquet.zip"):
    return client.post(
        "/atelier/importer",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_seed_export_import_export_is_byte_identical(client, login, make_user, db_session):
    trainer = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, trainer.email)
    login(trainer)
    first = client.get(f"/atelier/{SEED_SLUG}/export.zip")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == f'attachment; filename="{SEED_SLUG}.zip"'
    response = import_zip(client, first.data)
    assert response.status_code == 302, page(response)
    assert client.get(f"/atelier/{SEED_SLUG}/export.zip").data == first.data


def test_built_parcours_round_trips_with_its_file_and_every_question_type(
    client, login, make_user, db_session
):
    login(make_user(Role.TRAINER))
    build_parcours(client)
    helpers.publish(client, "mon-parcours")
    first = client.get("/atelier/mon-parcours/export.zip").data
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "mon-parcours/fichiers/guide.pdf" in names
    quiz = zipfile.ZipFile(io.BytesIO(first)).read("mon-parcours/quizzes/m1.yaml").decode()
    for kind in ("matching", "ordering", "numeric", "true_false", "multiple_choice"):
        assert f"type: {kind}" in quiz
    assert import_zip(client, first).status_code == 302
    assert client.get("/atelier/mon-parcours/export.zip").data == first
    # The draft export, right after an import, is the same package.
    assert client.get("/atelier/mon-parcours/export.zip?version=brouillon").data == first


def test_import_shows_the_loader_errors(client, login, make_user, db_session):
    trainer = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, trainer.email)
    login(trainer)
    exported = zipfile.ZipFile(io.BytesIO(client.get(f"/atelier/{SEED_SLUG}/export.zip").data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for name in exported.namelist():
            content = exported.read(name)
            if name.endswith("quizzes/c1-quest-ce-quun-mse.yaml"):
                content = content.replace(b"type: true_false", b"type: open_text")
            if name.endswith("modules/c2-trois-leviers.md"):
                continue
            broken.writestr(name, content)
    response = import_zip(client, buffer.getvalue())
    assert response.status_code == 422
    text = page(response)
    assert "quizzes/c1-quest-ce-quun-mse.yaml" in text
    assert "« open_text » non admise" in text
    assert "module « c2-trois-leviers » listé mais fichier" in text
    # Nothing was imported: the seed is unchanged.
    assert client.get(f"/atelier/{SEED_SLUG}/export.zip").data == exported.fp.getvalue()


def test_importing_over_someone_elses_parcours_is_refused(client, login, make_user, db_session):
    owner = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, owner.email)
    login(owner)
    package = client.get(f"/atelier/{SEED_SLUG}/export.zip").data
    client.post("/deconnexion")
    login(make_user(Role.TRAINER))
    response = import_zip(client, package)
    assert response.status_code == 403
    assert "vous n'en êtes pas propriétaire" in page(response)


def test_a_new_package_makes_the_importer_its_owner(client, login, make_user, db_session):
    owner = make_user(Role.TRAINER)
    login(owner)
    build_parcours(client, slug="original")
    helpers.publish(client, "original")
    package = client.get("/atelier/original/export.zip").data
    renamed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(renamed, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name.endswith("parcours.yaml"):
                content = content.replace(b"slug: original", b"slug: copie")
            target.writestr(name.replace("original/", "copie/"), content)
    client.post("/deconnexion")
    login(make_user(Role.TRAINER))
    response = import_zip(client, renamed.getvalue())
    assert response.status_code == 302, page(response)
    assert client.get("/atelier/copie/").status_code == 200
    assert client.get("/atelier/original/").status_code == 403


def test_a_damaged_zip_is_refused_with_a_message(client, login, make_user, db_session):
    login(make_user(Role.TRAINER))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("parcours.yaml", "slug: abimee\ntitle: Abîmée\n")
    damaged = buffer.getvalue().replace(b"slug: abimee", b"slug: ABIMEE", 1)
    response = import_zip(client, damaged)
    assert response.status_code == 422
    assert "L'archive est endommagée" in page(response)
