"""Fields' descriptions from the docstrings written under them, one parse per module.

Every field of the lesson and quiz formats is documented by a docstring under it, and
that text becomes its description in the JSON Schema, the format reference and error
hints. Pydantic's ``use_attribute_docstrings`` finds it by re-reading each class's
source, tokenised in Python, once per class: about a fifth of a one-lesson build's
start-up. Here each module's source is parsed once (in C) and every class in it is
looked up by its qualified name; the rule that pairs a docstring with its field is
Pydantic's (the string right under an annotated assignment, cleaned like a docstring).
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from collections import defaultdict

from pydantic import BaseModel

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
    try:
        source = inspect.getsource(module) if module is not None else ""
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):  # no source shipped: no descriptions
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
    return {name: docs for name, docs in found.items() if seen[name] == 1}


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
