import io
from email import policy
from email.parser import BytesParser
from pathlib import Path

from tests.learning.helpers import all_modules, complete_module, enroll


def complete_parcours(client, parcours) -> None:
    enroll(client, parcours)
    for module in all_modules(parcours):
        complete_module(client, parcours, module)


def sent_mail(app) -> list:
    """The messages the development backend wrote, oldest first."""
    folder = Path(app.config["MAIL_FILE_DIR"])
    messages = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        messages.append(BytesParser(policy=policy.default).parse(io.BytesIO(path.read_bytes())))
    return messages


def clear_mail(app) -> None:
    for path in Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"):
        path.unlink()


def decode_qr(pdf_bytes: bytes) -> list[str]:
    """Render the PDF's first page and read every QR code on it, as a phone would."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]
