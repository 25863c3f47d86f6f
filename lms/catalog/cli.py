from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.catalog.loader import PackageError, import_packages, read_packages
from lms.catalog.loader.reader import MANIFEST_NAME
from lms.extensions import db


def package_paths(path: Path) -> list[Path]:
    """A package folder, or every package folder inside a folder of packages."""
    if (path / MANIFEST_NAME).is_file():
        return [path]
    return sorted(child for child in path.iterdir() if (child / MANIFEST_NAME).is_file())


def import_courses(path: Path) -> list:
    """Validate then import the packages at `path`; raises PackageError. Flushes only."""
    paths = package_paths(path) if path.is_dir() else [path]
    if not paths:
        raise click.ClickException(f"{path}: no course package ({MANIFEST_NAME}) found")
    return import_packages(read_packages(paths))


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
        click.echo(line)
