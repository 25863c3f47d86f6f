"""Role checks for views."""

import functools
from collections.abc import Callable

from flask import abort
from flask_login import current_user, login_required

from lms.accounts.models import Role


def role_required(*roles: Role) -> Callable:
    """Log in first; then 403 unless the user has one of `roles`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
