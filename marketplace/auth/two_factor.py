"""Two-factor sign-in for staff (TOTP), to be completed: see issue 11. Contract with the login view:

- second_step_required(user) -> bool: after a correct password, whether the login must continue with a
  second step (a TOTP/recovery code, or enrolment when MARKETPLACE_STAFF_2FA=required and none is set up).
- begin_second_step(user): remember the half-signed-in user (not signed in yet) and return the redirect
  response to the second step's page; that page calls security.sessions.start_session once it passes."""


def second_step_required(user) -> bool:
    return False


def begin_second_step(user):
    raise NotImplementedError
