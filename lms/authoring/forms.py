"""Authoring forms. Each save form carries the version it was opened at (conflicts)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.catalog.loader.schema import SLUG_PATTERN
from lms.core.templating import LEVEL_LABELS, LEVER_LABELS, RESOURCE_KIND_LABELS

SLUG_MESSAGE = _l("Minuscules, chiffres et tirets seulement (par exemple « mon-parcours »).")
VERSION_MESSAGE = _l(
    "Le formulaire envoyé est incomplet ou altéré : rechargez la page, puis refaites vos "
    "changements."
)


class VersionField(HiddenField):
    """The version the form was opened at (edit conflicts); anything but a small whole
    number is refused with a message instead of failing the save."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "validators", [Optional(), Regexp(r"^[0-9]{1,9}$", message=VERSION_MESSAGE)]
        )
        super().__init__(*args, **kwargs)

    @property
    def number(self) -> int:
        return int(self.data or 0)


def lever_choices() -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in LEVER_LABELS.items()]


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in RESOURCE_KIND_LABELS.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewParcoursForm(FlaskForm):
    slug = StringField(
        _l("Identifiant"),
        description=_l("Il sert dans les adresses et ne change plus une fois publié."),
        validators=[DataRequired(), Length(max=80), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)],
    )
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Résumé"), validators=[DataRequired()])


class LevelForm(Form):
    title = StringField(_l("Titre du niveau"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(_l("Une phrase de présentation"), validators=[Optional()])


class ParcoursForm(FlaskForm):
    version = VersionField()
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Résumé"), validators=[DataRequired()])
    pass_mark = IntegerField(
        _l("Seuil de réussite des quiz (%)"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    level_attestations = BooleanField(_l("Délivrer une attestation à chaque niveau terminé"))
    levels = FieldList(FormField(LevelForm), min_entries=3, max_entries=3)


class NewModuleForm(FlaskForm):
    level = SelectField(_l("Niveau"), choices=[SelectChoice(k, v) for k, v in LEVEL_LABELS.items()])
    slug = StringField(
        _l("Identifiant du module"),
        validators=[DataRequired(), Length(max=80), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE)],
    )
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=200)])


class ModuleForm(FlaskForm):
    version = VersionField()
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=200)])
    duration = IntegerField(
        _l("Durée estimée (minutes)"), validators=[InputRequired(), NumberRange(1, 600)]
    )
    levers = MultiCheckboxField(
        _l("Leviers travaillés"),
        choices=lever_choices(),
        validators=[DataRequired(_l("Choisissez au moins un levier."))],
    )
    body = TextAreaField(
        _l("Contenu (Markdown)"),
        description=_l("Titres avec ##, listes avec -, gras avec **texte**."),
        validators=[DataRequired()],
    )


class LinkForm(FlaskForm):
    title = StringField(_l("Titre du lien"), validators=[DataRequired(), Length(max=200)])
    url = StringField(
        _l("Adresse (https://…)"),
        validators=[DataRequired(), URL(message=_l("Une adresse complète, en http ou https."))],
    )
    kind = SelectField(_l("Type"), choices=kind_choices())


class UploadForm(FlaskForm):
    title = StringField(_l("Titre du document"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Type"), choices=kind_choices(), default="document")
    file = FileField(
        _l("Fichier (PDF, ODT, DOCX ou image)"),
        validators=[FileRequired(_l("Choisissez un fichier."))],
    )


class QuizSettingsForm(FlaskForm):
    version = VersionField()
    title = StringField(_l("Titre du quiz"), validators=[Optional(), Length(max=200)])
    pass_mark = IntegerField(
        _l("Seuil de réussite (%)"),
        description=_l("Vide : celui du parcours."),
        validators=[Optional(), NumberRange(0, 100)],
    )
    max_attempts = IntegerField(
        _l("Nombre de tentatives"),
        description=_l("Vide : illimité."),
        validators=[Optional(), NumberRange(1, 100)],
    )
    shuffle_choices = BooleanField(_l("Mélanger les choix à chaque tentative"))
    draw_count = IntegerField(
        _l("Questions tirées au hasard dans la banque"),
        description=_l("Vide : aucune."),
        validators=[Optional(), NumberRange(1, 100)],
    )
    draw_levers = MultiCheckboxField(
        _l("…parmi les questions des leviers"),
        description=_l("Aucun coché : tous les leviers."),
        choices=lever_choices(),
    )


class RowForm(Form):
    """One choice, pair or item of a question."""

    id = HiddenField()
    text = StringField(_l("Texte"))
    correct = BooleanField(_l("Bonne réponse"))
    match = StringField(_l("Réponse associée"))


class QuestionForm(FlaskForm):
    version = VersionField()
    key = StringField(
        _l("Identifiant"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9_-]+$", message=SLUG_MESSAGE),
        ],
    )
    prompt = TextAreaField(_l("Énoncé"), validators=[DataRequired()])
    explanation = TextAreaField(
        _l("Explication montrée après la réponse"), validators=[DataRequired()]
    )
    levers = MultiCheckboxField(_l("Leviers"), choices=lever_choices())
    rows = FieldList(FormField(RowForm), min_entries=6, max_entries=12)
    answer_bool = RadioField(
        _l("Réponse"),
        choices=[SelectChoice("true", _l("Vrai")), SelectChoice("false", _l("Faux"))],
        validators=[Optional()],
    )
    answer_number = StringField(_l("Réponse attendue (nombre)"))
    tolerance = StringField(_l("Tolérance (écart accepté, 0 si exact)"))


class OwnerForm(FlaskForm):
    email = StringField(
        _l("Adresse e-mail du formateur ou de la formatrice"), validators=[DataRequired()]
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("Paquet de parcours (.zip)"), validators=[FileRequired(_l("Choisissez un fichier."))]
    )
