"""Whether a rebuilt deck's edits can reach a collection: Anki updates a note only when newer.

Anki skips an imported note whose modification time is not newer than the
copy it has, even when the fields differ, and lessonc stamps every note with
the build's time (``SOURCE_DATE_EPOCH``, else the source file's modification
time). So a note edited under an unchanged ``SOURCE_DATE_EPOCH`` would keep its
old text in every collection that imported the previous deck, with no word
from Anki. The deck's entry in ``manifest.json`` therefore records each note's
digest and the stamp; the next build compares and warns.

This module is plain data in, plain data out: the pipeline reads and writes
the manifest, the Anki renderer supplies the digests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from lessonc.diagnostics import Diagnostic, Severity

_DIGEST_LENGTH = 16
"""Hex digits kept of a note's SHA-256: enough to tell an edit, short in the manifest."""


def note_digest(note_type: str, fields: Sequence[str], tags: Sequence[str]) -> str:
    """A digest of what Anki updates in a note on import: note type, fields and tags."""
    text = "\x1e".join([note_type, "\x1f".join(fields), " ".join(tags)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]


def deck_record(timestamp: int, digests: Mapping[str, str]) -> dict[str, object]:
    """What the manifest keeps about a deck: its notes' stamp and each note's digest by GUID."""
    return {"timestamp": timestamp, "notes": dict(sorted(digests.items()))}


def follow(previous: object, current: Mapping[str, object]) -> tuple[dict[str, object], int]:
    """``current`` with the notes an import would not update, and how many there are.

    A note is stale when its content differs from some earlier build's and its
    stamp is not newer than that build's: a collection holding the earlier
    note keeps it. Stale notes are recorded under ``stale`` (GUID → the stamp
    to beat), so later builds keep warning until the stamp moves past it.
    """
    record = dict(current)
    record.pop("stale", None)
    stamp = current.get("timestamp")
    notes = current.get("notes")
    if not isinstance(previous, Mapping) or not isinstance(stamp, int):
        return record, 0
    before = previous.get("timestamp")
    old_notes = previous.get("notes")
    old_stale = previous.get("stale")
    if not isinstance(before, int) or not isinstance(old_notes, Mapping):
        return record, 0
    if not isinstance(old_stale, Mapping):
        old_stale = {}
    stale: dict[str, int] = {}
    for guid, digest in (notes if isinstance(notes, Mapping) else {}).items():
        carried = old_stale.get(guid)
        to_beat = carried if isinstance(carried, int) else None
        old = old_notes.get(guid)
        if old is not None and old != digest:
            to_beat = before if to_beat is None else max(to_beat, before)
        if to_beat is not None and stamp <= to_beat:
            stale[str(guid)] = to_beat
    if stale:
        record["stale"] = dict(sorted(stale.items()))
    return record, len(stale)


def stale_notes_warning(file: str, line: int, col: int, count: int) -> Diagnostic:
    """The warning for ``count`` stale notes, at the lesson's ``id:`` (``file:line:col``)."""
    return Diagnostic(
        file, line, col, "anki-stale-timestamp",
        f"{count} Anki note(s) changed, but deck.apkg stamps them no later than the deck "
        "built before: Anki will keep the old text when it is imported again",
        "stamp each build later than the last, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) "
        "after committing the edit, or leave SOURCE_DATE_EPOCH unset (the source file's time)",
        severity=Severity.WARNING,
    )  # fmt: skip
