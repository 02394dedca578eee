"""Direct identifiers at rest: AES-256-GCM ciphertext for names, ID numbers, phones and addresses, and a
keyed HMAC-SHA256 of the normalised ID number as the lookup key (never the number or a plain hash).

The 32-byte data key comes from MARKETPLACE_DATA_KEY (base64) or is generated once into instance/data_key.
Encryption and HMAC use separate keys derived from it (HKDF), so the lookup key reveals nothing about the
ciphertext key."""

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"shanqiao:" + purpose).derive(master)


class Vault:
    def __init__(self, master_key: bytes):
        if len(master_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"encrypt"))
        self._mac_key = _derive(master_key, b"lookup")

    def encrypt(self, value: str | None) -> bytes | None:
        if value is None or value == "":
            return None
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, value.encode("utf-8"), _VERSION)

    def decrypt(self, blob: bytes | None) -> str | None:
        if not blob:
            return None
        blob = bytes(blob)
        return self._aead.decrypt(blob[1:13], blob[13:], blob[:1]).decode("utf-8")

    def lookup_key(self, normalised_id: str) -> str:
        """The keyed HMAC used to find a household by ID number."""
        return hmac.new(self._mac_key, b"id:" + normalised_id.encode("ascii"), hashlib.sha256).hexdigest()

    def digest(self, *parts: object) -> str:
        """A keyed fingerprint of a source row: tells "unchanged" without storing or comparing plaintext."""
        text = "\x1f".join("" if p is None else str(p) for p in parts)
        return hmac.new(self._mac_key, b"row:" + text.encode("utf-8"), hashlib.sha256).hexdigest()


def load_master_key(instance_path: str | Path) -> bytes:
    raw = os.environ.get("MARKETPLACE_DATA_KEY")
    if raw:
        key = base64.b64decode(raw)
        if len(key) != 32:
            raise ValueError("MARKETPLACE_DATA_KEY must be 32 bytes, base64-encoded")
        return key
    path = Path(instance_path) / "data_key"
    if path.exists():
        return base64.b64decode(path.read_bytes())
    key = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return base64.b64decode(path.read_bytes())
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(key))
    return key


def vault() -> Vault:
    """The app's vault (inside a request or app context)."""
    from flask import current_app

    return current_app.extensions["marketplace.vault"]


def init_app(app) -> None:
    app.extensions["marketplace.vault"] = Vault(load_master_key(app.config["INSTANCE_PATH"]))
