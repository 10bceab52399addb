"""Fields' descriptions from the docstrings written under them, one parse per module.

Every field of the lesson and quiz formats is documented by a docstring under it, and
that text becomes its description in the JSON Schema, the format reference and error
hints. Pydantic's ``use_attribute_docstrings`` finds it by re-reading each class's
source, tokenised in Python, once per class: about a fifth of a one-lesson build's
start-up. Here each module's source is parsed once (in C), and what the parse found is
kept in the user's cache folder by the source's hash; every class is looked up by its
qualified name. The rule that pairs a docstring with its field is Pydantic's (the
string right under an annotated assignment, cleaned like a docstring).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel

from lessonc.user_cache import private_folder, user_cache_dir

_ClassDocs = dict[str, dict[str, str]]


def document_fields(model: type[BaseModel]) -> None:
    """Give each field of ``model`` that has no description the docstring under it.

    Call it before the model's schema is built (the models defer building), so the
    schema sees the descriptions; inherited fields keep their parent's.
    """
    docs = _module_docs(model.__module__).get(model.__qualname__, {})
    for name, info in model.__pydantic_fields__.items():
        if info.description is None and name in docs:
            info.description = docs[name]


@functools.cache
def _module_docs(module_name: str) -> _ClassDocs:
    """Each class's field docstrings by qualified name; a name defined twice gets none."""
    module = sys.modules.get(module_name)
    filename = getattr(module, "__file__", None) or ""
    if not filename.endswith(".py"):
        return {}  # no source shipped: no descriptions, as with Pydantic's own reading
    try:
        source = Path(filename).read_bytes()
    except OSError:
        return {}
    key = hashlib.sha256(_CACHE_FORMAT + source).hexdigest()
    cached = _read_cached(key)
    if cached is not None:
        return cached
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: _ClassDocs = {}
    seen: defaultdict[str, int] = defaultdict(int)
    pending: list[tuple[str, ast.stmt]] = [("", node) for node in tree.body]
    while pending:
        prefix, node = pending.pop()
        if not isinstance(node, ast.ClassDef):
            continue
        qualname = f"{prefix}{node.name}"
        seen[qualname] += 1
        found[qualname] = _field_docs(node)
        pending.extend((f"{qualname}.", inner) for inner in node.body)
    docs = {name: fields for name, fields in found.items() if seen[name] == 1}
    _write_cached(key, docs)
    return docs


# Parsing the model modules was most of what is left of documenting them: what a
# parse found is kept in the user's cache folder, by the hash of the module's source.
_CACHE_FORMAT = b"lessonc field docstrings 1\n"


def _cache_path(key: str) -> Path | None:
    try:
        folder = private_folder(user_cache_dir() / "docstrings")
    except RuntimeError:  # no home folder to put it in
        return None
    return None if folder is None else folder / f"{key}.json"


def _read_cached(key: str) -> _ClassDocs | None:
    path = _cache_path(key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None  # missing or damaged: parse again
    valid = isinstance(data, dict) and all(
        isinstance(fields, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
        for fields in data.values()
    )
    return data if valid else None


def _write_cached(key: str, docs: _ClassDocs) -> None:
    path = _cache_path(key)
    if path is None:
        return
    try:
        # Written aside and renamed: processes starting at once never read half a file.
        handle, temporary = tempfile.mkstemp(prefix=".new-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(docs, stream, ensure_ascii=False, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a cache that cannot be written only costs time


def _field_docs(node: ast.ClassDef) -> dict[str, str]:
    docs = {}
    for annotated, following in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(annotated, ast.AnnAssign)
            and isinstance(annotated.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[annotated.target.id] = inspect.cleandoc(following.value.value)
    return docs
