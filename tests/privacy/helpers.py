"""Privacy test helpers: learners in a cohort, the export read back, statements posted."""

import io
import json
import uuid
import zipfile

from flask import current_app

from lms.networks.enrolment import add_member
from lms.networks.models import MemberSource


def join(cohort, user) -> None:
    add_member(
        cohort,
        email=user.email,
        name=user.name,
        structure_id=cohort.network.structures[0].id,
        source=MemberSource.CSV,
        actor=None,
        notify=False,
    )


def read_zip(data: bytes) -> dict:
    """The archive's files: JSON files parsed, README.txt as text."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            files[name] = json.loads(text) if name.endswith(".json") else text
    return files


def account(public_id: str) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": current_app.config["LMS_BASE_URL"], "name": public_id},
    }


def outside_statement(actor: dict, instructor: dict | None = None) -> dict:
    """A statement an outside tool sends about one of our learners."""
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://outil.example.org/videos/1"},
    }
    if instructor is not None:
        statement["context"] = {"instructor": instructor}
    return statement
