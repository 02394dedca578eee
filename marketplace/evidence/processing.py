"""An uploaded file judged by its content, never by its name or the browser's word, and cleaned before it
is stored:

- photos (JPEG, PNG, WebP, and HEIC from iPhones through pillow-heif) are opened and verified by Pillow,
  turned upright, re-encoded as JPEG with the longest side at most EVIDENCE_MAX_SIDE and without EXIF, GPS,
  maker notes or XMP (only the colour profile is kept), and get a thumbnail;
- PDF receipts are read by pypdf and refused when they hold JavaScript, attachments or launch actions, or are
  encrypted (they could not be checked); the pages are then written into a new file, which drops the
  document's metadata.

Everything here works on bytes in memory: one evidence file is at most EVIDENCE_MAX_MB."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from ..errors import Invalid

# Pillow's own guard is a warning at 89 MP; 64 MP covers a 48 MP phone camera and refuses pixel bombs.
MAX_PIXELS = 64_000_000
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC", "MPO": "JPEG"}
ACCEPTED = "只接受 JPEG、PNG、WebP、HEIC 照片和 PDF 收据"
# PDF names that run code, carry files or reach outside the document.
_UNSAFE_PDF = {
    "/JavaScript": "含有 JavaScript 脚本", "/JS": "含有 JavaScript 脚本",
    "/EmbeddedFile": "含有附件", "/EmbeddedFiles": "含有附件", "/EF": "含有附件", "/FileAttachment": "含有附件",
    "/Launch": "含有启动外部程序的动作", "/RichMedia": "含有多媒体内容", "/XFA": "含有 XFA 表单脚本",
}
_PDF_OBJECT_LIMIT = 200_000

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


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def refuse(reason: str):
    raise Invalid(reason, "files")


def process(data: bytes, *, max_side: int = 2560, thumb_side: int = 320, max_pages: int = 30) -> Processed:
    if not data:
        refuse("文件是空的。")
    if data.lstrip()[:5] == b"%PDF-":
        return _pdf(data, max_pages, thumb_side)
    return _image(data, max_side, thumb_side)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _open(data: bytes) -> Image.Image:
    _register_heif()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            refuse(f"无法识别文件内容：{ACCEPTED}。")
        except (OSError, ValueError, SyntaxError):
            refuse(f"文件已损坏或不完整，无法打开：{ACCEPTED}。")
    if image.format not in IMAGE_FORMATS:
        refuse(f"文件内容是 {image.format} 格式：{ACCEPTED}。")
    if image.width * image.height > MAX_PIXELS:
        refuse(f"照片像素过大（{image.width}×{image.height}），请上传不超过 6400 万像素的照片。")
    return image


def _image(data: bytes, max_side: int, thumb_side: int) -> Processed:
    image = _open(data)
    source = IMAGE_FORMATS[image.format]
    try:
        image.verify()  # structure and checksums (PNG); verify() leaves the object unusable, so open again
        image = _open(data)
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))  # decode at a smaller DCT scale where that is enough
        image.seek(0)  # an animated WebP or PNG keeps its first frame
        icc = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        image.load()
    except Invalid:
        raise
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, struct.error…) on a damaged file
        refuse(f"文件已损坏或不完整，无法打开：{ACCEPTED}。")
    image = _flatten(image)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image.info = {}  # EXIF, GPS, maker notes, XMP, comments: nothing of the original's metadata is written
    out = io.BytesIO()
    save = {"quality": 85}
    if icc:
        save["icc_profile"] = icc
    image.save(out, "JPEG", **save)
    data = out.getvalue()
    thumb = _thumbnail(image, thumb_side)
    return Processed(kind="image", content_type="image/jpeg", data=data, sha256=_digest(data), thumb=thumb,
                     thumb_sha256=_digest(thumb), width=image.width, height=image.height, source_format=source)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency over white (a screenshot of a transfer receipt), greyscale kept as is."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _thumbnail(image: Image.Image, side: int) -> bytes:
    small = image.copy()
    small.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    small.info = {}
    out = io.BytesIO()
    small.save(out, "JPEG", quality=75)
    return out.getvalue()


def _pdf(data: bytes, max_pages: int, thumb_side: int) -> Processed:
    import logging

    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it logs every small flaw of real-world PDFs

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns on every small flaw of real-world PDFs
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                refuse("PDF 已加密，无法检查其内容，请上传未加密的收据。")
            pages = len(reader.pages)
            if pages == 0:
                refuse("PDF 没有页面。")
            if pages > max_pages:
                refuse(f"PDF 有 {pages} 页，收据最多 {max_pages} 页。")
            unsafe = _unsafe(reader)
            if unsafe:
                refuse(f"PDF {unsafe}，出于安全原因不予接收；请打印后拍照，或另存为普通 PDF 后上传。")
            writer = PdfWriter()
            for page in reader.pages:
                writer.add_page(page)
            out = io.BytesIO()
            writer.write(out)
    except Invalid:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        refuse("PDF 已损坏或无法读取，请重新导出后上传。")
    cleaned = out.getvalue()
    thumb = _pdf_thumbnail(pages, thumb_side)
    return Processed(kind="pdf", content_type="application/pdf", data=cleaned, sha256=_digest(cleaned),
                     thumb=thumb, thumb_sha256=_digest(thumb), pages=pages, source_format="PDF")


def _unsafe(reader) -> str | None:
    """Every object reachable from the trailer (object streams included: pypdf resolves them), looked at for
    names that run code or carry files, in dictionary keys and in name values (/S /JavaScript)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    stack, seen, count = [reader.trailer], set(), 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        count += 1
        if count > _PDF_OBJECT_LIMIT:
            return "结构过于复杂"
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _UNSAFE_PDF:
                    return _UNSAFE_PDF[key]
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and item in _UNSAFE_PDF:
            return _UNSAFE_PDF[item]
    return None


def _pdf_thumbnail(pages: int, side: int) -> bytes:
    """A drawn stand-in (a page with lines and the page count): rendering the PDF would need a PDF engine."""
    height = side
    width = max(1, int(side * 0.75))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(120, 120, 120), width=2)
    draw.rectangle((0, 0, width - 1, height // 5), fill=(176, 32, 32))
    draw.text((width // 10, height // 20), "PDF", fill="white", font_size=max(12, height // 8))
    for row in range(4, 9):
        y = row * height // 10
        draw.line((width // 10, y, width * 9 // 10, y), fill=(190, 190, 190), width=2)
    draw.text((width // 10, height * 9 // 10 - height // 16), f"{pages} p", fill=(60, 60, 60),
              font_size=max(10, height // 12))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
