"""The certificate PDF: what a reader sees on it, what a phone reads from its QR code."""

import io
import logging
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pypdf
import pypdfium2
import pytest
import zxingcpp

from lms.certificates.models import Certificate, CertificateKind
from lms.certificates.pdf import (
    CertificateDocument,
    document_for,
    french_date,
    render_certificate_pdf,
)

NAME = "Anne-Sœur Œdipe-Łukasiewicz de la Grande-Écluse-sur-Mer"
TITLE_160 = (
    "Accompagner les structures de l’économie sociale et solidaire : modèles économiques, "
    "hybridation des ressources, coopération territoriale et évaluation d’impact"
)
URL = "https://parcours.test/verify/7KQ2M9XH4TPB"
LEVELS = [
    "Connaissances — Comprendre les modèles socio-économiques d'intérêt général",
    "Compétences — Accompagner une structure sur son modèle",
    "Expertise — Outiller, orienter et animer l'écosystème",
]
MM = 72 / 25.4  # points per millimetre
INNER_FRAME = 13 * MM  # the inner frame, from the page edge


def a_document(**changes) -> CertificateDocument:
    document = CertificateDocument(
        learner_name="Marie-Hélène Lefèvre",
        parcours_title="Modèles socio-économiques d'intérêt général",
        kind="parcours",
        level_titles=LEVELS,
        completed_on=date(2026, 11, 23),
        issuer_name="Parcours",
        network_name=None,
        display_code="7KQ2-M9XH-4TPB",
        verification_url=URL,
    )
    return replace(document, **changes)


LONGEST = a_document(
    learner_name=NAME,
    parcours_title=TITLE_160,
    network_name="Réseau des ressourceries et recycleries d’Île-de-France et des Hauts-de-France",
    revoked_on=date(2026, 12, 3),
    revoked_reason=(
        "Le parcours a été validé par erreur : les réponses aux quiz ont été partagées entre "
        "plusieurs apprenants de la même structure, ce que le règlement interdit."
    ),
)


def text_of(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def words(text: str) -> str:
    """The text with every run of spaces and line breaks as one space: wrapping aside."""
    return " ".join(text.split())


def test_long_name_and_title_are_printed_whole():
    assert len(TITLE_160) == 160
    text = text_of(render_certificate_pdf(a_document(learner_name=NAME, parcours_title=TITLE_160)))

    assert NAME in words(text)
    assert TITLE_160 in words(text)
    for letter in ("œ", "Œ", "Ł", "É", "’"):
        assert letter in text
    # Too long for one line, the title is wrapped (not cut) to at most three lines.
    assert 1 <= printed(TITLE_160, text).count("\n") <= 2


@pytest.mark.parametrize("copies", [1, 3])
def test_name_takes_two_lines_at_most_and_title_three(copies):
    name, title = " ".join([NAME] * copies), " ".join([TITLE_160] * copies)
    text = text_of(render_certificate_pdf(a_document(learner_name=name, parcours_title=title)))

    assert printed(name, text).count("\n") <= 1
    assert printed(title, text).count("\n") <= 2


def printed(expected: str, text: str) -> str:
    """Where the text holds `expected`, line breaks included; fails if it does not."""
    match = re.search(r"\s+".join(map(re.escape, expected.split())), text)
    assert match, f"{expected!r} not in {text!r}"
    return match.group()


def test_every_french_and_central_european_letter_has_a_glyph(caplog):
    letters = "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»’–—…"
    latin_extended_a = "".join(chr(c) for c in range(0x0100, 0x0180))
    name = f"{letters} {latin_extended_a[:64]} {latin_extended_a[64:]}"

    with caplog.at_level(logging.WARNING, logger="fpdf"):
        text = text_of(render_certificate_pdf(a_document(learner_name=name)))

    assert name in words(text)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]


def test_one_a4_landscape_page():
    reader = pypdf.PdfReader(io.BytesIO(render_certificate_pdf(LONGEST)))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)


@pytest.mark.parametrize("document", [a_document(), LONGEST], ids=["short", "longest"])
def test_qr_code_leads_to_the_verification_page(document):
    pdf = pypdfium2.PdfDocument(render_certificate_pdf(document))
    try:
        image = pdf[0].render(scale=200 / 72).to_pil()
    finally:
        pdf.close()

    assert [result.text for result in zxingcpp.read_barcodes(image)] == [URL]


def test_shows_date_code_issuer_and_levels():
    text = words(text_of(render_certificate_pdf(a_document())))

    assert "Certificat de réussite" in text
    assert "décerné à Marie-Hélène Lefèvre" in text
    assert "pour avoir suivi avec succès le parcours" in text
    assert "le 23 novembre 2026" in text
    assert "7KQ2-M9XH-4TPB" in text
    assert URL in text
    assert "Délivré par Parcours" in text
    for level in LEVELS:
        assert level in text


def test_names_the_network_beside_the_platform():
    text = words(text_of(render_certificate_pdf(a_document(network_name="France Active"))))

    assert "Délivré par Parcours et France Active" in text


def test_level_attestation():
    document = a_document(kind="level", level_titles=LEVELS[1:2])
    text = words(text_of(render_certificate_pdf(document)))

    assert "Attestation de niveau" in text
    assert "Certificat de réussite" not in text
    assert "Niveau attesté".upper() in text
    assert LEVELS[1] in text
    assert LEVELS[0] not in text


def test_revoked_certificate_says_so_with_date_and_reason():
    document = a_document(revoked_on=date(2026, 12, 3), revoked_reason="Fraude aux quiz.")
    text = words(text_of(render_certificate_pdf(document)))

    assert "CERTIFICAT RÉVOQUÉ le 3 décembre 2026 — motif : Fraude aux quiz." in text


def test_valid_certificate_says_nothing_of_revocation():
    text = text_of(render_certificate_pdf(a_document()))

    assert "révoqu" not in text.lower()


@pytest.mark.parametrize(
    "document",
    [
        a_document(),
        LONGEST,
        # Beyond what the database holds (120 and 200 characters): still on the page.
        replace(
            LONGEST,
            learner_name=" ".join([NAME] * 3),
            parcours_title=" ".join([TITLE_160] * 2),
            network_name=" ".join([LONGEST.network_name] * 2),
            verification_url="https://formation.reseau-des-accompagnateurs.example.org"
            "/plateforme/parcours/verify/7KQ2M9XH4TPB",
        ),
        replace(LONGEST, learner_name="W" * 120, kind="level", level_titles=LEVELS[:1]),
    ],
    ids=["short", "longest", "beyond-limits", "one-long-word"],
)
def test_text_stays_inside_the_frame_and_never_overlaps(document):
    pdf = pypdfium2.PdfDocument(render_certificate_pdf(document))
    try:
        page = pdf[0]
        width, height = page.get_size()
        textpage = page.get_textpage()
        chars = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
        # pdfium's text rectangles: one per run of text on a line.
        lines = [textpage.get_rect(i) for i in range(textpage.count_rects())]
    finally:
        pdf.close()

    assert len(lines) > 10
    for left, bottom, right, top in chars:
        assert INNER_FRAME <= left <= right <= width - INNER_FRAME
        assert INNER_FRAME <= bottom <= top <= height - INNER_FRAME
    for i, line in enumerate(lines):
        for other in lines[i + 1 :]:
            assert not _overlap(line, other), (line, other)


def _overlap(a, b) -> bool:
    (left, bottom, right, top), (left2, bottom2, right2, top2) = a, b
    return min(right, right2) > max(left, left2) and min(top, top2) > max(bottom, bottom2)


def test_document_for_a_certificate_in_paris_time():
    certificate = Certificate(
        code="7KQ2M9XH4TPB",
        kind=CertificateKind.LEVEL,
        learner_name=NAME,
        parcours_title=TITLE_160,
        level_titles=LEVELS[:1],
        issuer_name="Parcours",
        network_name="France Active",
        # Late evening in UTC, the next day in Paris.
        completed_at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
        revoked_at=datetime(2027, 6, 30, 22, 15, tzinfo=UTC),
        revoked_reason="Fraude aux quiz.",
    )

    document = document_for(certificate, URL)

    assert document == CertificateDocument(
        learner_name=NAME,
        parcours_title=TITLE_160,
        kind="level",
        level_titles=LEVELS[:1],
        completed_on=date(2026, 11, 24),
        issuer_name="Parcours",
        network_name="France Active",
        display_code="7KQ2-M9XH-4TPB",
        verification_url=URL,
        revoked_on=date(2027, 7, 1),
        revoked_reason="Fraude aux quiz.",
    )


def test_french_dates():
    assert french_date(date(2026, 11, 23)) == "23 novembre 2026"
    assert french_date(date(2027, 3, 1)) == "1er mars 2027"
    assert french_date(date(2027, 8, 15)) == "15 août 2027"
