"""Course packages as data: built from the catalogue, written as the files of a `courses/`
package, zipped, and unzipped safely.

The files are written canonically (fixed key order, fixed YAML style, zip entries sorted
with a fixed date), so that exporting, importing and exporting again gives the same bytes.
"""

import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _

from lms.catalog.files import ZIP_READ_ERRORS, read_blob
from lms.catalog.loader.reader import BANK_NAME, MANIFEST_NAME
from lms.catalog.loader.schema import FILE_DIR
from lms.catalog.models import Module, Parcours, Question, QuestionType, Quiz
from lms.catalog.questions import format_number
from lms.core.errors import DomainError
from lms.extensions import db

# What an uploaded package may hold: generous for a parcours, small for a server.
logger = logging.getLogger(__name__)

MAX_ENTRIES = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass
class PackageData:
    """The content of a package: `manifest` is parcours.yaml (with each level's module
    list), `modules` maps each slug to its front matter and Markdown body, `quizzes` and
    `bank` hold the quiz files and banque.yaml's questions, `files` the resource files."""

    manifest: dict
    modules: dict[str, tuple[dict, str]] = field(default_factory=dict)
    quizzes: dict[str, dict] = field(default_factory=dict)
    bank: list[dict] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


class _Dumper(yaml.SafeDumper):
    """Block style; text on several lines as a literal block, so Markdown stays readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: object) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000, indent=2
    )


# --- From the catalogue ------------------------------------------------------------------


def question_data(question: Question) -> dict:
    """A question in the file format (docs/course-format.md)."""
    data: dict = {"id": question.key, "type": question.type.value, "prompt": question.prompt}
    if question.levers:
        data["levers"] = list(question.levers)
    kind = question.type
    if kind == QuestionType.TRUE_FALSE:
        data["answer"] = "true" in question.correct_choice_ids
    elif kind == QuestionType.MATCHING:
        data["pairs"] = [
            {"id": c["id"], "left": c["text"], "right": c["match"]} for c in question.choices
        ]
    elif kind == QuestionType.ORDERING:
        data["items"] = [{"id": c["id"], "text": c["text"]} for c in question.choices]
    elif kind == QuestionType.NUMERIC:
        data["answer"] = number_value(question.numeric_answer or 0)
        if question.numeric_tolerance:
            data["tolerance"] = number_value(question.numeric_tolerance)
    else:
        data["choices"] = [
            {"id": c["id"], "text": c["text"], **({"correct": True} if c.get("correct") else {})}
            for c in question.choices
        ]
    data["explanation"] = question.explanation
    return data


def number_value(value: float) -> int | float:
    """2014 rather than 2014.0 in the files."""
    text = format_number(float(value))
    return int(text) if "." not in text else float(text)


def quiz_data(quiz: Quiz) -> dict:
    data: dict = {"title": quiz.title}
    if quiz.pass_mark is not None:
        data["pass_mark"] = quiz.pass_mark
    if quiz.max_attempts is not None:
        data["max_attempts"] = quiz.max_attempts
    if quiz.shuffle_choices:
        data["shuffle_choices"] = True
    if quiz.draw_count:
        data["draw"] = {"count": quiz.draw_count}
        if quiz.draw_levers:
            data["draw"]["levers"] = list(quiz.draw_levers)
    questions = [question_data(question) for question in quiz.questions]
    if questions:
        data["questions"] = questions
    return data


def module_front(module: Module) -> dict:
    front: dict = {
        "title": module.title,
        "duration": module.duration_minutes,
        "levers": list(module.levers),
    }
    resources = []
    for resource in module.resources:
        entry: dict = {"title": resource.title}
        if resource.file_name:
            entry["file"] = f"{FILE_DIR}/{resource.file_name}"
        else:
            entry["url"] = resource.url
        entry["kind"] = resource.kind
        resources.append(entry)
    if resources:
        front["resources"] = resources
    return front


def manifest_data(parcours: Parcours) -> dict:
    return {
        "slug": parcours.slug,
        "title": parcours.title,
        "summary": parcours.summary,
        "language": parcours.language,
        "pass_mark": parcours.pass_mark,
        "level_attestations": parcours.issues_level_attestations,
        "levels": [
            {
                "key": level.key.value,
                "title": level.title,
                **({"summary": level.summary} if level.summary else {}),
                "modules": [module.slug for module in level.modules],
            }
            for level in parcours.levels
        ],
    }


def live_package(parcours: Parcours) -> PackageData:
    """The published content of a parcours, as a package."""
    data = PackageData(manifest=manifest_data(parcours))
    for level in parcours.levels:
        for module in level.modules:
            data.modules[module.slug] = (module_front(module), module.body_markdown)
            if module.quiz is not None and not module.quiz.is_archived:
                data.quizzes[module.slug] = quiz_data(module.quiz)
            for resource in module.resources:
                if resource.file_sha256 and resource.file_name:
                    data.files[f"{FILE_DIR}/{resource.file_name}"] = read_blob(resource.file_sha256)
    bank = db.session.scalars(
        sa.select(Question)
        .where(Question.bank_parcours_id == parcours.id, Question.is_archived.is_(False))
        .order_by(Question.position, Question.id)
    ).all()
    data.bank = [question_data(question) for question in bank]
    return data


# --- Files and zips -------------------------------------------------------------------------


def package_files(data: PackageData) -> dict[str, bytes]:
    """Every file of the package, by its path inside the package."""
    files = {MANIFEST_NAME: dump_yaml(data.manifest).encode()}
    for slug, (front, body) in data.modules.items():
        text = f"---\n{dump_yaml(front)}---\n{body}"
        files[f"modules/{slug}.md"] = text.encode()
    for slug, quiz in data.quizzes.items():
        files[f"quizzes/{slug}.yaml"] = dump_yaml(quiz).encode()
    if data.bank:
        files[BANK_NAME] = dump_yaml({"questions": data.bank}).encode()
    files.update(data.files)
    return files


def write_files(files: dict[str, bytes], target: Path) -> None:
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def zip_files(slug: str, files: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the files: one folder named after the slug, as in
    `courses/`, entries sorted, a fixed date and fixed permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{slug}/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, files[name])
    return buffer.getvalue()


class BadArchiveError(DomainError):
    status = 422


def _unpack(archive: zipfile.ZipFile, target: Path) -> None:
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_ENTRIES:
        raise BadArchiveError(_("L'archive contient trop de fichiers."))
    if sum(info.file_size for info in entries) > MAX_UNPACKED_BYTES:
        raise BadArchiveError(_("L'archive est trop volumineuse une fois décompressée."))
    folders = {str(parent) for info in entries for parent in PurePosixPath(info.filename).parents}
    for info in entries:
        if str(PurePosixPath(info.filename)) in folders:
            raise BadArchiveError(
                _(
                    "« %(name)s » est à la fois un fichier et un dossier dans l'archive.",
                    name=info.filename,
                )
            )
    for info in entries:
        name = PurePosixPath(info.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
            raise BadArchiveError(_("Chemin refusé dans l'archive : %(name)s", name=info.filename))
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise BadArchiveError(
                _("Lien symbolique refusé dans l'archive : %(name)s", name=info.filename)
            )
        if name.parts[0] in {"__MACOSX"} or name.name == ".DS_Store":
            continue
        path = target.joinpath(*name.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(archive.read(info))


def unzip_package(data: bytes, target: Path) -> Path:
    """Unpack an uploaded zip into `target` and return the package folder inside it.

    Refuses what is not a zip, paths that climb out of the folder, links, and archives too
    large once unpacked; the package is the zip's root or its one top folder.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_READ_ERRORS:
        raise BadArchiveError(_("Ce fichier n'est pas une archive zip.")) from None
    try:
        with archive:
            _unpack(archive, target)
    except ZIP_READ_ERRORS as error:
        logger.info("Unreadable package archive: %r", error)
        raise BadArchiveError(
            _(
                "L'archive est endommagée ou ne peut pas être lue (fichier abîmé, chiffré "
                "ou compressé d'une façon non prise en charge). Recréez-la avec l'outil "
                "« Compresser » de votre système, sans mot de passe, puis importez-la de "
                "nouveau."
            )
        ) from None
    if (target / MANIFEST_NAME).is_file():
        return target
    folders = [child for child in target.iterdir() if child.is_dir()]
    if len(folders) == 1 and (folders[0] / MANIFEST_NAME).is_file():
        return folders[0]
    raise BadArchiveError(
        _(
            "Aucun manifeste %(name)s à la racine de l'archive ni dans son dossier.",
            name=MANIFEST_NAME,
        )
    )
