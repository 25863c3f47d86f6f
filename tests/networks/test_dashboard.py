"""The cohort dashboard and its exports show what learners did, from the projection."""

import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from config import ROOT
from lms.core.db import utcnow
from lms.networks.dashboard import (
    Filters,
    LearnerStatus,
    funnel,
    learner_rows,
    lever_stats,
    module_stats,
    scope_for,
    summary,
)
from lms.networks.enrolment import add_member
from lms.networks.exports import COLUMNS
from lms.networks.models import MemberSource
from tests.certificates.helpers import complete_parcours
from tests.learning.helpers import all_modules, complete_module, page, read, take_quiz


def join(cohort, user, structure=None):
    add_member(
        cohort,
        email=user.email,
        name=user.name,
        structure_id=structure.id if structure else None,
        source=MemberSource.CSV,
        actor=None,
        notify=False,
    )


@pytest.fixture
def learners(client, login, make_user, cohort, seed):
    """Ada finished level 1; Basile failed the first quiz three times; Chloé did nothing."""
    structure = cohort.network.structures[0]
    ada = make_user(name="Ada Lovelace")
    basile = make_user(name="Basile Roux")
    chloe = make_user(name="Chloé Petit")
    for user in (ada, basile, chloe):
        join(cohort, user, structure)
    first = all_modules(seed)[0]
    login(ada)
    for module in seed.levels[0].modules:
        complete_module(client, seed, module)
    client.post("/deconnexion")
    login(basile)
    read(client, seed, first)
    for _ in range(3):
        take_quiz(client, seed, first, right=False)
    client.post("/deconnexion")
    return ada, basile, chloe


def test_dashboard_shows_progress_funnel_heat_map_scores_and_levers(
    client, login, manager, cohort, learners
):
    login(manager)
    text = page(client.get(f"/cohortes/{cohort.id}"))
    assert re.search(r'kpi-value">3</span> apprenants', text)
    assert "Ada Lovelace" in text
    # Ada: 4 of 13 modules, level 1 at 100 %.
    assert re.search(r"Ada Lovelace.*?31 %.*?100 %", text, re.S)
    assert "quiz échoué 3 fois" in text  # Basile is stuck
    # Charts come with their text alternative and their data table.
    assert 'role="img"' in text
    assert "<desc" in text
    assert "Voir les données en tableau" in text
    assert "Entonnoir de complétion" in text
    assert "Carte de complétion des modules" in text
    stuck = page(client.get(f"/cohortes/{cohort.id}?statut=stuck"))
    assert "Basile Roux" in stuck
    assert "Ada Lovelace" not in stuck


def test_figures_and_alerts_follow_the_cohort_threshold(cohort, learners, seed, db_session):
    ada, basile, chloe = learners
    scope = scope_for(cohort, utcnow())
    stats = summary(scope)
    assert (stats.learners, stats.started, stats.completed, stats.stuck) == (3, 2, 0, 1)
    steps = {step.label_key: step.count for step in funnel(scope, stats)}
    assert steps == {
        "enrolled": 3,
        "started": 2,
        "connaissances": 1,
        "competences": 0,
        "expertise": 0,
        "completed": 0,
        "certified": 0,
    }
    modules = module_stats(scope)
    first = modules[0]
    assert (first.started, first.completed) == (2, 1)
    assert first.score_buckets == [1, 0, 0, 0, 1]  # Basile's best 0 %, Ada's 100 %
    levers = {item.lever: item for item in lever_stats(scope, modules, stats.learners)}
    assert all(item.modules > 0 for item in levers.values())

    def names(status):
        return {row.name for row in learner_rows(scope, Filters(status=status), per_page=None)[0]}

    assert names(LearnerStatus.IN_PROGRESS) == {ada.name}
    assert names(LearnerStatus.STUCK) == {basile.name}
    assert names(LearnerStatus.NOT_STARTED) == {chloe.name}

    later = scope_for(cohort, utcnow() + timedelta(days=cohort.inactivity_days + 1))
    rows, total = learner_rows(later, Filters(status=LearnerStatus.INACTIVE), per_page=None)
    assert total == 3
    assert {row.name for row in rows} == {ada.name, basile.name, chloe.name}
    assert summary(later).inactive == 3


def test_dashboard_query_count_does_not_grow_with_learners(
    client, login, manager, cohort, learners, make_user, count_queries
):
    login(manager)
    client.get(f"/cohortes/{cohort.id}")
    with count_queries() as few:
        client.get(f"/cohortes/{cohort.id}")
    for _ in range(5):
        join(cohort, make_user())
    with count_queries() as more:
        client.get(f"/cohortes/{cohort.id}")
    assert more.count == few.count


def documented_columns() -> list[str]:
    text = Path(ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    table = text.split("| colonne | contenu |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", table, re.M)


def test_exports_have_the_documented_columns_and_the_progress(
    app, client, login, manager, cohort, learners
):
    assert [column.key for column in COLUMNS] == documented_columns()
    login(manager)
    response = client.get(f"/cohortes/{cohort.id}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    content = response.get_data()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == documented_columns()
    ada = next(row for row in rows if row["nom"] == "Ada Lovelace")
    assert ada["progression_pct"] == "31"
    assert ada["niveau_connaissances_pct"] == "100"
    assert ada["modules_termines"] == "4"
    assert ada["moyenne_quiz_pct"] == "100"
    basile = next(row for row in rows if row["nom"] == "Basile Roux")
    assert (basile["statut"], basile["motif_blocage"]) == ("bloque", "quiz_echoue_3_fois")

    response = client.get(f"/cohortes/{cohort.id}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.values)
    assert list(values[0]) == documented_columns()
    by_name = {row[0]: dict(zip(values[0], row, strict=True)) for row in values[1:]}
    assert by_name["Ada Lovelace"]["progression_pct"] == 31
    # Exports speak the platform's time zone: from 23:00 UTC it is already tomorrow in Paris.
    paris_today = utcnow().astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    assert by_name["Ada Lovelace"]["inscrit_le"].date() == paris_today
    assert by_name["Basile Roux"]["statut"] == "bloque"


def test_a_name_is_never_a_formula_in_the_csv(client, login, manager, cohort, make_user):
    join(cohort, make_user(name='=HYPERLINK("http://evil")'))
    login(manager)
    content = client.get(f"/cohortes/{cohort.id}/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in content


def test_certificates_zip_once_certificates_exist(client, login, manager, cohort, make_user, seed):
    login(manager)
    assert client.get(f"/cohortes/{cohort.id}/certificats.zip").status_code == 404
    assert "Certificats (ZIP)" not in page(client.get(f"/cohortes/{cohort.id}"))
    client.post("/deconnexion")
    learner = make_user(name="Diane Fournier")
    join(cohort, learner)
    login(learner)
    complete_parcours(client, seed)
    client.post("/deconnexion")

    login(manager)
    assert "Certificats (ZIP)" in page(client.get(f"/cohortes/{cohort.id}"))
    response = client.get(f"/cohortes/{cohort.id}/certificats.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    pdfs = [name for name in names if name.endswith(".pdf")]
    assert len(pdfs) == 4  # the certificate and the three level attestations
    assert all(archive.read(name).startswith(b"%PDF") for name in pdfs)
    index = archive.read("certificats.csv").decode("utf-8-sig")
    assert "Diane Fournier" in index
    assert "/verify/" in index
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/cohortes/{cohort.id}/export.csv").get_data().decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    diane = next(row for row in rows if row["nom"] == "Diane Fournier")
    assert (diane["statut"], diane["certificat"], diane["progression_pct"]) == (
        "termine",
        "valide",
        "100",
    )
