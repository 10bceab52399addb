"""The SCORM packages: what the zip holds, what its manifest says, and that both are stable."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from lxml import etree
from tests.conftest import run_cli
from tests.outputs.html_support import EXAMPLE, render_files, tiny_lesson
from tests.outputs.scorm_support import graded_lesson, package

from lessonc.outputs.scorm import SCORM12, SCORM2004, Version

CP = {SCORM12.name: SCORM12.namespaces["xmlns"], SCORM2004.name: SCORM2004.namespaces["xmlns"]}


def _manifest(data: bytes) -> tuple[list[str], etree._Element]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read("imsmanifest.xml"))
    return names, root


def _identifiers(root: etree._Element) -> list[tuple[str, str]]:
    return [
        (etree.QName(element).localname, value)
        for element in root.iter()
        for name, value in element.attrib.items()
        if name in ("identifier", "identifierref", "default", "objectiveID")
    ]


@pytest.mark.parametrize("version", [SCORM12, SCORM2004], ids=lambda v: v.name)
def test_the_manifest_names_every_file_of_the_package_and_nothing_else(version: Version) -> None:
    names, root = _manifest(package(EXAMPLE, version))
    ns = {"cp": CP[version.name]}
    listed = root.xpath("//cp:resource/cp:file/@href", namespaces=ns)
    assert sorted(listed) == sorted(set(names) - {"imsmanifest.xml"})
    assert len(listed) == len(set(listed))
    # The page is exactly the html format's: same page, same assets, scorm.js among them.
    page = render_files(EXAMPLE)
    assert sorted(page) == sorted(listed)
    with zipfile.ZipFile(BytesIO(package(EXAMPLE, version))) as archive:
        assert all(archive.read(name) == data for name, data in page.items())
    [resource] = root.xpath("//cp:resource", namespaces=ns)
    assert resource.get("href") == "index.html" and resource.get("type") == "webcontent"
    scorm_type = {
        k: v
        for k, v in resource.attrib.items()
        if k.endswith("}" + version.scorm_type.split(":")[1])
    }
    assert list(scorm_type.values()) == ["sco"]
    [item] = root.xpath("//cp:organization/cp:item", namespaces=ns)
    assert item.get("identifierref") == resource.get("identifier")
    organisations = root.find("cp:organizations", ns)
    assert organisations is not None
    assert organisations.get("default") == organisations[0].get("identifier")
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == version.schema_version


@pytest.mark.parametrize("version", [SCORM12, SCORM2004], ids=lambda v: v.name)
def test_the_manifest_carries_the_lessons_metadata_and_pass_mark(
    tmp_path: Path, version: Version
) -> None:
    _names, root = _manifest(package(graded_lesson(tmp_path, 70), version))
    texts = [element.text for element in root.iter() if isinstance(element.tag, str)]
    assert "Graded" in texts  # title
    assert "en" in texts and "Q." in texts and "graded" in texts  # language, description, tag
    assert "PT0H5M" in texts  # typical learning time
    if version is SCORM12:
        assert "70" in [e.text for e in root.iter("{*}masteryscore")]
    else:
        assert [e.text for e in root.iter("{*}minNormalizedMeasure")] == ["0.70"]


@pytest.mark.parametrize("version", [SCORM12, SCORM2004], ids=lambda v: v.name)
def test_a_lesson_without_questions_has_no_pass_mark(tmp_path: Path, version: Version) -> None:
    _names, root = _manifest(package(tiny_lesson(tmp_path, "Text."), version))
    tags = {etree.QName(element).localname for element in root.iter()}
    assert "item" in tags
    assert not tags & {"masteryscore", "sequencing", "minNormalizedMeasure"}


@pytest.mark.parametrize("version", [SCORM12, SCORM2004], ids=lambda v: v.name)
def test_identifiers_are_stable_and_the_zip_reproducible(tmp_path: Path, version: Version) -> None:
    first = package(EXAMPLE, version, epoch=1_700_000_000)
    assert package(EXAMPLE, version, epoch=1_700_000_000) == first
    later = package(EXAMPLE, version, epoch=1_800_000_000)
    assert later != first  # the date is in the zip; the identifiers are not
    assert _identifiers(_manifest(later)[1]) == _identifiers(_manifest(first)[1])
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "estimated_minutes: 25", "estimated_minutes: 30"
        ),
        encoding="utf-8",
    )
    assert package(edited, version) != first
    assert _identifiers(_manifest(package(edited, version))[1]) == _identifiers(_manifest(first)[1])


def test_the_build_writes_both_packages(tmp_path: Path) -> None:
    result = run_cli(
        ["build", str(EXAMPLE), "-o", str(tmp_path), "--format", "scorm12,scorm2004"],
        env={"SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "foundation-models"
    for name in ("foundation-models-scorm12.zip", "foundation-models-scorm2004.zip"):
        with zipfile.ZipFile(folder / name) as archive:
            assert "imsmanifest.xml" in archive.namelist()
            assert "assets/scorm.js" in archive.namelist()
