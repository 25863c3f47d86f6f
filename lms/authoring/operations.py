"""Trainers' state changes on drafts, publishing and package import. They flush; the caller
commits. A save carries the version the trainer started from: if someone saved in between,
it raises EditConflictError and changes nothing."""

import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import Role, User
from lms.authoring.drafts import draft_package, fill_draft, published_fingerprint
from lms.authoring.models import ModuleDraft, ParcoursDraft
from lms.catalog.files import check_file, store_file
from lms.catalog.loader import PackageError, import_packages, read_package
from lms.catalog.loader.errors import LoadError
from lms.catalog.loader.importer import ImportReport
from lms.catalog.models import LEVEL_ORDER, Parcours, ParcoursOwner
from lms.catalog.ownership import can_edit, is_owner
from lms.catalog.package import package_files, unzip_package, write_files
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError, Forbidden
from lms.core.i18n import N_
from lms.extensions import db
from lms.progress.operations import reconcile_progress

# Msgids: a new parcours' levels are titled in its author's language (then they are content).
DEFAULT_LEVEL_TITLES = {
    "connaissances": N_("Connaissances"),
    "competences": N_("Compétences"),
    "expertise": N_("Expertise"),
}


class EditConflictError(Conflict):
    """Someone saved this part of the draft since the trainer opened it."""


class PublishedChangedError(Conflict):
    """The published content changed under the draft (an import)."""


class PublishError(DomainError):
    """The draft is not a valid package; `errors` lists the loader's findings."""

    status = 422

    def __init__(self, errors: list[LoadError]) -> None:
        super().__init__(_("Le brouillon ne peut pas être publié : corrigez ces points."))
        self.errors = errors


def create_parcours(user: User, slug: str, title: str, summary: str) -> Parcours:
    """A new parcours, unpublished, owned by `user`, with its draft and three levels."""
    if db.session.scalar(sa.select(Parcours.id).where(Parcours.slug == slug)) is not None:
        raise Conflict(_("L'identifiant « %(slug)s » est déjà pris.", slug=slug))
    parcours = Parcours(slug=slug, title=title, summary=summary, is_published=False)
    db.session.add(parcours)
    db.session.flush()
    db.session.add(ParcoursOwner(parcours_id=parcours.id, user_id=user.id))
    draft = ParcoursDraft(
        parcours_id=parcours.id,
        based_on=None,
        manifest={
            "slug": slug,
            "title": title,
            "summary": summary,
            "language": "fr",
            "pass_mark": 70,
            "level_attestations": False,
            "levels": [
                {"key": key.value, "title": _(DEFAULT_LEVEL_TITLES[key.value]), "summary": ""}
                for key in LEVEL_ORDER
            ],
        },
        structure={key.value: [] for key in LEVEL_ORDER},
        bank=[],
        files={},
        has_changes=True,
        updated_by_id=user.id,
    )
    db.session.add(draft)
    db.session.flush()
    # What is "published" now (nothing): an import of the same slug from the CLI would
    # change it, and publishing this draft over it is then refused (see publish).
    draft.based_on = published_fingerprint(parcours)
    db.session.flush()
    return parcours


def get_draft(parcours: Parcours) -> ParcoursDraft:
    """The parcours' draft, made from the published content the first time."""
    draft = db.session.get(ParcoursDraft, parcours.id)
    if draft is None:
        draft = ParcoursDraft(
            parcours_id=parcours.id,
            manifest={},
            structure={},
            bank=[],
            files={},
            version=0,
            bank_version=0,
        )
        db.session.add(draft)
        fill_draft(draft, parcours)
        db.session.flush()
    return draft


def _check_version(current: int, expected: int, what: str, by_id: int | None) -> None:
    if current != expected:
        by = db.session.get(User, by_id) if by_id is not None else None
        who = by.name if by is not None else _("quelqu'un")
        raise EditConflictError(
            _(
                "%(what)s a été modifié par %(who)s depuis que vous l'avez ouvert. Vos "
                "modifications n'ont pas été enregistrées : rechargez la page pour voir la "
                "nouvelle version, puis refaites vos changements.",
                what=what,
                who=who,
            )
        )


def _locked(instance):
    # Serialise saves of the same part: the version check and the write are one step.
    # Every change takes the draft's lock first (then the module's): it waits for a
    # publish in progress, and reads the draft as the publish left it.
    db.session.refresh(instance, with_for_update=True)
    return instance


def _touch(draft: ParcoursDraft, user: User) -> None:
    draft.has_changes = True
    draft.updated_at = utcnow()
    draft.updated_by_id = user.id


def save_parcours(
    draft: ParcoursDraft, user: User, version: int, manifest_fields: dict, levels: list[dict]
) -> None:
    """Title, summary, pass mark, attestations and the three levels' titles and summaries."""
    _locked(draft)
    _check_version(draft.version, version, _("Le parcours"), draft.updated_by_id)
    manifest = dict(draft.manifest)
    manifest.update(manifest_fields)
    manifest["levels"] = levels
    draft.manifest = manifest
    draft.version += 1
    _touch(draft, user)
    db.session.flush()


def add_module(
    draft: ParcoursDraft, user: User, level_key: str, slug: str, title: str
) -> ModuleDraft:
    _locked(draft)
    if draft.module(slug) is not None or db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ModuleDraft)
        .where(ModuleDraft.parcours_id == draft.parcours_id, ModuleDraft.slug == slug)
    ):
        raise Conflict(_("Un module a déjà l'identifiant « %(slug)s ».", slug=slug))
    module = ModuleDraft(
        slug=slug,
        front={"title": title, "duration": 15, "levers": []},
        body_markdown="",
        quiz=None,
        updated_by_id=user.id,
    )
    draft.modules.append(module)
    structure = {key: list(slugs) for key, slugs in draft.structure.items()}
    structure.setdefault(level_key, []).append(slug)
    draft.structure = structure
    _touch(draft, user)
    db.session.flush()
    return module


def move_module(draft: ParcoursDraft, user: User, slug: str, offset: int) -> None:
    """Move a module up (-1) or down (+1) within its level."""
    _locked(draft)
    structure = {key: list(slugs) for key, slugs in draft.structure.items()}
    for slugs in structure.values():
        if slug in slugs:
            index = slugs.index(slug)
            target = index + offset
            if 0 <= target < len(slugs):
                slugs[index], slugs[target] = slugs[target], slugs[index]
            break
    draft.structure = structure
    _touch(draft, user)
    db.session.flush()


def remove_module(draft: ParcoursDraft, user: User, module: ModuleDraft) -> None:
    """Remove from the draft; once published, the live module is archived, never deleted."""
    _locked(draft)
    draft.structure = {
        key: [slug for slug in slugs if slug != module.slug]
        for key, slugs in draft.structure.items()
    }
    draft.modules.remove(module)
    _touch(draft, user)
    db.session.flush()


def save_module(
    module: ModuleDraft,
    user: User,
    version: int,
    *,
    title: str,
    duration: int,
    levers: list[str],
    body_markdown: str,
) -> None:
    _locked(module.draft)
    _locked(module)
    _check_version(module.version, version, _("Ce module"), module.updated_by_id)
    front = dict(module.front)
    front.update({"title": title, "duration": duration, "levers": levers})
    module.front = front
    module.body_markdown = body_markdown.replace("\r\n", "\n")
    module.version += 1
    module.updated_at = utcnow()
    module.updated_by_id = user.id
    _touch(module.draft, user)
    db.session.flush()


def add_link(module: ModuleDraft, user: User, title: str, url: str, kind: str) -> None:
    _locked(module.draft)
    _add_resource(module, user, {"title": title, "url": url, "kind": kind})


def add_file(
    module: ModuleDraft, user: User, title: str, kind: str, filename: str, data: bytes
) -> str:
    """Check and store an uploaded file, and list it in the module's resources.

    Raises FileRejectedError (nothing stored) for a file whose content is not an accepted
    format, whose extension lies about it, or over the size limit. Returns its package path.
    """
    file_type = check_file(filename, data)
    draft = _locked(module.draft)
    stored = store_file(module.parcours_id, data, file_type)
    name = _file_name(draft, filename, stored.sha256)
    draft.files = {**draft.files, name: stored.sha256}
    _add_resource(module, user, {"title": title, "file": name, "kind": kind})
    return name


def _file_name(draft: ParcoursDraft, filename: str, sha256: str) -> str:
    """A safe, unique package path for the file (the same content keeps its name)."""
    stem = Path(filename).stem
    suffix = Path(filename).suffix.lower()
    safe = "".join(c if c.isalnum() and c.isascii() or c in "-_" else "-" for c in stem)
    safe = safe.strip("-_.")[:60] or "fichier"
    candidate, counter = f"fichiers/{safe}{suffix}", 1
    while candidate in draft.files and draft.files[candidate] != sha256:
        counter += 1
        candidate = f"fichiers/{safe}-{counter}{suffix}"
    return candidate


def _add_resource(module: ModuleDraft, user: User, resource: dict) -> None:
    front = dict(module.front)
    front["resources"] = [*front.get("resources", []), resource]
    module.front = front
    module.updated_at = utcnow()
    _touch(module.draft, user)
    db.session.flush()


def resource_key(resource: dict) -> str:
    """What names a resource in a module: its file, or its address."""
    return resource.get("file") or resource.get("url") or ""


def remove_resource(module: ModuleDraft, user: User, index: int, key: str) -> bool:
    """Remove the resource shown at `index` if it is still the one named `key` (else the
    first one so named): a position alone may point elsewhere after a concurrent change.
    Returns False when no such resource is left."""
    _locked(module.draft)
    _locked(module)
    front = dict(module.front)
    resources = list(front.get("resources", []))
    keys = [resource_key(resource) for resource in resources]
    if not (0 <= index < len(keys) and keys[index] == key):
        if key not in keys:
            return False
        index = keys.index(key)
    resources.pop(index)
    if resources:
        front["resources"] = resources
    else:
        front.pop("resources", None)
    module.front = front
    _touch(module.draft, user)
    db.session.flush()
    return True


def save_quiz_settings(
    module: ModuleDraft, user: User, version: int, settings: dict | None
) -> None:
    """Create, change or (with None) remove the module's quiz; questions are kept."""
    _locked(module.draft)
    _locked(module)
    _check_version(module.quiz_version, version, _("Ce quiz"), module.updated_by_id)
    if settings is None:
        module.quiz = None
    else:
        questions = (module.quiz or {}).get("questions", [])
        module.quiz = {**settings, **({"questions": questions} if questions else {})}
    module.quiz_version += 1
    module.updated_by_id = user.id
    _touch(module.draft, user)
    db.session.flush()


def save_question(
    module: ModuleDraft | None,
    draft: ParcoursDraft,
    user: User,
    version: int,
    question: dict,
    replaces: str | None,
) -> None:
    """Add a question (`replaces` None) or replace the question `replaces`, in the module's
    quiz or, with `module` None, in the bank. `question` is already validated."""
    _locked(draft)
    if module is not None:
        _locked(module)
    owner = module if module is not None else draft
    current = module.quiz_version if module is not None else draft.bank_version
    what = _("Ce quiz") if module is not None else _("Le contenu de la banque de questions")
    _check_version(current, version, what, owner.updated_by_id)
    questions = list((module.quiz or {}).get("questions", []) if module else draft.bank)
    keys = [item["id"] for item in questions]
    if question["id"] in keys and question["id"] != replaces:
        raise Conflict(_("Une question a déjà l'identifiant « %(id)s ».", id=question["id"]))
    if replaces is not None and replaces in keys:
        questions[keys.index(replaces)] = question
    else:
        questions.append(question)
    _store_questions(module, draft, user, questions)


def remove_question(module: ModuleDraft | None, draft: ParcoursDraft, user: User, key: str) -> None:
    _locked(draft)
    if module is not None:
        _locked(module)
    source = (module.quiz or {}).get("questions", []) if module else draft.bank
    _store_questions(module, draft, user, [item for item in source if item["id"] != key])


def _store_questions(
    module: ModuleDraft | None, draft: ParcoursDraft, user: User, questions: list[dict]
) -> None:
    if module is not None:
        quiz = dict(module.quiz or {})
        quiz["questions"] = questions
        module.quiz = quiz
        module.quiz_version += 1
        module.updated_by_id = user.id
    else:
        draft.bank = questions
        draft.bank_version += 1
    _touch(draft, user)
    db.session.flush()


def publish(draft: ParcoursDraft, user: User) -> ImportReport:
    """Validate the draft as a package and import it, as the CLI would.

    Content is matched on stable keys: learners' progress and attempts stay; removed
    modules and questions are archived; completions the change makes due are recorded
    through the write path. Raises PublishError listing what to fix.
    """
    # Saves wait while the draft is published: what is marked published is what was.
    _locked(draft)
    seen = draft.updated_at
    empty = [
        LoadError(
            "parcours.yaml",
            None,
            f"levels[{index}].modules",
            _(
                "le niveau « %(title)s » n'a aucun module : chaque niveau en a au moins un.",
                title=level["title"],
            ),
        )
        for index, level in enumerate(draft.manifest["levels"])
        if not draft.structure.get(level["key"])
    ]
    if empty:
        raise PublishError(empty)
    parcours = draft.parcours
    if draft.based_on is not None and draft.based_on != published_fingerprint(parcours):
        raise PublishedChangedError(
            _(
                "La version publiée a changé depuis que ce brouillon a été commencé (import "
                "d'un paquet) : publier ce brouillon annulerait ce changement. Repartez de la "
                "version publiée, puis refaites vos modifications."
            )
        )
    files = package_files(draft_package(draft))
    report = _import_files(files)
    parcours.is_published = True
    db.session.refresh(draft, ["updated_at"])
    # A change saved meanwhile (a database without row locks) stays to be published.
    draft.has_changes = draft.updated_at != seen
    draft.published_at = utcnow()
    draft.updated_by_id = user.id
    db.session.flush()
    db.session.expire(parcours)
    draft.based_on = published_fingerprint(parcours)
    db.session.flush()
    return report


def follow_published(draft: ParcoursDraft) -> bool:
    """A draft without changes follows the published content when it changed otherwise
    (an import): there is nothing of the trainers' to lose. Returns whether it did."""
    if not draft.has_changes and draft.based_on != published_fingerprint(draft.parcours):
        fill_draft(draft, draft.parcours)
        db.session.flush()
        return True
    return False


def discard_draft(draft: ParcoursDraft, user: User) -> None:
    """Start again from the published content; the draft's changes are dropped."""
    _locked(draft)
    fill_draft(draft, draft.parcours)
    draft.updated_by_id = user.id
    db.session.flush()


def _import_files(files: dict[str, bytes]) -> ImportReport:
    with tempfile.TemporaryDirectory(prefix="parcours-publish-") as folder:
        root = Path(folder) / "package"
        write_files(files, root)
        try:
            package = read_package(root)
        except PackageError as error:
            raise PublishError(_relative(error.errors, root)) from error
        (report,) = import_packages([package])
    parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == report.slug))
    report.completions_recorded = reconcile_progress(parcours)
    return report


def _relative(errors: list[LoadError], root: Path) -> list[LoadError]:
    prefixes = (str(root.resolve()) + "/", str(root) + "/")
    result = []
    for error in errors:
        file = error.file
        for prefix in prefixes:
            file = file.removeprefix(prefix)
        result.append(LoadError(file, error.line, error.field, error.message))
    return result


def import_zip(user: User, data: bytes) -> tuple[Parcours, ImportReport]:
    """Import an uploaded package (zip) with the CLI's validator and importer.

    A new slug makes `user` its owner; an existing one must be theirs to edit. A draft
    without changes becomes a copy of what was imported. Raises PublishError listing the
    loader's errors.
    """
    with tempfile.TemporaryDirectory(prefix="parcours-import-") as folder:
        root = unzip_package(data, Path(folder))
        try:
            package = read_package(root)
        except PackageError as error:
            raise PublishError(_relative(error.errors, root)) from error
        slug = package.manifest.slug
        existing = db.session.scalar(sa.select(Parcours).where(Parcours.slug == slug))
        if existing is not None and not can_edit(user, existing):
            raise Forbidden(
                _("Le parcours « %(slug)s » existe et vous n'en êtes pas propriétaire.", slug=slug)
            )
        (report,) = import_packages([package])
    parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == slug))
    report.completions_recorded = reconcile_progress(parcours)
    if existing is None:
        parcours.is_published = False
        db.session.add(ParcoursOwner(parcours_id=parcours.id, user_id=user.id))
    draft = db.session.get(ParcoursDraft, parcours.id)
    db.session.flush()
    db.session.expire(parcours)
    if draft is None:
        get_draft(parcours)
    elif not draft.has_changes:
        fill_draft(draft, parcours)
    # A draft with changes is kept: publishing it is refused until a trainer starts again
    # from what was just imported (see publish), so neither side is silently lost.
    db.session.flush()
    return parcours, report


def add_owner(parcours: Parcours, user: User) -> None:
    if user.role not in {Role.TRAINER, Role.ADMIN}:
        raise DomainError(_("Seul un formateur ou une formatrice peut posséder un parcours."))
    if not is_owner(user, parcours):
        db.session.add(ParcoursOwner(parcours_id=parcours.id, user_id=user.id))
        db.session.flush()
