"""Evidence storage (marketplace/evidence/storage.py) on both backends, the local directory and S3-compatible
object storage (moto's server on 127.0.0.1), through the same interface the app uses; and the operator's
`marketplace evidence check-storage`."""

import hashlib
import stat
from urllib.parse import quote

import boto3
import pytest
from click.testing import CliRunner

from marketplace.cli import main
from marketplace.evidence.storage import LocalStorage, Missing, S3Storage, from_url


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(storage_url, tmp_path):
    return from_url(storage_url, str(tmp_path / "instance"))


def test_put_get_exists_delete(store):
    data = b"\xff\xd8 a photo of a delivered wheelchair"
    key = key_of(data)
    assert not store.exists(key)
    store.put(key, data, "image/jpeg")
    assert store.exists(key) and store.get(key) == data
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(Missing):
        store.get(key)
    store.delete(key)  # deleting what is gone is not an error


def test_an_absent_key_is_missing_not_an_error_of_the_backend(store):
    with pytest.raises(Missing):
        store.get(key_of(b"never written"))
    assert not store.exists(key_of(b"never written"))


def test_the_same_bytes_are_one_object(store, storage_url, tmp_path):
    data = b"the same receipt uploaded twice"
    key = key_of(data)
    store.put(key, data, "application/pdf")
    store.put(key, data, "application/pdf")
    store.put(key_of(b"another"), b"another", "image/jpeg")
    assert _objects(store) == sorted([key, key_of(b"another")])
    assert store.get(key) == data


def _objects(store) -> list[str]:
    """The object names in the backend, by its own listing (not through the interface under test)."""
    if isinstance(store, LocalStorage):
        return sorted(p.name for p in store.root.rglob("*") if p.is_file())
    listing = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix + "/")
    return sorted(item["Key"].rsplit("/", 1)[-1] for item in listing.get("Contents", []))


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABCDEF" * 10 + "ABCD", "a" * 63, "a" * 65, "", "a/b" * 21 + "a",
                                 key_of(b"x") + "\n"])
def test_a_key_that_is_not_a_sha256_digest_is_refused(store, key):
    for call in (lambda: store.put(key, b"x", "image/jpeg"), lambda: store.get(key), lambda: store.exists(key),
                 lambda: store.delete(key)):
        with pytest.raises(ValueError, match="SHA-256"):
            call()


def test_local_files_are_readable_by_the_service_account_only(tmp_path):
    store = LocalStorage(tmp_path / "evidence")
    data = b"private"
    key = key_of(data)
    store.put(key, data, "image/jpeg")
    path = store.root / key[:2] / key[2:4] / key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for directory in (store.root, path.parent, path.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert [p.name for p in path.parent.iterdir()] == [key]  # no temporary file left behind


def test_local_storage_is_outside_static_by_default(tmp_path):
    store = from_url("", str(tmp_path / "instance"))
    assert isinstance(store, LocalStorage) and store.root == tmp_path / "instance" / "evidence"
    assert "static" not in store.root.parts


def test_s3_urls_are_read_into_bucket_prefix_endpoint_and_region():
    store = from_url("s3://shanqiao-evidence/prod/files/?endpoint_url=http://127.0.0.1:9000&region=cn-north-1", "/x")
    assert isinstance(store, S3Storage)
    assert (store.bucket, store.prefix, store.endpoint_url) == ("shanqiao-evidence", "prod/files",
                                                               "http://127.0.0.1:9000")
    assert store.client.meta.region_name == "cn-north-1"
    assert store.describe() == "S3 bucket shanqiao-evidence/prod/files at http://127.0.0.1:9000"
    plain = from_url("s3://shanqiao-evidence", "/x")
    assert (plain.prefix, plain.endpoint_url) == ("", None)


def test_a_local_path_and_a_file_url_are_directories(tmp_path):
    assert from_url(str(tmp_path / "a"), "/x").root == tmp_path / "a"
    assert from_url(f"file://{tmp_path / 'b'}", "/x").root == tmp_path / "b"


@pytest.mark.parametrize("url", [
    "s3://AKIAEXAMPLE:secret@shanqiao-evidence/files",
    "s3://AKIAEXAMPLE@shanqiao-evidence",
    "s3://shanqiao-evidence?aws_access_key_id=AKIAEXAMPLE&aws_secret_access_key=secret",
    "s3://shanqiao-evidence?endpoint_url=" + quote("https://AKIA:secret@oss.example.cn"),
])
def test_credentials_in_the_url_are_refused_and_not_repeated(url):
    with pytest.raises(ValueError) as error:
        from_url(url, "/x")
    message = str(error.value)
    assert "不能包含访问密钥" in message and "AWS_ACCESS_KEY_ID" in message
    assert "secret" not in message and "AKIAEXAMPLE" not in message


@pytest.mark.parametrize("url, says", [
    ("ftp://files.example.cn/evidence", "协议 ftp:// 不受支持"),
    ("https://bucket.example.cn", "协议 https:// 不受支持"),
    ("s3://Evidence_Bucket", "桶名"),
    ("s3://", "桶名"),
    ("s3://shanqiao-evidence?endpoint=http://x", "不认识的参数 endpoint"),
    ("s3://shanqiao-evidence?endpoint_url=oss.example.cn", "endpoint_url"),
    ("file://otherhost/evidence", "本机目录"),
])
def test_a_malformed_storage_url_is_refused_with_a_message_saying_what_is_wrong(url, says):
    with pytest.raises(ValueError) as error:
        from_url(url, "/x")
    assert says in str(error.value) and "s3://桶名" in str(error.value)


# --- marketplace evidence check-storage -----------------------------------------------------------------

def _check(monkeypatch, tmp_path, storage_url: str | None):
    monkeypatch.setenv("MARKETPLACE_INSTANCE_PATH", str(tmp_path / "instance"))
    if storage_url is None:
        monkeypatch.delenv("MARKETPLACE_STORAGE_URL", raising=False)
    else:
        monkeypatch.setenv("MARKETPLACE_STORAGE_URL", storage_url)
    return CliRunner().invoke(main, ["evidence", "check-storage"])


def test_check_storage_writes_reads_back_and_deletes_a_probe(monkeypatch, tmp_path, storage_url):
    result = _check(monkeypatch, tmp_path, storage_url)
    assert result.exit_code == 0, result.output
    store = from_url(storage_url, str(tmp_path / "instance"))
    assert f"evidence storage: {store.describe()}" in result.output
    assert "written, read back and deleted" in result.output
    assert _objects(store) == []  # the probe is gone


def test_check_storage_by_default_names_the_instance_directory(monkeypatch, tmp_path):
    result = _check(monkeypatch, tmp_path, None)
    assert result.exit_code == 0 and str(tmp_path / "instance" / "evidence") in result.output


def test_check_storage_fails_clearly_on_a_missing_bucket(monkeypatch, tmp_path, s3_endpoint):
    result = _check(monkeypatch, tmp_path, f"s3://no-such-bucket-here?endpoint_url={s3_endpoint}&region=us-east-1")
    assert result.exit_code == 1
    assert "存储检查失败，写入探测对象时出错" in result.output and "NoSuchBucket" in result.output
    assert "S3 bucket no-such-bucket-here" in result.output


def test_check_storage_fails_clearly_when_the_directory_cannot_be_made(monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    result = _check(monkeypatch, tmp_path, str(tmp_path / "a-file" / "evidence"))
    assert result.exit_code == 1 and "存储目录无法使用" in result.output and "a-file" in result.output


def test_check_storage_fails_clearly_on_a_bad_setting(monkeypatch, tmp_path):
    result = _check(monkeypatch, tmp_path, "s3://AKIAEXAMPLE:hunter2-secret@bucket-name")
    assert result.exit_code == 1
    assert "存储设置有误" in result.output and "不能包含访问密钥" in result.output
    assert "hunter2" not in result.output and "AKIAEXAMPLE" not in result.output


def test_the_s3_fixture_bucket_is_empty_at_start(s3_storage_url, s3_endpoint):
    """The S3 runs above start from an empty bucket of their own (the fixture's promise the counts rely on)."""
    bucket = s3_storage_url.split("://", 1)[1].split("/", 1)[0]
    listing = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").list_objects_v2(Bucket=bucket)
    assert listing.get("KeyCount", 0) == 0


def test_the_same_photo_stored_by_several_threads_at_once_is_one_whole_object(store):
    from concurrent.futures import ThreadPoolExecutor

    data = b"\xff\xd8" + bytes(range(256)) * 400
    key = key_of(data)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: store.put(key, data, "image/jpeg"), range(16)))
    assert store.get(key) == data and _objects(store) == [key]
