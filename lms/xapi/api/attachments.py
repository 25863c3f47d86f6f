"""Statement attachments over HTTP: multipart/mixed requests and responses (xAPI 1.0.3
Communication §1.5.2, Data §2.4.11) and signed statements (Data §2.6)."""

import base64
import binascii
import contextlib
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default

import jwt
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lms.extensions import db
from lms.xapi.api.protocol import XAPIError
from lms.xapi.models import Attachment
from lms.xapi.store import context_activities_as_lists

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
SIGNATURE_ALGORITHMS = ("RS256", "RS384", "RS512")
HASH_HEADER = "X-Experience-API-Hash"
_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
# Properties the LRS sets, or that the signature cannot cover (Data §2.6, §2.3.1).
_UNSIGNED = ("attachments", "authority", "stored", "version")


@dataclass(frozen=True)
class Part:
    content_type: str
    content: bytes


def parse_multipart(content_type: str, body: bytes) -> tuple[bytes, dict[str, Part]]:
    """The JSON of the first part, and the other parts by their (lowercase) hash."""
    message = BytesParser(policy=default).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.get_param("boundary"):
        raise XAPIError(400, "multipart/mixed needs a boundary parameter", "Content-Type")
    parts = message.get_payload()
    if not message.is_multipart() or not isinstance(parts, list) or not parts:
        raise XAPIError(400, "the multipart body has no parts", "body")
    first, *others = parts
    if first.get_content_type() != "application/json":
        raise XAPIError(400, "the first part must be application/json", "body")
    found: dict[str, Part] = {}
    for index, part in enumerate(others, start=1):
        found_hash = _part_hash(part, index)
        content = part.get_payload(decode=True) or b""
        if found_hash in found:
            raise XAPIError(400, f"part {index} repeats attachment {found_hash}", "body")
        found[found_hash] = Part(part.get_content_type(), content)
    return first.get_payload(decode=True) or b"", found


def _part_hash(part: EmailMessage, index: int) -> str:
    value = part.get(HASH_HEADER)
    if not value or str(value).strip().lower() not in _hex_hashes(str(value)):
        raise XAPIError(400, f"part {index} lacks a valid {HASH_HEADER} header", "body")
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding != "binary":
        raise XAPIError(400, f"part {index} must have Content-Transfer-Encoding: binary", "body")
    return str(value).strip().lower()


def _hex_hashes(value: str) -> set[str]:
    value = value.strip().lower()
    valid = len(value) in _HASHES and all(c in "0123456789abcdef" for c in value)
    return {value} if valid else set()


def check_attachments(statements: list[dict], parts: dict[str, Part]) -> dict[str, Part]:
    """Every attachment without fileUrl has its part, every part is declared, each part's
    content has its hash, and signatures hold; returns the parts to store (hash → part)."""
    declared: dict[str, str] = {}
    for index, statement in enumerate(statements):
        for number, attachment in enumerate(statement.get("attachments") or []):
            sha2 = attachment["sha2"].lower()
            declared.setdefault(sha2, attachment["contentType"])
            if "fileUrl" not in attachment and sha2 not in parts:
                prefix = f"[{index}]." if len(statements) > 1 else ""
                field = f"{prefix}attachments[{number}]"
                raise XAPIError(400, f"no part holds the attachment {sha2}", field)
    for sha2, part in parts.items():
        if sha2 not in declared:
            raise XAPIError(400, f"the part {sha2} is no declared attachment", "body")
        if _HASHES[len(sha2)](part.content).hexdigest() != sha2:
            raise XAPIError(400, f"the part {sha2} does not have this hash", "body")
    for statement in statements:
        _check_signatures(statement, parts)
    return {sha2: Part(declared[sha2], part.content) for sha2, part in parts.items()}


def _check_signatures(statement: dict, parts: dict[str, Part]) -> None:
    for number, attachment in enumerate(statement.get("attachments") or []):
        if attachment["usageType"] != SIGNATURE:
            continue
        field = f"attachments[{number}]"
        if attachment["contentType"].split(";")[0].strip().lower() != SIGNATURE_CONTENT_TYPE:
            raise XAPIError(400, f"a signature is {SIGNATURE_CONTENT_TYPE}", field)
        part = parts.get(attachment["sha2"].lower())
        if part is None:
            raise XAPIError(400, "the signature must be attached, not referenced", field)
        verify_signature(statement, part.content, field)


def verify_signature(statement: dict, token: bytes, field: str) -> None:
    """Data §2.6: a compact JWS, RS256/384/512, verified with the x5c certificate when
    given, whose payload is the statement as it was before the signature was added."""
    try:
        header = jwt.get_unverified_header(token)
        payload = json.loads(_segment(token, 1))
    except (jwt.InvalidTokenError, ValueError, binascii.Error):
        raise XAPIError(400, "the signature is not a valid JWS", field) from None
    algorithm = header.get("alg")
    if algorithm not in SIGNATURE_ALGORITHMS:
        raise XAPIError(400, f"the signature must use {', '.join(SIGNATURE_ALGORITHMS)}", field)
    if "x5c" in header:
        key = _certificate_key(header["x5c"], field)
        try:
            jwt.PyJWS().decode_complete(token, key=key, algorithms=[algorithm])
        except jwt.InvalidTokenError:
            raise XAPIError(400, "the signature does not verify", field) from None
    if not isinstance(payload, dict) or not _same_statement(payload, statement):
        raise XAPIError(400, "the signed payload differs from the statement", field)


def _segment(token: bytes, index: int) -> bytes:
    segments = token.strip().split(b".")
    if len(segments) != 3:  # noqa: PLR2004 - header.payload.signature
        raise ValueError("a compact JWS has three segments")
    text = segments[index]
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def _certificate_key(chain: object, field: str) -> RSAPublicKey:
    try:
        if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
            raise ValueError("x5c is a list of certificates")
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
        key = certificate.public_key()
    except (ValueError, binascii.Error):
        raise XAPIError(400, "the signature's x5c certificate is unreadable", field) from None
    if not isinstance(key, RSAPublicKey):
        raise XAPIError(400, "the signature's certificate must hold an RSA key", field)
    return key


def _same_statement(signed: dict, statement: dict) -> bool:
    # The LRS gives the id of a statement sent without one: compared only when signed.
    with_id = "id" in signed

    def comparable(value: dict) -> dict:
        value = context_activities_as_lists({k: v for k, v in value.items() if k not in _UNSIGNED})
        if with_id:
            value["id"] = str(value.get("id", "")).lower()
        else:
            value.pop("id", None)
        if isinstance(value.get("timestamp"), str):  # compared as an instant
            with contextlib.suppress(ValueError):
                value["timestamp"] = datetime.fromisoformat(
                    value["timestamp"].replace("Z", "+00:00")
                )
        return value

    return comparable(signed) == comparable(statement)


def store_parts(parts: dict[str, Part]) -> None:
    """Add the attachment contents not yet stored to the session (the caller commits)."""
    if not parts:
        return
    known = set(db.session.scalars(sa.select(Attachment.sha2).where(Attachment.sha2.in_(parts))))
    db.session.add_all(
        Attachment(sha2=sha2, content_type=part.content_type, content=part.content)
        for sha2, part in parts.items()
        if sha2 not in known
    )


def multipart_response(document: object, statements: list[dict]) -> tuple[bytes, str]:
    """The body and Content-Type of a GET with attachments=true (Communication §2.1.3)."""
    wanted = []
    for statement in statements:
        for attachment in statement.get("attachments") or []:
            sha2 = str(attachment.get("sha2", "")).lower()
            if sha2 not in wanted:
                wanted.append(sha2)
    rows = db.session.scalars(sa.select(Attachment).where(Attachment.sha2.in_(wanted))).all()
    by_hash = {row.sha2: row for row in rows}
    boundary = secrets.token_hex(16)
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(document).encode(),
    ]
    for sha2 in wanted:
        row = by_hash.get(sha2)
        if row is None:  # referenced by fileUrl only
            continue
        chunks.append(
            f"\r\n--{boundary}\r\nContent-Type: {row.content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\n{HASH_HEADER}: {sha2}\r\n\r\n".encode()
        )
        chunks.append(row.content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"
