"""The zip around a package's files, written here so a large database deflates on two CPUs.

A course deck's database is tens of megabytes, and deflating it in one stream was a
third of the time the course deck took, spent while the build's other CPU waited for
it. Here a large file deflates as pigz does it: in blocks of :data:`_BLOCK` bytes, each
primed with the 32 KiB before it and ended with a sync flush, two at a time (zlib lets go
of Python's lock while it works). The blocks are fixed by the data, not by the CPUs, so
the same database gives the same bytes on any machine; a file below
:data:`_SPLIT_FROM` deflates in one stream, as :mod:`zipfile` would.

The zip itself is what :mod:`zipfile` writes for the same entries (``writestr`` of a
``ZipInfo`` into a seekable buffer), byte for byte: local headers with sizes and CRC,
no data descriptors, then the central directory and its end record. The tests compare
both writers. A package too large for the classic format (zip64) is left to zipfile.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Sequence
from io import BytesIO

_BLOCK = 1 << 20
"""Bytes deflated at a time: a few milliseconds of work, a 5-byte flush marker each."""
_SPLIT_FROM = 8 * _BLOCK
"""From this size on a file deflates in blocks (a lesson's own deck is far smaller)."""
_WINDOW = 32 * 1024
"""Deflate's history: each block may refer back this far into the one before it."""
_THREADS = 2

_DEFLATED = 8
_VERSION = 20  # what zipfile writes as needed and made-by version for deflated entries
_UNIX = 3
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_CLASSIC_LIMIT = 0xFFFF_FFFF
_CLASSIC_ENTRIES = 0xFFFF

Date = tuple[int, int, int, int, int, int]


def write_zip(entries: Sequence[tuple[str, bytes]], date: Date, level: int) -> bytes:
    """A zip of ``entries`` (name, data), in this order, each deflated at ``level``, all
    dated ``date``, as read-only files of a Unix system (the same bytes on any system)."""
    if len(entries) >= _CLASSIC_ENTRIES or sum(len(d) for _, d in entries) >= _CLASSIC_LIMIT:
        return _zipfile_zip(entries, date, level)
    dos_time = date[3] << 11 | date[4] << 5 | date[5] // 2
    dos_date = (date[0] - 1980) << 9 | date[1] << 5 | date[2]
    out = BytesIO()
    central: list[bytes] = []
    for name, data in entries:
        deflated, crc = deflate(data, level)
        encoded, flags = _encoded_name(name)
        offset = out.tell()
        if offset >= _CLASSIC_LIMIT or len(deflated) >= _CLASSIC_LIMIT:
            return _zipfile_zip(entries, date, level)
        out.write(
            _LOCAL.pack(
                b"PK\x03\x04", _VERSION, 0, flags, _DEFLATED, dos_time, dos_date,
                crc, len(deflated), len(data), len(encoded), 0,
            )
        )  # fmt: skip
        out.write(encoded)
        out.write(deflated)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, _DEFLATED, dos_time,
                dos_date, crc, len(deflated), len(data), len(encoded), 0, 0, 0, 0,
                0o644 << 16, offset,
            )
            + encoded
        )  # fmt: skip
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    if start >= _CLASSIC_LIMIT:
        return _zipfile_zip(entries, date, level)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def _encoded_name(name: str) -> tuple[bytes, int]:
    """The name's bytes and flag bits, as zipfile chooses them: ASCII, else UTF-8 (bit 11)."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), 0x800


def deflate(data: bytes, level: int) -> tuple[bytes, int]:
    """``data`` as a raw deflate stream, and its CRC-32; from :data:`_SPLIT_FROM` bytes
    on, deflated in blocks two at a time while this thread computes the CRC."""
    if len(data) < _SPLIT_FROM:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(data) + compressor.flush(), zlib.crc32(data)
    from concurrent.futures import ThreadPoolExecutor

    view = memoryview(data)
    starts = range(0, len(data), _BLOCK)
    last = starts[-1]

    def block(start: int) -> bytes:
        if start:
            history = bytes(view[max(0, start - _WINDOW) : start])
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=history)
        else:
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        body = compressor.compress(view[start : start + _BLOCK])
        # Every block but the last ends on a byte boundary and leaves the stream open.
        return body + compressor.flush(zlib.Z_FINISH if start == last else zlib.Z_SYNC_FLUSH)

    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        blocks = pool.map(block, starts)  # submitted all at once; the CRC meanwhile
        crc = zlib.crc32(data)
        return b"".join(blocks), crc


def _zipfile_zip(entries: Sequence[tuple[str, bytes]], date: Date, level: int) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", allowZip64=True) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX  # the platform byte would otherwise differ on Windows
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=level)
    return buffer.getvalue()
