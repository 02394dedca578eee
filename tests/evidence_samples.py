"""Evidence files the tests upload, generated here: photos as a phone writes them (EXIF with GPS and a maker
note), a HEIC as an iPhone does, PDF receipts clean and with JavaScript or an attachment inside."""

import io

from PIL import Image, ImageDraw

# 涡阳县 (33.49 N, 116.21 E), as a phone writes it.
GPS = {1: "N", 2: (33.0, 29.0, 24.0), 3: "E", 4: (116.0, 12.0, 36.0)}


def _picture(width: int, height: int, colour=(70, 130, 180)) -> Image.Image:
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 4, height // 3, width * 3 // 4, height * 5 // 6), fill=(205, 170, 125))  # a box
    draw.line((0, height * 5 // 6, width, height * 5 // 6), fill=(90, 90, 90), width=max(1, height // 100))
    return image


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0112] = orientation
    exif[0x927C] = b"maker-note-serial-0042"  # MakerNote
    gps = exif.get_ifd(0x8825)
    gps.update(GPS)
    return exif


def jpeg(width: int = 1600, height: int = 1200, *, gps: bool = True, orientation: int = 1, colour=(70, 130, 180),
         quality: int = 90) -> bytes:
    out = io.BytesIO()
    extra = {"exif": exif_with_gps(orientation)} if gps else {}
    _picture(width, height, colour).save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def png(width: int = 800, height: int = 600, *, alpha: bool = False) -> bytes:
    out = io.BytesIO()
    image = _picture(width, height)
    if alpha:
        image = image.convert("RGBA")
    image.save(out, "PNG", exif=exif_with_gps())
    return out.getvalue()


def webp(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    _picture(width, height).save(out, "WEBP", exif=exif_with_gps())
    return out.getvalue()


def heic(width: int = 800, height: int = 600) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    _picture(width, height).save(out, "HEIF", exif=exif_with_gps())
    return out.getvalue()


def pdf(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(420, 595)
    writer.add_metadata({"/Author": "张三 13912345678", "/Title": "收据"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(420, 595)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('x');")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_attachment() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(420, 595)
    writer.add_attachment("名单.txt", "张三 341621199001011234".encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
