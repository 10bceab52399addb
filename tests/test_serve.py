"""`lessonc serve`: a real server in a child process rebuilds on a real save and reports errors,
and answers nobody but this machine's browser on its own origin."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT, run_cli
from lessonc.scaffold import write_starter
from lessonc.serve import ENDPOINT, inject_reload
from lessonc.serve_page import PAGE_CSP, page_policy
from serve_support import TIMEOUT, Served, get, page_of, raw, save, status

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that only read from it."""
    server = Served(tmp_path_factory.mktemp("shared"))
    try:
        yield server
    finally:
        server.stop()


def test_serves_rebuilds_on_save_and_reports_errors(served: Served) -> None:
    code, headers, _ = get(served.port, "/")
    assert (code, headers["location"]) == (302, "/served/")  # the only lesson
    page = page_of(served)
    assert "<title>Served · " in page
    assert f'src="{ENDPOINT}reload.js"' in page
    written = (served.out / "served" / "index.html").read_text(encoding="utf-8")
    assert ENDPOINT not in written, "the reload script must not reach the build files"
    first = status(served)
    assert first["ok"] is True

    text = served.lesson.read_text(encoding="utf-8")
    edited = text.replace('title: "Served"', 'title: "Edited while serving"')

    def rebuilt() -> bool:
        # The page is swapped in a moment before the server counts the build: wait for both.
        return "<title>Edited while serving" in page_of(served) and (
            status(served)["build"] != first["build"]
        )

    save(served.lesson, edited, rebuilt, "the edited title in a new build")

    broken = text.replace("estimated_minutes: 20", "estimated_minutes: twenty")
    save(served.lesson, broken, lambda: status(served)["ok"] is False, "the failed build")
    diagnostics = status(served)["diagnostics"]
    assert isinstance(diagnostics, list)
    line = broken.splitlines().index("estimated_minutes: twenty") + 1
    assert any(f"served.yaml:{line}:20: error[" in d["text"] for d in diagnostics)
    # The last good build stays served under the overlay.
    assert "<title>Edited while serving" in page_of(served)
    assert get(served.port, ENDPOINT + "status.js")[0] == 404  # the old JSONP channel is gone

    stderr = served.stop()
    assert served.child.returncode == 0
    assert f"served.yaml:{line}:20: error[" in stderr
    assert "stopped" in stderr


def test_a_served_course_finds_its_shared_assets_before_and_after_a_rebuild(
    tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "course", course)
    server = Served(tmp_path, course)
    try:

        def page(lesson_id: str) -> str:
            return get(server.port, f"/{lesson_id}/")[2]

        def shared_assets(lesson_id: str) -> list[str]:
            found = re.findall(r'(?:href|src)="\.\./(_course/assets/[^"]+)"', page(lesson_id))
            for asset in found:
                code, headers, _ = get(server.port, f"/{asset}")
                assert code == 200, asset
                assert headers["content-type"].startswith(("text/css", "text/javascript"))
            return found

        before = shared_assets("attention")
        assert len(before) == 3
        lesson = course / "lessons" / "attention.yaml"
        edited = lesson.read_text(encoding="utf-8").replace('"Attention"', '"Attention, edited"')
        save(lesson, edited, lambda: "Attention, edited" in page("attention"), "the rebuild")
        assert shared_assets("attention") == before
        assert shared_assets("linear-models") == before
    finally:
        server.stop()


def test_reload_script_goes_before_the_end_of_body() -> None:
    page = inject_reload(b"<html><body><p>x</p></BODY></html>", 7)
    assert page.endswith(b'data-build="7" defer></script>\n</BODY></html>')
    assert inject_reload(b"<p>bare</p>", 1).startswith(b"<p>bare</p><script")


def test_the_event_stream_sends_each_build(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=TIMEOUT) as stream:
        stream.sendall(f"GET {ENDPOINT}events HTTP/1.0\r\nHost: localhost:{served.port}\r\n\r\n"
                       .encode())  # fmt: skip
        reader = stream.makefile("rb")
        assert reader.readline().split()[1] == b"200"
        first = _next_event(reader)
        text = served.lesson.read_text(encoding="utf-8").replace('"Served"', '"New"')
        save(served.lesson, text, lambda: status(served)["build"] != first["build"], "a build")
        assert _next_event(reader)["build"] > first["build"]


def _next_event(reader: BinaryIO) -> dict[str, Any]:
    """The next status the event stream sends (keep-alive comments skipped)."""
    while line := reader.readline():
        if line.startswith(b"data: "):
            event: dict[str, Any] = json.loads(line[6:])
            return event
    raise AssertionError("the event stream ended")


ALIEN_HOSTS = ["evil.example", "evil.example:{port}", "127.0.0.1:{other}", "127.0.0.1",
               "localhost", "[::1]:{port}", "127.0.0.1:{port}.evil.example"]  # fmt: skip
PATHS = ["/", "/served/", "/served/index.html", "/served/assets/lesson.js",
         ENDPOINT + "status", ENDPOINT + "events", ENDPOINT + "reload.js", "/nowhere"]  # fmt: skip


def test_a_wrong_host_gets_nothing(shared: Served) -> None:
    """DNS rebinding: a page of another name resolved to 127.0.0.1 reads nothing."""
    port = shared.port
    for path in PATHS:
        for host in ALIEN_HOSTS:
            code, _, body = get(port, path, host.format(port=port, other=port + 1))
            assert (code, "served" in body.lower()) == (421, False), (path, host)
        for request in (
            f"GET {path} HTTP/1.0\r\n\r\n",  # no Host at all
            f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nHost: evil\r\n\r\n",
        ):
            code, _, body = raw(port, request.encode())
            assert (code, "served" in body.lower()) == (421, False), (path, request)
    assert get(port, "/served/", f"LOCALHOST:{port}")[0] == 200


ALIEN_ORIGINS = ["http://127.0.0.1:{other}", "http://localhost:{other}", "http://evil.example",
                 "null", "https://127.0.0.1:{port}", "http://127.0.0.1:{port}.evil.example"]  # fmt: skip


def test_another_origin_cannot_read_the_status_channel(shared: Served) -> None:
    port = shared.port
    for name in ("status", "events", "reload.js", "events-worker.js"):
        for origin in ALIEN_ORIGINS:
            extra = f"Origin: {origin.format(port=port, other=port + 1)}\r\n"
            code, headers, body = get(port, ENDPOINT + name, extra=extra)
            assert (code, body) == (403, "403 Forbidden\n"), (name, origin)
            assert "access-control-allow-origin" not in headers
        for site in ("cross-site", "same-site"):  # another port of 127.0.0.1 is same-site
            code, _, body = get(port, ENDPOINT + name, extra=f"Sec-Fetch-Site: {site}\r\n")
            assert (code, body) == (403, "403 Forbidden\n"), (name, site)
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        code, _, body = get(port, ENDPOINT + "status", extra=f"Origin: {origin}\r\n")
        assert code == 200 and '"lessons": ["served"]' in body


BAD_PATHS = ["/%00", "/served/%00.html", "/%zz", "/%4", "/%ff%fe", "/../../etc/passwd",
             "/served/..%2f..%2fetc%2fpasswd", "/served/%2e%2e/%2e%2e/etc/passwd", "/served/./",
             "/served%5c..%5cx", "/served/%0d%0aSet-Cookie:%20x=1", "/" + "a" * 5000,
             "http://evil.example/served/", "/\x1b[2J\x1b]0;title\x07"]  # fmt: skip


def test_bad_requests_get_400_and_disconnects_stay_silent(served: Served) -> None:
    for path in BAD_PATHS:
        code, _, body = get(served.port, path)
        assert (code, body) == (400, "400 Bad Request\n"), path
    # Requests the HTTP parser itself refuses: a method, a header line of 70 kB.
    for line, code in (("POST / HTTP/1.0", 501), ("GET / HTTP/1.0\r\nX: " + "x" * 70000, 431)):
        request = f"{line}\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode()
        assert raw(served.port, request)[0] == code, line[:20]
    assert get(served.port, "/" + "n" * 300)[0] == 404  # a name too long for the file system
    (served.out / "big.bin").write_bytes(b"\0" * (8 << 20))
    for path in ("/big.bin", ENDPOINT + "events", "/served/"):
        request = f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\n\r\n"
        raw(served.port, request.encode(), reset=True)
    first = status(served)["build"]
    text = served.lesson.read_text(encoding="utf-8").replace('"Served"', '"Saved again"')
    # The event streams write the new build into connections that are gone.
    save(served.lesson, text, lambda: status(served)["build"] != first, "a rebuild")
    time.sleep(1)
    stderr = served.stop()
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    refused = [line for line in stderr.splitlines() if line.startswith("lessonc serve: 400 ")]
    assert len(refused) == len(BAD_PATHS), stderr
    logged = [line for line in stderr.splitlines() if line.startswith("lessonc serve:")]
    assert len(logged) == len(refused) + 2
    assert "\x1b" not in stderr  # the terminal gets the escape sequence written out, not run


def test_a_folder_gets_no_listing(shared: Served) -> None:
    assert (shared.out / "served" / "assets" / "lesson.js").is_file()
    (shared.out / "served" / ".hidden").write_text("not for the browser", "utf-8")
    for path in ("/served/assets/", "/served/assets", "/served/assets/lesson.js/", "/.served",
                 "/served/.hidden", "/" + "n" * 300):  # fmt: skip
        code, _, body = get(shared.port, path)
        assert (code, body) == (404, "404 Not Found\n"), path
    code, headers, _ = get(shared.port, "/served")
    assert (code, headers["location"]) == (301, "/served/")
    code, headers, _ = get(shared.port, "////served?x")  # never "//served/": another host
    assert (code, headers["location"]) == (301, "/served/")


def test_every_response_carries_the_security_headers(shared: Served) -> None:
    port = shared.port
    page = (shared.out / "served" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert found
    page_policy = html.unescape(found.group(1))
    assert page_policy.startswith("default-src 'none'; script-src 'self';")
    (shared.out / "handout.pdf").write_bytes(b"%PDF-1.7\n")
    responses = {
        "page": get(port, "/served/"),
        "script": get(port, "/served/assets/lesson.js"),
        "status": get(port, ENDPOINT + "status"),
        "missing": get(port, "/nowhere"),
        "bad": get(port, "/%00"),
        "wrong host": get(port, "/", "evil.example"),
        "other origin": get(port, ENDPOINT + "status", extra="Origin: http://evil.example\r\n"),
        "worker": get(port, ENDPOINT + "events-worker.js"),
    }
    pdf = get(port, "/handout.pdf")
    for what, (_, headers, _) in [*responses.items(), ("pdf", pdf)]:
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["referrer-policy"] == "no-referrer", what
        assert headers["cross-origin-resource-policy"] == "same-origin", what
        assert headers["cache-control"] == "no-store", what
    for what, (_, headers, _) in responses.items():
        assert headers["content-security-policy"].startswith("default-src 'none'"), what
    # Chromium's PDF viewer lays out its own page, which a policy would break.
    assert (pdf[0], pdf[1]["content-type"]) == (200, "application/pdf")
    assert "content-security-policy" not in pdf[1]
    assert responses["page"][1]["content-security-policy"] == page_policy
    # The worker may open exactly one kind of connection: to this server.
    assert responses["worker"][1]["content-security-policy"] == (
        "default-src 'none'; connect-src 'self'"
    )
    assert responses["script"][1]["content-type"].startswith("text/javascript")


def test_a_page_is_served_under_its_own_policy() -> None:
    videos = "default-src 'none'; frame-src https://www.youtube-nocookie.com"
    page = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(videos)}">'.encode()
    assert page_policy(page) == videos  # its videos still play in the preview
    assert page_policy(b"<p>no policy</p>") == PAGE_CSP
    assert page_policy(page.replace(b"nocookie", b"\n")) == PAGE_CSP  # never a broken header


@pytest.mark.parametrize("port", ["65536", "-1", "abc", "99999999999999999999"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    result = run_cli(["serve", str(EXAMPLE), "--port", port])
    assert result.exit_code == 2
    assert "Invalid value for '-p' / '--port'" in result.stderr


def test_a_busy_port_says_which_port_to_use(tmp_path: Path) -> None:
    lesson = write_starter("busy", tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "lessonc", "serve", str(lesson), "--port", str(port)],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in result.stderr
    assert re.search(r"try --port \d+, or --port 0 for any free port", result.stderr)
    assert "Traceback" not in result.stderr


def test_watch_is_listed_as_an_alias_of_serve() -> None:
    listing = run_cli(["--help"]).stdout
    assert re.search(r"^  watch +Alias of serve\.$", listing, re.M)
    assert re.search(r"^  serve +Build, serve on", listing, re.M)
    assert run_cli(["watch", "--help"]).stdout == run_cli(["serve", "--help"]).stdout.replace(
        " serve [OPTIONS]", " watch [OPTIONS]"
    )
