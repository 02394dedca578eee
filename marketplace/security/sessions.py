"""Server-side, revocable sessions (to be completed: see issue 11). Contract used across the codebase:

- start_session(db_session, user): sign `user` in on this browser (a new UserSession row, its token in the
  cookie, Flask-Login's login_user); the session counts as freshly re-authenticated.
- end_user_sessions(db_session, user, reason, keep_current=False) -> int: end every live session of `user`
  (logout elsewhere, password change or reset, role/duty/scope/organisation change, deactivation).
- mark_reauthenticated(db_session): the current session proved its user again just now.
- reauthenticated_within(minutes) -> bool: the current session proved its user within `minutes`."""

from flask_login import login_user


def start_session(db_session, user) -> None:
    login_user(user)


def end_user_sessions(db_session, user, reason: str, keep_current: bool = False) -> int:
    return 0


def mark_reauthenticated(db_session) -> None:
    return None


def reauthenticated_within(minutes: int) -> bool:
    return True
