from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif de la révocation"),
        validators=[DataRequired(_l("Indiquez le motif de la révocation.")), Length(max=1000)],
        description=_l("Il sera affiché sur la page de vérification publique."),
    )


class ReinstateForm(FlaskForm):
    note = StringField(_l("Note (facultative)"), validators=[Length(max=500)])


class BadgeForm(FlaskForm):
    credential = TextAreaField(
        _l("Badge numérique (contenu du fichier .jwt)"),
        validators=[
            DataRequired(_l("Collez le contenu du fichier .jwt du badge.")),
            Length(max=20000),
        ],
    )
