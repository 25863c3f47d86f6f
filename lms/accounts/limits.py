"""Rate limits of the account pages (Flask-Limiter), read from the config at each request.

Login counts every attempt per address, and only failed attempts per account, so that
someone guessing one person's password from many addresses is stopped too, while the owner
who types it right is never counted. Reset requests are limited per address and per account
(no flood of mail to one person).
"""

from collections.abc import Callable

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address

from lms.accounts.operations import normalise_email
from lms.extensions import limiter


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _account_key() -> str:
    # Never empty: Flask-Limiter skips (and logs) a limit whose key is empty.
    return "account:" + normalise_email(request.form.get("email", ""))


def _failed(response: Response) -> bool:
    return response.status_code != 302


login_per_ip = limiter.limit(
    _config("LOGIN_RATE_LIMIT_IP"), key_func=get_remote_address, methods=["POST"], scope="login"
)
login_per_account = limiter.limit(
    _config("LOGIN_RATE_LIMIT_ACCOUNT"),
    key_func=_account_key,
    methods=["POST"],
    scope="login-account",
    deduct_when=_failed,
)
reset_per_ip = limiter.limit(
    _config("RESET_RATE_LIMIT_IP"), key_func=get_remote_address, methods=["POST"], scope="reset"
)
reset_per_account = limiter.limit(
    _config("RESET_RATE_LIMIT_ACCOUNT"),
    key_func=_account_key,
    methods=["POST"],
    scope="reset-account",
)
