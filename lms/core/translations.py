"""`flask lms translations`: keep the message catalogs in step with the sources.

update extracts the messages and merges them into each catalog; todo and apply let a
translator fill what is new or changed as one JSON file instead of hunting through the .po;
compile writes the .mo files the app reads (committed, see docs/translations.md).
"""

import io
import json
import re
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po
from flask import current_app
from flask.cli import AppGroup

from config import ROOT

TRANSLATIONS_DIR = ROOT / "lms" / "translations"
DOMAIN = "messages"
# The functions whose string arguments are messages (pybabel extract -k …). Babel's default
# keywords cover _, gettext, ngettext and N_ (lms.core.i18n.N_).
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "N_")
# %(name)s, %(n)d, %(m)02d, %s and the escaped %%: what Python's % formatting reads.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXoeEgGc]|%%")

translations_group = AppGroup("translations", help="Maintain the message catalogs.")
_directory_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=TRANSLATIONS_DIR,
    help="The catalogs' directory.",
)


def po_path(lang: str, directory: Path = TRANSLATIONS_DIR) -> Path:
    return directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, lang: str) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=lang)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", *args])


@translations_group.command("update")
def update_command() -> None:
    """Extract the messages from the sources and merge them into every catalog (.po).

    New messages arrive untranslated, changed ones marked fuzzy (with a guess): see
    `flask lms translations todo`.
    """
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pot = str(Path(current_app.instance_path) / f"{DOMAIN}.pot")
    _pybabel(
        "extract", "-F", str(ROOT / "babel.cfg"), *keywords, "--no-location",
        "--sort-output", "--project", "Parcours", "--copyright-holder", "Parcours",
        "-o", pot, str(ROOT),
    )  # fmt: skip
    _pybabel(
        "update", "-i", pot, "-d", str(TRANSLATIONS_DIR), "-D", DOMAIN,
        "--no-wrap", "--ignore-obsolete",
    )  # fmt: skip


@translations_group.command("compile")
def compile_command() -> None:
    """Compile every catalog (.po) into the .mo files the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS_DIR), "-D", DOMAIN, "--statistics")


@translations_group.command("todo")
@click.option("--lang", default="en", show_default=True)
@_directory_option
def todo_command(lang: str, directory: Path) -> None:
    """Print, as JSON, the messages left to translate: {msgid: ""} for a new one,
    {msgid: guess} for a fuzzy one, a list of two forms for a plural."""
    todo = {}
    for message in read_catalog(po_path(lang, directory), lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.id, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            todo[key] = list(strings) if isinstance(message.id, tuple) else message.string
    click.echo(json.dumps(todo, ensure_ascii=False, indent=1))


@translations_group.command("apply")
@click.argument("translations", type=click.File(encoding="utf-8"))
@click.option("--lang", default="en", show_default=True)
@_directory_option
def apply_command(translations, lang: str, directory: Path) -> None:
    """Write the translations of a JSON file ({msgid: translation}, as `todo` prints it,
    filled in) into the catalog, marked reviewed. Checks each before writing any."""
    try:
        given = json.load(translations)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"not JSON: {error}") from None
    path = po_path(lang, directory)
    catalog = read_catalog(path, lang)
    problems = []
    for msgid, translation in given.items():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"{msgid!r}: no such message (run update first?)")
            continue
        plural = isinstance(message.id, tuple)
        forms = translation if isinstance(translation, list) else [translation]
        if plural != isinstance(translation, list) or not all(
            isinstance(form, str) and form for form in forms
        ):
            problems.append(f"{msgid!r}: give {'a list of 2 forms' if plural else 'a string'}")
            continue
        expected = placeholders(message.id[-1] if plural else message.id)
        if any(placeholders(form) != expected for form in forms):
            problems.append(f"{msgid!r}: the placeholders must be {expected}")
            continue
        message.string = tuple(forms) if plural else translation
        message.flags.discard("fuzzy")
    if problems:
        raise click.ClickException("nothing written:\n" + "\n".join(problems))
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0)
    path.write_bytes(buffer.getvalue())
    click.echo(f"{len(given)} translation(s) written; now run `flask lms translations compile`.")
