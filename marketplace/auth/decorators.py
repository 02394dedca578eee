"""View guards: anonymous visitors are sent to the login page, signed-in users of another role get 403."""

from functools import wraps

from flask import abort
from flask_login import current_user

from ..web import login_manager


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


staff_required = role_required("staff")
fulfiler_required = role_required("charity", "volunteer")
