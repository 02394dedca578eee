"""`marketplace evidence check-storage`: for an operator setting MARKETPLACE_STORAGE_URL, a probe object
written, read back and deleted where evidence files will go, before the first upload finds a problem."""

import hashlib
import os
import sys
import time

import click


@click.group("evidence")
def evidence_group() -> None:
    """凭证文件 evidence photos and receipts: where they are stored."""


@evidence_group.command("check-storage")
def check_storage() -> None:
    """Write, read back and delete a probe object in the evidence storage; exit 1 if any step fails."""
    from ..config import load_config
    from .storage import from_url

    config = load_config()  # not the app: a setting the app would refuse to start with is reported here
    try:
        store = from_url(config.get("STORAGE_URL", ""), config["INSTANCE_PATH"])
    except ValueError as error:
        _fail(f"存储设置有误：{error}")
    except OSError as error:  # the local directory cannot be made (a file in the way, no permission)
        _fail(f"存储目录无法使用：{error}")
    click.echo(f"evidence storage: {store.describe()}")
    # A probe of its own each run (content-addressed keys: fixed bytes would find an old probe and prove
    # nothing about writing).
    probe = f"shanqiao storage probe {os.getpid()} {time.time_ns()}".encode()
    key = hashlib.sha256(probe).hexdigest()
    step = "写入"
    try:
        started = time.perf_counter()
        store.put(key, probe, "application/octet-stream")
        step = "读回"
        if store.get(key) != probe:
            _fail(f"存储检查失败：读回的内容与写入的不同（{store.describe()}）。")
        step = "删除"
        store.delete(key)
        if store.exists(key):
            _fail(f"存储检查失败：探测对象删除后仍然存在（{store.describe()}）。")
    except Exception as error:  # any backend error (permissions, network, no such bucket) is the finding
        _fail(f"存储检查失败，{step}探测对象时出错：{type(error).__name__}: {error}（{store.describe()}）")
    click.echo(f"ok: probe {key[:12]}… written, read back and deleted in "
               f"{(time.perf_counter() - started) * 1000:.0f} ms")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
