from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired


class DeleteAccountForm(FlaskForm):
    """Deleting one's account: the password, and a box saying it is understood."""

    password = PasswordField(
        _l("Votre mot de passe"),
        validators=[DataRequired(_l("Indiquez votre mot de passe."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l(
            "Je comprends que la suppression est définitive : je ne pourrai plus me "
            "connecter et mes certificats seront révoqués."
        ),
        validators=[DataRequired(_l("Cochez la case pour confirmer la suppression."))],
    )
