"""Write validated packages to the catalogue, idempotently.

Content is matched on stable keys (parcours slug, level key, module slug, question id) and
updated in place, so learners' enrolments, attempts and progress keep pointing at the same
rows. What a package no longer lists is archived, never deleted.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.catalog.files import store_file
from lms.catalog.loader.reader import ModuleSource, PackageSource
from lms.catalog.loader.schema import QuestionSpec
from lms.catalog.models import Level, LevelKey, Module, Parcours, Question, Quiz, Resource
from lms.extensions import db


@dataclass
class ImportReport:
    slug: str
    created: bool
    modules: int = 0
    questions: int = 0
    archived_modules: list[str] = field(default_factory=list)
    # Set by the caller once learners' progress is reconciled with the new content.
    completions_recorded: int = 0


def import_packages(packages: list[PackageSource]) -> list[ImportReport]:
    """Import already validated packages; flushes, the caller commits."""
    return [_import_package(package) for package in packages]


def _import_package(package: PackageSource) -> ImportReport:
    manifest = package.manifest
    parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == manifest.slug))
    report = ImportReport(slug=manifest.slug, created=parcours is None)
    if parcours is None:
        parcours = Parcours(slug=manifest.slug)
        db.session.add(parcours)
    parcours.title = manifest.title
    parcours.summary = manifest.summary
    parcours.language = manifest.language
    parcours.pass_mark = manifest.pass_mark
    parcours.issues_level_attestations = manifest.level_attestations
    db.session.flush()

    levels = {level.key: level for level in parcours.levels}
    modules_by_slug = {
        module.slug: module
        for module in db.session.scalars(sa.select(Module).where(Module.parcours_id == parcours.id))
    }
    sources = {module.slug: module for module in package.modules}

    for position, level_spec in enumerate(manifest.levels, start=1):
        key = LevelKey(level_spec.key)
        level = levels.get(key)
        if level is None:
            level = Level(parcours=parcours, key=key)
            db.session.add(level)
        level.position = position
        level.title = level_spec.title
        level.summary = level_spec.summary
        db.session.flush()
        for module_position, slug in enumerate(level_spec.modules, start=1):
            module = modules_by_slug.get(slug)
            if module is None:
                module = Module(parcours_id=parcours.id, slug=slug)
                db.session.add(module)
                modules_by_slug[slug] = module
            _update_module(package, module, level, module_position, sources[slug], report)
            report.modules += 1
    _update_bank(package, parcours, report)

    for slug, module in modules_by_slug.items():
        if slug not in sources and not module.is_archived:
            module.is_archived = True
            report.archived_modules.append(slug)
    db.session.flush()
    # The read-only collections (a level's modules, a quiz's questions) filter out archived
    # rows in SQL: reload them, so that what follows in this transaction sees the new content.
    for level in parcours.levels:
        db.session.expire(level, ["modules"])
    for module in modules_by_slug.values():
        if module.quiz is not None:
            db.session.expire(module.quiz, ["questions"])
    return report


def _update_bank(package: PackageSource, parcours: Parcours, report: ImportReport) -> None:
    existing = {
        question.key: question
        for question in db.session.scalars(
            sa.select(Question).where(Question.bank_parcours_id == parcours.id)
        )
    }
    specs = package.bank.questions if package.bank is not None else []
    for position, spec in enumerate(specs, start=1):
        question = existing.pop(spec.id, None)
        if question is None:
            question = Question(bank_parcours_id=parcours.id, key=spec.id)
            db.session.add(question)
        _update_question(question, spec, position)
        report.questions += 1
    # Kept archived: attempts that drew them still point at them.
    for question in existing.values():
        question.is_archived = True
    db.session.flush()


def _update_question(question: Question, spec: QuestionSpec, position: int) -> None:
    question.position = position
    question.type = spec.type
    question.prompt = spec.prompt
    question.explanation = spec.explanation
    question.levers = [lever.value for lever in spec.levers]
    question.choices = spec.stored_choices()
    is_numeric = spec.type == "numeric"
    question.numeric_answer = float(spec.answer) if is_numeric else None
    question.numeric_tolerance = float(spec.tolerance or 0) if is_numeric else None
    question.is_archived = False


def _update_resources(package: PackageSource, module: Module, source: ModuleSource) -> None:
    """Update resources in place by position: rewriting the same list changes no row."""
    existing = list(module.resources)
    for position, spec in enumerate(source.front.resources, start=1):
        # Stored first: storing flushes, and a half-filled resource must not be flushed.
        stored = None
        if spec.file is not None:
            file = package.files[spec.file]
            stored = store_file(module.parcours_id, file.data, file.kind)
        if position <= len(existing):
            resource = existing[position - 1]
        else:
            resource = Resource(position=position, title=spec.title, url="")
            module.resources.append(resource)
        resource.position = position
        resource.title = spec.title
        resource.kind = spec.kind
        resource.url = spec.url or ""
        resource.file_sha256 = stored.sha256 if stored is not None else None
        resource.file_name = spec.file.rpartition("/")[2] if spec.file is not None else None
    # Resources past the new end are orphans, deleted by the cascade.
    del module.resources[len(source.front.resources) :]


def _update_module(
    package: PackageSource,
    module: Module,
    level: Level,
    position: int,
    source: ModuleSource,
    report: ImportReport,
) -> None:
    front = source.front
    module.level_id = level.id
    module.position = position
    module.title = front.title
    module.duration_minutes = front.duration
    module.levers = [lever.value for lever in front.levers]
    module.body_markdown = source.body_markdown
    module.body_html = source.body_html
    module.is_archived = False
    db.session.flush()
    _update_resources(package, module, source)
    db.session.flush()

    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.module_id == module.id))
    if source.quiz is None:
        if quiz is not None:
            quiz.is_archived = True
        return
    spec = source.quiz
    if quiz is None:
        quiz = Quiz(module_id=module.id)
        db.session.add(quiz)
    quiz.title = spec.title or f"Quiz — {front.title}"
    quiz.pass_mark = spec.pass_mark
    quiz.max_attempts = spec.max_attempts
    quiz.shuffle_choices = spec.shuffle_choices
    quiz.draw_count = spec.draw.count if spec.draw is not None else None
    quiz.draw_levers = [lever.value for lever in spec.draw.levers] if spec.draw else []
    quiz.is_archived = False
    db.session.flush()

    existing = {
        question.key: question
        for question in db.session.scalars(sa.select(Question).where(Question.quiz_id == quiz.id))
    }
    for position_in_quiz, question_spec in enumerate(spec.questions, start=1):
        question = existing.pop(question_spec.id, None)
        if question is None:
            question = Question(quiz_id=quiz.id, key=question_spec.id)
            db.session.add(question)
        _update_question(question, question_spec, position_in_quiz)
        report.questions += 1
    for question in existing.values():
        question.is_archived = True
    db.session.flush()
