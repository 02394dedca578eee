"""Tokens never reach a log. A password-reset, invitation or unsubscribe link is a bearer credential in its
path; the request log of any WSGI server prints paths ("GET /password/reset/<token> HTTP/1.1" 200), and
an error logged on a request may name its path. This filter rewrites such a segment to [已隐去] in any log
record it sees.

`install(app)` (called by create_app, so `serve`, `demo`, gunicorn and tests all get it) puts the filter
on the request-log loggers (werkzeug, gunicorn), on the app's own loggers, and on the root logger's
handlers, which every propagated record passes. The app itself never logs a token or a password: its log
lines carry ids, counts, endpoints and error classes only."""

import logging
import re

REDACTED = "[已隐去]"
# The path segment after a token-bearing prefix, up to the next /, ?, #, whitespace or quote.
_TOKEN_PATH = re.compile(r"(/(?:password/reset|invitations|unsubscribe)/)[^/?#\s\"'<>]+")
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(lambda m: m.group(1) + REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites the record's message (formatted with its arguments) when it holds a token path; never drops
    a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactTokens()


def _add(target) -> None:
    if not any(isinstance(f, RedactTokens) for f in target.filters):
        target.addFilter(_FILTER)


def install(app=None) -> None:
    """Idempotent: create_app runs it for every app, tests make many."""
    loggers = [logging.getLogger(name) for name in REQUEST_LOGGERS]
    loggers += [logging.getLogger(name) for name, obj in list(logging.root.manager.loggerDict.items())
                if isinstance(obj, logging.Logger) and (name == "marketplace" or name.startswith("marketplace."))]
    if app is not None:
        loggers.append(app.logger)
    for logger in loggers:
        _add(logger)
    for handler in logging.getLogger().handlers:
        _add(handler)
