"""Languages at run time: the N_ marker, and numbers formatted for the reader's language.

French is the source language (every msgid is French); lms/translations/en holds the English
catalog, maintained with `flask lms translations` (lms.core.translations,
docs/translations.md).
"""

from decimal import Decimal

from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale, gettext


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
