"""Media and the .apkg file itself, written so that the same input gives the same bytes."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping, Sequence
from html import escape, unescape

from lessonc.outputs.anki.apkg_zip import write_zip
from lessonc.outputs.anki.collection import PreparedSubdeck, write_collection

MEDIA_HASH_LENGTH = 20
"""Hex digits of a media file's SHA-256 in its bundled name: 80 bits, collision-free in practice."""
_ZIP_EPOCH_FLOOR = 315_532_800  # 1980-01-01, the earliest date a zip entry can hold
_COMPRESS_LEVEL = 1
"""zlib's fastest level. A course deck's database is tens of megabytes of HTML: level 6 took
three times as long (about 0.3 s for 500 lessons) for a package about a sixth smaller."""
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')


def media_name(data: bytes, suffix: str) -> str:
    """A flat media file name from the content: same bytes, same name; other bytes, other name.

    Anki keeps all media of a collection in one folder, so a name like
    ``diagram.png`` from two lessons would clash; a content hash cannot.
    """
    digest = hashlib.sha256(data).hexdigest()[:MEDIA_HASH_LENGTH]
    suffix = suffix.lower()
    return f"lessonc-{digest}{suffix if _SAFE_SUFFIX.match(suffix) else ''}"


def rewrite_image_sources(html: str, names: Mapping[str, str]) -> str:
    """Point every ``<img src>`` at its bundled media name; a source not bundled loses its src."""
    if "<img" not in html:
        return html  # most fields: no image, nothing to rewrite

    def swap(match: re.Match[str]) -> str:
        bundled = names.get(unescape(match.group(2)), "")
        return f"{match.group(1)}{escape(bundled)}{match.group(3)}"

    return _IMG_SRC.sub(swap, html)


def zip_time(source_date_epoch: int) -> tuple[int, int, int, int, int, int]:
    """The zip entry date for a build: the source date in UTC, no earlier than 1980."""
    moment = time.gmtime(max(source_date_epoch, _ZIP_EPOCH_FLOOR))
    return (
        moment.tm_year, moment.tm_mon, moment.tm_mday,
        moment.tm_hour, moment.tm_min, moment.tm_sec - moment.tm_sec % 2,
    )  # fmt: skip


def write_apkg(
    subdecks: Sequence[PreparedSubdeck], media: Mapping[str, bytes], timestamp: int
) -> bytes:
    """The package as .apkg bytes: the collection database, then a zip with fixed dates and order.

    genanki's own ``write_to_file`` leaves its database in the system temp
    folder and stamps the zip entries with the current time; so the database
    is built in memory (no disk, no fsync) and the zip is assembled here with
    the build's date.
    """
    database = write_collection(subdecks, timestamp)
    names = sorted(media)
    index = {str(i): name for i, name in enumerate(names)}
    entries = [
        ("collection.anki2", database),
        ("media", json.dumps(index, sort_keys=True, separators=(",", ":")).encode("utf-8")),
        *((str(i), media[name]) for i, name in enumerate(names)),
    ]
    return write_zip(sorted(entries), zip_time(timestamp), _COMPRESS_LEVEL)
