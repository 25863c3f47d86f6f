from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from lms.accounts.passwords import MIN_PASSWORD_LENGTH


def _strip(value: str | None) -> str | None:
    # Addresses pasted from a spreadsheet or a mail often carry spaces.
    return value.strip() if isinstance(value, str) else value


def _email_field() -> EmailField:
    """An address someone gives as theirs (registration, password reset)."""
    return EmailField(
        _l("Adresse e-mail"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class NewPasswordForm(FlaskForm):
    """A password chosen by its owner, typed twice: on registration, and on an invitation."""

    password = PasswordField(
        _l("Mot de passe"),
        validators=[
            DataRequired(_l("Choisissez un mot de passe.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l(
                    "Le mot de passe doit compter au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
        description=_l("Au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(_l("Confirmez le mot de passe.")),
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(NewPasswordForm):
    name = StringField(
        _l("Nom et prénom"),
        validators=[DataRequired(_l("Indiquez votre nom.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field()


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Indiquez votre adresse e-mail."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Indiquez votre mot de passe."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state (log out, enrol…)."""


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Indiquez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )


class ResetRequestForm(FlaskForm):
    email = _email_field()
