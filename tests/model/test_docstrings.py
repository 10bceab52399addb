"""Fields' descriptions come from the docstrings under them, as Pydantic's own reading gives.

The lesson, course and quiz models' descriptions are checked as a whole by the committed
JSON Schemas and the format reference (tests/test_schemas.py, tests/test_reference.py).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import lessonc.model
import lessonc.quiz
from lessonc.model import docstrings
from lessonc.user_cache import CACHE_ENV


def _import(tmp_path: Path, name: str, source: str) -> ModuleType:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


BODY = '''
    plain: int = 0
    """One line."""
    indented: int = 0
    """First line.

        An indented line, and the last.
    """
    explicit: int = Field(default=0, description="Given")
    """The docstring never overrides a description given."""
    undocumented: int = 0
    hidden: ClassVar[int] = 0
    """A class variable: not a field."""

    def method(self) -> None:
        """A method's docstring, after a field: not the field's."""
'''
MODELS = f'''
    from typing import ClassVar

    from pydantic import BaseModel, ConfigDict, Field

    from lessonc.model.docstrings import document_fields


    class ByPydantic(BaseModel):
        model_config = ConfigDict(use_attribute_docstrings=True)
{textwrap.indent(textwrap.dedent(BODY), " " * 8)}

    class Documented(BaseModel):
        model_config = ConfigDict(defer_build=True)

        @classmethod
        def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
            super().__pydantic_init_subclass__(**kwargs)
            document_fields(cls)


    class Ours(Documented):
{textwrap.indent(textwrap.dedent(BODY), " " * 8)}

    class Child(Ours):
        added: int = 0
        """The child's own field."""


    class Outer(BaseModel):
        class Inner(Documented):
            inner_field: int = 0
            """Inner's own."""


    class Twice(Documented):
        field: int = 0
        """The first."""


    FIRST = Twice


    class Twice(Documented):
        field: int = 0
        """The second."""
'''


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return _import(tmp_path_factory.mktemp("models"), "lessonc_docstring_sample", MODELS)


def _descriptions(model: type) -> dict[str, str | None]:
    return {name: info.description for name, info in model.model_fields.items()}


def test_fields_are_described_as_pydantic_describes_them(sample: ModuleType) -> None:
    assert _descriptions(sample.Ours) == _descriptions(sample.ByPydantic)
    assert (
        _descriptions(sample.Ours)["indented"] == "First line.\n\nAn indented line, and the last."
    )
    assert _descriptions(sample.Ours)["explicit"] == "Given"


def test_a_subclass_keeps_its_parents_descriptions_and_adds_its_own(sample: ModuleType) -> None:
    child = _descriptions(sample.Child)
    assert child == {**_descriptions(sample.ByPydantic), "added": "The child's own field."}


def test_nested_classes_are_found_by_their_qualified_name(sample: ModuleType) -> None:
    assert _descriptions(sample.Outer.Inner) == {"inner_field": "Inner's own."}


def test_a_name_defined_twice_in_a_module_gets_no_guess(sample: ModuleType) -> None:
    # One parse cannot tell two classes of one name apart: no text rather than the wrong one.
    assert _descriptions(sample.FIRST) == {"field": None}
    assert _descriptions(sample.Twice) == {"field": None}


def test_the_lesson_and_quiz_models_are_described() -> None:
    for model in (lessonc.model.Lesson, lessonc.model.Choice, lessonc.quiz.Quiz):
        assert all(info.description for info in model.model_fields.values()), model


SMALL = '''
    from pydantic import BaseModel, ConfigDict

    from lessonc.model.docstrings import document_fields


    class Small(BaseModel):
        model_config = ConfigDict(defer_build=True)

        field: int = 0
        """As written."""


    document_fields(Small)
'''


def test_a_parse_is_kept_in_the_cache_folder_and_read_back_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    first = _import(tmp_path / "a", "lessonc_docstring_small_a", SMALL)
    assert first.Small.model_fields["field"].description == "As written."
    [kept] = (tmp_path / "cache" / "docstrings").glob("*.json")
    assert json.loads(kept.read_text()) == {"Small": {"field": "As written."}}

    # The same source again, in a new process's place: only the cache can say this.
    kept.write_text(json.dumps({"Small": {"field": "From the cache."}}))
    docstrings._module_docs.cache_clear()
    second = _import(tmp_path / "b", "lessonc_docstring_small_b", SMALL)
    assert second.Small.model_fields["field"].description == "From the cache."


@pytest.mark.parametrize("damaged", ["", "{not json", '{"Small": {"field": 1}}', "[]"])
def test_a_damaged_cache_file_is_parsed_again_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damaged: str
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    _import(tmp_path / "a", "lessonc_docstring_small_a", SMALL)
    [kept] = (tmp_path / "cache" / "docstrings").glob("*.json")
    kept.write_text(damaged)
    docstrings._module_docs.cache_clear()
    again = _import(tmp_path / "b", "lessonc_docstring_small_b", SMALL)
    assert again.Small.model_fields["field"].description == "As written."
    assert json.loads(kept.read_text()) == {"Small": {"field": "As written."}}
