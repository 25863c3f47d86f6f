"""Enrolment in a cohort: from a CSV (checked row by row, previewed, then confirmed) or
through the cohort's invitation link. Every enrolment goes through
`lms.learning.operations.enroll`, so the `registered` statement is recorded as always.
Flushes; the caller commits."""

import csv
import difflib
import enum
import io
import secrets
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user, normalise_email
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError
from lms.extensions import db
from lms.learning.operations import enroll
from lms.mail.operations import queue_mail
from lms.networks.invitations import has_pending_invitation, invite
from lms.networks.models import (
    Cohort,
    CohortMember,
    EnrolmentImport,
    MemberSource,
    Structure,
)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Header spellings spreadsheets and people use, compared without accents, case or spaces.
_COLUMNS = {
    "email": {"email", "e-mail", "mail", "courriel", "adresse e-mail", "adresse email"},
    "first_name": {"prenom", "first name", "firstname", "given name"},
    "last_name": {"nom", "nom de famille", "last name", "lastname", "surname", "family name"},
    "structure": {"structure", "organisation", "organization", "association"},
}
_COLUMN_LABELS = {
    "email": "e-mail",
    "first_name": "prénom",
    "last_name": "nom",
    "structure": "structure",
}


def _fold(text: str) -> str:
    """Lowercase, no accents, single spaces: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").lower().split())


class RowStatus(enum.StrEnum):
    NEW = "new"  # an account will be created and invited
    EXISTING = "existing"  # an existing account will be enrolled
    MEMBER = "member"  # already in the cohort: nothing to do
    ERROR = "error"


@dataclass
class RowCheck:
    line: int
    email: str
    first_name: str
    last_name: str
    structure_name: str
    structure_id: int | None = None
    status: RowStatus = RowStatus.ERROR
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class CsvCheck:
    rows: list[RowCheck]
    encoding: str
    delimiter: str

    def count(self, status: RowStatus) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def bad_rows(self) -> list[RowCheck]:
        return [row for row in self.rows if row.status == RowStatus.ERROR]


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of an uploaded file and its encoding: UTF-8 (with or without BOM), else
    Windows-1252, what Excel writes for "CSV (séparateur : point-virgule)"."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_("Le fichier dépasse 2 Mo."))
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise DomainError(
            _("Le fichier n'est pas un texte lisible : enregistrez-le en CSV UTF-8.")
        ) from None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        folded = _fold(title)
        for key, names in _COLUMNS.items():
            if folded in names and key not in found:
                found[key] = index
    missing = [_COLUMN_LABELS[key] for key in _COLUMNS if key not in found]
    if missing:
        raise DomainError(
            _(
                "Ligne 1 : colonne(s) manquante(s) : %(missing)s. La première ligne doit "
                "nommer les colonnes e-mail, prénom, nom et structure.",
                missing=", ".join(missing),
            )
        )
    return found


def check_csv(cohort: Cohort, data: bytes) -> CsvCheck:
    """Parse and check every row; raises DomainError if the file itself is unusable."""
    text, encoding = decode_csv(data)
    if not text.strip():
        raise DomainError(_("Le fichier est vide."))
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        columns = _columns(header)
        raw_rows: list[tuple[int, list[str]]] = []
        line = reader.line_num
        for values in reader:
            if any(value.strip() for value in values):
                raw_rows.append((line + 1, values))
            line = reader.line_num
    except csv.Error as error:
        raise DomainError(
            _("Ligne %(line)d : %(error)s", line=reader.line_num, error=str(error))
        ) from None
    if len(raw_rows) > MAX_ROWS:
        raise DomainError(_("Le fichier compte plus de %(n)d lignes.", n=MAX_ROWS))
    if not raw_rows:
        raise DomainError(_("Le fichier ne contient aucune ligne après l'en-tête."))

    structures = {
        _fold(structure.name): structure
        for structure in db.session.scalars(
            sa.select(Structure).where(Structure.network_id == cohort.network_id)
        )
    }
    rows = [_row(line, values, columns) for line, values in raw_rows]
    emails = [row.email for row in rows if row.email]
    users = {
        user.email: user
        for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
    }
    members = set(
        db.session.scalars(
            sa.select(User.email)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id, User.email.in_(emails))
        )
    )
    first_line: dict[str, int] = {}
    for row in rows:
        _check_row(row, structures, users, members, first_line)
    return CsvCheck(rows=rows, encoding=encoding, delimiter=delimiter)


def _row(line: int, values: list[str], columns: dict[str, int]) -> RowCheck:
    def value(key: str) -> str:
        index = columns[key]
        return " ".join(values[index].split()) if index < len(values) else ""

    return RowCheck(
        line=line,
        email=value("email"),
        first_name=value("first_name"),
        last_name=value("last_name"),
        structure_name=value("structure"),
    )


def _check_row(
    row: RowCheck,
    structures: dict[str, Structure],
    users: dict[str, User],
    members: set[str],
    first_line: dict[str, int],
) -> None:
    missing = [
        label
        for label, text in (
            (_("e-mail"), row.email),
            (_("prénom"), row.first_name),
            (_("nom"), row.last_name),
            (_("structure"), row.structure_name),
        )
        if not text
    ]
    if missing:
        row.errors.append(_("Champ(s) manquant(s) : %(fields)s.", fields=", ".join(missing)))
    if row.email:
        try:
            row.email = normalise_email(
                validate_email(row.email, check_deliverability=False).normalized
            )
        except EmailNotValidError:
            row.errors.append(_("Adresse e-mail invalide : « %(email)s ».", email=row.email))
        else:
            if row.email in first_line:
                row.errors.append(
                    _(
                        "Doublon : cette adresse figure déjà ligne %(line)d.",
                        line=first_line[row.email],
                    )
                )
            else:
                first_line[row.email] = row.line
    if len(row.name) > 120:
        row.errors.append(_("Le nom complet dépasse 120 caractères."))
    if row.structure_name:
        structure = structures.get(_fold(row.structure_name))
        if structure is None:
            message = _("Structure inconnue du réseau : « %(name)s ».", name=row.structure_name)
            close = difflib.get_close_matches(_fold(row.structure_name), structures, n=1)
            if close:
                message += " " + _(
                    "Vouliez-vous dire « %(name)s » ?", name=structures[close[0]].name
                )
            row.errors.append(message)
        else:
            row.structure_id = structure.id
    user = users.get(row.email)
    if not row.errors and user is not None and not user.is_active:
        row.errors.append(_("Ce compte est désactivé."))
    if row.errors:
        row.status = RowStatus.ERROR
    elif row.email in members:
        row.status = RowStatus.MEMBER
    elif user is not None:
        row.status = RowStatus.EXISTING
    else:
        row.status = RowStatus.NEW


def start_import(cohort: Cohort, filename: str, data: bytes, user: User) -> EnrolmentImport:
    """Keep an uploaded file for its preview; raises DomainError if it is unusable."""
    check_csv(cohort, data)  # refuse an unusable file now, with the reason
    text, _encoding = decode_csv(data)
    upload = EnrolmentImport(
        cohort_id=cohort.id, filename=filename[:255], content=text, created_by_id=user.id
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def confirm_import(upload: EnrolmentImport, actor: User) -> dict:
    """Enrol the file's valid rows; returns the report. Confirming again does nothing."""
    # Locked: a confirmation clicked twice at once runs once.
    db.session.execute(
        sa.select(EnrolmentImport.id).where(EnrolmentImport.id == upload.id).with_for_update()
    )
    db.session.refresh(upload)
    if upload.confirmed_at is not None:
        raise Conflict(_("Cet import a déjà été confirmé."))
    cohort = db.session.get(Cohort, upload.cohort_id)
    check = check_csv(cohort, upload.content.encode())
    report = {"invited": 0, "enrolled": 0, "already": 0, "skipped": len(check.bad_rows)}
    for row in check.rows:
        if row.status == RowStatus.ERROR:
            continue
        _member, outcome = add_member(
            cohort,
            email=row.email,
            name=row.name,
            structure_id=row.structure_id,
            source=MemberSource.CSV,
            actor=actor,
        )
        report[outcome] += 1
    upload.confirmed_at = utcnow()
    upload.report = report
    db.session.flush()
    return report


def add_member(
    cohort: Cohort,
    *,
    email: str,
    name: str,
    structure_id: int | None,
    source: MemberSource,
    actor: User | None,
    notify: bool = True,
) -> tuple[CohortMember, str]:
    """Put a person in the cohort and enrol them in its parcours.

    Returns the membership and what happened: "invited" (a new account, sent an
    invitation), "enrolled" (an existing account) or "already" (a member: nothing changes).
    """
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    outcome = "enrolled"
    if user is None:
        user = create_user(name, email, secrets.token_urlsafe(32), Role.LEARNER)
        invite(user, cohort, actor)
        outcome = "invited"
    else:
        member = db.session.scalar(
            sa.select(CohortMember).where(
                CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
            )
        )
        if member is not None:
            return member, "already"
        if has_pending_invitation(user):
            invite(user, cohort, actor)  # they never chose a password: a new link
            outcome = "invited"
        elif notify:
            _tell_existing(user, cohort)
    enrollment = enroll(user, cohort.parcours)
    member = CohortMember(
        cohort_id=cohort.id,
        user_id=user.id,
        enrollment_id=enrollment.id,
        structure_id=structure_id,
        source=source,
    )
    db.session.add(member)
    db.session.flush()
    return member, outcome


def _tell_existing(user: User, cohort: Cohort) -> None:
    base = current_app.config["LMS_BASE_URL"]
    body = _(
        "Bonjour %(name)s,\n\n"
        "Vous êtes inscrit à la cohorte « %(cohort)s » (%(network)s), qui suit le parcours "
        "« %(title)s ».\n\nConnectez-vous avec votre compte habituel : %(url)s\n\n— %(platform)s",
        name=user.name,
        cohort=cohort.name,
        network=cohort.network.name,
        title=cohort.parcours.title,
        url=f"{base}/parcours/{cohort.parcours.slug}",
        platform=current_app.config["PLATFORM_NAME"],
    )
    queue_mail(user.email, _("Inscription : %(title)s", title=cohort.parcours.title), body)


def cohort_by_code(code: str) -> Cohort | None:
    """The cohort whose invitation link carries this code, if the link is open."""
    return db.session.scalar(
        sa.select(Cohort).where(
            Cohort.invitation_code == code.strip().upper(), Cohort.is_invitation_open.is_(True)
        )
    )


def join_by_code(cohort: Cohort, user: User, structure_id: int | None) -> tuple[CohortMember, bool]:
    """A logged-in person joins through the invitation link; returns (membership, joined)."""
    if structure_id is not None:
        structure = db.session.get(Structure, structure_id)
        if structure is None or structure.network_id != cohort.network_id:
            raise DomainError(_("Cette structure n'appartient pas au réseau de la cohorte."))
    member, outcome = add_member(
        cohort,
        email=user.email,
        name=user.name,
        structure_id=structure_id,
        source=MemberSource.CODE,
        actor=None,
        notify=False,  # they are on the page that tells them
    )
    return member, outcome != "already"
