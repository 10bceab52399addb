"""Anki's own backend for the tests: a fresh collection in a scratch folder, decks imported."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# anki.collection first: anki's own modules import each other in a cycle that starts there.
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

IMPORT_KINDS = (
    "new", "updated", "duplicate", "conflicting", "missing_notetype", "empty_first_field",
)  # fmt: skip
"""The lists of notes in the log of Anki's importer."""


@contextmanager
def fresh_collection(folder: Path, *packages: Path) -> Iterator[Collection]:
    """A new collection in ``folder`` with ``packages`` imported in turn; closed after the block."""
    collection = Collection(str(folder / "collection.anki2"))
    try:
        for package in packages:
            import_package(collection, package)
        yield collection
    finally:
        collection.close()


def import_package(
    collection: Collection, package: Path, kinds: Sequence[str] = IMPORT_KINDS
) -> dict[str, int]:
    """Import ``package`` as Anki's own importer does; how many notes its log lists of each kind."""
    log = collection.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    ).log
    return {kind: len(getattr(log, kind)) for kind in kinds}
