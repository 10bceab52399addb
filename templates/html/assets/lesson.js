/* lessonc lesson page: quiz, flashcard deck, click-to-load videos, course links.
 * The page works without this file; it only adds interaction. It reads all
 * data from data- attributes (the Content-Security-Policy allows no inline
 * script) and writes lesson text only through textContent or by moving nodes
 * that are already in the page, never through innerHTML.
 */
(function () {
  "use strict";

  function each(root, selector, callback) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), callback);
  }

  function reveal(root, selector) {
    each(root, selector, function (element) {
      element.hidden = false;
    });
  }

  // A sentence from the template, in the lesson's language and word order, its {name}
  // placeholders filled with numbers written in the page language's digits.
  function sentence(template, values) {
    var format;
    try {
      format = new Intl.NumberFormat(document.documentElement.lang || undefined);
    } catch (error) {
      format = new Intl.NumberFormat();
    }
    return template.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? format.format(values[name]) : whole;
    });
  }

  /* --- summary depth: remembered between visits when storage allows --- */
  var DEPTH_KEY = "lessonc.summary-depth";

  function setupSummary() {
    var saved = null;
    try {
      saved = window.localStorage.getItem(DEPTH_KEY);
    } catch (error) {
      saved = null; // storage can be disabled (file:// in some browsers, privacy modes)
    }
    each(document, 'input[name="summary-depth"]', function (input) {
      if (saved && input.value === saved) {
        input.checked = true;
      }
      input.addEventListener("change", function () {
        try {
          window.localStorage.setItem(DEPTH_KEY, input.value);
        } catch (error) {
          /* remembering is a nicety */
        }
      });
    });
  }

  /* --- videos: no request to a video host until the reader asks --- */
  function setupVideos() {
    each(document, "[data-embed-src]", function (player) {
      var button = player.querySelector(".video-load");
      if (!button) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var frame = document.createElement("iframe");
        frame.src = player.getAttribute("data-embed-src");
        frame.title = player.getAttribute("data-embed-title") || "Video";
        frame.allow = "encrypted-media; picture-in-picture; fullscreen";
        frame.setAttribute("allowfullscreen", "");
        // The page sends no referrer; YouTube's player needs the origin to start.
        frame.referrerPolicy = "strict-origin-when-cross-origin";
        var box = document.createElement("div");
        box.className = "video-frame";
        box.appendChild(frame);
        player.replaceChildren(box);
        frame.focus();
      });
    });
  }

  /* --- flashcards --- */
  function setupDeck(deck) {
    var list = deck.querySelector(".cards");
    var cards = Array.prototype.slice.call(list.children);
    if (cards.length === 0) {
      return;
    }
    var progress = deck.querySelector(".deck-progress");
    var labels = deck.dataset;
    var index = 0;
    deck.classList.add("is-enhanced");
    reveal(deck, ".deck-toolbar, .deck-help");

    function isFlipped() {
      return cards[index].classList.contains("is-flipped");
    }

    function announce() {
      var text = sentence(labels.labelProgress, { number: index + 1, total: cards.length });
      progress.textContent = isFlipped() ? text + ", " + labels.labelAnswer : text;
    }

    function setFlipped(card, flipped) {
      card.classList.toggle("is-flipped", flipped);
      var answer = card.querySelector("details");
      if (answer) {
        answer.open = flipped;
      }
    }

    function show(next, focus) {
      index = (next + cards.length) % cards.length;
      cards.forEach(function (card, position) {
        card.hidden = position !== index;
        setFlipped(card, false);
      });
      announce();
      if (focus) {
        cards[index].focus();
      }
    }

    function flip() {
      setFlipped(cards[index], !isFlipped());
      announce();
    }

    function shuffle() {
      // Fisher–Yates; the order lives only in this page view.
      for (var i = cards.length - 1; i > 0; i -= 1) {
        var j = Math.floor(Math.random() * (i + 1));
        var held = cards[i];
        cards[i] = cards[j];
        cards[j] = held;
      }
      cards.forEach(function (card) {
        list.appendChild(card);
      });
      show(0, false);
    }

    cards.forEach(function (card) {
      card.tabIndex = 0;
      card.addEventListener("click", function (event) {
        if (!event.target.closest("a")) {
          flip();
        }
      });
    });

    var actions = { previous: function () { show(index - 1, false); }, next: function () { show(index + 1, false); }, flip: flip, shuffle: shuffle };
    each(deck, "[data-deck-action]", function (button) {
      button.addEventListener("click", function () {
        actions[button.getAttribute("data-deck-action")]();
      });
    });

    deck.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea, select")) {
        return;
      }
      var onCard = event.target.classList && event.target.classList.contains("card");
      if (onCard && (event.key === " " || event.key === "Enter")) {
        event.preventDefault();
        flip();
      } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        event.preventDefault();
        show(index + 1, onCard);
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        event.preventDefault();
        show(index - 1, onCard);
      }
    });

    show(0, false);
  }

  /* --- practice quiz --- */
  // Spellings a reader cannot tell apart on screen count as the same answer (the same
  // rules as lessonc/answers.py): NFKC folds full-width and half-width forms; in Arabic
  // script tatweel and short vowels are dropped, the Arabic and Persian forms of yeh
  // and kaf are one letter, Eastern digits are digits; ta marbuta is heh where the
  // lesson's language writes it so (data-fold-ta-marbuta).
  function normalise(text, caseSensitive, foldTaMarbuta) {
    var folded = text.normalize("NFKC").trim().replace(/\s+/g, " ")
      .replace(/[\u0640\u064B-\u065F\u0670]/g, "")
      .replace(/[\u064A\u0649]/g, "\u06CC").replace(/\u0643/g, "\u06A9")
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
      .replace(/[\u06F0-\u06F9]/g, function (d) { return String(d.charCodeAt(0) - 0x06F0); });
    if (foldTaMarbuta) {
      folded = folded.replace(/\u0629/g, "\u0647");
    }
    return caseSensitive ? folded : folded.toLowerCase();
  }

  function markChoice(choice, right, label) {
    var mark = document.createElement("span");
    mark.className = "choice-mark";
    mark.textContent = label;
    choice.classList.add(right ? "is-right" : "is-wrong");
    choice.querySelector("label, .choice-text").after(mark);
  }

  /* A choice or a matching row holding blocks (code, a table) names its control through
     aria-labelledby, as a <label> may hold phrasing content only: a click on it picks the
     choice or goes to the list as a label's would, except on a link or a text selection. */
  function setupBlockLabel(text) {
    var control = document.getElementById(text.getAttribute("data-labels"));
    if (!control) {
      return;
    }
    text.addEventListener("click", function (event) {
      if (event.target.closest("a, button, details, input, select, textarea") || String(window.getSelection())) {
        return;
      }
      if (control.type === "checkbox" || control.type === "radio") {
        control.click();
      }
      control.focus();
    });
  }

  function checkChoices(question, labels, spoken) {
    var picked = 0;
    var rightPicked = 0;
    var wrongPicked = 0;
    var rightTotal = 0;
    each(question, "[data-choice]", function (choice) {
      var input = choice.querySelector("input");
      var correct = choice.getAttribute("data-correct") === "true";
      var feedback = choice.querySelector(".choice-feedback");
      rightTotal += correct ? 1 : 0;
      if (!input.checked) {
        return;
      }
      picked += 1;
      rightPicked += correct ? 1 : 0;
      wrongPicked += correct ? 0 : 1;
      markChoice(choice, correct, correct ? labels.labelMarkRight : labels.labelMarkWrong);
      if (feedback) {
        feedback.hidden = false;
        spoken.push(feedback.textContent.trim());
      }
    });
    if (picked === 0) {
      return "empty";
    }
    if (wrongPicked === 0 && rightPicked === rightTotal) {
      return "correct";
    }
    return rightPicked > 0 ? "partly" : "wrong";
  }

  function checkShortAnswer(question, labels, shown) {
    var input = question.querySelector('input[type="text"]');
    var caseSensitive = question.getAttribute("data-case-sensitive") === "true";
    var quiz = question.closest("[data-quiz]");
    var taMarbuta = quiz !== null && quiz.getAttribute("data-fold-ta-marbuta") === "true";
    var given = normalise(input.value, caseSensitive, taMarbuta);
    if (!given) {
      return "empty";
    }
    var accepted = JSON.parse(question.getAttribute("data-accepted"));
    var right = accepted.some(function (answer) {
      return normalise(answer, caseSensitive, taMarbuta) === given;
    });
    input.setAttribute("aria-invalid", right ? "false" : "true");
    if (!right) {
      shown.push(labels.labelExpected + " " + accepted[0]);
    }
    return right ? "correct" : "wrong";
  }

  /* --- the exercise types: each check gives an outcome and the share of the points earned,
     by the rule docs/quiz-format.md states (the QTI export weighs answers the same way) --- */
  function shareOutcome(right, total) {
    if (right === total) {
      return { outcome: "correct", share: 1 };
    }
    return { outcome: right > 0 ? "partly" : "wrong", share: right / total };
  }

  function markControl(control, right, labels) {
    control.setAttribute("aria-invalid", right ? "false" : "true");
    var mark = document.createElement("span");
    mark.className = "choice-mark " + (right ? "mark-right" : "mark-wrong");
    mark.textContent = right ? labels.labelMarkRight : labels.labelMarkWrong;
    control.after(mark);
  }

  function checkMatching(question, labels) {
    var rows = question.querySelectorAll("[data-match]");
    var right = 0;
    var empty = true;
    Array.prototype.forEach.call(rows, function (row) {
      var select = row.querySelector("select");
      empty = empty && select.value === "";
      var ok = select.value === row.getAttribute("data-answer");
      right += ok ? 1 : 0;
      markControl(select, ok, labels);
    });
    return empty ? { outcome: "empty", share: 0 } : shareOutcome(right, rows.length);
  }

  function checkOrdering(question, labels) {
    var items = question.querySelectorAll("[data-item]");
    var right = 0;
    Array.prototype.forEach.call(items, function (item, index) {
      var ok = Number(item.getAttribute("data-position")) === index;
      right += ok ? 1 : 0;
      markControl(item.querySelector(".order-text"), ok, labels);
    });
    // Each item in its place earns a share, as Moodle and Canvas grade the exported
    // matching with positions.
    return shareOutcome(right, items.length);
  }

  function decimalSeparator() {
    try {
      var parts = new Intl.NumberFormat(document.documentElement.lang || undefined).formatToParts(1.5);
      var found = parts.filter(function (part) { return part.type === "decimal"; })[0];
      return found ? found.value : ".";
    } catch (error) {
      return ".";
    }
  }

  function parseNumber(text) {
    // "1,25" and "1.25" both read as 1.25; a separator followed by exactly three digits in a
    // number that uses the other one as its decimal mark is a thousands separator.
    var compact = text.trim().replace(/[\s\u00a0\u202f']/g, "").replace(/\u2212/g, "-");
    if (!/^[-+]?[0-9.,]*[0-9][0-9.,]*(e[-+]?[0-9]+)?$/i.test(compact)) {
      return NaN;
    }
    var lastDot = compact.lastIndexOf(".");
    var lastComma = compact.lastIndexOf(",");
    var decimal = lastDot > lastComma ? "." : ",";
    if (lastDot < 0 || lastComma < 0) {
      var only = lastDot >= 0 ? "." : ",";
      var groups = compact.split(only);
      var grouped = groups.length > 2 || (groups.length === 2 && /^[0-9]{3}$/.test(groups[1]) &&
        decimalSeparator() !== only);
      decimal = grouped ? (only === "." ? "," : ".") : only;
    }
    var thousands = decimal === "." ? "," : ".";
    var plain = compact.split(thousands).join("").replace(decimal, ".");
    return plain === "" ? NaN : Number(plain);
  }

  function checkNumeric(question, labels, shown) {
    var input = question.querySelector("input");
    if (!input.value.trim()) {
      return { outcome: "empty", share: 0 };
    }
    var value = parseNumber(input.value);
    // The number as read, for whoever records answers (scorm.js reports it as given).
    question.setAttribute("data-number", isFinite(value) ? String(value) : "");
    var answers = JSON.parse(question.getAttribute("data-answers"));
    var right = isFinite(value) && answers.some(function (range) {
      var slack = 1e-9 * Math.max(1, Math.abs(range[0]), Math.abs(range[1]));
      return value >= range[0] - slack && value <= range[1] + slack;
    });
    input.setAttribute("aria-invalid", right ? "false" : "true");
    if (!isFinite(value)) {
      shown.push(labels.labelNotNumber);
    }
    return right ? { outcome: "correct", share: 1 } : { outcome: "wrong", share: 0 };
  }

  function checkGaps(question, labels) {
    var caseSensitive = question.getAttribute("data-case-sensitive") === "true";
    var gaps = question.querySelectorAll("[data-gap]");
    var right = 0;
    var empty = true;
    Array.prototype.forEach.call(gaps, function (gap) {
      var given = normalise(gap.value, caseSensitive);
      empty = empty && !given;
      var ok = given !== "" && JSON.parse(gap.getAttribute("data-accepted")).some(function (answer) {
        return normalise(answer, caseSensitive) === given;
      });
      right += ok ? 1 : 0;
      markControl(gap, ok, labels);
    });
    return empty ? { outcome: "empty", share: 0 } : shareOutcome(right, gaps.length);
  }

  var EXERCISE_CHECKS = {
    matching: checkMatching,
    ordering: checkOrdering,
    numeric: checkNumeric,
    fill_blanks: checkGaps
  };

  function setupOrdering(list) {
    var status = list.parentNode.querySelector("[data-order-status]");
    reveal(list, ".order-buttons");
    // On a move button the arrow keys move its item too, and focus follows the item.
    list.addEventListener("keydown", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
        return;
      }
      event.preventDefault();
      var step = event.key === "ArrowUp" ? "-1" : "1";
      var twin = button.closest("[data-item]").querySelector('[data-move="' + step + '"]');
      twin.focus();
      twin.click();
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) {
        return;
      }
      var item = button.closest("[data-item]");
      var items = Array.prototype.slice.call(list.children);
      var target = items.indexOf(item) + Number(button.getAttribute("data-move"));
      if (target < 0 || target >= items.length) {
        return;
      }
      if (target > items.indexOf(item)) {
        items[target].after(item);
      } else {
        items[target].before(item);
      }
      button.focus(); // moving the node keeps focus on it, but say where it went
      // The sentence is the template's (data-label-status), in the lesson's language.
      status.textContent = status.getAttribute("data-label-status")
        .replace("{position}", String(target + 1))
        .replace("{count}", String(items.length))
        .replace("{item}", function () { return item.querySelector(".order-text").textContent.trim(); });
    });
  }

  function clearMarks(question) {
    each(question, ".choice-mark", function (mark) {
      mark.remove();
    });
    each(question, "[data-choice]", function (choice) {
      choice.classList.remove("is-right", "is-wrong");
    });
    each(question, ".choice-feedback", function (feedback) {
      feedback.hidden = true;
    });
    each(question, "[aria-invalid]", function (control) {
      control.removeAttribute("aria-invalid");
    });
  }

  function setupQuiz(quiz) {
    var labels = quiz.dataset;
    var score = quiz.querySelector(".quiz-score");
    var questions = quiz.querySelectorAll("[data-question]");
    var earned = {};

    function updateScore() {
      var points = 0;
      var answered = 0;
      Object.keys(earned).forEach(function (key) {
        points += earned[key];
        answered += 1;
      });
      points = Math.round(points * 100) / 100;
      score.textContent = sentence(labels.labelScoreLine, {
        points: points, total: Number(labels.totalPoints), answered: answered, questions: questions.length
      });
      return { points: points, answered: answered };
    }

    function check(question) {
      var spoken = []; // already on screen beside the choices: for screen readers only
      var shown = [];
      clearMarks(question);
      var type = question.getAttribute("data-type");
      var share = null;
      var outcome;
      if (EXERCISE_CHECKS[type]) {
        var result = EXERCISE_CHECKS[type](question, labels, shown);
        outcome = result.outcome;
        share = result.share;
      } else {
        outcome = type === "short_answer"
          ? checkShortAnswer(question, labels, shown)
          : checkChoices(question, labels, spoken);
      }
      var verdict = question.querySelector(".verdict");
      verdict.className = "verdict verdict-" + outcome;
      verdict.replaceChildren();
      var headline = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = labels["label" + outcome.charAt(0).toUpperCase() + outcome.slice(1)];
      headline.appendChild(strong);
      if (shown.length) {
        headline.appendChild(document.createTextNode(" " + shown.join(" ")));
      }
      if (spoken.length) {
        var aside = document.createElement("span");
        aside.className = "visually-hidden";
        aside.textContent = " " + spoken.join(" ");
        headline.appendChild(aside);
      }
      verdict.appendChild(headline);
      if (outcome === "empty") {
        return;
      }
      question.querySelector(".explanation").hidden = false;
      var points = Number(question.getAttribute("data-points"));
      if (share === null) {
        share = outcome === "correct" ? 1 : 0;
      }
      // Two decimals: partial credit of 1/3 of a point shows as 0.33, and sums stay readable.
      earned[question.id] = Math.round(points * share * 100) / 100;
      var total = updateScore();
      // For whoever records answers (scorm.js in an LMS): the verdict and the score as the
      // page counts them, so nothing else has to check an answer again.
      quiz.dispatchEvent(new CustomEvent("lessonc:answer", {
        bubbles: true,
        detail: {
          question: question,
          outcome: outcome,
          share: share,
          points: Math.round(total.points * 100) / 100,
          maxPoints: Number(labels.totalPoints),
          answered: total.answered,
          questions: questions.length
        }
      }));
    }

    each(quiz, "[data-order]", setupOrdering);
    each(quiz, "[data-labels]", setupBlockLabel);
    Array.prototype.forEach.call(questions, function (question) {
      reveal(question, ".question-actions");
      question.querySelector("form").addEventListener("submit", function (event) {
        event.preventDefault();
        check(question);
      });
    });
    score.hidden = false;
    updateScore();
  }

  /* --- printing: every disclosure open on paper --- */
  function setupPrinting() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      each(document, "details:not([open])", function (details) {
        details.open = true;
        opened.push(details);
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (details) {
        details.open = false;
      });
      opened = [];
    });
  }

  /* --- course links: straight to the neighbours once the course's reading order is known --- */
  function neighbourLink(lesson, rel, label, chapter) {
    var link = document.createElement("a");
    link.rel = rel;
    link.href = "../" + encodeURIComponent(String(lesson.id)) + "/index.html";
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.textContent = label + " ";
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    // Backwards points right in a right-to-left page.
    var rtl = document.documentElement.dir === "rtl";
    arrow.textContent = rel === "prev" ? (rtl ? "→ " : "← ") : (rtl ? " ←" : " →");
    var name = document.createTextNode(String(lesson.number) + " " + String(lesson.title));
    if (rel === "prev") {
      link.append(spoken, arrow, name);
    } else {
      link.append(spoken, name, arrow);
    }
    if (lesson.chapter && lesson.chapter !== chapter) {
      var other = document.createElement("span");
      other.className = "course-link-chapter";
      other.textContent = String(lesson.chapter);
      link.append(other);
    }
    return link;
  }

  function setupCourse() {
    var navs = document.querySelectorAll("[data-course-nav]");
    var course = window.lessoncCourse;
    // Not in a course, or the page was copied without the course's files: the plain links stay.
    if (navs.length === 0 || !course || !Array.isArray(course.lessons)) {
      return;
    }
    var id = navs[0].getAttribute("data-lesson-id");
    var position = -1;
    course.lessons.forEach(function (lesson, index) {
      if (lesson && lesson.id === id) {
        position = index;
      }
    });
    if (position < 0) {
      return; // reading order from another build of the course
    }
    var here = course.lessons[position];
    var previous = course.lessons[position - 1];
    var next = course.lessons[position + 1];
    Array.prototype.forEach.call(navs, function (nav) {
      var home = nav.querySelector(".course-home");
      var place = nav.querySelector(".course-place");
      if (!home || !place) {
        return;
      }
      // Previous, up, next: the order of the links on every page of the course.
      if (previous) {
        home.before(neighbourLink(previous, "prev", nav.dataset.labelPrevious, here.chapter));
      }
      if (next) {
        home.after(neighbourLink(next, "next", nav.dataset.labelNext, here.chapter));
      }
      if (nav.classList.contains("course-bar") && typeof course.title === "string" && course.title) {
        home.textContent = course.title;
      }
      place.remove();
    });
  }

  function setupContents() {
    var toc = document.querySelector(".toc-details");
    // On a phone the open contents would push the lesson a screen down.
    if (toc && window.matchMedia("(max-width: 63.99em)").matches) {
      toc.open = false;
    }
  }

  function start() {
    document.documentElement.classList.add("js");
    setupContents();
    setupCourse();
    setupSummary();
    setupVideos();
    each(document, "[data-deck]", setupDeck);
    each(document, "[data-quiz]", setupQuiz);
    setupPrinting();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
