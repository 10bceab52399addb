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
      var text = labels.labelCard + " " + (index + 1) + " " + labels.labelOf + " " + cards.length;
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
    choice.querySelector("label").after(mark);
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
      score.textContent = labels.labelScore + ": " + points + " " + labels.labelOf + " " +
        labels.totalPoints + " " + labels.labelPoints + " · " + answered + " " + labels.labelOf + " " +
        questions.length + " " + labels.labelAnswered;
      return { points: points, answered: answered };
    }

    function check(question) {
      var spoken = []; // already on screen beside the choices: for screen readers only
      var shown = [];
      clearMarks(question);
      var outcome = question.getAttribute("data-type") === "short_answer"
        ? checkShortAnswer(question, labels, shown)
        : checkChoices(question, labels, spoken);
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
      earned[question.id] = outcome === "correct" ? Number(question.getAttribute("data-points")) : 0;
      var total = updateScore();
      // For whoever records answers (scorm.js in an LMS): the verdict and the score as the
      // page counts them, so nothing else has to check an answer again.
      quiz.dispatchEvent(new CustomEvent("lessonc:answer", {
        bubbles: true,
        detail: {
          question: question,
          outcome: outcome,
          points: total.points,
          maxPoints: Number(labels.totalPoints),
          answered: total.answered,
          questions: questions.length
        }
      }));
    }

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
