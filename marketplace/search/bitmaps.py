"""Sets of documents as Python integers (bit n set: document n matches), read straight from Whoosh's
posting blocks. AND, OR and counting a 200,000-document set are single C-level operations on a 25 KB
integer, where Whoosh's own matchers step through every posting in Python: measured on 200,000 needs,
broad queries with synonyms took 0.5-1.5 s through matchers, and a few ms as bitmaps.

Relies on the layout of Whoosh-Reloaded 2.7.5's W3 codec (pinned exactly in pyproject.toml)."""

import re
from itertools import accumulate

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound

_NONZERO = re.compile(rb"[^\x00]")
_BITS = tuple(tuple(i for i in range(8) if byte >> i & 1) for byte in range(256))


def from_ids(ids) -> int:
    """A bitmap of the given document numbers."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray((max(ids) >> 3) + 1)
    for doc in ids:
        buffer[doc >> 3] |= 1 << (doc & 7)
    return int.from_bytes(buffer, "little")


def decode(bitmap: int, limit: int | None = None) -> list[int]:
    """The document numbers in a bitmap, ascending (the first `limit` only, when given)."""
    if not bitmap:
        return []
    if limit is not None and limit <= 32:
        out = []
        while bitmap and len(out) < limit:
            low = bitmap & -bitmap
            out.append(low.bit_length() - 1)
            bitmap ^= low
        return out
    raw = bitmap.to_bytes((bitmap.bit_length() + 7) >> 3, "little")
    out = []
    for match in _NONZERO.finditer(raw):
        base = match.start() << 3
        out.extend(base + bit for bit in _BITS[raw[match.start()]])
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def posting_ids(leaf, fieldname: str, text: str) -> list[int]:
    """Document numbers of a term in one segment, deleted ones included (callers mask with the live set).
    Reads whole blocks: an id list per block, delta-decoded with accumulate()."""
    if fieldname not in leaf.schema:
        return []
    try:
        matcher = leaf._terms.matcher(fieldname, leaf._text_to_bytes(fieldname, text), leaf.schema[fieldname].format)
    except (TermNotFound, KeyError):
        return []
    if not isinstance(matcher, W3LeafMatcher):
        return list(matcher.all_ids())  # short postings are stored inline
    ids: list[int] = []
    while True:
        if matcher._data is None:
            matcher._read_data()
        block = matcher._data[0]
        ids.extend(block if matcher._byteids else accumulate(block))
        if matcher._lastblock:
            return ids
        matcher._goto(matcher._nextoffset)
