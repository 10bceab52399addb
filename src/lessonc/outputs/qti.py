"""The ``qti`` format: the practice questions as an IMS QTI 1.2 package (``quiz-qti.zip``).

Why QTI 1.2 and not QTI 3.0: the LMSs teachers actually import into read
1.2. Canvas's quiz importer takes exactly this package (the shape Canvas
itself exports: ``imsmanifest.xml``, the assessment XML and Canvas's
``assessment_meta.xml``), and Blackboard, Brightspace and Schoology import
QTI 1.2 too; QTI 3.0 import is still rare. Canvas reads its question kind
from the ``question_type`` metadata field, so each item carries it.

Every question type maps:

- ``single_choice`` → ``multiple_choice_question`` (``response_lid``, single),
- ``multiple_choice`` → ``multiple_answers_question`` (multiple cardinality;
  full marks only for exactly the right set),
- ``true_false`` → ``true_false_question`` (choices ``true``/``false``),
- ``short_answer`` → ``short_answer_question`` (``response_str``; one
  ``varequal`` per accepted answer, with QTI's ``case`` attribute set from
  ``case_sensitive``).

Prompts, choices and feedback are lessonc's sanitised HTML in
``<mattext texttype="text/html">`` (escaped once by the XML writer); the
explanation is the item's general feedback (``general_fb``, shown whatever
the answer) and per-choice feedback is ``<choice ident>_fb``.

The zip is reproducible: entries sorted, every date the build's
``source_date_epoch``, fixed permissions.
"""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Sequence
from html import escape

from lessonc import answers, i18n, quiz
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, qti_exercises

QTI_FILE = "quiz-qti.zip"
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CANVAS_TYPES = {
    "single_choice": "multiple_choice_question",
    "multiple_choice": "multiple_answers_question",
    "true_false": "true_false_question",
    "short_answer": "short_answer_question",
}
_ZIP_EPOCH_MIN = 315_532_800  # 1980-01-01, the earliest date a zip entry can hold


def _root(tag: str, namespace: str, schema_location: str, **attributes: str) -> ET.Element:
    # Namespaces as plain attributes rather than ET.register_namespace, which
    # changes a process-wide table; parsers read them the same way.
    return ET.Element(
        tag,
        {
            **attributes,
            "xmlns": namespace,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{namespace} {schema_location}",
        },
    )


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _html(parent: ET.Element, html: str) -> None:
    material = _sub(parent, "material")
    _sub(material, "mattext", html, texttype="text/html")


def _metadata(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    block = _sub(parent, "qtimetadata")
    for label, entry in fields:
        field = _sub(block, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _feedback(item: ET.Element, ident: str, html: str) -> None:
    feedback = _sub(item, "itemfeedback", ident=ident)
    _html(_sub(feedback, "flow_mat"), html)


def _condition(
    processing: ET.Element, *, feedback: str | None = None, score: bool = False
) -> ET.Element:
    """A ``respcondition``; returns its ``conditionvar`` to fill in."""
    # "continue" is a Python keyword, hence the dict.
    condition = _sub(processing, "respcondition", **{"continue": "No" if score else "Yes"})
    variable = _sub(condition, "conditionvar")
    if score:
        _sub(condition, "setvar", "100", action="Set", varname="SCORE")
    if feedback is not None:
        _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=feedback)
    return variable


def _choices(
    question: quiz.QuizQuestion, words: i18n.Catalogue
) -> list[tuple[str, str, bool, str | None]]:
    """(ident, html, correct, feedback html) of each option a learner picks from; a true/false
    question's options are named in the lesson's language."""
    if isinstance(question, quiz.SingleChoiceQuestion | quiz.MultipleChoiceQuestion):
        return [
            (c.id, c.text.html, c.correct, c.feedback.html if c.feedback else None)
            for c in question.choices
        ]
    if isinstance(question, quiz.TrueFalseQuestion):
        return [
            (
                "true",
                escape(words.text("true")),
                question.answer,
                _html_or_none(question.feedback_true),
            ),
            (
                "false",
                escape(words.text("false")),
                not question.answer,
                _html_or_none(question.feedback_false),
            ),
        ]
    return []


def _html_or_none(text: quiz.RichText | None) -> str | None:
    return None if text is None else text.html


def item(question: quiz.QuizQuestion, words: i18n.Catalogue | None = None) -> ET.Element:
    """One QTI ``item`` in Canvas's dialect; ``words`` the lesson's catalogue (English if
    left out)."""
    element = ET.Element("item", {"ident": question.id, "title": question.id})
    choices = _choices(question, words or i18n.for_language("en"))
    exercise = question.type not in CANVAS_TYPES
    metadata = _sub(element, "itemmetadata")
    presentation = ET.Element("presentation")
    _html(presentation, qti_exercises.prompt_html(question))
    processing = ET.Element("resprocessing")
    outcomes = _sub(processing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    _sub(_condition(processing, feedback="general_fb"), "other")
    answer_ids = [ident for ident, *_ in choices]
    if exercise:
        answer_ids = qti_exercises.fill(question, presentation, processing)
    _metadata(
        metadata,
        [
            (
                "question_type",
                qti_exercises.canvas_type(question) if exercise else CANVAS_TYPES[question.type],
            ),
            ("points_possible", str(question.points)),
            ("original_answer_ids", ",".join(answer_ids)),
            ("assessment_question_identifierref", f"{question.id}-bank"),
        ],
    )
    element.extend([presentation, processing])

    if isinstance(question, quiz.ShortAnswerQuestion):
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        right = _condition(processing, score=True)
        case = "Yes" if question.case_sensitive else "No"
        # QTI compares exactly: the spellings an Arabic or Persian keyboard types are listed.
        typed = dict.fromkeys(v for a in question.accepted for v in answers.spellings(a))
        for answer in typed:
            _sub(right, "varequal", answer, respident="response1", case=case)
    elif not exercise:
        multiple = isinstance(question, quiz.MultipleChoiceQuestion)
        response = _sub(
            presentation, "response_lid",
            ident="response1", rcardinality="Multiple" if multiple else "Single",
        )  # fmt: skip
        render = _sub(response, "render_choice")
        for ident, html, _correct, feedback in choices:
            _html(_sub(render, "response_label", ident=ident), html)
            if feedback is not None:
                variable = _condition(processing, feedback=f"{ident}_fb")
                _sub(variable, "varequal", ident, respident="response1")
        right = _condition(processing, score=True)
        if multiple:
            # Full marks only for exactly the right set: every right one ticked, no wrong one.
            group = _sub(right, "and")
            for ident, _html_text, correct, _feedback_html in choices:
                parent = group if correct else _sub(group, "not")
                _sub(parent, "varequal", ident, respident="response1")
        else:
            for ident, _html_text, correct, _feedback_html in choices:
                if correct:
                    _sub(right, "varequal", ident, respident="response1")

    _feedback(element, "general_fb", qti_exercises.general_feedback(question))
    for ident, _html_text, _correct, feedback in choices:
        if feedback is not None:
            _feedback(element, f"{ident}_fb", feedback)
    return element


def assessment(built: quiz.Quiz, ident: str, words: i18n.Catalogue | None = None) -> bytes:
    """The QTI assessment document: one section holding every item; ``words`` the lesson's
    catalogue (by default the one of the quiz's language)."""
    words = words or i18n.for_language(built.lesson.language)
    root = _root("questestinterop", QTI_NS, "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd")
    test = _sub(root, "assessment", ident=ident, title=built.lesson.title)
    _metadata(test, [("cc_maxattempts", "unlimited")])
    section = _sub(test, "section", ident="root_section")
    for question in built.questions:
        section.append(item(question, words))
    return _serialise(root)


def manifest(ident: str, media: Sequence[str] = ()) -> bytes:
    """``imsmanifest.xml``: the assessment (with the images its items show) and Canvas's
    settings file as resources."""
    root = _root(
        "manifest", CP_NS, "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
        identifier=f"{ident}-manifest",
    )  # fmt: skip
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    test = _sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
    _sub(test, "file", href=f"{ident}/{ident}.xml")
    for path in media:
        _sub(test, "file", href=path)
    _sub(test, "dependency", identifierref=f"{ident}-meta")
    meta = _sub(
        resources, "resource",
        identifier=f"{ident}-meta",
        type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
        href=f"{ident}/assessment_meta.xml",
    )  # fmt: skip
    _sub(meta, "file", href=f"{ident}/assessment_meta.xml")
    return _serialise(root)


def canvas_meta(built: quiz.Quiz, ident: str) -> bytes:
    """Canvas's ``assessment_meta.xml``: makes the import a practice quiz, not only a bank."""
    root = _root(
        "quiz", CANVAS_NS, "https://canvas.instructure.com/xsd/cccv1p0.xsd", identifier=ident
    )
    _sub(root, "title", built.lesson.title)
    _sub(root, "description", f"{built.lesson.course} – {built.lesson.number}")
    _sub(root, "shuffle_answers", "false")
    _sub(root, "scoring_policy", "keep_highest")
    _sub(root, "quiz_type", "practice_quiz")
    _sub(root, "points_possible", str(built.total_points))
    _sub(root, "show_correct_answers", "true")
    _sub(root, "allowed_attempts", "-1")
    _sub(root, "available", "false")
    return _serialise(root)


def reproducible_zip(files: dict[str, bytes], epoch: int) -> bytes:
    """A zip whose bytes depend only on ``files`` and ``epoch``: sorted, fixed dates and modes."""
    stamp = time.gmtime(max(epoch, _ZIP_EPOCH_MIN))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so external_attr means the same everywhere
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


class QtiRenderer:
    """Writes ``quiz-qti.zip``."""

    name = "qti"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterator[Artifact]:
        """One artifact: the package, questions in source order (Canvas can shuffle answers)."""
        from lessonc.outputs.quiz_media import bundled  # on use: most quizzes have no image

        ident = f"lessonc-{lesson.id}"
        # Images beside the assessment XML, so the items' relative <img src> resolve there.
        built, media = bundled(quiz.from_lesson(lesson), lesson, ctx, folder=f"{ident}/")
        files = {
            **{artifact.path: artifact.data for artifact in media},
            "imsmanifest.xml": manifest(ident, [artifact.path for artifact in media]),
            f"{ident}/{ident}.xml": assessment(
                built, ident, i18n.for_language(lesson.language, lesson.ui)
            ),
            f"{ident}/assessment_meta.xml": canvas_meta(built, ident),
        }
        yield Artifact(QTI_FILE, reproducible_zip(files, ctx.options.source_date_epoch))


RENDERER = QtiRenderer()
