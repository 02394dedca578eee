"""PDF receipts, read by pypdf: refused when they hold JavaScript, attachments, launch or submit actions or
multimedia (anywhere reachable, object streams included; names like /J#61vaScript are decoded by pypdf
before they are compared), when encrypted (they could not be checked) or longer than EVIDENCE_PDF_MAX_PAGES.
The pages are then copied into a new file: the document's metadata (/Author, XMP), its catalogue (forms,
names, outlines) and any unreferenced object stay behind."""

import io
import logging

from PIL import Image, ImageDraw

from ..i18n import N_, _
from .processing import Processed, digest, refuse

# Names that run code, carry files, send data or reach outside the document → what the message says.
UNSAFE = {
    "/JavaScript": N_("含有 JavaScript 脚本"), "/JS": N_("含有 JavaScript 脚本"),
    "/EmbeddedFile": N_("含有附件"), "/EmbeddedFiles": N_("含有附件"), "/EF": N_("含有附件"), "/FileAttachment": N_("含有附件"),
    "/GoToE": N_("含有附件"), "/Launch": N_("含有启动外部程序的动作"), "/SubmitForm": N_("含有向外提交数据的表单动作"),
    "/ImportData": N_("含有导入外部数据的动作"), "/RichMedia": N_("含有多媒体内容"), "/Movie": N_("含有多媒体内容"),
    "/Sound": N_("含有多媒体内容"), "/Rendition": N_("含有多媒体内容"), "/XFA": N_("含有 XFA 表单脚本"),
}
# Per-page entries that are not the page's content: XMP metadata (author, software, places) and editor data.
PAGE_METADATA = ("/Metadata", "/PieceInfo", "/LastModified")
OBJECT_LIMIT = 200_000
ADVICE = N_("出于安全原因不予接收；请打印后拍照，或另存为普通 PDF 后上传。")


def process_pdf(data: bytes, *, max_pages: int, thumb_side: int) -> Processed:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import NameObject

    # pypdf logs each small flaw of real-world PDFs it repairs; those lines say nothing an operator can act on.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            refuse(_("PDF 已加密，无法检查其内容；请上传未加密的收据（或打印后拍照上传）。"))
        pages = len(reader.pages)
        if pages == 0:
            refuse(_("PDF 没有页面。"))
        if pages > max_pages:
            refuse(_("PDF 有 %(pages)s 页，一份收据最多 %(max)s 页；请只上传收据所在的页。", pages=pages, max=max_pages))
        unsafe = find_unsafe(reader.trailer)
        if unsafe:
            refuse(_("PDF %(problem)s，%(advice)s", problem=_(unsafe), advice=_(ADVICE)))
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for name in PAGE_METADATA:
                added.pop(NameObject(name), None)
        out = io.BytesIO()
        writer.write(out)
    except PyPdfError:
        refuse(_("PDF 已损坏或无法读取，请重新导出后上传。"))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError, EOFError):
        refuse(_("PDF 已损坏或无法读取，请重新导出后上传。"))
    cleaned = out.getvalue()
    thumb = _stand_in(pages, thumb_side)
    return Processed(kind="pdf", content_type="application/pdf", data=cleaned, sha256=digest(cleaned),
                     thumb=thumb, thumb_sha256=digest(thumb), pages=pages, source_format="PDF")


def find_unsafe(root) -> str | None:
    """Every object reachable from `root` (pypdf resolves references into object streams), looked at for
    unsafe names as dictionary keys (/JS, /EmbeddedFiles) and as values (/S /JavaScript, /S /Launch)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    stack, seen, count = [root], set(), 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        count += 1
        if count > OBJECT_LIMIT:
            return N_("结构过于复杂，无法检查")
        if isinstance(item, DictionaryObject):  # a stream too: its dictionary, never its content
            for key, value in item.items():
                if key in UNSAFE:
                    return UNSAFE[key]
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and item in UNSAFE:
            return UNSAFE[item]
    return None


def _stand_in(pages: int, side: int) -> bytes:
    """A drawn thumbnail (a page with lines and the page count): rendering the PDF would need a PDF engine."""
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
