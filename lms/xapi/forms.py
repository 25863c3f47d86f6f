from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms.xapi.clients import Scope

SCOPE_LABELS = {
    Scope.STATEMENTS_WRITE: _l("Écrire des déclarations"),
    Scope.STATEMENTS_READ_MINE: _l("Lire ses propres déclarations"),
    Scope.STATEMENTS_READ: _l("Lire toutes les déclarations"),
    Scope.STATE: _l("Documents d'état (state)"),
    Scope.PROFILE: _l("Profils d'activité et d'agent"),
    Scope.ALL: _l("Tout (lecture et écriture)"),
}


class LRSClientForm(FlaskForm):
    name = StringField(
        _l("Nom du client"),
        validators=[DataRequired(_l("Donnez un nom au client.")), Length(max=120)],
        description=_l("L'outil ou le partenaire qui utilisera ces identifiants."),
    )
    scopes = SelectMultipleField(
        _l("Portées"),
        choices=[SelectChoice(scope.value, label) for scope, label in SCOPE_LABELS.items()],
        default=[Scope.STATEMENTS_WRITE.value, Scope.STATEMENTS_READ_MINE.value],
        validators=[DataRequired(_l("Choisissez au moins une portée."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
