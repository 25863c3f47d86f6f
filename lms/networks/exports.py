"""Exports of a cohort: the learner table as CSV or XLSX, and its certificates as a ZIP.

The columns are a contract with the spreadsheets and reports funders build on them: their
keys and order never change (add new ones at the end). They are documented in
docs/exports.md; a test holds the header to that list.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import xlsxwriter
from flask import current_app

from lms.catalog.models import LEVEL_ORDER
from lms.certificates.models import Certificate
from lms.certificates.operations import verification_url
from lms.certificates.pdf import document_for, render_certificate_pdf
from lms.extensions import db
from lms.networks.dashboard import Filters, LearnerRow, LearnerStatus, Scope, learner_rows
from lms.networks.models import CohortMember

STATUS_CODES = {
    LearnerStatus.COMPLETED: "termine",
    LearnerStatus.INACTIVE: "inactif",
    LearnerStatus.STUCK: "bloque",
    LearnerStatus.IN_PROGRESS: "en_cours",
    LearnerStatus.NOT_STARTED: "pas_commence",
}
REASON_CODES = {"failed": "quiz_echoue_3_fois", "no_progress": "sans_progression"}


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(_tz()) if moment is not None else None


def _day(moment: datetime | None) -> date | None:
    local = _local(moment)
    return local.date() if local is not None else None


def _certificate(row: LearnerRow) -> str:
    if row.certificate_code is None:
        return "aucun"
    return "revoque" if row.certificate_revoked else "valide"


@dataclass(frozen=True)
class Column:
    key: str
    value: Callable[[LearnerRow], object]
    kind: str = "text"  # text, int, date, datetime


COLUMNS: tuple[Column, ...] = (
    Column("nom", lambda r: r.name),
    Column("email", lambda r: r.email),
    Column("structure", lambda r: r.structure),
    Column("inscrit_le", lambda r: _day(r.enrolled_at), "date"),
    Column("derniere_activite", lambda r: _local(r.last_activity_at), "datetime"),
    Column("statut", lambda r: STATUS_CODES[r.status]),
    Column("motif_blocage", lambda r: " ".join(REASON_CODES[x] for x in r.stuck_reasons)),
    Column("progression_pct", lambda r: r.percent, "int"),
    *(
        Column(f"niveau_{key.value}_pct", lambda r, k=key.value: r.level_percents.get(k), "int")
        for key in LEVEL_ORDER
    ),
    Column("modules_termines", lambda r: r.modules_done, "int"),
    Column("module_en_cours", lambda r: r.current_module),
    Column("moyenne_quiz_pct", lambda r: r.quiz_average, "int"),
    Column("termine_le", lambda r: _day(r.completed_at), "date"),
    Column("certificat", _certificate),
    Column("certificat_code", lambda r: r.certificate_code or ""),
)


def export_rows(scope: Scope) -> list[LearnerRow]:
    rows, _total = learner_rows(scope, Filters(), per_page=None)
    return rows


def _csv_text(value: object, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "datetime":
        return value.isoformat(timespec="seconds")
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: names come from uploaded
    # files, so they are neutralised (OWASP "CSV injection").
    if column.kind == "text" and text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def to_csv(rows: list[LearnerRow]) -> bytes:
    """UTF-8 with BOM, semicolons, CRLF: what French spreadsheets open as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.key for column in COLUMNS])
    for row in rows:
        writer.writerow([_csv_text(column.value(row), column) for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[LearnerRow], sheet_name: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_sheet_name(sheet_name))
    bold = workbook.add_format({"bold": True})
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.key, bold)
        sheet.set_column(index, index, 14 if column.kind != "text" else 22)
    for line, row in enumerate(rows, start=1):
        for index, column in enumerate(COLUMNS):
            value = column.value(row)
            if value is None or value == "":
                sheet.write_blank(line, index, None)
            elif column.kind == "int":
                sheet.write_number(line, index, value)
            elif column.kind == "date":
                sheet.write_datetime(line, index, value, formats["date"])
            elif column.kind == "datetime":
                # Excel has no time zones: the local time of the platform, as shown on screen.
                sheet.write_datetime(line, index, value.replace(tzinfo=None), formats["datetime"])
            else:
                sheet.write_string(line, index, str(value))  # never a formula
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "Cohorte"
    return cleaned[:31]


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "cohorte"


def cohort_certificates(scope: Scope) -> list[Certificate]:
    """The cohort's valid certificates and attestations (revoked ones are left out)."""
    enrollments = sa.select(CohortMember.enrollment_id).where(
        CohortMember.cohort_id == scope.cohort.id
    )
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.enrollment_id.in_(enrollments), Certificate.revoked_at.is_(None))
            .order_by(Certificate.learner_name, Certificate.kind, Certificate.id)
        )
    )


def has_certificates(scope: Scope) -> bool:
    enrollments = sa.select(CohortMember.enrollment_id).where(
        CohortMember.cohort_id == scope.cohort.id
    )
    return (
        db.session.scalar(
            sa.select(Certificate.id)
            .where(Certificate.enrollment_id.in_(enrollments), Certificate.revoked_at.is_(None))
            .limit(1)
        )
        is not None
    )


def certificates_zip(certificates: list[Certificate]) -> bytes:
    """One PDF per certificate, and an index (certificats.csv) of what the archive holds."""
    buffer = io.BytesIO()
    index = io.StringIO()
    writer = csv.writer(index, delimiter=";", lineterminator="\r\n")
    writer.writerow(["fichier", "nom", "type", "code", "delivre_le", "verification"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            url = verification_url(certificate.code)
            kind = "certificat" if certificate.level_id is None else "attestation"
            name = f"{slug(certificate.learner_name)}-{kind}-{certificate.code}.pdf"
            pdf = render_certificate_pdf(document_for(certificate, url))
            archive.writestr(name, pdf)
            writer.writerow(
                [
                    name,
                    _csv_text(certificate.learner_name, COLUMNS[0]),
                    kind,
                    certificate.display_code,
                    _day(certificate.issued_at).isoformat(),
                    url,
                ]
            )
        archive.writestr("certificats.csv", "\ufeff" + index.getvalue())
    return buffer.getvalue()
