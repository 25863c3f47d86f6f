"""Drive the workshop as a trainer would, through its pages."""

import io
import re

from lms.authoring.models import ParcoursDraft
from lms.catalog.models import Parcours
from lms.extensions import db

# A minimal PDF: what a trainer's document starts with.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# A Windows executable's header.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

QUESTIONS = {
    "single_choice": {
        "prompt": "Quel levier relève des partenariats ?",
        "rows": [("Les alliances", True, ""), ("La fiscalité", False, "")],
    },
    "multiple_choice": {
        "prompt": "Lesquels sont des leviers ?",
        "rows": [
            ("Richesses humaines", True, ""),
            ("Financements", True, ""),
            ("Météo", False, ""),
        ],
    },
    "true_false": {"prompt": "Le bénévolat est rémunéré.", "answer_bool": "false"},
    "matching": {
        "prompt": "Associez chaque engagement à son cadre.",
        "rows": [
            ("Bénévolat", False, "Sans rémunération"),
            ("Volontariat", False, "Avec indemnité"),
        ],
    },
    "ordering": {
        "prompt": "Remettez les temps dans l'ordre.",
        "rows": [("Webinaire", False, ""), ("Autodiagnostic", False, ""), ("Ateliers", False, "")],
    },
    "numeric": {
        "prompt": "En quelle année la loi ESS ?",
        "answer_number": "2014",
        "tolerance": "0",
    },
}


def draft_of(slug: str) -> ParcoursDraft:
    db.session.expire_all()
    parcours = db.session.scalar(db.select(Parcours).where(Parcours.slug == slug))
    return db.session.get(ParcoursDraft, parcours.id)


def create_parcours(client, slug="mon-parcours", title="Mon parcours"):
    return client.post(
        "/atelier/nouveau", data={"slug": slug, "title": title, "summary": "Un résumé."}
    )


def add_module(client, slug, module_slug, level="connaissances", title="Premier module"):
    return client.post(
        f"/atelier/{slug}/modules",
        data={"module-level": level, "module-slug": module_slug, "module-title": title},
    )


def save_module(client, slug, module_slug, version, **changes):
    data = {
        "version": str(version),
        "title": "Premier module",
        "duration": "20",
        "levers": ["alliances"],
        "body": "# Bienvenue\n\nUn **contenu**.\n",
    }
    data.update(changes)
    return client.post(f"/atelier/{slug}/modules/{module_slug}", data=data)


def upload(client, slug, module_slug, data: bytes, filename: str, title="Guide"):
    return client.post(
        f"/atelier/{slug}/modules/{module_slug}/fichiers",
        data={
            "upload-title": title,
            "upload-kind": "document",
            "upload-file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def create_quiz(client, slug, module_slug, version, **settings):
    data = {"version": str(version), "title": "", "pass_mark": "", "max_attempts": ""}
    data.update(settings)
    return client.post(f"/atelier/{slug}/modules/{module_slug}/quiz", data=data)


def question_data(kind: str, key: str, version: int) -> dict:
    spec = QUESTIONS[kind]
    data = {
        "version": str(version),
        "key": key,
        "prompt": spec["prompt"],
        "explanation": f"Explication de {key}.",
        "levers": ["alliances"],
    }
    for index, (text, correct, match) in enumerate(spec.get("rows", [])):
        data[f"rows-{index}-text"] = text
        data[f"rows-{index}-match"] = match
        if correct:
            data[f"rows-{index}-correct"] = "y"
    for name in ("answer_bool", "answer_number", "tolerance"):
        if name in spec:
            data[name] = spec[name]
    return data


def add_question(client, slug, module_slug, kind, key, version):
    return client.post(
        f"/atelier/{slug}/modules/{module_slug}/quiz/questions/nouvelle/{kind}",
        data=question_data(kind, key, version),
    )


def publish(client, slug):
    return client.post(f"/atelier/{slug}/publier")


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden {name}"
    return match.group(1)
