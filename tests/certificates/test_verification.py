"""Anyone can check a certificate without an account; owners and admins revoke it."""

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.accounts.models import Role
from lms.catalog.operations import add_owner
from lms.certificates.models import Certificate
from lms.extensions import limiter
from tests.certificates.helpers import clear_mail, complete_parcours, decode_qr, sent_mail
from tests.learning.helpers import page


@pytest.fixture
def certificate(client, login, make_user, seed, db_session):
    user = make_user(name="Anne-Sœur Œdipe")
    login(user)
    complete_parcours(client, seed)
    client.post("/deconnexion")
    return db_session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == user.id, Certificate.scope == "parcours"
        )
    )


def test_valid_certificate_page_without_login(client, certificate, seed):
    response = client.get(f"/verify/{certificate.code}")
    body = page(response)
    assert response.status_code == 200
    assert "Certificat valide" in body
    assert "Anne-Sœur Œdipe" in body
    assert seed.title in body
    assert certificate.display_code in body
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in body
    # Nothing else about the learner: no e-mail, no other certificate.
    assert "@example.org" not in body


def test_typed_codes_are_forgiving(client, certificate):
    typed = certificate.display_code.lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 200
    assert "Certificat valide" in page(response)


@pytest.mark.parametrize(
    "code", ["ZZZZZZZZZZZZ", "abc", "<script>alert(1)</script>", "'; DROP TABLE x; --", "é" * 50]
)
def test_unknown_or_malformed_codes_get_a_clean_unknown_page(client, code):
    response = client.get("/verify", query_string={"code": code})
    body = page(response)
    assert response.status_code == 404
    assert "Code inconnu" in body
    assert "<script>alert" not in response.get_data(as_text=True)
    assert client.get(f"/verify/{code}").status_code == 404


def test_verification_is_rate_limited(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        statuses = [client.get(f"/verify/ZZZZZZZZZZZ{n}").status_code for n in range(2, 6)]
        statuses.append(client.get("/verify", query_string={"code": "x"}).status_code)
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()
    assert statuses == [404, 404, 404, 429, 429]


def test_admin_revokes_then_reinstates(client, login, make_user, certificate, db_session):
    admin = make_user(role=Role.ADMIN, name="Alex Admin")
    login(admin)
    url = f"/certificats/{certificate.code}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"revoke-reason": "  ", "revoke-submit": "1"})
    assert response.status_code == 422
    assert "Indiquez le motif" in page(response)

    response = client.post(
        url, data={"revoke-reason": "Fraude constatée au quiz final", "revoke-submit": "1"}
    )
    assert response.status_code == 302
    public = page(client.get(f"/verify/{certificate.code}"))
    assert "Certificat révoqué" in public
    assert "Fraude constatée au quiz final" in public
    assert "Certificat valide" not in public

    response = client.post(url, data={"reinstate-note": "Erreur", "reinstate-submit": "1"})
    assert response.status_code == 302
    assert "Certificat valide" in page(client.get(f"/verify/{certificate.code}"))
    history = page(client.get(url))
    assert re.search(r"révoqué\s+par Alex Admin", history)
    assert re.search(r"rétabli\s+par Alex Admin", history)
    db_session.expire_all()
    assert [e.action.value for e in certificate.events] == ["issued", "revoked", "reinstated"]
    assert certificate.events[1].reason == "Fraude constatée au quiz final"


def test_only_admins_and_owning_trainers_manage(client, login, make_user, certificate, seed):
    url = f"/certificats/{certificate.code}"
    assert client.get(url).status_code == 302  # anonymous: log in first
    login(make_user())
    assert client.get(url).status_code == 403
    assert client.get("/certificats").status_code == 403
    client.post("/deconnexion")
    trainer = make_user(role=Role.TRAINER)
    login(trainer)
    assert client.get(url).status_code == 403
    assert certificate.display_code not in page(client.get("/certificats"))
    add_owner(seed.slug, trainer.email)
    assert client.get(url).status_code == 200
    assert certificate.display_code in page(client.get("/certificats"))
    response = client.post(url, data={"revoke-reason": "Erreur de saisie", "revoke-submit": "1"})
    assert response.status_code == 302


def test_learner_sees_and_downloads_only_their_own(client, login, make_user, certificate):
    other = make_user()
    login(other)
    assert client.get(f"/mes-certificats/{certificate.code}.pdf").status_code == 404
    assert client.get(f"/mes-certificats/{certificate.code}/open-badge.jwt").status_code == 404
    assert certificate.display_code not in page(client.get("/mes-certificats"))


def test_new_learner_journey_to_a_verified_then_revoked_certificate(
    app, client, login, make_user, seed, db_session
):
    """Complete the seed parcours, get the e-mail, download the PDF, scan its QR code,
    see « valide »; an admin revokes it; the same page says « révoqué » with the reason."""
    clear_mail(app)
    learner = make_user(name="Dominique Lefèvre")
    login(learner)
    complete_parcours(client, seed)
    mail = sent_mail(app)[-1]
    assert mail["To"] == learner.email
    listing = page(client.get("/mes-certificats"))
    assert seed.title in listing
    code = re.search(r"/mes-certificats/([A-Z0-9]{12})\.pdf", listing).group(1)
    assert code in mail.get_content().replace("-", "")

    response = client.get(f"/mes-certificats/{code}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    [url] = decode_qr(response.data)
    assert url == f"https://parcours.test/verify/{code}"
    client.post("/deconnexion")
    path = url.removeprefix("https://parcours.test")
    assert "Certificat valide" in page(client.get(path))

    login(make_user(role=Role.ADMIN))
    client.post(f"/certificats/{code}", data={"revoke-reason": "Doublon", "revoke-submit": "1"})
    client.post("/deconnexion")
    public = page(client.get(path))
    assert "Certificat révoqué" in public
    assert "Doublon" in public
    # The PDF, downloaded again, says so too.
    login(learner)
    text = PdfReader(io.BytesIO(client.get(f"/mes-certificats/{code}.pdf").data)).pages[0]
    text = " ".join(text.extract_text().split())
    assert "RÉVOQUÉ" in text
    assert "Doublon" in text


def test_downloaded_badge_is_checked_by_the_verification_page(
    client, login, make_user, certificate, db_session
):
    login(certificate.user)
    token = client.get(f"/mes-certificats/{certificate.code}/open-badge.jwt").get_data(as_text=True)
    client.post("/deconnexion")
    response = client.post("/verify/badge", data={"credential": token})
    body = page(response)
    assert response.status_code == 200
    assert "Certificat valide" in body
    assert "signature du badge numérique a été vérifiée" in body

    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature]
    )
    response = client.post("/verify/badge", data={"credential": forged})
    assert response.status_code == 422
    assert "Badge non valide" in page(response)
    assert client.post("/verify/badge", data={"credential": ""}).status_code == 422

    login(make_user(role=Role.ADMIN))
    client.post(
        f"/certificats/{certificate.code}", data={"revoke-reason": "Erreur", "revoke-submit": "1"}
    )
    client.post("/deconnexion")
    body = page(client.post("/verify/badge", data={"credential": token}))
    assert "Certificat révoqué" in body
    assert "authentique" in body


def test_credential_id_resolves_to_the_verification_page(client, certificate):
    response = client.get(f"/credentials/{certificate.code}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.code}")
