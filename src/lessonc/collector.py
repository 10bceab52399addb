"""Pausing Python's cyclic garbage collector around work that makes many objects and no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keeps the cyclic garbage collector off for the block; reference counting still frees.

    Work that builds many long-lived objects (a lesson's parsed tree, a course deck's
    notes) sets off collections that scan those objects over and over, and all else
    the process holds, without finding anything: none of them form a reference cycle.
    Left as it was found: a caller that keeps it off keeps it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
