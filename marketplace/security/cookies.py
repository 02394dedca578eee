"""The session cookie's attributes, decided per request: `__Host-` name and `Secure` whenever the request
is not plain HTTP to a loopback host, so the demo works on http://127.0.0.1:5000 and every real
deployment (HTTPS, or HTTP behind a proxy on a public name) gets a cookie a network attacker can neither
read nor plant. MARKETPLACE_SECURE_COOKIES=1 (SESSION_COOKIE_SECURE) forces the secure form everywhere.
HttpOnly and SameSite=Lax come from the config and hold in both forms."""

from ipaddress import ip_address

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface

HOST_PREFIX = "__Host-"


def plain_loopback() -> bool:
    """Plain HTTP to 127.0.0.0/8, ::1 or localhost: the only place a cookie may go without Secure."""
    if not has_request_context() or request.scheme != "http":
        return False
    host = request.host.lower()
    if host.startswith("["):  # [::1]:5000
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class HostAwareSessionInterface(SecureCookieSessionInterface):
    def _secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or not plain_loopback()

    def get_cookie_secure(self, app) -> bool:
        return self._secure(app)

    def get_cookie_name(self, app) -> str:
        name = super().get_cookie_name(app)
        return HOST_PREFIX + name if self._secure(app) and not name.startswith(HOST_PREFIX) else name

    def get_cookie_domain(self, app):
        # A __Host- cookie must not carry a Domain attribute (and its Path must be /).
        return None if self._secure(app) else super().get_cookie_domain(app)

    def get_cookie_path(self, app) -> str:
        return "/" if self._secure(app) else super().get_cookie_path(app)
