from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms.catalog.loader import ImportReport, PackageError, import_packages, read_packages
from lms.catalog.loader.reader import MANIFEST_NAME
from lms.catalog.models import Parcours
from lms.catalog.operations import add_owner
from lms.core.errors import DomainError
from lms.extensions import db
from lms.progress.operations import reconcile_progress


def package_paths(path: Path) -> list[Path]:
    """A package folder, or every package folder inside a folder of packages."""
    if (path / MANIFEST_NAME).is_file():
        return [path]
    return sorted(child for child in path.iterdir() if (child / MANIFEST_NAME).is_file())


def import_courses(path: Path) -> list[ImportReport]:
    """Validate then import the packages at `path`, and record the completions the new
    content makes due for enrolled learners. Raises PackageError. Flushes only."""
    paths = package_paths(path) if path.is_dir() else [path]
    if not paths:
        raise click.ClickException(f"{path}: no course package ({MANIFEST_NAME}) found")
    reports = import_packages(read_packages(paths))
    for report in reports:
        parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == report.slug))
        report.completions_recorded = reconcile_progress(parcours)
    return reports


@click.command("import-course")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@with_appcontext
def import_course_command(path: Path | None) -> None:
    """Import or update course packages (a package folder, or a folder of packages).

    Every package is validated before anything is written; on any error nothing changes.
    """
    path = path or Path(current_app.config["COURSES_DIR"])
    try:
        reports = import_courses(path)
    except PackageError as error:
        db.session.rollback()
        for problem in error.errors:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(error.errors)} error(s): nothing was imported, the database is unchanged"
        ) from error
    db.session.commit()
    for report in reports:
        action = "created" if report.created else "updated"
        line = f"{report.slug}: {action}, {report.modules} modules, {report.questions} questions"
        if report.archived_modules:
            line += f", archived: {', '.join(report.archived_modules)}"
        if report.completions_recorded:
            line += f", {report.completions_recorded} completion(s) now due recorded"
        click.echo(line)


@click.command("add-owner")
@click.argument("slug")
@click.argument("email")
@with_appcontext
def add_owner_command(slug: str, email: str) -> None:
    """Make the trainer with EMAIL an owner of the parcours SLUG."""
    try:
        add_owner(slug, email)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"{email} now owns {slug}.")
