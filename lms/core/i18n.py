"""Languages: the message catalogs, how messages are found in the sources, and numbers
formatted for the reader's language.

French is the source language (every msgid is French); `translations/en` holds the English
catalog. docs/translations.md tells how to update it after adding strings.
"""

from decimal import Decimal
from pathlib import Path

from babel.lists import format_list
from babel.messages.frontend import CommandLineInterface
from babel.numbers import format_decimal, format_percent
from flask import current_app
from flask.cli import AppGroup
from flask_babel import get_locale, gettext

from config import ROOT

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"
# The functions whose string arguments are messages (pybabel extract -k …). The default
# keywords cover _, gettext and ngettext; N_ marks a msgid translated later (see N_).
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "N_")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "no-op" markers
    """Mark `message` for extraction without translating it now: it is stored or passed
    on as a msgid (a session cookie, a job name) and translated where it is shown."""
    return message


def percent(value: float | int | None, digits: int = 0) -> str:
    """A share out of 100 as the reader's language writes it: « 12,5 % », "12.5%"."""
    if value is None:
        return ""
    share = Decimal(str(round(float(value), digits))) / 100
    return format_percent(share, locale=get_locale(), decimal_quantization=False)


def number(value: float | int | None, digits: int = 0, *, keep_zeros: bool = True) -> str:
    """A number with `digits` decimals in the reader's language: « 0,25 », "0.25"; without
    its trailing zeros if not `keep_zeros` (« 1,5 », « 10 »)."""
    if value is None:
        return ""
    pattern = "#,##0." + ("0" if keep_zeros else "#") * digits if digits else "#,##0"
    return format_decimal(value, pattern, locale=get_locale())


def figures(items: list[tuple[object, float | int]], *, as_percent: bool = False) -> str:
    """Labelled figures as a sentence, a chart's text alternative: « Inscrits : 3, Commencé : 2
    et Terminé : 1 », "Enrolled: 3, Started: 2, and Completed: 1"."""
    parts = [
        gettext("%(label)s : %(value)s", label=label, value=percent(value) if as_percent else value)
        for label, value in items
    ]
    return format_list(parts, locale=get_locale())


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", *args])


def pot_path() -> Path:
    return Path(current_app.instance_path) / f"{DOMAIN}.pot"


translations_group = AppGroup(
    "translations", help="Extract, update and compile the message catalogs."
)


@translations_group.command("update")
def update_command() -> None:
    """Extract the messages from the sources and merge them into every catalog (.po).

    New messages arrive untranslated, changed ones marked fuzzy: translate them in
    lms/translations/<lang>/LC_MESSAGES/messages.po, then run `flask lms translations compile`.
    """
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pot = str(pot_path())
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
