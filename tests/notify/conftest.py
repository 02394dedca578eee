"""Tests under tests/notify may ask for `smtp_server`, a real aiosmtpd server the app is aimed at; the
suite-wide guard in tests/conftest.py fails any test reaching another SMTP server."""

from smtp_support import smtp_server  # noqa: F401  (fixture)
