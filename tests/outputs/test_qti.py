"""The QTI 1.2 package: a reproducible zip whose XML says what the lesson says.

No QTI XSD can be fetched here (none ships in a PyPI or npm package), so the
XML is parsed with the standard library and its structure is checked against
the content models of the QTI 1.2.1 ASI and IMS CP 1.1 schemas for the
elements lessonc writes (:data:`CONTENT_MODEL`: each element's allowed
children, in the order the XSD's sequences require).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from conftest import EXAMPLE, FIXTURES
from lessonc import quiz
from lessonc.outputs import BuildContext, BuildOptions, get_renderer
from lessonc.outputs.qti import CANVAS_TYPES
from lessonc.pipeline import load_lesson

SPECIAL = FIXTURES / "quiz" / "special-chars.yaml"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
EPOCH = 1_700_000_000

# Allowed children of each element, in XSD sequence order (QTI 1.2.1 ASI, IMS CP 1.1).
CONTENT_MODEL: dict[str, list[str]] = {
    "questestinterop": ["assessment"],
    "assessment": ["qtimetadata", "section"],
    "section": ["item"],
    "item": ["itemmetadata", "presentation", "resprocessing", "itemfeedback"],
    "itemmetadata": ["qtimetadata"],
    "qtimetadata": ["qtimetadatafield"],
    "qtimetadatafield": ["fieldlabel", "fieldentry"],
    "presentation": ["material", "response_lid", "response_str"],
    "response_lid": ["material", "render_choice"],
    "response_str": ["render_fib"],
    "render_choice": ["response_label"],
    "render_fib": ["response_label"],
    "response_label": ["material"],
    "material": ["mattext"],
    "resprocessing": ["outcomes", "respcondition"],
    "outcomes": ["decvar"],
    "respcondition": ["conditionvar", "setvar", "displayfeedback"],
    "conditionvar": ["other", "varequal", "vargte", "varlte", "and", "not"],
    "and": ["varequal", "vargte", "varlte", "not"],
    "not": ["varequal"],
    "itemfeedback": ["flow_mat"],
    "flow_mat": ["material"],
    "manifest": ["metadata", "organizations", "resources"],
    "metadata": ["schema", "schemaversion"],
    "resources": ["resource"],
    "resource": ["file", "dependency"],
}
LEAVES = {
    "mattext", "fieldlabel", "fieldentry", "decvar", "setvar", "displayfeedback", "other",
    "varequal", "vargte", "varlte", "file", "dependency", "organizations", "schema", "schemaversion",
}  # fmt: skip


def _package(path: Path, epoch: int = EPOCH) -> tuple[bytes, BuildContext, quiz.Quiz]:
    loaded = load_lesson(path)
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=epoch))
    artifacts = list(get_renderer("qti").render(loaded.lesson, ctx))
    assert [a.path for a in artifacts] == ["quiz-qti.zip"]
    return artifacts[0].data, ctx, quiz.from_lesson(loaded.lesson)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_structure(element: ET.Element) -> None:
    name = _local(element.tag)
    children = [_local(child.tag) for child in element]
    if name in LEAVES:
        assert children == [], f"<{name}> must be empty of elements"
        return
    allowed = CONTENT_MODEL[name]
    positions = [allowed.index(child) for child in children if child in allowed]
    assert len(positions) == len(children), f"<{name}> holds {children}, allowed {allowed}"
    if name not in ("conditionvar", "and", "presentation"):  # choices, not sequences
        assert positions == sorted(positions), f"<{name}> children out of order: {children}"
    for child in element:
        _check_structure(child)


def _open(data: bytes) -> tuple[zipfile.ZipFile, ET.Element, ET.Element]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    resource = manifest.find(f"{CP}resources/{CP}resource[@type='imsqti_xmlv1p2']")
    assert resource is not None
    href = resource.find(f"{CP}file").get("href")  # type: ignore[union-attr]
    assessment = ET.fromstring(archive.read(str(href)))
    return archive, manifest, assessment


@pytest.mark.parametrize("path", [EXAMPLE, SPECIAL], ids=["example", "special-chars"])
def test_package_is_well_formed_and_follows_the_content_models(path: Path) -> None:
    data, ctx, _ = _package(path)
    archive, manifest, assessment = _open(data)
    assert ctx.diagnostics == []
    assert archive.testzip() is None
    assert manifest.tag == f"{CP}manifest"
    assert assessment.tag == f"{QTI}questestinterop"
    _check_structure(manifest)
    _check_structure(assessment)
    # Every file the manifest names is in the zip, and nothing else is.
    named = {f.get("href") for f in manifest.iter(f"{CP}file")}
    assert named | {"imsmanifest.xml"} == set(archive.namelist())


def test_zip_is_reproducible_sorted_and_dated_by_the_build() -> None:
    first, _, _ = _package(SPECIAL)
    assert _package(SPECIAL)[0] == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = archive.namelist()
    assert names == sorted(names)
    assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert _package(SPECIAL, epoch=EPOCH + 86_400)[0] != first


def _choice_texts(item: ET.Element) -> list[tuple[str | None, str | None]]:
    return [
        (label.get("ident"), label.findtext(f"{QTI}material/{QTI}mattext"))
        for label in item.iter(f"{QTI}response_label")
    ]


def _scoring(item: ET.Element) -> ET.Element:
    conditions = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]
    assert len(conditions) == 1
    assert conditions[0].findtext(f"{QTI}setvar") == "100"
    variable = conditions[0].find(f"{QTI}conditionvar")
    assert variable is not None
    return variable


def _feedback(item: ET.Element) -> dict[str | None, str | None]:
    return {
        fb.get("ident"): fb.findtext(f"{QTI}flow_mat/{QTI}material/{QTI}mattext")
        for fb in item.iter(f"{QTI}itemfeedback")
    }


def _metadata(item: ET.Element) -> dict[str | None, str | None]:
    return {
        field.findtext(f"{QTI}fieldlabel"): field.findtext(f"{QTI}fieldentry")
        for field in item.iter(f"{QTI}qtimetadatafield")
    }


@pytest.mark.parametrize("path", [EXAMPLE, SPECIAL], ids=["example", "special-chars"])
def test_items_carry_the_questions_answers_and_feedback(path: Path) -> None:
    data, _, built = _package(path)
    _, _, assessment = _open(data)
    items = list(assessment.iter(f"{QTI}item"))
    assert [item.get("ident") for item in items] == [q.id for q in built.questions]
    for item, question in zip(items, built.questions, strict=True):
        metadata = _metadata(item)
        if question.type not in CANVAS_TYPES:
            continue  # the exercise types: test_exercise_items_score_as_the_page_does
        assert metadata["question_type"] == CANVAS_TYPES[question.type]
        assert metadata["points_possible"] == str(question.points)
        prompt = item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
        assert prompt == question.prompt.html
        feedback = _feedback(item)
        assert feedback.pop("general_fb") == question.explanation.html
        links = {d.get("linkrefid") for d in item.iter(f"{QTI}displayfeedback")}
        assert links == set(feedback) | {"general_fb"}
        scoring = _scoring(item)

        if isinstance(question, quiz.ShortAnswerQuestion):
            equal = list(scoring.iter(f"{QTI}varequal"))
            assert [v.text for v in equal] == question.accepted
            assert {v.get("case") for v in equal} == {"Yes" if question.case_sensitive else "No"}
            assert feedback == {}
            continue
        if isinstance(question, quiz.TrueFalseQuestion):
            assert _choice_texts(item) == [("true", "True"), ("false", "False")]
            expected = {"true": question.feedback_true, "false": question.feedback_false}
            right = {"true" if question.answer else "false"}
        else:
            assert _choice_texts(item) == [(c.id, c.text.html) for c in question.choices]
            expected = {c.id: c.feedback for c in question.choices}
            right = {c.id for c in question.choices if c.correct}
        assert feedback == {f"{k}_fb": v.html for k, v in expected.items() if v is not None}
        if isinstance(question, quiz.MultipleChoiceQuestion):
            group = scoring.find(f"{QTI}and")
            assert group is not None
            ticked = {v.text for v in group.findall(f"{QTI}varequal")}
            unticked = {v.text for v in group.findall(f"{QTI}not/{QTI}varequal")}
            assert ticked == right
            assert unticked == {c.id for c in question.choices} - right
            lid = item.find(f"{QTI}presentation/{QTI}response_lid")
            assert lid is not None
            assert lid.get("rcardinality") == "Multiple"
        else:
            assert {v.text for v in scoring.findall(f"{QTI}varequal")} == right


EVERY_TYPE = FIXTURES / "exercises" / "every-type.yaml"


def test_every_type_follows_the_content_models() -> None:
    data, ctx, built = _package(EVERY_TYPE)
    _, manifest, assessment = _open(data)
    assert ctx.diagnostics == []
    _check_structure(manifest)
    _check_structure(assessment)
    items = list(assessment.iter(f"{QTI}item"))
    assert [item.get("ident") for item in items] == [q.id for q in built.questions]
    types = {item.get("ident"): _metadata(item)["question_type"] for item in items}
    assert {k: v for k, v in types.items() if k in ("match-developers", "order-lifecycle",
        "learning-rate", "adaptation-gaps", "reflect-reuse")} == {
        "match-developers": "matching_question", "order-lifecycle": "matching_question",
        "learning-rate": "numerical_question",
        "adaptation-gaps": "fill_in_multiple_blanks_question",
        "reflect-reuse": "essay_question",
    }  # fmt: skip


def _item(assessment: ET.Element, ident: str) -> ET.Element:
    found = assessment.find(f".//{QTI}item[@ident='{ident}']")
    assert found is not None
    return found


def _added(item: ET.Element) -> dict[str, str]:
    """Each response's right answer (label text) and the share of 100 it adds to SCORE."""
    labels = {
        label.get("ident"): label.findtext(f"{QTI}material/{QTI}mattext")
        for label in item.iter(f"{QTI}response_label")
    }
    shares: dict[str, str] = {}
    for condition in item.iter(f"{QTI}respcondition"):
        setvar = condition.find(f"{QTI}setvar")
        if setvar is None or setvar.get("action") != "Add":
            continue
        for equal in condition.iter(f"{QTI}varequal"):
            key = f"{equal.get('respident')}={labels[equal.text]}"
            shares[key] = str(setvar.text)
    return shares


def test_exercise_items_score_as_the_page_does() -> None:
    data, _, built = _package(EVERY_TYPE)
    _, _, assessment = _open(data)
    # Matching: a share per pair, four pairs of which two share the partner Google.
    assert _added(_item(assessment, "match-developers")) == {
        "response_gpt=OpenAI": "25.0000", "response_bert=Google": "25.0000",
        "response_t5=Google": "25.0000", "response_llama=Meta": "25.0000",
    }  # fmt: skip
    # Ordering: each item to its position, a share each.
    assert _added(_item(assessment, "order-lifecycle")) == {
        "response_collect=1": "25.0000", "response_pretrain=2": "25.0000",
        "response_finetune=3": "25.0000", "response_deploy=4": "25.0000",
    }  # fmt: skip
    # Fill in the blanks: each accepted answer of a gap adds that gap's share.
    assert _added(_item(assessment, "adaptation-gaps")) == {
        "response_gap1=fine-tuning": "50.0000", "response_gap1=finetuning": "50.0000",
        "response_gap2=prompting": "50.0000",
    }  # fmt: skip
    numeric = _item(assessment, "learning-rate")
    bounds = [
        (group.findtext(f"{QTI}vargte"), group.findtext(f"{QTI}varlte"))
        for group in numeric.iter(f"{QTI}and")
    ]
    [question] = [q for q in built.questions if isinstance(q, quiz.NumericQuestion)]
    assert bounds == [(f"{a.min:.12g}", f"{a.max:.12g}") for a in question.answers]
    assert bounds == [("1.24", "1.26"), ("12.4", "12.6")]
    essay = _item(assessment, "reflect-reuse")
    assert "happens once" in (_feedback(essay)["general_fb"])
    assert list(essay.iter(f"{QTI}setvar")) == []


def test_special_characters_survive_the_xml() -> None:
    data, _, built = _package(SPECIAL)
    archive, _, assessment = _open(data)
    title = assessment.find(f"{QTI}assessment")
    assert title is not None
    assert title.get("title") == built.lesson.title
    texts = "".join(assessment.itertext())
    for needle in (
        "日本語、Ελληνικά, العربية",
        "😀👩\u200d🔬",
        "~ = # { } :",
        "]]&gt;",
        '"Double"',
    ):
        assert needle in texts, needle
    raw = b"".join(archive.read(name) for name in archive.namelist())
    assert b"<script>" not in raw
