"""What ``lessonc serve`` adds to the pages it serves: the reload script, and their policy.

The page's own Content-Security-Policy (``default-src 'none'``) forbids
connections, and the author should see the page under its real policy, so the
reload script starts a same-origin worker: a worker runs under the policy of
its own response, which allows exactly one same-origin connection, to the
status event stream. The worker is shared by every open page of the preview
(a dedicated one where shared workers are missing), so many open pages still
hold one connection.
"""

from __future__ import annotations

import html
import re

from lessonc.outputs.html import content_security_policy

ENDPOINT = "/__lessonc__/"
PAGE_CSP = content_security_policy(())
"""The policy of a lesson page without videos: sent with every response that is not a page."""
WORKER_CSP = "default-src 'none'; connect-src 'self'"

RELOAD_SCRIPT = """\
(function () {
  "use strict";
  var known = Number(document.currentScript.dataset.build);
  var overlay = null;
  function show(status) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "lessonc-overlay";
      overlay.setAttribute("role", "alert");
      Object.assign(overlay.style, {
        position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto",
        margin: "0", padding: "1.5rem", background: "rgba(20, 20, 24, 0.94)",
        color: "#ffd7d7", font: "14px/1.5 ui-monospace, monospace", whiteSpace: "pre-wrap"
      });
      document.body.appendChild(overlay);
    }
    var heading = "lessonc: the last save did not build; the page shows the last good build.\\n\\n";
    overlay.textContent = heading + status.diagnostics
      .filter(function (d) { return d.severity === "error"; })
      .map(function (d) { return d.text; }).join("\\n\\n");
  }
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  // The page's policy allows no connection; the worker's own policy allows this one.
  // One shared worker, hence one connection, for all open pages: a browser opens at
  // most six connections to a server, and a stream per page would hang the seventh.
  var url = "/__lessonc__/events-worker.js";
  var channel = typeof SharedWorker === "function" ? new SharedWorker(url).port : new Worker(url);
  channel.onmessage = function (event) {
    var status = event.data;
    if (status.build !== known && status.ok) { location.reload(); return; }
    known = status.build;
    if (status.ok) { hide(); } else { show(status); }
  };
})();
"""

WORKER_SCRIPT = """\
"use strict";
// A shared worker (one for every open page), or a dedicated one where there are none.
var pages = [];
var last = null;
function send(page) { if (last) { page.postMessage(last); } }
// EventSource reconnects by itself after a restart of lessonc serve.
var source = new EventSource("/__lessonc__/events");
source.onmessage = function (event) {
  last = JSON.parse(event.data);
  pages.forEach(send);
};
if (typeof SharedWorkerGlobalScope === "function" && self instanceof SharedWorkerGlobalScope) {
  self.onconnect = function (event) {
    var page = event.ports[0];
    pages.push(page);
    // Fired when the page goes, where browsers support it; elsewhere a message to a
    // closed page is simply lost.
    page.addEventListener("close", function () { pages.splice(pages.indexOf(page), 1); });
    send(page);
  };
} else {
  pages.push(self);
}
"""


def inject_reload(page: bytes, build: int) -> bytes:
    """The HTML page with the reload script added before ``</body>`` (or at its end)."""
    tag = f'<script src="{ENDPOINT}reload.js" data-build="{build}" defer></script>\n'.encode()
    index = page.lower().rfind(b"</body>")
    if index < 0:
        return page + tag
    return page[:index] + tag + page[index:]


_META_CSP = re.compile(
    rb"""<meta\s+http-equiv=["']?Content-Security-Policy["']?\s+content="([^"]*)\"""", re.I
)
_HEADER_SAFE = re.compile(r"[\x20-\x7e]*")


def page_policy(page: bytes) -> str:
    """The page's own Content-Security-Policy (its meta tag), else a lesson page's policy."""
    found = _META_CSP.search(page)
    if found:
        policy = html.unescape(found.group(1).decode("utf-8", "replace"))
        if _HEADER_SAFE.fullmatch(policy):
            return policy
    return PAGE_CSP
