"""Where evidence bytes live: one interface, two backends. Keys are content addresses (the SHA-256 of the
processed bytes), so a key never names a household, a person or an upload, and writing the same file twice
stores it once.

- LocalStorage: a private directory (0700/0600), by default instance/evidence; outside static/, served only
  through evidence/views.py.
- S3Storage: S3-compatible object storage (boto3) for deployments with several app nodes, given by
  MARKETPLACE_STORAGE_URL=s3://bucket[/prefix]?endpoint_url=…&region=…. Credentials come from boto3's usual
  chain (AWS_ACCESS_KEY_ID…, a profile, an instance role), never from the URL, which is shown in logs."""

import contextlib
import os
import re
import secrets
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from ..private_files import FILE_MODE, private_dir

_KEY = re.compile(r"^[0-9a-f]{64}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_S3_OPTIONS = {"endpoint_url", "region"}
NO_KEYS = ("MARKETPLACE_STORAGE_URL 不能包含访问密钥：请用环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY、"
           "AWS 配置文件或云主机的实例角色提供。")
FORM = "格式：本地目录路径、file:///路径，或 s3://桶名[/前缀][?endpoint_url=…&region=…]"


class Missing(LookupError):
    """The key is not in storage (never written, or deleted)."""


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...  # raises Missing

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...  # a missing key is not an error

    def describe(self) -> str: ...  # for the operator: where files go (no credentials)


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):  # fullmatch: `$` would let a final "\n" through
        raise ValueError("storage keys are SHA-256 hex digests")
    return key


def _spread(key: str) -> str:
    """ab/cd/abcd…: two levels of 256 directories keep any one directory small."""
    return f"{key[:2]}/{key[2:4]}/{key}"


class LocalStorage:
    def __init__(self, root: Path | str):
        self.root = private_dir(root)

    def _path(self, key: str) -> Path:
        return self.root / _spread(check_key(key))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        if path.exists():
            return  # content-addressed: the same bytes are already there
        private_dir(path.parent.parent)  # each level itself: mkdir(parents=True) gives parents the umask's mode
        private_dir(path.parent)
        # Written under a name of its own (two threads may store the same photo at once), flushed to disk and
        # renamed: a reader never sees half a file, and a crash after the commit leaves no empty one.
        temp = path.with_name(f".{key}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise Missing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def describe(self) -> str:
        return f"local directory {self.root}"


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 client=None):
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
                                  config=Config(retries={"max_attempts": 3, "mode": "standard"},
                                                connect_timeout=5, read_timeout=30))
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")
        self.endpoint_url = endpoint_url

    def _name(self, key: str) -> str:
        name = _spread(check_key(key))
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise Missing(key) from None
            raise

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"S3 bucket {self.bucket}{'/' + self.prefix if self.prefix else ''}{where}"


def from_url(url: str, instance_path: str) -> Storage:
    """MARKETPLACE_STORAGE_URL → a backend. Empty: instance/evidence. A path or file:// URL: that directory."""
    url = (url or "").strip()
    if not url:
        return LocalStorage(Path(instance_path) / "evidence")
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return _s3_from(parts)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"MARKETPLACE_STORAGE_URL 的 file:// 地址只能指向本机目录（file:///路径）。{FORM}")
        return LocalStorage(parts.path)
    if parts.scheme:
        raise ValueError(f"MARKETPLACE_STORAGE_URL 的协议 {parts.scheme}:// 不受支持。{FORM}")
    return LocalStorage(url)


def _secret_like(name: str) -> bool:
    return any(word in name.lower() for word in ("key", "secret", "token", "password", "credential"))


def _s3_from(parts) -> "S3Storage":
    query = parse_qs(parts.query, keep_blank_values=True)
    # Keys in the URL would reach every log line and error report that prints the setting.
    if parts.username or parts.password or any(_secret_like(name) for name in query):
        raise ValueError(NO_KEYS)
    unknown = set(query) - _S3_OPTIONS
    if unknown:
        raise ValueError(f"MARKETPLACE_STORAGE_URL 含有不认识的参数 {'、'.join(sorted(unknown))}"
                         f"（只认 endpoint_url 和 region）。{FORM}")
    bucket = parts.netloc
    if not _BUCKET.match(bucket):
        raise ValueError(f"MARKETPLACE_STORAGE_URL 的桶名 {bucket!r} 不合规（3–63 个小写字母、数字、点或连字符）。{FORM}")
    options = {name: values[-1] for name, values in query.items()}
    endpoint = options.get("endpoint_url") or None
    if endpoint is not None:
        endpoint_parts = urlsplit(endpoint)
        if endpoint_parts.scheme not in ("http", "https") or not endpoint_parts.hostname:
            raise ValueError(f"MARKETPLACE_STORAGE_URL 的 endpoint_url 应为 http:// 或 https:// 地址。{FORM}")
        if endpoint_parts.username or endpoint_parts.password:
            raise ValueError(NO_KEYS)
    return S3Storage(bucket, parts.path, endpoint_url=endpoint, region=options.get("region") or None)


def init_app(app) -> None:
    app.extensions["marketplace.storage"] = from_url(app.config.get("STORAGE_URL", ""), app.config["INSTANCE_PATH"])


_outside_app: dict[tuple[str, str], Storage] = {}


def storage(app=None) -> Storage:
    """The app's storage; outside an app (a CLI transaction, a service test) the one the environment names."""
    from flask import current_app, has_app_context

    if app is not None or has_app_context():
        return (app or current_app).extensions["marketplace.storage"]
    from ..config import load_config

    config = load_config()
    key = (config.get("STORAGE_URL", ""), config["INSTANCE_PATH"])
    if key not in _outside_app:
        _outside_app[key] = from_url(*key)
    return _outside_app[key]
