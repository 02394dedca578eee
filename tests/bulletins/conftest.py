"""The bulletin tests may ask for `smtp_server` (tests/notify/smtp_support.py), a real aiosmtpd server the app
is aimed at, to see the bulletin mail arrive."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))

from smtp_support import smtp_server  # noqa: E402, F401  (fixture)
