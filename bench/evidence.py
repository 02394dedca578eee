"""Evidence files (issue 14), measured as a charity member and a verifier meet them: the production server
(`marketplace serve`, gunicorn), SQLite in the work directory, evidence in its local storage.

    .venv/bin/python bench/evidence.py                      # in a temporary directory
    .venv/bin/python bench/evidence.py --workdir /tmp/evidence-bench --uploads 50

1. builds a small 亳州 (tests/support.py's World: a charity member with started claims, a verifier) and
   1,000 evidence files with their thumbnails in local storage;
2. (a) uploads a generated 12-megapixel phone photo (4000×3000, textured like a real one, ~4 MB, with GPS
   EXIF and a turned orientation) --uploads times over HTTP, as the evidence form's htmx upload sends it,
   each one interleaved with a GET of the evidence form page (the baseline); p50/p95 and the ratio;
3. (b) on a fresh one-worker server, 9 such photos in one request: the worker's memory high-water mark
   (VmHWM in /proc/<worker>/status) before and after;
4. (c) the verifier fetches --thumbs thumbnails one after the other (keep-alive), interleaved with /healthz;
   per-request p50/p95/max.
Targets (issue 14): upload p95 <= 1.5 s; worker <= 300 MB with 9 photos; thumbnails <= 50 ms each.
Exits 1 if one is missed."""

import argparse
import http.client
import io
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pages import Node, request  # noqa: E402  (bench/pages.py: a server subprocess, one request)

TARGET_UPLOAD_P95_S, TARGET_WORKER_MB, TARGET_THUMB_MS = 1.5, 300.0, 50.0
PASSWORD = "correct-horse-battery"  # tests/support.py's
MEMBER, VERIFIER = "member@charity.org.cn", "verifier@guoyang.gov.cn"


def photo_12mp(seed: int) -> bytes:
    """A phone-like 12 MP JPEG: a scene with sensor-like grain (a flat drawing would compress to 200 KB and
    decode faster than any real photo), GPS EXIF, and orientation 6 as a phone held upright writes it."""
    import evidence_samples as samples
    from PIL import ImageDraw

    base = _scene()
    draw = ImageDraw.Draw(base)
    rng = random.Random(seed)
    draw.rectangle((rng.randrange(3500), rng.randrange(2500), rng.randrange(3500, 4000), rng.randrange(2500, 3000)),
                   outline=(rng.randrange(256), 0, 0), width=12)  # each photo differs (content addresses)
    out = io.BytesIO()
    base.save(out, "JPEG", quality=90, exif=samples.exif_with_gps(orientation=6))
    return out.getvalue()


_scene_cache: list = []


def _scene():
    import evidence_samples as samples
    from PIL import Image

    if not _scene_cache:
        picture = samples._picture(4000, 3000)
        noise = Image.merge("RGB", [Image.effect_noise((4000, 3000), 40) for _ in range(3)])
        _scene_cache.append(Image.blend(picture, noise, 0.35))
    return _scene_cache[0].copy()


def build(workdir: Path, uploads: int, thumbs: int) -> dict:
    from benchlib import fresh_database
    from sqlalchemy import select

    from marketplace.db import make_engine, transaction
    from support import World

    url = fresh_database(None, workdir / "evidence.db")
    engine = make_engine(url)
    world = World(lambda: transaction(engine))
    from marketplace.claims.models import Claim

    claims = []
    for _ in range(uploads + 3):  # a claim per upload (at most 9 files each), warm-up and memory runs
        need = world.need("in_progress", form="money")
        with world.tx() as s:
            claims.append(s.scalars(select(Claim.id).where(Claim.need_id == need.id)).one())
    files = _thumbnails(world, thumbs)
    engine.dispose()
    return {"url": url, "claims": claims, "files": files}


def _thumbnails(world, count: int) -> list[int]:
    """`count` evidence files on submitted claims, their bytes (a distinct small JPEG each) in local storage:
    rows written directly, as the upload would leave them (the upload itself is measured in (a))."""
    from PIL import Image, ImageDraw
    from sqlalchemy import select

    from marketplace.claims.models import Claim
    from marketplace.evidence.models import EvidenceFile
    from marketplace.evidence.processing import digest
    from marketplace.evidence.storage import storage

    store = storage()
    ids = []
    per_claim = 9
    for start in range(0, count, per_claim):
        need = world.need("submitted", form="money")
        with world.tx() as s:
            claim = s.scalars(select(Claim).where(Claim.need_id == need.id)).one()
            rows = []
            for number in range(start, min(count, start + per_claim)):
                image = Image.new("RGB", (320, 240), ((number * 37) % 256, (number * 91) % 256, 120))
                ImageDraw.Draw(image).text((20, 100), f"evidence {number}", fill="white")
                out = io.BytesIO()
                image.save(out, "JPEG", quality=75)
                thumb = out.getvalue()
                store.put(digest(thumb), thumb, "image/jpeg")
                row = EvidenceFile(need_id=need.id, claim_id=claim.id, organization_id=claim.organization_id,
                                   uploaded_by_id=claim.claimant_id,
                                   role="photo", kind="image", content_type="image/jpeg", sha256=digest(thumb),
                                   thumb_sha256=digest(thumb), size=len(thumb), width=320, height=240)
                s.add(row)
                rows.append(row)
            s.flush()
            ids += [row.id for row in rows]
    return ids


def sign_in(port: int, email: str) -> str:
    from pages import sign_in as pages_sign_in

    return pages_sign_in(port, email, PASSWORD)


def token(body: bytes) -> str:
    found = re.search(rb'name="csrf-token" content="([^"]+)"', body) or re.search(
        rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    return found.group(1).decode()


def multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = f"----shanqiao{random.getrandbits(64):016x}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(conn, cookie: str, claim_id: int, files: list[tuple[str, bytes]]) -> tuple[float, float, int]:
    """(seconds of the evidence page GET, seconds of the upload POST, status of the upload)."""
    started = time.perf_counter()
    conn.request("GET", f"/my/claims/{claim_id}/evidence", headers={"Cookie": cookie})
    page = conn.getresponse()
    body = page.read()
    page_s = time.perf_counter() - started
    if page.status != 200:
        raise SystemExit(f"evidence page answered {page.status}: {body[:300]!r}")
    payload, content_type = multipart({"csrf_token": token(body), "role": "receipt"}, files)
    started = time.perf_counter()
    conn.request("POST", f"/my/claims/{claim_id}/evidence/files", body=payload, headers={
        "Cookie": cookie, "Content-Type": content_type, "HX-Request": "true",
        "HX-Target": "evidence-files", "X-CSRFToken": token(body)})
    answer = conn.getresponse()
    text = answer.read()
    upload_s = time.perf_counter() - started
    if answer.status != 200 or "已上传".encode() not in text:
        raise SystemExit(f"upload answered {answer.status}: {text[:500].decode('utf-8', 'replace')}")
    return page_s, upload_s, answer.status


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def measure_uploads(node: Node, facts: dict, photos: list[bytes], count: int) -> tuple[list[float], list[float]]:
    cookie = sign_in(node.port, MEMBER)
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=120)
    claims = iter(facts["claims"])
    upload(conn, cookie, next(claims), [("warm.jpg", photos[-1])])  # warm: imports, caches of the worker
    pages, uploads = [], []
    for number in range(count):
        page_s, upload_s, _status = upload(conn, cookie, next(claims), [(f"IMG_{number:04d}.JPG", photos[number])])
        pages.append(page_s)
        uploads.append(upload_s)
    conn.close()
    return pages, uploads


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def vm(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def measure_memory(node: Node, facts: dict, photos: list[bytes]) -> dict:
    [worker] = worker_pids(node.proc.pid)
    cookie = sign_in(node.port, MEMBER)
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=300)
    claim = facts["claims"][-1]
    conn.request("GET", f"/my/claims/{claim}/evidence", headers={"Cookie": cookie})
    conn.getresponse().read()
    before = vm(worker, "VmHWM")
    nine = [(f"IMG_{n:04d}.JPG", photos[n % len(photos)]) for n in range(9)]
    _page, seconds, _status = upload(conn, cookie, claim, nine)
    conn.close()
    return {"before": before, "after": vm(worker, "VmHWM"), "rss": vm(worker, "VmRSS"), "seconds": seconds,
            "bytes": sum(len(d) for _n, d in nine)}


def measure_thumbs(node: Node, facts: dict) -> tuple[list[float], list[float], int]:
    cookie = sign_in(node.port, VERIFIER)
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=60)
    thumbs, baseline, size = [], [], 0
    request(node.port, f"/evidence-files/{facts['files'][0]}/thumb", headers={"Cookie": cookie}, conn=conn)
    for file_id in facts["files"]:
        started = time.perf_counter()
        status, headers, body = request(node.port, f"/evidence-files/{file_id}/thumb", headers={"Cookie": cookie},
                                        conn=conn)
        thumbs.append((time.perf_counter() - started) * 1000)
        if status != 200 or headers.get("Content-Type") != "image/jpeg":
            raise SystemExit(f"thumbnail {file_id} answered {status}")
        size += len(body)
        started = time.perf_counter()
        request(node.port, "/healthz", conn=conn)
        baseline.append((time.perf_counter() - started) * 1000)
    conn.close()
    return thumbs, baseline, size


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", help="keep the data set and server logs here")
    parser.add_argument("--uploads", type=int, default=30)
    parser.add_argument("--thumbs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of the measured server (a, c)")
    args = parser.parse_args()
    temporary = None if args.workdir else tempfile.TemporaryDirectory(prefix="shanqiao-evidence-")
    workdir = Path(args.workdir or temporary.name).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["MARKETPLACE_INSTANCE_PATH"] = str(workdir / "instance")
    os.environ.pop("MARKETPLACE_STORAGE_URL", None)  # local storage, in the instance directory
    try:
        return run(workdir, args)
    finally:
        if temporary:
            temporary.cleanup()


def run(workdir: Path, args) -> int:
    started = time.perf_counter()
    facts = build(workdir, args.uploads, args.thumbs)
    photos = [photo_12mp(n) for n in range(args.uploads + 1)]
    print(f"built in {time.perf_counter() - started:.0f} s: {len(facts['claims'])} started claims, "
          f"{len(facts['files'])} evidence files; 12 MP photo {statistics.mean(map(len, photos)) / 1e6:.1f} MB "
          f"(4000×3000, GPS EXIF, orientation 6); {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    exe = str(Path(sys.executable).with_name("marketplace"))
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": facts["url"], "MARKETPLACE_STAFF_2FA": "optional",
           "MARKETPLACE_SEARCH_INDEX_DIR": str(workdir / "index"), "MARKETPLACE_LOGIN_API_PER_MINUTE": str(10**9)}
    missed = []
    node = Node([exe, "serve", "--bind", "{bind}", "--workers", str(args.workers)], env, workdir / "serve.log",
                "/healthz")
    try:
        pages, uploads = measure_uploads(node, facts, photos, args.uploads)
        thumbs, baseline, size = measure_thumbs(node, facts)
    finally:
        node.stop()
    up50, up95 = statistics.median(uploads), p95(uploads)
    pg50 = statistics.median(pages)
    print(f"\n(a) upload + processing of one 12 MP JPEG, {len(uploads)} uploads over HTTP "
          f"(`marketplace serve --workers {args.workers}`), each after a GET of the evidence form page")
    print(f"    upload  p50 {up50 * 1000:7.0f} ms  p95 {up95 * 1000:7.0f} ms  max {max(uploads) * 1000:7.0f} ms")
    print(f"    page    p50 {pg50 * 1000:7.1f} ms  p95 {p95(pages) * 1000:7.1f} ms   upload/page (p50) "
          f"{up50 / pg50:.0f}×")
    if up95 > TARGET_UPLOAD_P95_S:
        missed.append(f"upload p95 {up95:.2f} s > {TARGET_UPLOAD_P95_S} s")

    node = Node([exe, "serve", "--bind", "{bind}", "--workers", "1"], env, workdir / "serve-memory.log", "/healthz")
    try:
        memory = measure_memory(node, facts, photos)
    finally:
        node.stop()
    print(f"\n(b) one worker, 9 photos ({memory['bytes'] / 1e6:.0f} MB) in one request: "
          f"{memory['seconds']:.1f} s; worker VmHWM {memory['before']:.0f} MB before, {memory['after']:.0f} MB "
          f"after (+{memory['after'] - memory['before']:.0f} MB); VmRSS after {memory['rss']:.0f} MB")
    if memory["after"] > TARGET_WORKER_MB:
        missed.append(f"worker {memory['after']:.0f} MB > {TARGET_WORKER_MB:.0f} MB")

    th50, th95 = statistics.median(thumbs), p95(thumbs)
    print(f"\n(c) {len(thumbs)} thumbnails served to a verifier from local storage, one at a time, each "
          f"followed by /healthz ({size / len(thumbs) / 1024:.1f} KB each)")
    print(f"    thumb   p50 {th50:6.1f} ms  p95 {th95:6.1f} ms  max {max(thumbs):6.1f} ms")
    print(f"    healthz p50 {statistics.median(baseline):6.1f} ms  p95 {p95(baseline):6.1f} ms   "
          f"thumb/healthz (p50) {th50 / statistics.median(baseline):.1f}×")
    if max(thumbs) > TARGET_THUMB_MS:
        slow = [(n, round(t)) for n, t in enumerate(thumbs, 1) if t > TARGET_THUMB_MS]
        missed.append(f"{len(slow)} of {len(thumbs)} thumbnails over {TARGET_THUMB_MS:.0f} ms (max {max(thumbs):.0f};"
                      f" request number and ms: {slow[:10]})")
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("targets met" if not missed else "targets missed:\n  " + "\n  ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
