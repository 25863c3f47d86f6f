"""Files of module resources: checked by their content, stored outside the web root.

A file is accepted only if its bytes are one of the document or image formats trainers use
(PDF, ODT, DOCX, PNG, JPEG, GIF, WebP), its extension names that same format, and it is
within the size limit: an executable renamed `.pdf` is refused. Files are stored under
their SHA-256 in `UPLOADS_DIR` (the instance folder by default, never `static/`), and
served by a view that checks who may read them.
"""

import hashlib
import io
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lms.catalog.models import StoredFile
from lms.core.errors import DomainError
from lms.core.i18n import number
from lms.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
ODT = FileType("application/vnd.oasis.opendocument.text", (".odt",), "ODT")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX"
)
PNG = FileType("image/png", (".png",), "PNG")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG")
GIF = FileType("image/gif", (".gif",), "GIF")
WEBP = FileType("image/webp", (".webp",), "WebP")
FILE_TYPES = (PDF, ODT, DOCX, PNG, JPEG, GIF, WEBP)
ACCEPTED_EXTENSIONS = tuple(ext for kind in FILE_TYPES for ext in kind.extensions)
IMAGE_TYPES = {PNG.content_type, JPEG.content_type, GIF.content_type, WEBP.content_type}


# What reading a damaged or unusual zip raises: a bad CRC or truncation (BadZipFile,
# EOFError), encryption (RuntimeError), a compression zipfile lacks such as deflate64
# (NotImplementedError), corrupt deflate data (zlib.error), odd headers (ValueError).
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    ValueError,
)


class FileRejectedError(DomainError):
    """A file that is not accepted; nothing was stored."""

    status = 422


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)


def sniff(data: bytes) -> FileType | None:
    """The format the bytes are in, among the accepted ones, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in {b"GIF87a", b"GIF89a"}:
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def _sniff_zip(data: bytes) -> FileType | None:
    # ODT and DOCX are zip archives; what they hold tells them apart from any other zip.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 200
                and archive.read("mimetype").strip() == ODT.content_type.encode()
            ):
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (*ZIP_READ_ERRORS, KeyError, OSError):
        return None
    return None


def check_file(filename: str, data: bytes) -> FileType:
    """The type of an accepted file; raises FileRejectedError with the reason otherwise."""
    limit = max_bytes()
    if not data:
        raise FileRejectedError(_("Le fichier « %(name)s » est vide.", name=filename))
    if len(data) > limit:
        raise FileRejectedError(
            _(
                "Le fichier « %(name)s » dépasse la taille maximale (%(max)s).",
                name=filename,
                max=size_label(limit),
            )
        )
    kind = sniff(data)
    if kind is None:
        raise FileRejectedError(
            _(
                "Le contenu de « %(name)s » n'est ni un PDF, ni un document ODT ou DOCX, "
                "ni une image PNG, JPEG, GIF ou WebP : fichier refusé.",
                name=filename,
            )
        )
    if Path(filename).suffix.lower() not in kind.extensions:
        raise FileRejectedError(
            _(
                "Le fichier « %(name)s » contient un %(kind)s mais son extension dit autre "
                "chose : fichier refusé.",
                name=filename,
                kind=kind.label,
            )
        )
    return kind


def too_large_message(limit: int) -> str:
    return _("Le fichier dépasse la taille maximale (%(max)s).", max=size_label(limit))


def size_label(size: int) -> str:
    """10 Mo, 1,5 Mo, 200 Ko."""
    if size < 1024 * 1024:
        return _("%(n)d Ko", n=size // 1024)
    megabytes = number(size / (1024 * 1024), 1, keep_zeros=False)
    return _("%(n)s Mo", n=megabytes)


def uploads_dir() -> Path:
    configured = current_app.config.get("UPLOADS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def blob_path(sha256: str) -> Path:
    return uploads_dir() / sha256[:2] / sha256


def store_file(parcours_id: int, data: bytes, kind: FileType) -> StoredFile:
    """Store checked bytes for a parcours (once per content); flushes."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = blob_path(sha256)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    stored = db.session.scalar(
        sa.select(StoredFile).where(
            StoredFile.parcours_id == parcours_id, StoredFile.sha256 == sha256
        )
    )
    if stored is None:
        stored = StoredFile(
            parcours_id=parcours_id, sha256=sha256, size=len(data), content_type=kind.content_type
        )
        db.session.add(stored)
        db.session.flush()
    return stored


def read_blob(sha256: str) -> bytes:
    return blob_path(sha256).read_bytes()
