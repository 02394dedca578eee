"""Domain errors raised by services; views turn them into the matching HTTP status and a clear message."""


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """Input that breaks a rule; `field` names the form field the message belongs next to."""

    status = 422


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The object is not in a state that allows the action (e.g. claiming a need already claimed)."""

    status = 409
