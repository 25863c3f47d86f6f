from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.forms import NewPasswordForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NetworkForm(FlaskForm):
    name = StringField(
        _l("Nom du réseau"),
        filters=[_strip],
        validators=[DataRequired(_l("Indiquez le nom du réseau.")), Length(max=200)],
    )


class ManagerForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Indiquez une adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    name = StringField(
        _l("Nom et prénom"),
        filters=[_strip],
        validators=[Length(max=120)],
        description=_l("Pour une personne sans compte : elle recevra une invitation."),
    )


class StructuresForm(FlaskForm):
    names = TextAreaField(
        _l("Structures à ajouter"),
        validators=[DataRequired(_l("Indiquez au moins une structure."))],
        description=_l("Une structure par ligne."),
    )


class CohortForm(FlaskForm):
    name = StringField(
        _l("Nom de la cohorte"),
        filters=[_strip],
        validators=[DataRequired(_l("Indiquez le nom de la cohorte.")), Length(max=200)],
    )
    parcours_id = SelectField(_l("Parcours"), coerce=int, validators=[InputRequired()])
    starts_on = DateField(_l("Début"), validators=[InputRequired(_l("Indiquez la date de début."))])
    ends_on = DateField(_l("Fin"), validators=[InputRequired(_l("Indiquez la date de fin."))])
    inactivity_days = IntegerField(
        _l("Alerte après combien de jours sans activité ou sans progression"),
        default=14,
        validators=[
            InputRequired(_l("Indiquez un nombre de jours.")),
            NumberRange(1, 365, _l("Entre 1 et 365 jours.")),
        ],
    )
    trainer_ids = SelectMultipleField(
        _l("Formateurs et formatrices"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class CohortSettingsForm(CohortForm):
    reminders_enabled = BooleanField(_l("Envoyer les rappels aux apprenants inactifs"))
    is_invitation_open = BooleanField(_l("Lien d'invitation ouvert"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("Fichier CSV"),
        validators=[FileRequired(_l("Choisissez un fichier CSV."))],
        description=_l(
            "Colonnes : e-mail, prénom, nom, structure (avec une ligne d'en-tête). "
            "UTF-8 avec ou sans BOM, séparateur virgule ou point-virgule."
        ),
    )


class JoinForm(FlaskForm):
    structure_id = SelectField(_l("Votre structure"), coerce=int, validators=[Optional()])


class SetPasswordForm(NewPasswordForm):
    """The password an invited person chooses on first visit."""
