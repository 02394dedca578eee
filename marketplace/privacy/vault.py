"""Direct identifiers at rest: AES-256-GCM ciphertext for names, ID numbers, phones and addresses, and a
keyed HMAC-SHA256 of the normalised ID number as the lookup key (never the number or a plain hash).

The 32-byte data key comes from MARKETPLACE_DATA_KEY (base64) or is generated once into instance/data_key.
Encryption and HMAC use separate keys derived from it (HKDF), so the lookup key reveals nothing about the
ciphertext key.

Ciphertext names its key: version 2 is `\\x02 | key id (8 bytes) | nonce | ciphertext`, the header being
the associated data, so a vault holding two keys (a rotation under way, privacy/rotation.py) opens each
row with the right one. Version 1 (`\\x01 | nonce | ciphertext`, written before keys were rotated) names
none: each key the vault holds is tried. The key id is derived from the key and tells nothing about it."""

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_V2 = b"\x02"
KEY_FILE = "data_key"
NEXT_KEY_FILE = "data_key.next"  # the new key of an unfinished rotation
RETIRED_IDS_FILE = "data_key.retired_ids"  # ids (not keys) of keys a rotation replaced


class UnknownKey(ValueError):
    """Ciphertext made under a key this vault does not hold (a retired key, or another installation's)."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"shanqiao:" + purpose).derive(master)


def key_id(master_key: bytes) -> str:
    """A public name for a data key (16 hex digits): kept in ciphertext headers, rotation rows, logs."""
    return _derive(master_key, b"key-id")[:8].hex()


class Vault:
    """Encrypts and keys lookups with `master_key`; `readers` are further keys it only decrypts with."""

    def __init__(self, master_key: bytes, readers: tuple[bytes, ...] = ()):
        if len(master_key) != 32 or any(len(k) != 32 for k in readers):
            raise ValueError("the data key must be 32 bytes")
        self.key_id = key_id(master_key)
        self.header = _V2 + bytes.fromhex(self.key_id)
        self._aead = AESGCM(_derive(master_key, b"encrypt"))
        self._mac_key = _derive(master_key, b"lookup")
        # Ledger checkpoints (ledger/checkpoints.py): whoever can edit the database cannot make one.
        self._checkpoint_key = _derive(master_key, b"checkpoint")
        self._by_id = {self.header[1:]: self._aead}
        for key in readers:
            self._by_id.setdefault(bytes.fromhex(key_id(key)), AESGCM(_derive(key, b"encrypt")))

    @property
    def key_ids(self) -> list[str]:
        return [kid.hex() for kid in self._by_id]

    def encrypt(self, value: str | None) -> bytes | None:
        if value is None or value == "":
            return None
        nonce = os.urandom(12)
        return self.header + nonce + self._aead.encrypt(nonce, value.encode("utf-8"), self.header)

    def decrypt(self, blob: bytes | None) -> str | None:
        if not blob:
            return None
        blob = bytes(blob)
        if blob[:1] == _V2:
            aead = self._by_id.get(blob[1:9])
            if aead is None:
                raise UnknownKey(f"encrypted under data key {blob[1:9].hex()}, which this vault does not hold")
            return aead.decrypt(blob[9:21], blob[21:], blob[:9]).decode("utf-8")
        for aead in self._by_id.values():
            try:
                return aead.decrypt(blob[1:13], blob[13:], blob[:1]).decode("utf-8")
            except InvalidTag:
                continue
        raise InvalidTag()

    def lookup_key(self, normalised_id: str) -> str:
        """The keyed HMAC used to find a household by ID number."""
        return hmac.new(self._mac_key, b"id:" + normalised_id.encode("ascii"), hashlib.sha256).hexdigest()

    def name_key(self, normalised_name: str) -> str:
        """The keyed HMAC used to find a household by its head's name (privacy/identity.normalise_name)."""
        return hmac.new(self._mac_key, b"name:" + normalised_name.encode("utf-8"), hashlib.sha256).hexdigest()

    def digest(self, *parts: object) -> str:
        """A keyed fingerprint of a source row: tells "unchanged" without storing or comparing plaintext."""
        text = "\x1f".join("" if p is None else str(p) for p in parts)
        return hmac.new(self._mac_key, b"row:" + text.encode("utf-8"), hashlib.sha256).hexdigest()

    def checkpoint_mac(self, data: bytes = b"") -> "hmac.HMAC":
        """A keyed digest of ledger chain heads, fed row by row with update() (ledger/checkpoints.py)."""
        return hmac.new(self._checkpoint_key, b"checkpoint:" + data, hashlib.sha256)


def read_key_file(path: Path) -> bytes:
    key = base64.b64decode(Path(path).read_bytes())
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte base64 data key")
    return key


def load_master_key(instance_path: str | Path) -> bytes:
    raw = os.environ.get("MARKETPLACE_DATA_KEY")
    if raw:
        key = base64.b64decode(raw)
        if len(key) != 32:
            raise ValueError("MARKETPLACE_DATA_KEY must be 32 bytes, base64-encoded")
        return key
    path = Path(instance_path) / KEY_FILE
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


def retired_ids(instance_path: str | Path) -> set[str]:
    path = Path(instance_path) / RETIRED_IDS_FILE
    return set(path.read_text().split()) if path.exists() else set()


def load_vault(instance_path: str | Path) -> Vault:
    """The installation's vault: the current key, plus the new key of an unfinished rotation for reading
    rows it has already re-encrypted. A key a rotation retired is refused, so an environment variable
    left at the old value cannot start an app that would write rows nobody can read next to new ones."""
    master = load_master_key(instance_path)
    if key_id(master) in retired_ids(instance_path):
        raise ValueError(f"the data key in use ({key_id(master)}) was retired by `marketplace keys rotate`; "
                         f"set MARKETPLACE_DATA_KEY to the new key (its file is in {instance_path})")
    upcoming = Path(instance_path) / NEXT_KEY_FILE
    return Vault(master, (read_key_file(upcoming),) if upcoming.exists() else ())


def vault() -> Vault:
    """The app's vault (inside a request or app context)."""
    from flask import current_app

    return current_app.extensions["marketplace.vault"]


def init_app(app) -> None:
    app.extensions["marketplace.vault"] = load_vault(app.config["INSTANCE_PATH"])
