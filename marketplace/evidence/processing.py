"""An uploaded file judged by its content, never by its name or the browser's word, and cleaned before it
is stored:

- photos (JPEG, PNG, WebP, and HEIC from iPhones through pillow-heif) are opened and verified by Pillow,
  turned upright, re-encoded as JPEG with the longest side at most EVIDENCE_MAX_SIDE and without EXIF, GPS,
  maker notes or XMP (only an RGB or grey colour profile is kept), and get a thumbnail;
- PDF receipts go through pdf_receipts.py (no JavaScript, attachments or launch actions; metadata dropped).

One file at a time, in memory (one evidence file is at most EVIDENCE_MAX_MB); a photo is decoded once,
shrunk before it is turned, and its thumbnail drawn from the shrunk copy, so a worker holds at most the
decoded original and one smaller image."""

import hashlib
import io
import struct
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ..errors import Invalid
from ..i18n import N_, _, is_english

# Decoded, a pixel takes 3 to 4 bytes: 50 MP (a 50 MP phone photo is 8160×6120) is at most 200 MB. A JPEG
# decodes at 1/2 to 1/8 scale when that still covers EVIDENCE_MAX_SIDE (draft), so it may be larger, up to
# Pillow's own decompression-bomb line.
MAX_PIXELS = 50_000_000
MAX_JPEG_PIXELS = 89_000_000
# Pillow is asked to recognise these formats only: no other decoder (EPS would start Ghostscript) ever runs.
OPENERS = ("JPEG", "PNG", "WEBP", "HEIF")  # JPEG's opener gives MPO for a multi-picture file
SOURCE_NAMES = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
ACCEPTED = N_("只接受 JPEG、PNG、WebP、HEIC 照片和 PDF 收据")
DAMAGED = N_("文件已损坏或不完整，无法打开；请重新拍摄或导出后上传（%(accepted)s）。")
# What people send instead of a photo, told apart by their first bytes so the message can say what it was.
_SIGNATURES = (
    (b"GIF87a", N_("GIF 动图")), (b"GIF89a", N_("GIF 动图")), (b"BM", N_("BMP 位图")), (b"II*\x00", N_("TIFF 图片")),
    (b"MM\x00*", N_("TIFF 图片")), (b"MZ", N_("Windows 程序（EXE）")), (b"\x7fELF", N_("程序文件")),
    (b"PK\x03\x04", N_("压缩包或 Office 文档")), (b"Rar!", N_("RAR 压缩包")), (b"7z\xbc\xaf", N_("7z 压缩包")),
    (b"\xd0\xcf\x11\xe0", N_("Office 文档")), (b"%!PS", N_("PostScript 文件")), (b"{\\rtf", N_("RTF 文档")),
)
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, KeyError, TypeError,
                  ZeroDivisionError)
_ICC_SPACES = {"RGB": b"RGB ", "L": b"GRAY"}
_RESIZABLE = ("RGB", "L", "RGBA", "LA")
_ORIENTATION = 0x0112
_T = Image.Transpose
# EXIF orientation → the turn that makes the picture upright (as ImageOps.exif_transpose does).
_TURNS = {2: _T.FLIP_LEFT_RIGHT, 3: _T.ROTATE_180, 4: _T.FLIP_TOP_BOTTOM, 5: _T.TRANSPOSE, 6: _T.ROTATE_270,
          7: _T.TRANSVERSE, 8: _T.ROTATE_90}
_MAX_ICC = 1 << 20

_heif_registered = False


@dataclass(frozen=True)
class Processed:
    kind: str  # image | pdf
    content_type: str
    data: bytes
    sha256: str
    thumb: bytes  # JPEG
    thumb_sha256: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    source_format: str = ""  # what the upload was (JPEG, HEIC, PDF…), for messages


def refuse(reason: str):
    raise Invalid(reason, "files")


def damaged() -> str:
    return _(DAMAGED, accepted=_(ACCEPTED))


def _megapixel_limit() -> int:
    """The largest photo accepted, in the unit people of the reader's language count in (万 or millions)."""
    return MAX_PIXELS // 1_000_000 if is_english() else MAX_PIXELS // 10_000


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process(data: bytes, *, max_side: int = 2560, thumb_side: int = 320, max_pages: int = 30) -> Processed:
    if not data:
        refuse(_("文件是空的。"))
    if data[:1024].lstrip()[:5] == b"%PDF-":  # a slice: never a copy of the whole file
        from .pdf_receipts import process_pdf

        return process_pdf(data, max_pages=max_pages, thumb_side=thumb_side)
    return _image(data, max_side, thumb_side)


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        Image.init()  # every plugin registered, so that `formats=` finds WebP (Pillow loads five by default)
        register_heif_opener()
        _heif_registered = True


def _what(data: bytes) -> str | None:
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head:
        return N_("SVG 矢量图")
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in head:
        return N_("网页（HTML）")
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return N_("AVIF 图片")
    return None


def _too_large(width: int, height: int) -> str:
    return _("照片像素过大（%(width)s×%(height)s），无法处理；请上传不超过 %(limit)s 万像素的照片"
             "（手机相机的原图都在此之内）。", width=width, height=height, limit=_megapixel_limit())


def _open(data: bytes) -> Image.Image:
    _register_heif()
    try:
        image = Image.open(io.BytesIO(data), formats=OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own line (a warning above 89 MP, an error above twice that); the size is in the message.
        refuse(_("照片像素过大，无法处理；请上传不超过 %(limit)s 万像素的照片。", limit=_megapixel_limit()))
    except UnidentifiedImageError:
        what = _what(data)
        refuse(_("文件内容是%(what)s，不是照片或 PDF：%(accepted)s。", what=_(what), accepted=_(ACCEPTED)) if what
               else _("无法识别文件内容：%(accepted)s。", accepted=_(ACCEPTED)))
    except _DECODE_ERRORS:
        refuse(damaged())
    limit = MAX_JPEG_PIXELS if image.format in ("JPEG", "MPO") else MAX_PIXELS
    if image.width * image.height > limit or image.width < 1 or image.height < 1:
        refuse(_too_large(image.width, image.height))
    return image


def _image(data: bytes, max_side: int, thumb_side: int) -> Processed:
    image = _open(data)
    source = SOURCE_NAMES[image.format]
    try:
        image.verify()  # structure and checksums (PNG); it leaves the object unusable, so open again
        image = _open(data)
        image.seek(0)  # an animated WebP or PNG, a multi-picture JPEG: the first picture
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (max_side, max_side))  # decode at 1/2…1/8 scale where that still covers max_side
            if image.width * image.height > MAX_PIXELS:
                refuse(_too_large(image.width, image.height))
        icc = image.info.get("icc_profile")
        # Read before decoding (EXIF, or XMP's tiff:Orientation); HEIC comes upright from libheif with 1 here.
        orientation = image.getexif().get(_ORIENTATION, 1)
        image.load()
        if image.mode not in _RESIZABLE:
            image = _flatten(image)  # palette, 1-bit, 16-bit grey, CMYK: resized badly or not at all
        # Shrink first, turn after: the longest side is the same either way, and turning the small picture
        # makes no second full-size copy.
        if max(image.size) > max_side:
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if isinstance(orientation, int) and orientation in _TURNS:  # a nonsense value: left as it is
            image = image.transpose(_TURNS[orientation])
        image = _flatten(image)
    except Invalid:
        raise
    except _DECODE_ERRORS:  # Pillow raises many kinds on a damaged or truncated file
        refuse(damaged())
    image.info = {}  # EXIF, GPS, maker notes, XMP, comments: nothing of the original's metadata is written
    save = {"quality": 85}
    if icc and len(icc) <= _MAX_ICC and icc[16:20] == _ICC_SPACES.get(image.mode):
        save["icc_profile"] = icc  # the colours as the phone meant them; a profile names no person or place
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    cleaned = out.getvalue()
    thumb = thumbnail(image, thumb_side)
    return Processed(kind="image", content_type="image/jpeg", data=cleaned, sha256=digest(cleaned), thumb=thumb,
                     thumb_sha256=digest(thumb), width=image.width, height=image.height, source_format=source)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency over white (a screenshot of a transfer receipt), greyscale kept as is."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return image.convert("I").point(lambda value: value / 256).convert("L")  # 16-bit grey: scaled, not clipped white
    return image.convert("RGB")


def thumbnail(image: Image.Image, side: int) -> bytes:
    """A JPEG at most side×side, drawn from `image` without copying it at full size."""
    width, height = image.size
    if max(width, height) > side:
        scale = side / max(width, height)
        small = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                             Image.Resampling.LANCZOS, reducing_gap=2.0)
    else:
        small = image
    out = io.BytesIO()
    small.save(out, "JPEG", quality=75)
    return out.getvalue()
