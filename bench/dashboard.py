"""Cohort dashboard and exports: p50/p95 at 2 000 learners, with 100 000 then 1 000 000
statements in the store.

    python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/dashboard.py   # a throw-away SQLite file, for a quick look

A PostgreSQL URL gets a throw-away schema (dropped at the end unless --keep). The data comes
from the bulk generator of `flask lms demo-cohort` (see lms/networks/demo/): one
cohort of LEARNERS learners, then learners of other cohorts until the store holds SMALL
statements, then LARGE. Each page is requested through the app (routing, permission,
queries, template) as the network manager would, after one warm-up request. Prints
figures; asserts nothing. Target: dashboard p50 < 150 ms at 2 000 learners and 1 million
statements, and within 20 % of its figure at 100 000.
"""

import argparse
import gc
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from config import TestConfig  # noqa: E402
from lms import create_app  # noqa: E402
from lms.accounts.models import Role  # noqa: E402
from lms.accounts.operations import create_user  # noqa: E402
from lms.catalog.cli import import_courses  # noqa: E402
from lms.core.db import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.networks.cli import fill_statements, generate_demo_cohort  # noqa: E402
from lms.networks.demo import Generator  # noqa: E402
from lms.networks.models import NetworkManager  # noqa: E402
from lms.progress.queries import load_parcours  # noqa: E402
from lms.xapi.models import Statement  # noqa: E402

PASSWORD = "bench-password-long"  # noqa: S105 - a throw-away account


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(args.database_url, tmp, args.keep)
        try:
            run(url, tmp, args)
        finally:
            drop()


def _database(url: str | None, tmp: str, keep: bool):
    if not url:
        return f"sqlite:///{tmp}/bench.sqlite3", lambda: None
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    schema = f"parcours_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    print(f"schema {schema}")

    def drop() -> None:
        if not keep:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), drop


def run(url: str, tmp: str, args) -> None:
    app = create_app(
        TestConfig,
        {"SQLALCHEMY_DATABASE_URI": url, "MAIL_FILE_DIR": f"{tmp}/mail", "TESTING": False},
    )
    with app.app_context():
        upgrade()
        import_courses(ROOT / "courses")
        manager = create_user(
            "Responsable Bench", "bench@example.org", PASSWORD, Role.NETWORK_MANAGER
        )
        db.session.commit()
        parcours = load_parcours("modeles-socio-economiques")
        start = time.perf_counter()
        cohort, _written = generate_demo_cohort(parcours, args.learners, args.small, seed=1)
        db.session.add(NetworkManager(network_id=cohort.network_id, user_id=manager.id))
        db.session.commit()
        _analyse(app)
        print(f"generated {_count()} statements in {time.perf_counter() - start:.0f} s")
        small = _measure(app, cohort.id, args.repeat)

        start = time.perf_counter()
        generator = Generator(parcours, app.config["LMS_BASE_URL"], "Parcours", seed=2)
        fill_statements(generator, parcours, args.large, utcnow(), lambda _m: None)
        generator.finish()
        _analyse(app)
        print(f"generated {_count()} statements in {time.perf_counter() - start:.0f} s")
        large = _measure(app, cohort.id, args.repeat)
        ratio = large["dashboard"][0] / small["dashboard"][0]
        print(f"dashboard p50 at large / at small: {ratio:.2f}")
        db.session.remove()
        db.engine.dispose()


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Statement))


def _analyse(app) -> None:
    # Fresh statistics, as autovacuum would compute them after a bulk load.
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _measure(app, cohort_id: int, repeat: int) -> dict:
    client = app.test_client()
    response = client.post("/connexion", data={"email": "bench@example.org", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    pages = {
        "dashboard": (f"/cohortes/{cohort_id}", repeat),
        "dashboard, stuck filter": (f"/cohortes/{cohort_id}?statut=stuck&tri=activity", repeat),
        "export.csv": (f"/cohortes/{cohort_id}/export.csv", max(repeat // 3, 3)),
        "export.xlsx": (f"/cohortes/{cohort_id}/export.xlsx", max(repeat // 3, 3)),
    }
    results = {}
    statements = _count()
    for name, (path, times) in pages.items():
        assert client.get(path).status_code == 200  # warm-up
        # As a production worker does after start-up (gunicorn.conf.py): what is loaded by
        # then is left out of the garbage collector's full passes.
        gc.freeze()
        timings = []
        for _ in range(times):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        results[name] = (p50, p95)
        print(f"{statements:>9} statements  {name:<26} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    return results


if __name__ == "__main__":
    main()
