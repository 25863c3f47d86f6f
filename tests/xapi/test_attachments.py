"""Statement attachments (multipart/mixed) and signed statements on our LRS."""

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import default

import jwt
import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from lms.xapi.models import Attachment, Statement

ADL = "http://adlnet.gov/expapi/verbs/"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
BOUNDARY = "-------314159265358979323846"
CONTENT = b"here is a simple attachment\r\nwith two lines \xff\x00"


@pytest.fixture
def writer(credentials):
    return credentials("statements/write", "statements/read")


def statement(**overrides) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:camille@example.org", "objectType": "Agent"},
        "verb": {"id": ADL + "experienced", "display": {"fr-FR": "a lu"}},
        "object": {"id": "https://outil.example/activites/1", "objectType": "Activity"},
    }
    body.update(overrides)
    return body


def declared(content: bytes, **overrides) -> dict:
    attachment = {
        "usageType": "https://outil.example/usages/notes",
        "display": {"fr-FR": "Notes"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }
    attachment.update(overrides)
    return attachment


def multipart(document: object, parts: list[tuple[str, bytes]], encoding="binary") -> bytes:
    chunks = [f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode()]
    chunks.append(json.dumps(document).encode())
    for sha2, content in parts:
        chunks.append(
            f"\r\n--{BOUNDARY}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: "
            f"{encoding}\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks.append(content)
    chunks.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def send(client, headers, body: bytes, method="post", **query):
    return getattr(client, method)(
        "/xapi/statements",
        data=body,
        query_string=query,
        headers=headers,
        content_type=f"multipart/mixed; boundary={BOUNDARY}",
    )


def stored_count(db_session) -> tuple[int, int]:
    statements = db_session.scalar(sa.select(sa.func.count()).select_from(Statement))
    attachments = db_session.scalar(sa.select(sa.func.count()).select_from(Attachment))
    return statements, attachments


def parse(response) -> list:
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {response.headers['Content-Type']}\r\n\r\n".encode() + response.data
    )
    return message.get_payload()


def test_multipart_post_stores_the_attachment_and_get_returns_it(client, writer, db_session):
    sent = statement(
        attachments=[declared(CONTENT, sha2=hashlib.sha256(CONTENT).hexdigest().upper())]
    )
    sha2 = hashlib.sha256(CONTENT).hexdigest()
    response = send(client, writer, multipart(sent, [(sha2, CONTENT)]))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [sent["id"]]
    assert db_session.get(Attachment, sha2).content == CONTENT

    plain = client.get("/xapi/statements", query_string={"statementId": sent["id"]}, headers=writer)
    assert plain.mimetype == "application/json"
    response = client.get(
        "/xapi/statements",
        query_string={"statementId": sent["id"], "attachments": "true"},
        headers=writer,
    )
    assert response.status_code == 200
    assert response.mimetype == "multipart/mixed"
    first, part = parse(response)
    assert json.loads(first.get_payload(decode=True))["id"] == sent["id"]
    assert part["X-Experience-API-Hash"] == sha2
    assert part["Content-Transfer-Encoding"] == "binary"
    assert part.get_payload(decode=True) == CONTENT

    response = client.get("/xapi/statements", query_string={"attachments": "true"}, headers=writer)
    first, part = parse(response)
    assert json.loads(first.get_payload(decode=True))["statements"][0]["id"] == sent["id"]
    assert part.get_payload(decode=True) == CONTENT


def test_put_multipart_and_file_url_in_json(client, writer, db_session):
    sent = statement(attachments=[declared(CONTENT)])
    sha2 = hashlib.sha256(CONTENT).hexdigest()
    body = multipart({k: v for k, v in sent.items() if k != "id"}, [(sha2, CONTENT)])
    response = send(client, writer, body, method="put", statementId=sent["id"])
    assert response.status_code == 204
    by_url = statement(attachments=[declared(b"x", fileUrl="https://outil.example/x.txt")])
    response = client.post("/xapi/statements", json=by_url, headers=writer)
    assert response.status_code == 200


def test_the_attachments_parameter_is_true_or_false(client, writer):
    response = client.get("/xapi/statements", query_string={"attachments": "yes"}, headers=writer)
    assert response.status_code == 400
    assert response.get_json()["field"] == "attachments"


@pytest.mark.parametrize(
    "case", ["json", "missing", "hash mismatch", "content mismatch", "excess", "base64"]
)
def test_attachments_that_do_not_match_are_refused_and_nothing_stored(
    client, writer, db_session, case
):
    before = stored_count(db_session)
    sha2 = hashlib.sha256(CONTENT).hexdigest()
    sent = [statement(), statement(attachments=[declared(CONTENT)])]
    parts = [(sha2, CONTENT)]
    encoding = "binary"
    if case == "json":
        response = client.post("/xapi/statements", json=sent, headers=writer)
    else:
        if case == "missing":
            parts = []
        elif case == "hash mismatch":
            parts = [(hashlib.sha256(b"other").hexdigest(), CONTENT)]
        elif case == "content mismatch":
            parts = [(sha2, b"other")]
        elif case == "excess":
            parts.append((hashlib.sha256(b"other").hexdigest(), b"other"))
        else:
            encoding = "base64"
        response = send(client, writer, multipart(sent, parts, encoding))
    assert response.status_code == 400
    assert stored_count(db_session) == before


@pytest.fixture(scope="module")
def signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Outil externe")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    x5c = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
    return key, x5c


def signed(sent: dict, token: str) -> tuple[dict, bytes]:
    signature = token.encode()
    attachment = declared(signature, usageType=SIGNATURE, contentType="application/octet-stream")
    body = multipart({**sent, "attachments": [attachment]}, [(attachment["sha2"], signature)])
    return sent, body


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_signed_statement_is_verified_and_stored(client, writer, db_session, signer, algorithm):
    key, x5c = signer
    sent = statement()
    token = jwt.encode(sent, key, algorithm=algorithm, headers={"x5c": [x5c]})
    sent, body = signed(sent, token)
    response = send(client, writer, body)
    assert response.status_code == 200, response.get_json()
    assert db_session.scalar(sa.select(Statement).where(Statement.id == sent["id"])) is not None


def test_bad_signatures_are_refused(client, writer, db_session, signer):
    key, x5c = signer
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    before = stored_count(db_session)
    sent = statement()
    tokens = {
        "HS256": jwt.encode(sent, "a shared secret of enough length", algorithm="HS256"),
        "other key": jwt.encode(sent, other, algorithm="RS256", headers={"x5c": [x5c]}),
        "payload": jwt.encode(
            {**sent, "verb": {"id": ADL + "passed"}}, key, algorithm="RS256", headers={"x5c": [x5c]}
        ),
        "not a JWS": "not.a-jws",
    }
    for reason, token in tokens.items():
        response = send(client, writer, signed(sent, token)[1])
        assert response.status_code == 400, reason
    # A signature must be application/octet-stream.
    token = jwt.encode(sent, key, algorithm="RS256", headers={"x5c": [x5c]}).encode()
    attachment = declared(token, usageType=SIGNATURE)
    body = multipart({**sent, "attachments": [attachment]}, [(attachment["sha2"], token)])
    assert send(client, writer, body).status_code == 400
    assert stored_count(db_session) == before
