"""Pages copied from one PDF into another keep where they lead: named destinations,
links and bookmarks are retargeted to the copies (pikepdf leaves them pointing at the
pages of the file they came from)."""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

ObjectKey = tuple[int, int]
"""A page's (object number, generation) in the PDF it was read from."""


def named_destinations(pdf: pikepdf.Pdf) -> dict[str, Array]:
    """The PDF's named destinations (its ``/Names /Dests`` tree) as explicit destinations."""
    names = pdf.Root.get(Name.Names)
    if not isinstance(names, Dictionary) or not isinstance(names.get(Name.Dests), Dictionary):
        return {}
    explicit: dict[str, Array] = {}
    for name, value in pikepdf.NameTree(names.Dests).items():
        # An entry is the destination itself, or a dictionary holding it as /D.
        target = value.get(Name.D) if isinstance(value, Dictionary) else value
        if isinstance(target, Array):
            explicit[name] = target
    return explicit


def retarget(target: Array, copies: dict[ObjectKey, Dictionary]) -> Array | None:
    """A destination in the source PDF, leading to the copy of its page; None if none was copied."""
    if len(target) == 0 or not isinstance(target[0], Dictionary):
        return None  # a page number, meant for another document
    page = copies.get(target[0].objgen)
    if page is None:
        return None
    return Array([page, *list(target)[1:]])  # the same view (/XYZ left top zoom, /Fit …)


def copy_bookmarks(
    entries: Sequence[OutlineItem],
    destinations: dict[str, Array],
    copies: dict[ObjectKey, Dictionary],
) -> list[OutlineItem]:
    """The handout's outline entries, rebuilt to lead to the copied pages."""
    copied: list[OutlineItem] = []
    for entry in entries:
        children = copy_bookmarks(entry.children, destinations, copies)
        target = _entry_target(entry, destinations)
        retargeted = retarget(target, copies) if target is not None else None
        if retargeted is None:  # leads nowhere in the handout: its children take its place
            copied.extend(children)
            continue
        item = OutlineItem(entry.title, retargeted)
        item.is_closed = entry.is_closed
        item.children = children
        copied.append(item)
    return copied


def _entry_target(entry: OutlineItem, destinations: dict[str, Array]) -> Array | None:
    """An outline entry's explicit destination, whether given as one, by name, or by a GoTo."""
    target: object = entry.destination
    if target is None and entry.action is not None and entry.action.get(Name.S) == Name.GoTo:
        target = entry.action.get(Name.D)
    if isinstance(target, String):
        return destinations.get(str(target))
    return target if isinstance(target, Array) else None


def prefix_links(page: Dictionary, prefix: str) -> None:
    """Rename the named destinations the page's links lead to with ``prefix``."""
    annotations = page.get(Name.Annots)
    if not isinstance(annotations, Array):
        return
    for annotation in annotations:
        if not isinstance(annotation, Dictionary):
            continue
        target = annotation.get(Name.Dest)
        if isinstance(target, String):
            annotation.Dest = String(prefix + str(target))
        action = annotation.get(Name.A)
        # Only a GoTo's /D names a destination here (a GoToR's names one in another file).
        if (
            isinstance(action, Dictionary)
            and action.get(Name.S) == Name.GoTo
            and isinstance(action.get(Name.D), String)
        ):
            action.D = String(prefix + str(action.D))


def page_top(page: Dictionary) -> Array:
    """A destination showing the whole page."""
    return Array([page, Name.Fit])
