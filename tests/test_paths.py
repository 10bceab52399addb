"""The path gate itself: what it reads, what it refuses and why (the routes: hardening/)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from jinja2 import TemplateError

from lessonc import paths
from lessonc.paths import Refused, check_file, read_file
from lessonc.templating import RefusedTemplate, environment, template_diagnostic


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inside = tmp_path / "inside"
    (inside / "sub").mkdir(parents=True)
    (inside / "lesson.yaml").write_bytes(b"id: x\n")
    (tmp_path / "secret.yaml").write_bytes(b"secret: 1\n")
    return inside


def _refusal(path: Path, root: Path | None = None, limit: int = 1024) -> Refused:
    with pytest.raises(Refused) as caught:
        read_file(path, root, limit=limit)
    return caught.value


def test_a_regular_file_and_links_that_stay_inside_are_read(folder: Path) -> None:
    (folder / "alias.yaml").symlink_to("lesson.yaml")
    (folder / "sub" / "up.yaml").symlink_to("../lesson.yaml")
    assert read_file(folder / "lesson.yaml") == b"id: x\n"
    assert read_file(folder / "alias.yaml") == b"id: x\n"
    assert read_file(folder / "sub" / "up.yaml", folder) == b"id: x\n"
    assert check_file(folder / "alias.yaml") == (folder / "lesson.yaml").resolve()


def test_the_root_may_itself_be_reached_through_a_symlink(folder: Path) -> None:
    link = folder.parent / "link-to-inside"
    link.symlink_to(folder)
    assert read_file(link / "lesson.yaml", link) == b"id: x\n"


def test_a_link_out_of_its_own_folder_is_refused_even_into_a_parent(folder: Path) -> None:
    (folder / "sub" / "up.yaml").symlink_to("../lesson.yaml")
    # Named on its own, sub/up.yaml may only lead inside sub/.
    assert _refusal(folder / "sub" / "up.yaml").code == "file-outside"
    (folder / "out.yaml").symlink_to(folder.parent / "secret.yaml")
    refused = _refusal(folder / "out.yaml")
    assert refused.code == "file-outside"
    assert "secret" not in refused.message, "the target is never named"


def test_dangling_links_folders_and_loops_are_refused(folder: Path) -> None:
    (folder / "dangling.yaml").symlink_to("missing.yaml")
    assert "No such file" in _refusal(folder / "dangling.yaml").message
    assert _refusal(folder / "sub", folder).message == "cannot read it: it is a folder"
    (folder / "a.yaml").symlink_to("b.yaml")
    (folder / "b.yaml").symlink_to("a.yaml")
    assert "loop of symlinks" in _refusal(folder / "a.yaml").message


def test_devices_and_fifos_are_refused_by_kind(folder: Path) -> None:
    os.mkfifo(folder / "fifo.yaml")
    assert _refusal(folder / "fifo.yaml").message == "cannot read it: it is a FIFO (named pipe)"
    refused = _refusal(Path("/dev/null"))
    assert (refused.code, refused.message) == (
        "source-unreadable",
        "cannot read it: it is a character device",
    )


def test_the_limit_is_checked_before_reading(folder: Path) -> None:
    path = folder / "lesson.yaml"
    assert read_file(path, limit=6) == b"id: x\n"
    refused = _refusal(path, limit=5)
    assert (refused.code, refused.message) == (
        "source-too-large",
        "the file is 6 bytes; the limit is 5",
    )


def test_a_symlink_swapped_in_after_resolving_is_not_followed(folder: Path) -> None:
    # What a race between resolving and opening would meet: the resolved path
    # is opened with O_NOFOLLOW, and where the descriptor lies is checked.
    root = folder.resolve()
    (folder / "swapped.yaml").symlink_to(folder.parent / "secret.yaml")
    with pytest.raises(Refused, match="changed while it was read"):
        paths._open_resolved(str(root), str(root / "swapped.yaml"))
    (folder / "linked").symlink_to(folder.parent)
    with pytest.raises(Refused, match="changed to lead outside its folder"):
        paths._open_resolved(str(root), str(root / "linked" / "secret.yaml"))


def test_refusals_name_the_link_as_it_was_named(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "out.yaml").symlink_to(folder.parent / "secret.yaml")
    monkeypatch.chdir(folder.parent)
    shown = _refusal(Path("inside/out.yaml")).diagnostic(Path("inside/out.yaml"))
    assert shown.file == "inside/out.yaml"


def test_a_theme_template_that_links_outside_is_a_located_refusal(folder: Path) -> None:
    theme = folder / "theme"
    (theme / "html").mkdir(parents=True)
    (theme / "html" / "lesson.html.j2").symlink_to(folder.parent / "secret.yaml")
    env = environment("html", [theme])
    with pytest.raises(RefusedTemplate) as caught:
        env.get_template("lesson.html.j2")
    diagnostic = template_diagnostic(caught.value, "fallback.yaml")
    assert diagnostic.code == "file-outside"
    assert diagnostic.file.endswith("theme/html/lesson.html.j2")
    assert "outside the templates folder" in diagnostic.message
    # Built-in templates the theme does not replace still load.
    assert env.get_template("base.html.j2") is not None


def test_a_refused_template_crosses_process_boundaries(folder: Path) -> None:
    refusal = Refused("file-outside", "the file is a symlink").diagnostic(folder / "x.j2")
    copy = pickle.loads(pickle.dumps(RefusedTemplate(refusal)))
    assert isinstance(copy, TemplateError)
    assert copy.diagnostic == refusal
