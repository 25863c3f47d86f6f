"""Template filters and globals shared by every page."""

from datetime import datetime

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from lms.catalog.models import LevelKey, Lever
from lms.core.i18n import figures, number, percent
from lms.core.typography import french_spacing

LEVER_LABELS = {
    Lever.RICHESSES_HUMAINES.value: _l("Richesses humaines"),
    Lever.FINANCEMENTS.value: _l("Financements"),
    Lever.ALLIANCES.value: _l("Alliances"),
}

LEVEL_LABELS = {
    LevelKey.CONNAISSANCES.value: _l("Connaissances"),
    LevelKey.COMPETENCES.value: _l("Compétences"),
    LevelKey.EXPERTISE.value: _l("Expertise"),
}

RESOURCE_KIND_LABELS = {
    "lien": _l("Lien"),
    "fiche-action": _l("Fiche-action"),
    "kit": _l("Kit pratique"),
    "document": _l("Document"),
}


def _date(value: datetime | None) -> str:
    return format_date(value, "long") if value else ""


def _datetime(value: datetime | None) -> str:
    # The pattern is a message: each language orders day, month and hour its own way.
    return format_datetime(value, gettext("d MMMM yyyy 'à' HH:mm")) if value else ""


def _duration(minutes: int) -> str:
    if minutes < 60:
        return _l("%(n)d min", n=minutes)
    hours, rest = divmod(minutes, 60)
    return _l("%(h)d h %(m)02d", h=hours, m=rest) if rest else _l("%(h)d h", h=hours)


def _typo(value: object) -> str:
    # Translated sentences arrive as Markup (their arguments already escaped): keep them
    # Markup, or they would be escaped twice. french_spacing only swaps spaces.
    if isinstance(value, Markup):
        return Markup(french_spacing(str(value)))  # noqa: S704 - input already safe
    return french_spacing(str(value))


def register(app: Flask) -> None:
    app.add_template_filter(_date, "date")
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_duration, "duration")
    app.add_template_filter(_typo, "typo")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(number, "number")
    app.add_template_filter(figures, "figures")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(LEVER_LABELS, "lever_labels")
    app.add_template_global(LEVEL_LABELS, "level_labels")
    app.add_template_global(RESOURCE_KIND_LABELS, "resource_kind_labels")
