"""Open Badges 3.0 credentials as VC-JWTs, checked as an outside verifier would: jwcrypto,
an independent JOSE library, with the key fetched from the URL in the token's `kid`."""

import base64
import json
import re
from datetime import UTC, datetime

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk, jws

from lms.certificates.cli import rotate_signing_key_command
from lms.certificates.codes import new_code
from lms.certificates.credentials import (
    InvalidCredential,
    build_credential,
    sign_credential,
    verify_credential_jwt,
)
from lms.certificates.keys import (
    ensure_signing_key,
    private_key_path,
    public_jwks,
    rotate_signing_key,
)
from lms.certificates.models import Certificate, CertificateKind, SigningKey
from lms.core.db import utcnow
from lms.learning.operations import enroll

BASE_URL = "https://parcours.test"
EMAIL = "camille.martin@example.org"


@pytest.fixture(autouse=True)
def keys_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "keys"
    monkeypatch.setitem(app.config, "CERTIFICATE_KEYS_DIR", str(path))
    return path


@pytest.fixture
def learner(make_user):
    return make_user(name="Camille Martin", email=EMAIL)


@pytest.fixture
def make_certificate(db_session, seed, learner):
    def make(level=None) -> Certificate:
        enrollment = enroll(learner, seed)
        levels = seed.levels if level is None else [level]
        certificate = Certificate(
            code=new_code(),
            enrollment_id=enrollment.id,
            user_id=learner.id,
            parcours_id=seed.id,
            level_id=None if level is None else level.id,
            kind=CertificateKind.PARCOURS if level is None else CertificateKind.LEVEL,
            scope="parcours" if level is None else f"level:{level.key.value}",
            learner_name=learner.name,
            parcours_title=seed.title,
            level_titles=[item.title for item in levels],
            issuer_name="Parcours",
            network_name=None,
            completed_at=utcnow(),
            issued_at=utcnow(),
        )
        db_session.add(certificate)
        db_session.flush()
        return certificate

    return make


@pytest.fixture
def certificate(make_certificate):
    return make_certificate()


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def header_of(token: str) -> dict:
    return json.loads(b64decode(token.split(".")[0]))


def fetch_key(client, kid_url: str) -> jwk.JWK:
    """Dereference the `kid` URL through the platform, as an outside verifier does."""
    assert kid_url.startswith(f"{BASE_URL}/")
    response = client.get(kid_url.removeprefix(BASE_URL))
    assert response.status_code == 200
    assert response.is_json
    public = response.get_json()
    assert "d" not in public
    return jwk.JWK(**public)


def verify_outside(client, token: str) -> dict:
    key = fetch_key(client, header_of(token)["kid"])
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(key, alg="RS256")
    return json.loads(signed.payload)


def leaves(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def test_vc_jwt_verifies_with_the_key_published_at_its_kid(client, certificate):
    credential = build_credential(certificate, base_url=BASE_URL)
    token = sign_credential(credential)

    header = header_of(token)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    assert set(header) == {"alg", "typ", "kid"}  # OB 3.0 allows no other JOSE header
    claims = verify_outside(client, token)

    assert claims["iss"] == credential["issuer"]["id"] == f"{BASE_URL}/issuer"
    assert claims["jti"] == credential["id"] == f"{BASE_URL}/credentials/{certificate.code}"
    assert claims["sub"] == credential["credentialSubject"]["id"]
    valid_from = datetime.fromisoformat(credential["validFrom"])
    assert datetime.fromtimestamp(claims["nbf"], UTC) == valid_from
    assert valid_from == certificate.issued_at.replace(microsecond=0)
    assert "exp" not in claims
    # The payload is the credential itself (VC 2.0 layout), not wrapped in a `vc` claim.
    jwt_claims = {"iss", "jti", "nbf", "sub"}
    assert {name: value for name, value in claims.items() if name not in jwt_claims} == credential
    assert verify_credential_jwt(token) == credential


def test_changing_one_byte_of_the_payload_breaks_the_signature(client, certificate):
    token = sign_credential(build_credential(certificate, base_url=BASE_URL))
    header, payload, signature = token.split(".")
    text = b64decode(payload).decode()
    position = text.index(certificate.code)
    swapped = "2" if text[position] != "2" else "3"
    forged = text[:position] + swapped + text[position + 1 :]
    assert len(forged) == len(text)
    assert forged != text
    tampered = ".".join([header, b64encode(forged.encode()), signature])

    with pytest.raises(jws.InvalidJWSSignature):
        verify_outside(client, tampered)
    with pytest.raises(InvalidCredential):
        verify_credential_jwt(tampered)
    verify_outside(client, token)  # the untouched token still verifies


def test_rotation_keeps_earlier_credentials_verifiable(client, certificate):
    credential = build_credential(certificate, base_url=BASE_URL)
    before = sign_credential(credential)
    old_key = ensure_signing_key()

    new_key = rotate_signing_key()
    after = sign_credential(credential)

    assert new_key.kid != old_key.kid
    assert header_of(before)["kid"] == f"{BASE_URL}/keys/{old_key.kid}"
    assert header_of(after)["kid"] == f"{BASE_URL}/keys/{new_key.kid}"
    assert ensure_signing_key() == new_key
    assert old_key.is_active is False
    verify_outside(client, before)
    verify_outside(client, after)
    assert verify_credential_jwt(before) == verify_credential_jwt(after) == credential

    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=300" in response.headers["Cache-Control"]
    published = jwk.JWKSet.from_json(response.get_data(as_text=True))
    assert {key.get("kid") for key in published} == {old_key.kid, new_key.kid}
    assert all(not key.has_private for key in published)


def test_credential_is_an_open_badge_without_email_or_database_ids(certificate, learner):
    credential = build_credential(certificate, base_url=BASE_URL)

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": f"{BASE_URL}/issuer",
        "type": ["Profile"],
        "name": "Parcours",
        "url": BASE_URL,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", credential["validFrom"])
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"].startswith("urn:uuid:")
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Camille Martin",
        }
    ]
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE_URL}/achievements/{certificate.parcours.slug}"
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["name"] == certificate.parcours_title
    assert achievement["description"]
    narrative = achievement["criteria"]["narrative"]
    assert "quiz" in narrative
    assert all(title in narrative for title in certificate.level_titles)

    token = sign_credential(credential)
    for document in (json.dumps(credential), b64decode(token.split(".")[1]).decode()):
        assert EMAIL not in document
        assert learner.public_id not in document
    private = {learner.id, str(learner.id), certificate.id, certificate.enrollment_id}
    assert not private & {value for value in leaves(credential) if not isinstance(value, bool)}


def test_level_attestation_names_its_level(make_certificate, seed):
    level = seed.levels[1]
    credential = build_credential(make_certificate(level), base_url=BASE_URL)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{BASE_URL}/achievements/{seed.slug}/niveaux/{level.key.value}"
    assert level.title in achievement["name"]
    assert level.title in achievement["criteria"]["narrative"]


def test_subject_id_is_stable_per_learner(make_certificate, seed):
    whole = build_credential(make_certificate(), base_url=BASE_URL)
    level = build_credential(make_certificate(seed.levels[0]), base_url=BASE_URL)
    assert whole["credentialSubject"]["id"] == level["credentialSubject"]["id"]
    assert whole["id"] != level["id"]


def test_first_key_is_generated_private_file_0600_kid_is_the_thumbprint(keys_dir):
    assert public_jwks() == {"keys": []}
    key = ensure_signing_key()

    path = private_key_path(key.kid)
    assert path.parent == keys_dir
    assert path.stat().st_mode & 0o777 == 0o600
    public = key.public_jwk
    assert public["kty"] == "RSA"
    assert public["alg"] == "RS256"
    assert public["use"] == "sig"
    assert public["kid"] == key.kid == jwk.JWK(**public).thumbprint()
    assert "d" not in public
    assert ensure_signing_key() == key  # not a new key on each call
    assert public_jwks() == {"keys": [public]}


def test_missing_private_key_file_is_a_clear_error(certificate):
    key = ensure_signing_key()
    path = private_key_path(key.kid)
    path.unlink()

    with pytest.raises(RuntimeError, match=re.escape(str(path))) as raised:
        ensure_signing_key()
    assert "backup" in str(raised.value)
    with pytest.raises(RuntimeError, match=re.escape(str(path))):
        sign_credential(build_credential(certificate, base_url=BASE_URL))


@pytest.mark.parametrize(
    "token", ["", "not a token", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", None, 42]
)
def test_malformed_tokens_are_invalid(token):
    ensure_signing_key()
    with pytest.raises(InvalidCredential):
        verify_credential_jwt(token)


def test_token_signed_with_another_key_under_our_kid_is_invalid(certificate):
    key = ensure_signing_key()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    credential = build_credential(certificate, base_url=BASE_URL)
    genuine = sign_credential(credential)
    claims = json.loads(b64decode(genuine.split(".")[1]))
    forged = jwt.encode(
        claims, stranger, algorithm="RS256", headers={"kid": f"{BASE_URL}/keys/{key.kid}"}
    )
    with pytest.raises(InvalidCredential):
        verify_credential_jwt(forged)


def test_unknown_kid_url_is_not_found(client):
    response = client.get("/keys/no-such-key")
    assert response.status_code == 404


def test_rotate_command_publishes_a_new_key(runner, db_session):
    old = ensure_signing_key()
    result = runner.invoke(rotate_signing_key_command)
    assert result.exit_code == 0, result.output
    new = db_session.scalar(sa.select(SigningKey.kid).where(SigningKey.is_active))
    assert new != old.kid
    assert new in result.output
    assert {key["kid"] for key in public_jwks()["keys"]} == {old.kid, new}
