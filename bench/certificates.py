"""Certificates: time to render one PDF, and to issue 1 000 certificates.

    python bench/certificates.py [--count 1000] [--renders 100] [--database-url URL]

Issuing runs the real operation (certificate row with a fresh code, issue event, queued
e-mail, `earned` statement through the write path) for COUNT learners who finished the seed
parcours, on a throw-away SQLite file unless --database-url names another database (for
PostgreSQL, an empty database or schema: the migrations are applied to it). Prints figures;
asserts nothing.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from config import TestConfig  # noqa: E402
from lms import create_app  # noqa: E402
from lms.accounts.models import User  # noqa: E402
from lms.catalog.cli import import_courses  # noqa: E402
from lms.certificates.models import Certificate  # noqa: E402
from lms.certificates.operations import issue_certificate, verification_url  # noqa: E402
from lms.certificates.pdf import document_for, render_certificate_pdf  # noqa: E402
from lms.core.db import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.learning.models import Enrollment  # noqa: E402
from lms.progress.queries import load_parcours  # noqa: E402
from lms.xapi.store import record_statements  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app(
            TestConfig,
            {"SQLALCHEMY_DATABASE_URI": url, "MAIL_FILE_DIR": f"{tmp}/mail", "TESTING": False},
        )
        with app.app_context(), app.test_request_context():
            upgrade()
            import_courses(ROOT / "courses")
            db.session.commit()
            parcours = load_parcours("modeles-socio-economiques")
            enrollments = _learners(parcours, args.count)

            start = time.perf_counter()
            for enrollment in enrollments:
                issued = issue_certificate(enrollment, None, utcnow())
                record_statements(issued[1])
            db.session.commit()
            issue_seconds = time.perf_counter() - start

            certificate = db.session.scalar(sa.select(Certificate).limit(1))
            document = document_for(certificate, verification_url(certificate.code))
            render_certificate_pdf(document)  # fonts are prepared once per process
            timings = []
            for _ in range(args.renders):
                start = time.perf_counter()
                pdf = render_certificate_pdf(document)
                timings.append((time.perf_counter() - start) * 1000)
            db.session.remove()
            db.engine.dispose()

    timings.sort()
    print(f"database: {sa.make_url(url).get_backend_name()}")
    print(
        f"render one PDF: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms "
        f"({len(pdf) / 1024:.0f} KiB; target < 100 ms)"
    )
    print(
        f"issue {args.count} certificates: {issue_seconds:.2f} s "
        f"({issue_seconds / args.count * 1000:.1f} ms each, one transaction)"
    )


def _learners(parcours, count: int) -> list[Enrollment]:
    """COUNT learners enrolled in the parcours (inserted directly: this is not the bench)."""
    now = utcnow()
    users = [
        User(email=f"bench{i}@example.org", name=f"Apprenant·e n° {i}", password_hash="x")
        for i in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    enrollments = [Enrollment(user=user, parcours=parcours, enrolled_at=now) for user in users]
    db.session.add_all(enrollments)
    db.session.commit()
    return enrollments


if __name__ == "__main__":
    main()
