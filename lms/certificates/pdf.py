"""The certificate as a PDF: one A4 landscape page, in French, with a QR code to verify it.

Pure Python (fpdf2, segno) and no app context needed, so jobs and benchmarks render too.
The text is French whatever the reader's language, as is its date: a certificate is one
document, the same for everyone it is shown to.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import TTFFont

from lms.certificates.models import Certificate, CertificateKind
from lms.core.typography import french_spacing

PARIS = ZoneInfo("Europe/Paris")
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "dejavusans"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# The characters kept from the bundled fonts: the scripts fpdf2 lays out without a shaping
# engine (Latin, Greek, Cyrillic, Armenian, Georgian), punctuation, currencies and common
# symbols. Left out: right-to-left scripts, which fpdf2 would print backwards, and
# pictographic blocks (box drawing, Braille, tiles…). Subsetting a font of 6 000 glyphs
# costs twice as much as one of 3 000, for every PDF.
_REPERTOIRE = (
    (0x0020, 0x058F),
    (0x10A0, 0x10FF),
    (0x1D00, 0x1FFF),
    (0x2000, 0x22FF),
    (0x25A0, 0x27BF),
    (0x2C60, 0x2C7F),
    (0x2D00, 0x2D2F),
    (0x2DE0, 0x2DFF),
    (0xA640, 0xA69F),
    (0xA720, 0xA7FF),
    (0xFB00, 0xFB06),
    (0xFFFD, 0xFFFD),
)

# Millimetres, on an A4 landscape page (297 × 210).
PAGE_W, PAGE_H = 297.0, 210.0
FRAME = 10.0  # the outer frame, from the page edge
INNER = 13.0  # the inner hairline frame
LEFT, RIGHT = 30.0, PAGE_W - 30.0
WIDTH = RIGHT - LEFT
TOP = 24.0
FOOTER_TOP = 148.0
FOOTER_BOTTOM = PAGE_H - INNER - 5
QR_SIZE = 30.0
URL_W = 75.0  # the address under the QR code, right-aligned
FOOTER_TEXT_W = WIDTH - URL_W - 6  # never under the address
PT = 25.4 / 72  # one point
LEADING = 1.25  # line height / font size
SCALES = (1.0, 0.92, 0.85, 0.78, 0.7, 0.62, 0.55, 0.5)

Colour = tuple[int, int, int]
INK: Colour = (33, 37, 41)
MUTED: Colour = (95, 99, 104)
ACCENT: Colour = (31, 58, 95)
RED: Colour = (176, 0, 32)
WHITE: Colour = (255, 255, 255)


@dataclass(frozen=True)
class CertificateDocument:
    """What the page shows; built from a certificate, or by hand for a preview or a bench."""

    learner_name: str
    parcours_title: str
    kind: str  # "parcours" or "level"
    level_titles: list[str]
    completed_on: date
    issuer_name: str
    network_name: str | None
    display_code: str
    verification_url: str
    revoked_on: date | None = None
    revoked_reason: str | None = None

    @property
    def is_level(self) -> bool:
        return self.kind == CertificateKind.LEVEL.value


def document_for(certificate: Certificate, verification_url: str) -> CertificateDocument:
    """The document of a certificate, its dates as a reader in France sees them."""
    return CertificateDocument(
        learner_name=certificate.learner_name,
        parcours_title=certificate.parcours_title,
        kind=CertificateKind(certificate.kind).value,
        level_titles=list(certificate.level_titles),
        completed_on=_paris_date(certificate.completed_at),
        issuer_name=certificate.issuer_name,
        network_name=certificate.network_name,
        display_code=certificate.display_code,
        verification_url=verification_url,
        revoked_on=_paris_date(certificate.revoked_at) if certificate.revoked_at else None,
        revoked_reason=certificate.revoked_reason,
    )


def _paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def french_date(day: date) -> str:
    """« 23 novembre 2026 », « 1er mars 2027 »: the first of a month is an ordinal."""
    text = format_date(day, "d MMMM y", locale="fr_FR")
    return "1er" + text[1:] if day.day == 1 else text


def render_certificate_pdf(document: CertificateDocument) -> bytes:
    """The certificate as a one-page PDF; a revoked one says so across its top."""
    title = "Attestation de niveau" if document.is_level else "Certificat de réussite"
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT, TOP, PAGE_W - RIGHT)
    pdf.set_title(f"{title} — {document.learner_name}")
    pdf.set_author(document.issuer_name)
    pdf.set_lang("fr")
    _add_fonts(pdf)
    pdf.add_page()

    top = TOP
    if document.revoked_on is not None:
        top = _draw_revoked(pdf, document) + 6
    _draw_frame(pdf, RED if document.revoked_on is not None else ACCENT)
    _draw_body(pdf, document, title, top)
    _draw_footer(pdf, document)
    return bytes(pdf.output())


# -- Fonts ---------------------------------------------------------------------------------


@cache
def _font_data(style: str) -> bytes:
    """The bundled font reduced to the repertoire, once per process (0.1 s)."""
    # Bounding boxes kept as they are: recomputing them recompiles every glyph (0.5 s).
    ttfont = ttLib.TTFont(FONTS_DIR / _FONT_FILES[style], recalcTimestamp=False, recalcBBoxes=False)
    # fpdf2 drops the layout tables when it embeds a font (it lays text out without them):
    # gone before subsetting, they cost nothing to subset, here or in every PDF.
    for tag in ("GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM"):
        if tag in ttfont:
            del ttfont[tag]
    options = subset.Options(
        glyph_names=True,  # post format 2: glyph names are read, not rebuilt from the cmap
        notdef_outline=True,
        recommended_glyphs=True,
        name_IDs=["*"],
        name_languages=["*"],
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in _REPERTOIRE for c in range(low, high + 1)])
    subsetter.subset(ttfont)
    buffer = io.BytesIO()
    ttfont.save(buffer)
    return buffer.getvalue()


def _add_fonts(pdf: FPDF) -> None:
    """What `add_font` does, from the reduced fonts in memory: `add_font` reads files only.

    Parsing a reduced font costs a third of parsing the whole one, and fpdf2 subsets each
    font again when it writes the PDF: that is most of the time a PDF takes (2 × 15 ms).
    """
    for style in _FONT_FILES:
        fontkey = f"{FAMILY}{style}"
        pdf.fonts[fontkey] = TTFFont(pdf, io.BytesIO(_font_data(style)), fontkey, style)


# -- Text that fits its box ----------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A text at the size where it fits its width, the space after it, and its colour."""

    text: str
    style: str
    size: float
    lines: int
    width: float
    gap: float = 0.0
    colour: Colour = INK

    @property
    def line_height(self) -> float:
        return self.size * PT * LEADING

    @property
    def height(self) -> float:
        return self.lines * self.line_height


def _fit(
    pdf: FPDF,
    text: str,
    style: str,
    size: float,
    width: float,
    max_lines: int,
    gap: float = 0.0,
    colour: Colour = INK,
) -> _Block:
    """The text at the largest size, from `size` down by half points, at which it wraps to
    at most `max_lines` lines of `width`. Never cut: a longer text only gets smaller."""
    text = french_spacing(" ".join(text.split()))
    pdf.set_font(FAMILY, style, size)
    room = width - 2 * pdf.c_margin
    natural = pdf.get_string_width(text)
    # Half a millimetre to spare: measured and drawn widths may round differently.
    if natural <= room - 0.5:
        return _Block(text, style, size, 1, width, gap, colour)
    # No size above this one can fit: the lines would not hold the text end to end.
    size = min(size, int(size * max_lines * room / natural * 2) / 2)
    while True:
        pdf.set_font(FAMILY, style, size)
        lines = len(
            pdf.multi_cell(
                width, size * PT * LEADING, text, dry_run=True, output=MethodReturnValue.LINES
            )
        )
        if lines <= max_lines or size <= 3:
            return _Block(text, style, size, lines, width, gap, colour)
        size -= 0.5


def _stack(build: Callable[[float], list[_Block]], room: float) -> list[_Block]:
    """The blocks at the largest scale at which, stacked, they fit `room` millimetres."""
    for scale in SCALES:
        blocks = build(scale)
        if _height(blocks) <= room:
            return blocks
    return blocks


def _height(blocks: list[_Block]) -> float:
    return sum(block.height + block.gap for block in blocks)


def _write(pdf: FPDF, block: _Block, x: float, y: float, align: str = "C") -> float:
    """Write the block at (x, y); returns the y below it and its gap."""
    pdf.set_font(FAMILY, block.style, block.size)
    pdf.set_text_color(*block.colour)
    pdf.set_xy(x, y)
    if block.lines == 1:  # a third of the time multi_cell takes
        pdf.cell(block.width, block.line_height, block.text, align=align)
    else:
        pdf.multi_cell(block.width, block.line_height, block.text, align=align)
    return y + block.height + block.gap


# -- The page ------------------------------------------------------------------------------


def _draw_frame(pdf: FPDF, colour: Colour) -> None:
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.6)
    pdf.rect(FRAME, FRAME, PAGE_W - 2 * FRAME, PAGE_H - 2 * FRAME)
    pdf.set_line_width(0.2)
    pdf.rect(INNER, INNER, PAGE_W - 2 * INNER, PAGE_H - 2 * INNER)


def _draw_revoked(pdf: FPDF, document: CertificateDocument) -> float:
    """A red banner across the top of the page; returns the y below it."""
    what = "ATTESTATION RÉVOQUÉE" if document.is_level else "CERTIFICAT RÉVOQUÉ"
    text = f"{what} le {french_date(document.revoked_on)}"
    if document.revoked_reason and document.revoked_reason.strip():
        text += f" — motif : {document.revoked_reason.strip()}"
    pad, banner_w = 3.0, PAGE_W - 2 * INNER
    block = _fit(pdf, text, "B", 13, banner_w - 2 * (pad + 4), 3, colour=WHITE)
    pdf.set_fill_color(*RED)
    pdf.rect(INNER, INNER, banner_w, block.height + 2 * pad, style="F")
    return _write(pdf, block, INNER + pad + 4, INNER + pad) + pad


def _draw_body(pdf: FPDF, document: CertificateDocument, title: str, top: float) -> None:
    """Title, learner, parcours and levels, centred in the space above the footer; all
    of it smaller when it does not fit (long name, title and levels, a revocation)."""
    awarded = "décernée à" if document.is_level else "décerné à"
    reason = (
        "pour avoir validé un niveau du parcours"
        if document.is_level
        else "pour avoir suivi avec succès le parcours"
    )
    if document.is_level:
        label = "Niveau attesté"
    else:
        label = "Niveau validé" if len(document.level_titles) == 1 else "Niveaux validés"

    def build(scale: float) -> list[_Block]:
        blocks = [
            _fit(pdf, title, "B", 30 * scale, WIDTH, 1, 9 * scale, ACCENT),
            _fit(pdf, awarded, "", 13 * scale, WIDTH, 1, 2 * scale, MUTED),
            _fit(pdf, document.learner_name, "B", 26 * scale, WIDTH, 2, 5 * scale),
            _fit(pdf, reason, "", 13 * scale, WIDTH, 1, 2 * scale, MUTED),
            _fit(pdf, document.parcours_title, "B", 17 * scale, WIDTH, 3, 6 * scale),
        ]
        if document.level_titles:
            blocks.append(_fit(pdf, label.upper(), "B", 8.5 * scale, WIDTH, 1, 1.5, MUTED))
            blocks.extend(
                _fit(pdf, level, "", 11 * scale, WIDTH, 2, 0.8 * scale)
                for level in document.level_titles
            )
        return blocks

    room = FOOTER_TOP - 5 - top
    blocks = _stack(build, room)
    y = top + max(0.0, (room - _height(blocks)) / 2)
    for index, block in enumerate(blocks):
        y = _write(pdf, block, LEFT, y)
        if index == 0:  # a short rule under the title
            pdf.set_draw_color(*ACCENT)
            pdf.set_line_width(0.4)
            rule_y = y - block.gap / 2
            pdf.line(PAGE_W / 2 - 20, rule_y, PAGE_W / 2 + 20, rule_y)


def _draw_footer(pdf: FPDF, document: CertificateDocument) -> None:
    """Issuer, date and code on the left; the QR code and its address on the right."""
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.2)
    pdf.line(LEFT, FOOTER_TOP, RIGHT, FOOTER_TOP)

    issuer = f"Délivré par {document.issuer_name}"
    if document.network_name:
        issuer += f" et {document.network_name}"
    done = "Niveau validé" if document.is_level else "Parcours achevé"
    done += f" le {french_date(document.completed_on)}"
    how = "Scannez le code QR ou saisissez ce code sur la page de vérification."
    w = FOOTER_TEXT_W

    def build(scale: float) -> list[_Block]:
        return [
            _fit(pdf, issuer, "B", 11.5 * scale, w, 2, 1.2 * scale),
            _fit(pdf, done, "", 11 * scale, w, 1, 5 * scale),
            _fit(pdf, "CODE DE VÉRIFICATION", "B", 7.5 * scale, w, 1, 0.6, MUTED),
            _fit(pdf, document.display_code, "B", 16 * scale, w, 1, 1.2 * scale, ACCENT),
            _fit(pdf, how, "", 8 * scale, w, 2, 0, MUTED),
        ]

    y = FOOTER_TOP + 7
    for block in _stack(build, FOOTER_BOTTOM - y):
        y = _write(pdf, block, LEFT - pdf.c_margin, y, align="L")

    qr_y = FOOTER_TOP + 6
    _draw_qr(pdf, document.verification_url, RIGHT - QR_SIZE, qr_y, QR_SIZE)
    # An address reads best whole on one line; broken in two rather than unreadably small.
    url = _fit(pdf, document.verification_url, "", 7, URL_W, 1, colour=MUTED)
    if url.size < 5.5:
        url = _fit(pdf, document.verification_url, "", 7, URL_W, 2, colour=MUTED)
    _write(pdf, url, RIGHT - URL_W + pdf.c_margin, qr_y + QR_SIZE + 1.5, align="R")


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles, one per run of dark modules in a row: sharp at
    any zoom, and no seams between modules when a viewer anti-aliases."""
    matrix = segno.make(url, error="m", micro=False).matrix
    module = size / len(matrix)
    pdf.set_fill_color(*INK)
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            pdf.rect(x + start * module, y + row * module, (col - start) * module, module, "F")
