"""Uploaded files judged by content and cleaned (marketplace/evidence/processing.py, pdf_receipts.py): what is
stored is read back here with Pillow and pypdf, as anyone holding the file could."""

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import evidence_samples as samples
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from marketplace.config import load_config
from marketplace.errors import Invalid
from marketplace.evidence.processing import process

CONFIG = load_config()
MAX_SIDE, THUMB_SIDE, MAX_PAGES = (CONFIG["EVIDENCE_MAX_SIDE"], CONFIG["EVIDENCE_THUMB_SIDE"],
                                   CONFIG["EVIDENCE_PDF_MAX_PAGES"])
RED, BLUE = (220, 30, 30), (30, 30, 220)


def run(data: bytes, **limits):
    return process(data, **{"max_side": MAX_SIDE, "thumb_side": THUMB_SIDE, "max_pages": MAX_PAGES, **limits})


def refused(data: bytes, **limits) -> str:
    with pytest.raises(Invalid) as error:
        run(data, **limits)
    assert error.value.field == "files"
    return error.value.message


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}  # GPS
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info)
    for trace in (b"iPhone", b"Apple", b"maker-note-serial", b"Exif\x00\x00", b"http://ns.adobe.com/xap"):
        assert trace not in data


def upright(width: int, height: int) -> Image.Image:
    """A picture whose top half is red and bottom half blue, as the person holding the phone saw it."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width, height // 2))
    return image


def close(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


# --- photos --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, source", [
    (lambda: samples.jpeg(), "JPEG"), (lambda: samples.png(), "PNG"), (lambda: samples.png(alpha=True), "PNG"),
    (lambda: samples.webp(), "WebP"), (lambda: samples.heic(), "HEIC")])
def test_a_photo_is_stored_as_a_jpeg_without_exif_gps_or_maker_note_and_so_is_its_thumbnail(make, source):
    original = make()
    assert b"iPhone" in original  # the sample carries what a phone writes
    result = run(original)
    assert (result.kind, result.content_type, result.source_format) == ("image", "image/jpeg", source)
    assert_no_metadata(result.data)
    assert_no_metadata(result.thumb)
    expected = (1600, 1200) if source == "JPEG" else (800, 600)
    assert opened(result.data).size == (result.width, result.height) == expected


def test_xmp_and_comments_are_dropped_too():
    out = io.BytesIO()
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="33,29.4N"/>'
           b'</rdf:RDF></x:xmpmeta>')
    samples._picture(640, 480).save(out, "JPEG", exif=samples.exif_with_gps(), xmp=xmp, comment=b"Zhang San 13912345678")
    data = out.getvalue()
    assert b"GPSLatitude" in data and b"13912345678" in data
    result = run(data)
    assert_no_metadata(result.data)
    assert b"GPSLatitude" not in result.data and b"13912345678" not in result.data


@pytest.mark.parametrize("orientation, stored", [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270),
                                                 (3, Image.Transpose.ROTATE_180)])
def test_a_photo_taken_turned_comes_out_upright(orientation, stored):
    # The sensor's pixels are the upright picture turned; the EXIF orientation says how to turn them back.
    out = io.BytesIO()
    upright(1200, 1600).transpose(stored).save(out, "JPEG", exif=samples.exif_with_gps(orientation))
    result = run(out.getvalue())
    image = opened(result.data)
    assert image.size == (result.width, result.height) == (1200, 1600)
    assert close(image.getpixel((600, 100)), RED) and close(image.getpixel((600, 1500)), BLUE)
    thumb = opened(result.thumb)
    assert thumb.height > thumb.width and close(thumb.getpixel((thumb.width // 2, 5)), RED)
    assert_no_metadata(result.data)


@pytest.mark.parametrize("width, height", [(4000, 3000), (3000, 4000), (6000, 400)])
def test_the_longest_side_is_brought_within_the_limit_and_the_thumbnail_within_its_own(width, height):
    result = run(samples.jpeg(width, height))
    image, thumb = opened(result.data), opened(result.thumb)
    assert max(image.size) == MAX_SIDE and max(thumb.size) == THUMB_SIDE
    assert image.width / image.height == pytest.approx(width / height, rel=0.01)  # proportions kept
    small = run(samples.jpeg(width, height), max_side=1000, thumb_side=100)
    assert max(opened(small.data).size) == 1000 and max(opened(small.thumb).size) == 100


def test_a_small_photo_is_not_enlarged():
    result = run(samples.jpeg(200, 150))
    assert opened(result.data).size == opened(result.thumb).size == (200, 150)


def test_transparency_becomes_white_not_black():
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((30, 30, 220, 255), (100, 100, 300, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    stored = opened(run(out.getvalue()).data)
    assert close(stored.getpixel((10, 10)), (255, 255, 255)) and close(stored.getpixel((200, 150)), BLUE)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "I;16", "CMYK"])
def test_pictures_in_other_colour_modes_are_accepted(mode):
    out = io.BytesIO()
    Image.new(mode, (3000, 200)).save(out, "JPEG" if mode == "CMYK" else "PNG")
    image = opened(run(out.getvalue()).data)
    assert image.mode in ("RGB", "L") and image.size == (MAX_SIDE, round(200 * MAX_SIDE / 3000))


def test_the_same_photo_gives_the_same_stored_bytes():
    data = samples.jpeg()
    first, second = run(data), run(data)
    assert first.sha256 == second.sha256 and first.data == second.data and first.thumb_sha256 == second.thumb_sha256


# --- refused, by content ------------------------------------------------------------------------------

def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims width×height pixels (a pixel bomb)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize("name, data, says", [
    ("truncated JPEG", samples.jpeg()[:6000], "损坏或不完整"),
    ("HTML renamed .jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "网页（HTML）"),
    ("EXE renamed .jpg", b"MZ\x90\x00\x03" + bytes(300), "Windows 程序"),
    ("SVG", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
    ("GIF", _gif(), "GIF"),
    ("pixel bomb 20000×20000", _png_claiming(20000, 20000), "像素过大"),
    ("60 MP PNG", _png_claiming(10000, 6000), "像素过大"),
    ("random bytes", bytes(range(256)) * 4, "无法识别"),
    ("empty", b"", "空"),
])
def test_what_is_not_a_photo_or_a_receipt_is_refused_with_a_message_saying_why(name, data, says):
    message = refused(data)
    assert says in message, (name, message)
    if says not in ("空", "像素过大"):
        assert "JPEG、PNG、WebP、HEIC" in message  # what would be accepted


# --- PDF receipts --------------------------------------------------------------------------------------

def raw_pdf(objects: dict[int, bytes], *, packed: dict[int, bytes] | None = None) -> bytes:
    """A PDF written byte by byte, for what pypdf would not write: objects `packed` into a compressed object
    stream (found through a cross-reference stream), names spelled with #xx escapes."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets, inside = {}, {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if packed:
        stream_no = max([*objects, *packed]) + 1
        header, bodies = b"", b""
        for index, (number, body) in enumerate(sorted(packed.items())):
            header += b"%d %d " % (number, len(bodies))
            bodies += body + b"\n"
            inside[number] = (stream_no, index)
        content = zlib.compress(header + bodies)
        offsets[stream_no] = len(out)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s"
                b"\nendstream\nendobj\n" % (stream_no, len(packed), len(header), len(content), content))
    xref_no = max([*offsets, *inside]) + 1
    start = len(out)
    rows = bytearray(b"\x00" + bytes(4) + b"\xff\xff")
    for number in range(1, xref_no + 1):
        kind, field2, field3 = ((2, *inside[number]) if number in inside
                                else (1, start if number == xref_no else offsets[number], 0))
        rows += bytes([kind]) + field2.to_bytes(4, "big") + field3.to_bytes(2, "big")
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\n"
            b"endobj\nstartxref\n%d\n%%%%EOF\n" % (xref_no, xref_no + 1, len(rows), bytes(rows), start))
    return bytes(out)


ONE_PAGE = {2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] >>"}
OPENS_4 = {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", **ONE_PAGE}


def test_a_pdf_receipt_keeps_its_pages_and_loses_its_metadata():
    original = samples.pdf(pages=3)
    assert b"13912345678" in original or "13912345678" in PdfReader(io.BytesIO(original)).metadata["/Author"]
    result = run(original)
    assert (result.kind, result.content_type, result.pages, result.source_format) == (
        "pdf", "application/pdf", 3, "PDF")
    stored = PdfReader(io.BytesIO(result.data))
    assert len(stored.pages) == 3
    assert "/Author" not in (stored.metadata or {}) and "/Title" not in (stored.metadata or {})
    for encoding in ("utf-8", "utf-16-be"):  # how a PDF writer may store the text
        assert "13912345678".encode(encoding) not in result.data
    assert opened(result.thumb).format == "JPEG" and max(opened(result.thumb).size) <= THUMB_SIDE


def test_a_hand_written_pdf_with_a_cross_reference_stream_is_accepted():
    assert run(raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", **ONE_PAGE})).pages == 1


def test_an_object_nothing_refers_to_is_not_carried_into_the_stored_file():
    pdf = raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", **ONE_PAGE,
                   4: b"<< /S /JavaScript /JS (app.alert('orphan')) >>"})
    result = run(pdf)
    assert b"JavaScript" not in result.data and b"orphan" not in result.data


def _encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(420, 595)
    writer.encrypt(user_password="", owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name, make, says", [
    ("JavaScript run on opening", samples.pdf_with_javascript, "JavaScript"),
    ("JavaScript inside a compressed object stream",
     lambda: raw_pdf(OPENS_4, packed={4: b"<< /S /JavaScript /JS (app.alert(1)) >>"}), "JavaScript"),
    ("JavaScript spelled /J#61vaScript", lambda: raw_pdf({**OPENS_4, 4: b"<< /S /J#61vaScript /J#53 (x) >>"}),
     "JavaScript"),
    ("JavaScript on a page's open action",
     lambda: raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: ONE_PAGE[2],
                      3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /AA << /O 4 0 R >> >>",
                      4: b"<< /S /JavaScript /JS (x) >>"}), "JavaScript"),
    ("a program launched on opening", lambda: raw_pdf({**OPENS_4, 4: b"<< /S /Launch /F (cmd.exe) >>"}), "启动外部程序"),
    ("an attached file", samples.pdf_with_attachment, "附件"),
    ("encrypted", _encrypted, "加密"),
    ("over the page limit", lambda: samples.pdf(pages=MAX_PAGES + 1), f"最多 {MAX_PAGES} 页"),
    ("truncated", lambda: samples.pdf(pages=2)[:300], "损坏"),
])
def test_an_unsafe_or_unreadable_pdf_is_refused_with_a_message_saying_why(name, make, says):
    message = refused(make())
    assert says in message, (name, message)


def test_the_page_limit_is_the_configured_one():
    assert "最多 2 页" in refused(samples.pdf(pages=3), max_pages=2)
    assert run(samples.pdf(pages=2), max_pages=2).pages == 2


# --- cost ----------------------------------------------------------------------------------------------

MEASURE = """
import json, sys, time
from marketplace.evidence.processing import process
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
data = open(sys.argv[1], "rb").read()
process(open(sys.argv[2], "rb").read())  # a small photo first: every module the work needs is imported
before = hwm()
times = []
for _ in range(9):
    started = time.perf_counter()
    result = process(data, max_side=%d, thumb_side=%d)
    times.append(time.perf_counter() - started)
print(json.dumps({"before": before, "after": hwm(), "times": times, "size": [result.width, result.height]}))
"""


def test_a_12_megapixel_photo_is_processed_nine_times_in_a_row_without_memory_piling_up(tmp_path):
    """Measured in a fresh process (the figure is the worker's own high-water mark); no timing assertion,
    the times are printed for the record (bench/evidence.py measures them properly)."""
    photo = tmp_path / "12mp.jpg"
    photo.write_bytes(samples.jpeg(4000, 3000, quality=92))
    (tmp_path / "small.jpg").write_bytes(samples.jpeg(64, 48))
    script = MEASURE % (MAX_SIDE, THUMB_SIDE)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script, str(photo), str(tmp_path / "small.jpg")], cwd=root, capture_output=True, text=True,
                         check=True).stdout
    figures = json.loads(out)
    assert figures["size"] == [MAX_SIDE, MAX_SIDE * 3 // 4]
    grown = figures["after"] - figures["before"]
    print(f"12 MP JPEG: {[round(t * 1000) for t in figures['times']]} ms; peak memory +{grown:.0f} MB")
    # One decoded 12 MP picture is 36 MB; the shrunk copy and the encoder's buffers about as much again.
    assert grown < 120, figures
