"""The package's zip: zipfile's bytes for small files, a large one deflated in blocks."""

from __future__ import annotations

import random
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest

from lessonc.course.outputs.deck import course_deck
from lessonc.outputs.anki import apkg_zip
from lessonc.outputs.anki.apkg_zip import write_zip
from outputs.anki_support import fresh_collection, import_package
from outputs.test_anki_collection import EPOCH, lesson_decks, lesson_parts

DATE = (2023, 11, 14, 22, 13, 20)


def _text(size: int, seed: int = 7) -> bytes:
    """Compressible, not trivially so: HTML-like words in a random order."""
    words = [b"<div>", b"</div>", b"lesson", b"card", b"\xce\xb1\xce\xb2", b"model", b" "]
    generator = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += generator.choice(words)
    return bytes(out[:size])


def _zipfile_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=1)
    return buffer.getvalue()


def test_small_files_give_the_bytes_zipfile_writes() -> None:
    entries = [
        ("collection.anki2", _text(200_000)),
        ("media", b'{"0":"lessonc-ab.png"}'),
        ("0", bytes(range(256)) * 10),
        ("leçon", b""),  # a name that is not ASCII: UTF-8, with its flag
    ]
    assert write_zip(entries, DATE, 1) == _zipfile_bytes(entries)


def test_a_large_file_deflates_in_blocks_that_unzip_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _text(3 * apkg_zip._SPLIT_FROM // 2)
    archive = write_zip([("collection.anki2", data)], DATE, 1)
    with zipfile.ZipFile(BytesIO(archive)) as read:
        assert read.testzip() is None
        assert read.read("collection.anki2") == data
    # Blocks, not one stream: the bytes differ from zipfile's, and not with the threads.
    assert archive != _zipfile_bytes([("collection.anki2", data)])
    monkeypatch.setattr(apkg_zip, "_THREADS", 1)
    assert write_zip([("collection.anki2", data)], DATE, 1) == archive


def test_a_block_refers_back_into_the_one_before() -> None:
    # Primed with the previous block's last 32 KiB, a block repeating it costs next to nothing.
    block = apkg_zip._BLOCK
    data = (_text(block) * (apkg_zip._SPLIT_FROM // block + 1))[: apkg_zip._SPLIT_FROM + block]
    deflated, crc = apkg_zip.deflate(data, 1)
    assert crc == zlib.crc32(data)
    assert zlib.decompress(deflated, -zlib.MAX_WBITS) == data
    single = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert len(deflated) < 1.1 * len(single.compress(data) + single.flush())


@pytest.mark.anki
def test_anki_imports_a_course_deck_deflated_in_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks of 4 KiB from 16 KiB on: the example lessons' course deck takes the block path.
    monkeypatch.setattr(apkg_zip, "_BLOCK", 4096)
    monkeypatch.setattr(apkg_zip, "_SPLIT_FROM", 16384)
    decks = lesson_decks()
    package = tmp_path / "course.apkg"
    package.write_bytes(course_deck(lesson_parts(decks), EPOCH))
    with zipfile.ZipFile(package) as read:
        assert read.getinfo("collection.anki2").file_size > 16384
    with fresh_collection(tmp_path) as collection:
        notes = [note for deck in decks for note in deck.subdeck.notes]
        assert import_package(collection, package, ("new",)) == {"new": len(notes)}
        assert collection.note_count() == len(notes)
        problems, ok = collection.fix_integrity()
        assert ok, problems
