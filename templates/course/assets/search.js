// Course search over titles, glossary terms and key concepts. The index is a
// script (search-index.js), not fetched JSON, so it works from file:// too.
// Results are built with textContent only: index text never becomes markup.
(function () {
  "use strict";
  var entries = window.lessoncSearch || [];
  var box = document.querySelector(".course-search");
  var input = document.getElementById("course-search-input");
  var status = document.getElementById("course-search-status");
  var list = document.getElementById("course-search-results");
  if (!box || !input || !list) { return; }
  box.hidden = false;
  // The words come from the page (data- attributes the template fills from the catalogue).
  var kinds = {
    lesson: box.getAttribute("data-kind-lesson") || "lesson",
    glossary: box.getAttribute("data-kind-glossary") || "glossary",
    concept: box.getAttribute("data-kind-concept") || "key concept"
  };
  var LIMIT = 50;

  function show(query) {
    list.replaceChildren();
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { status.textContent = ""; return; }
    var found = entries.filter(function (e) {
      var hay = (e.title + " " + e.text + " " + e.lesson).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) !== -1; });
    });
    found.slice(0, LIMIT).forEach(function (e) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = e.href;
      link.textContent = e.title;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kinds[e.kind] + (e.kind === "lesson" ? "" : " · " + e.lesson);
      var text = document.createElement("p");
      text.textContent = e.text;
      item.append(link, kind, text);
      list.append(item);
    });
    var results = box.getAttribute(found.length === 1 ? "data-results-one" : "data-results-other");
    var count = found.length.toLocaleString(document.documentElement.lang || undefined);
    status.textContent = (results || "{count} results").replace(/\{count\}/g, count) +
      (found.length > LIMIT ? " " + (box.getAttribute("data-first-shown") || "") : "");
  }

  input.addEventListener("input", function () { show(input.value); });
  if (input.value) { show(input.value); }
})();
