"""Languages at run time: the N_ marker, and numbers formatted for the reader's language.

French is the source language (every msgid is French); lms/translations/en holds the English
catalog, maintained with `flask lms translations` (lms.core.translations,
docs/translations.md).
"""

from decimal import Decimal

from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from flask import Flask
from flask_babel import get_locale, get_translations, gettext
from jinja2 import pass_context
from jinja2.runtime import Context


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


def install_template_gettext(app: Flask) -> None:
    """Give templates a `_()` that finds the request's catalog once per page.

    Flask-Babel's template callables look the catalog up on every message (the app
    context's namespace, the locale, its identifier, the cache): a learner's page shows
    about a hundred messages, and those look-ups were a quarter of its rendering. The
    catalog is put in each template's context once; a macro imported without context
    falls back to the look-up.
    """

    @app.context_processor
    def catalog() -> dict:
        return {"_catalog": get_translations()}

    def translations(context: Context):
        found = context.get("_catalog")
        return found if found is not None else get_translations()

    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda context, s: translations(context).ugettext(s)),
        ngettext=pass_context(lambda context, s, p, n: translations(context).ungettext(s, p, n)),
        pgettext=pass_context(lambda context, c, s: translations(context).upgettext(c, s)),
        npgettext=pass_context(
            lambda context, c, s, p, n: translations(context).unpgettext(c, s, p, n)
        ),
        newstyle=True,
    )
