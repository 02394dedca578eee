"""Evidence the demo's fulfilers upload, drawn with Pillow: a parcel of rice and oil on a table, a doorway
before and after its ramp, a bathroom before and after its grab bars, a pupil's desk, a printed receipt
(photographed, or as a PDF) and a signed delivery slip. No person is drawn and no real document copied.

Photos carry EXIF as a phone writes it (camera, time, GPS near 亳州), so that the demo shows what the
upload pipeline strips. Chinese text needs a CJK font (Debian's fonts-noto-cjk); without one, text is drawn
as grey print lines."""

import io
import random
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1024, 768
CJK_FONTS = (  # (path, face index of Simplified Chinese in the collection)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
# 亳州 (33.84 N, 115.78 E), as a phone writes it.
GPS = {1: "N", 2: (33.0, 50.0, 24.0), 3: "E", 4: (115.0, 46.0, 48.0)}
INK, PAPER, RED = (35, 35, 40), (248, 246, 238), (200, 30, 30)


@lru_cache(maxsize=32)
def _font(size: int):
    for path, index in CJK_FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size, index=index)
    return None


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill=INK) -> None:
    font = _font(size)
    if font is not None:
        draw.text(xy, text, font=font, fill=fill)
    else:  # shapes only: a grey bar as long as the line would be
        x, y = xy
        draw.rectangle((x, y + size // 4, x + int(len(text) * size * 0.9), y + size * 3 // 4), fill=(150, 150, 150))


def _camera_exif(rng: random.Random) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Shanqiao"  # Make
    exif[0x0110] = "Demo Phone"  # Model
    exif[0x0132] = f"2026:0{rng.randint(1, 9)}:{rng.randint(10, 28)} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00"
    exif[0x927C] = b"demo-maker-note"  # MakerNote
    exif.get_ifd(0x8825).update(GPS)
    return exif


def _jpeg(image: Image.Image, rng: random.Random) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=_camera_exif(rng))
    return out.getvalue()


def _room(rng: random.Random, wall=(226, 221, 208), floor=(168, 150, 128), horizon: int = 470):
    """A wall, a floor and light falling from one side; every picture varies a little so no two are equal."""
    jitter = rng.randint(-12, 12)
    wall = tuple(max(0, min(255, c + jitter)) for c in wall)
    image = Image.new("RGB", (WIDTH, HEIGHT), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=floor)
    for x in range(0, WIDTH, 4):  # the light from a window on the left, fading
        shade = int(18 * x / WIDTH)
        draw.line((x, 0, x, horizon - 1), fill=tuple(max(0, c - shade) for c in wall), width=4)
    return image, draw


def _table(draw, rng, top: int = 430) -> None:
    wood = (140 + rng.randint(-10, 10), 96, 60)
    draw.polygon(((120, top), (904, top), (964, top + 70), (60, top + 70)), fill=wood)
    draw.rectangle((60, top + 70, 964, top + 92), fill=(110, 74, 46))
    for x in (90, 910):
        draw.rectangle((x, top + 92, x + 26, HEIGHT), fill=(100, 66, 40))


def parcel(rng: random.Random, label: str = "") -> bytes:
    """A parcel of rice and oil on a table, with a box labelled with what was delivered."""
    image, draw = _room(rng)
    _table(draw, rng)
    x = 180 + rng.randint(-30, 30)
    draw.rounded_rectangle((x, 250, x + 220, 460), radius=40, fill=(236, 232, 220), outline=(180, 170, 150), width=3)
    draw.rectangle((x + 50, 300, x + 170, 380), fill=(200, 40, 40))  # the rice sack's printed panel
    _text(draw, (x + 70, 312), "大米", 40, fill="white")
    _text(draw, (x + 78, 395), "10kg", 26)
    for k in range(2):  # two bottles of cooking oil
        bx = x + 260 + k * 90
        draw.rectangle((bx + 20, 230, bx + 50, 262), fill=(200, 40, 40))
        draw.rounded_rectangle((bx, 260, bx + 70, 462), radius=16, fill=(230, 180, 40), outline=(170, 120, 20), width=3)
        _text(draw, (bx + 8, 330), "食用油", 18)
    bx = x + 470
    draw.rectangle((bx, 270, bx + 250, 462), fill=(196, 156, 104), outline=(150, 110, 70), width=3)  # a carton
    draw.rectangle((bx + 110, 270, bx + 140, 462), fill=(210, 190, 150))  # tape
    draw.rectangle((bx + 20, 320, bx + 230, 400), fill=PAPER)
    _text(draw, (bx + 28, 342), (label or "爱心物资")[:8], 23)
    return _jpeg(image, rng)


def desk(rng: random.Random) -> bytes:
    """A pupil's desk and chair with books, a lamp and a school bag, in a classroom."""
    image, draw = _room(rng, wall=(232, 236, 226), floor=(190, 184, 170), horizon=500)
    draw.rectangle((300, 60, 724, 250), fill=(40, 70, 55), outline=(120, 90, 60), width=10)  # the blackboard
    _text(draw, (340, 100), "好好学习 天天向上", 36, fill=(235, 235, 235))
    top = 430 + rng.randint(-15, 15)
    draw.rectangle((260, top, 760, top + 30), fill=(214, 180, 120))
    for leg in (280, 720):
        draw.rectangle((leg, top + 30, leg + 20, top + 250), fill=(120, 120, 130))
    draw.rectangle((600, top - 200, 612, top), fill=(90, 90, 90))  # the lamp
    draw.polygon(((560, top - 210), (680, top - 210), (650, top - 170), (590, top - 170)), fill=(60, 120, 200))
    for k, colour in enumerate(((220, 70, 60), (60, 140, 90), (240, 200, 60))):
        draw.rectangle((320 + k * 8, top - 30 - k * 22, 500 - k * 10, top - 8 - k * 22), fill=colour)
    draw.rounded_rectangle((800, top + 60, 940, top + 230), radius=24, fill=(40, 90, 170))  # the school bag
    draw.rectangle((420, top + 120, 600, top + 140), fill=(214, 180, 120))  # the chair
    draw.rectangle((430, top + 140, 445, top + 260), fill=(120, 120, 130))
    draw.rectangle((575, top + 140, 590, top + 260), fill=(120, 120, 130))
    return _jpeg(image, rng)


def doorway(rng: random.Random, *, after: bool) -> bytes:
    """The door of a house: three steps before, a ramp with a handrail after."""
    image, draw = _room(rng, wall=(205, 200, 190), floor=(150, 150, 145), horizon=560)
    draw.rectangle((380, 150, 640, 450), fill=(120, 60, 40), outline=(80, 40, 30), width=6)  # the door
    draw.ellipse((600, 300, 616, 316), fill=(220, 200, 80))
    if not after:
        for k in range(3):
            draw.rectangle((340 - k * 40, 450 + k * 36, 680 + k * 40, 486 + k * 36), fill=(175, 172, 165),
                           outline=(120, 120, 115), width=2)
    else:
        draw.polygon(((340, 450), (680, 450), (980, 600), (980, 640), (340, 500)), fill=(185, 182, 176),
                     outline=(120, 120, 115))
        for k in range(12):  # the anti-slip grooves
            x = 400 + k * 48
            draw.line((x, 455 + (x - 340) * 0.42, x, 495 + (x - 340) * 0.22), fill=(150, 148, 142), width=3)
        draw.line((340, 380, 980, 530), fill=(170, 170, 180), width=10)  # the handrail
        for x in (360, 660, 960):
            draw.line((x, 385 + (x - 340) * 0.234, x, 455 + (x - 340) * 0.42), fill=(150, 150, 160), width=8)
    return _jpeg(image, rng)


def bathroom(rng: random.Random, *, after: bool) -> bytes:
    """A corner of a bathroom: a squat toilet on tiles before, grab bars and a sitting toilet after."""
    image, draw = _room(rng, wall=(236, 236, 230), floor=(200, 200, 196), horizon=520)
    for x in range(0, WIDTH, 64):
        draw.line((x, 0, x, 520), fill=(215, 215, 210), width=2)
    for y in range(0, 520, 64):
        draw.line((0, y, WIDTH, y), fill=(215, 215, 210), width=2)
    if not after:
        draw.ellipse((420, 560, 620, 640), fill=(250, 250, 250), outline=(170, 170, 170), width=4)
        draw.ellipse((490, 585, 550, 615), fill=(200, 200, 205))
    else:
        for x in range(0, WIDTH, 48):  # the anti-slip floor tiles
            draw.line((x, 520, x - 120, HEIGHT), fill=(160, 150, 140), width=3)
        draw.rounded_rectangle((440, 380, 600, 470), radius=20, fill=(250, 250, 250), outline=(170, 170, 170), width=4)
        draw.rounded_rectangle((430, 470, 610, 560), radius=40, fill=(250, 250, 250), outline=(170, 170, 170), width=4)
        draw.rectangle((300, 330, 316, 520), fill=(190, 190, 200))  # a vertical grab bar
        draw.rounded_rectangle((640, 400, 860, 418), radius=8, fill=(190, 190, 200))  # and a horizontal one
        for x, y in ((300, 330), (300, 504), (640, 400), (844, 400)):
            draw.ellipse((x - 6, y - 6, x + 22, y + 22), fill=(150, 150, 160))
    return _jpeg(image, rng)


def _paper(title: str, lines: list[str], *, size=(760, 520), stamp: str = "") -> Image.Image:
    paper = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(paper)
    width, height = size
    _text(draw, (width // 2 - len(title) * 17, 24), title, 34)
    draw.line((40, 80, width - 40, 80), fill=INK, width=2)
    for k, line in enumerate(lines):
        y = 100 + k * 46
        _text(draw, (50, y), line, 24)
        draw.line((50, y + 38, width - 50, y + 38), fill=(200, 196, 186), width=1)
    if stamp:  # a round seal with the organisation's name, as receipts carry
        cx, cy, r = width - 150, height - 120, 80
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=RED, width=5)
        draw.regular_polygon((cx, cy, 22), 5, fill=RED)
        _text(draw, (cx - r + 18, cy + 26), stamp[:8], 16, fill=RED)
    return paper


def _photographed(paper: Image.Image, rng: random.Random, *, signed_line: int | None = None) -> bytes:
    """The paper lying on a wooden table, slightly turned, as a phone photographs it."""
    if signed_line is not None:  # a scribble, not a name: the household's or the village cadre's hand
        draw = ImageDraw.Draw(paper)
        x, y = 380, 100 + signed_line * 46 + 14
        points = [(x + k * 14, y + rng.randint(-14, 14)) for k in range(16)]
        draw.line(points, fill=(20, 40, 120), width=4, joint="curve")
    image = Image.new("RGB", (WIDTH, HEIGHT), (120 + rng.randint(-10, 10), 84, 52))
    angle = rng.uniform(-4, 4)
    turned = paper.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    # The paper's shape turned the same way: only the paper is pasted, not the corners the rotation adds.
    mask = Image.new("L", paper.size, 255).rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    image.paste(turned, ((WIDTH - turned.width) // 2, (HEIGHT - turned.height) // 2), mask)
    return _jpeg(image, rng)


def receipt_lines(*, title: str, amount_fen: int | None, organisation: str, on: str) -> list[str]:
    lines = [f"日期：{on}", f"摘要：{title[:18]}"]
    if amount_fen:
        lines.append(f"金额：人民币 {amount_fen / 100:,.2f} 元")
    lines += [f"付款单位：{organisation[:16]}", "经办：（签章）"]
    return lines


def receipt_photo(rng: random.Random, lines: list[str], stamp: str = "") -> bytes:
    return _photographed(_paper("收 款 收 据", lines, stamp=stamp), rng)


def receipt_pdf(lines: list[str], stamp: str = "") -> bytes:
    """A receipt as a finance office exports it: one A5 landscape page (Pillow writes an image PDF)."""
    paper = _paper("收 款 收 据", lines, size=(1000, 700), stamp=stamp)
    out = io.BytesIO()
    paper.save(out, "PDF", resolution=120.0)
    return out.getvalue()


def signed_slip(rng: random.Random, lines: list[str]) -> bytes:
    """送达回执, the fulfiler's copy, signed by the household (or the village cadre) and photographed."""
    lines = [*lines, "受助方或村（居）委会代签：", "日期："]
    return _photographed(_paper("送 达 回 执", lines), rng, signed_line=len(lines) - 2)


def service_record(rng: random.Random, lines: list[str]) -> bytes:
    """服务记录表: the dates and hours of the visits, ticked off."""
    return _photographed(_paper("服 务 记 录 表", lines), rng)
