/* lessonc SCORM adapter: tells an LMS that plays the lesson what the learner did.
 *
 * It is active only when an LMS offers the SCORM API to the page: API_1484_11
 * (SCORM 2004) or API (SCORM 1.2) on a parent frame or the opener, found by
 * ADL's discovery walk. Anywhere else it makes no call and logs nothing, and
 * the page works exactly as without it.
 *
 * It never checks an answer itself: lesson.js sends each verdict and the
 * page's own score in a "lessonc:answer" event, and this file only reports
 * them (interactions, score, status) and keeps the learner's answers in
 * suspend_data, so a learner who comes back finds them; they are given back
 * to lesson.js by submitting the question's own form again.
 */
(function () {
  "use strict";

  // ADL's walk gives up after a few frames; LMS players nest the content shallowly.
  var MAX_HOPS = 7;
  // SCORM 1.2 keeps 4,096 characters of suspend_data, SCORM 2004 64,000.
  var SUSPEND_LIMIT_12 = 4096;
  var SUSPEND_LIMIT_2004 = 64000;
  var TEXT_LIMIT = 250; // a fill-in response (2004) and a 1.2 response (255) both fit

  function walk(start, name, method) {
    var win = start;
    for (var hops = 0; win && hops <= MAX_HOPS; hops += 1) {
      try {
        var api = win[name];
        if (api && typeof api[method] === "function") {
          return api;
        }
        if (!win.parent || win.parent === win) {
          return null;
        }
        win = win.parent;
      } catch (error) {
        return null; // a frame of another origin: no API this page may use lies beyond it
      }
    }
    return null;
  }

  function find(name, method) {
    var api = walk(window, name, method);
    if (!api) {
      try {
        api = window.opener ? walk(window.opener, name, method) : null;
      } catch (error) {
        api = null;
      }
    }
    return api;
  }

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) {
      text = "0" + text;
    }
    return text;
  }

  // Whole hundredths first, so 59.999 s is 1 minute, never "60.00" seconds.
  function clock(seconds) {
    var hundredths = Math.max(0, Math.round(seconds * 100));
    var rest = hundredths % 6000;
    return {
      hours: Math.floor(hundredths / 360000),
      minutes: Math.floor(hundredths / 6000) % 60,
      seconds: Math.floor(rest / 100) + "." + pad(rest % 100, 2)
    };
  }

  /* One object per SCORM version: the same words for the calls, the element names and the
   * formats, so the rest of the file does not branch on the version. */
  function scorm2004(api) {
    return {
      start: function () { return api.Initialize(""); },
      get: function (name) { return api.GetValue(name); },
      set: function (name, value) { return api.SetValue(name, String(value)); },
      commit: function () { return api.Commit(""); },
      finish: function () { return api.Terminate(""); },
      suspendLimit: SUSPEND_LIMIT_2004,
      response: "learner_response",
      trueFalse: function (value) { return value; },
      join: function (values) { return values.join("[,]"); },
      dot: "[.]",
      gapSeparator: "[,]",
      gaps: function (values, language) {
        var joined = values.join("[,]").slice(0, TEXT_LIMIT);
        return joined.charAt(0) === "{" ? "{lang=" + language + "}" + joined : joined;
      },
      range: function (range) { return range[0] + "[:]" + range[1]; },
      text: function (value, language) {
        var plain = value.split("[,]").join(", ").slice(0, TEXT_LIMIT);
        // A response starting with "{" would read as a language tag: give it a real one.
        return plain.charAt(0) === "{" ? "{lang=" + language + "}" + plain : plain;
      },
      accepted: function (answers, caseSensitive) {
        // fill-in allows ten patterns; case_matters tells the LMS how the page compared.
        return answers.slice(0, 10).map(function (answer) {
          return "{case_matters=" + (caseSensitive ? "true" : "false") + "}" + answer.slice(0, TEXT_LIMIT);
        });
      },
      wrong: "incorrect",
      // ISO 8601 duration, seconds to hundredths.
      duration: function (seconds) {
        var parts = clock(seconds);
        return "PT" + parts.hours + "H" + parts.minutes + "M" + parts.seconds + "S";
      },
      passMark: function () {
        var value = parseFloat(api.GetValue("cmi.scaled_passing_score"));
        return isNaN(value) ? null : value * 100;
      },
      report: function (set, score, allAnswered, passed) {
        if (score) {
          set("cmi.score.min", 0);
          set("cmi.score.max", score.max);
          set("cmi.score.raw", score.raw);
          set("cmi.score.scaled", score.max > 0 ? Math.round((score.raw / score.max) * 10000) / 10000 : 0);
        }
        set("cmi.completion_status", allAnswered ? "completed" : "incomplete");
        set("cmi.success_status", passed === null ? "unknown" : passed ? "passed" : "failed");
      },
      sessionTime: "cmi.session_time",
      exit: "cmi.exit"
    };
  }

  function scorm12(api) {
    return {
      start: function () { return api.LMSInitialize(""); },
      get: function (name) { return api.LMSGetValue(name); },
      set: function (name, value) { return api.LMSSetValue(name, String(value)); },
      commit: function () { return api.LMSCommit(""); },
      finish: function () { return api.LMSFinish(""); },
      suspendLimit: SUSPEND_LIMIT_12,
      response: "student_response",
      trueFalse: function (value) { return value === "true" ? "t" : "f"; },
      join: function (values) { return values.join(","); },
      dot: ".",
      gapSeparator: ", ",
      gaps: function (values) { return values.join(", ").slice(0, TEXT_LIMIT); },
      // SCORM 1.2 has no range pattern: the middle of the accepted interval.
      range: function (range) { return String((range[0] + range[1]) / 2); },
      text: function (value) { return value.slice(0, TEXT_LIMIT); },
      accepted: function (answers) {
        return answers.slice(0, 10).map(function (answer) { return answer.slice(0, TEXT_LIMIT); });
      },
      wrong: "wrong",
      // CMITimespan: HHHH:MM:SS.SS
      duration: function (seconds) {
        var parts = clock(seconds);
        return pad(parts.hours, 4) + ":" + pad(parts.minutes, 2) + ":" + pad(parts.seconds, 5);
      },
      passMark: function () {
        var value = parseFloat(api.LMSGetValue("cmi.student_data.mastery_score"));
        return isNaN(value) ? null : value;
      },
      report: function (set, score, allAnswered, passed) {
        if (score) {
          set("cmi.core.score.min", 0);
          set("cmi.core.score.max", score.max);
          set("cmi.core.score.raw", score.raw);
        }
        // SCORM 1.2 has one status for both: passed or failed once every question is answered.
        set("cmi.core.lesson_status", passed === null ? (allAnswered ? "completed" : "incomplete") : passed ? "passed" : "failed");
      },
      sessionTime: "cmi.core.session_time",
      exit: "cmi.core.exit"
    };
  }

  function connect() {
    var api = find("API_1484_11", "Initialize");
    if (api) {
      return scorm2004(api);
    }
    api = find("API", "LMSInitialize");
    return api ? scorm12(api) : null;
  }

  /* --- what a question's form holds and expects, in SCORM's words --- */
  function picked(question) {
    return Array.prototype.filter.call(question.querySelectorAll("[data-choice] input"), function (input) {
      return input.checked;
    }).map(function (input) {
      return input.value;
    });
  }

  function rightChoices(question) {
    return Array.prototype.filter.call(question.querySelectorAll("[data-choice]"), function (choice) {
      return choice.getAttribute("data-correct") === "true";
    }).map(function (choice) {
      return choice.querySelector("input").value;
    });
  }

  function valuesOf(question, selector) {
    return Array.prototype.map.call(question.querySelectorAll(selector), function (control) {
      return control.value;
    });
  }

  function answerOf(question) {
    var type = question.getAttribute("data-type");
    if (type === "short_answer" || type === "numeric") {
      return question.querySelector('input[type="text"]').value;
    }
    if (type === "matching") {
      return valuesOf(question, "[data-match] select");
    }
    if (type === "fill_blanks") {
      return valuesOf(question, "[data-gap]");
    }
    if (type === "ordering") {
      return Array.prototype.map.call(question.querySelectorAll("[data-item]"), function (item) {
        return item.getAttribute("data-item");
      });
    }
    return picked(question);
  }

  /* The exercise types as SCORM interactions: matching and sequencing name items by letter
   * (a, b … in source order; SCORM 1.2 allows single characters only), numeric gives the
   * number lesson.js read, fill-in the gaps in order. */
  var INTERACTION_TYPES = {
    short_answer: "fill-in", true_false: "true-false", matching: "matching",
    ordering: "sequencing", numeric: "numeric", fill_blanks: "fill-in"
  };

  function letter(index) {
    // a … z, then 0 … 9: SCORM 1.2's single characters (items past 36 share "9")
    return index < 26 ? String.fromCharCode(97 + index) : String(Math.min(index - 26, 9));
  }

  function exerciseInteraction(lms, question, type, answer, language) {
    if (type === "matching") {
      var rows = question.querySelectorAll("[data-match]");
      var given = [];
      var right = [];
      Array.prototype.forEach.call(rows, function (row, index) {
        var value = row.querySelector("select").value;
        if (value !== "") {
          given.push(letter(index) + lms.dot + letter(Number(value)));
        }
        right.push(letter(index) + lms.dot + letter(Number(row.getAttribute("data-answer"))));
      });
      return { response: lms.join(given), correct: [lms.join(right)] };
    }
    if (type === "ordering") {
      var items = Array.prototype.slice.call(question.querySelectorAll("[data-item]"));
      var shown = items.map(function (item) { return letter(Number(item.getAttribute("data-position"))); });
      var order = shown.slice().sort();
      return { response: lms.join(shown), correct: [lms.join(order)] };
    }
    if (type === "numeric") {
      var ranges = JSON.parse(question.getAttribute("data-answers"));
      var number = question.getAttribute("data-number") || "0";
      // SCORM allows one correct pattern for a numeric interaction: the first accepted answer.
      return { response: number, correct: ranges.slice(0, 1).map(lms.range) };
    }
    var accepted = Array.prototype.map.call(question.querySelectorAll("[data-gap]"), function (gap) {
      return JSON.parse(gap.getAttribute("data-accepted"))[0];
    });
    var caseSensitive = question.getAttribute("data-case-sensitive") === "true";
    return {
      response: lms.gaps(answer, language),
      correct: lms.accepted([accepted.join(lms.gapSeparator)], caseSensitive)
    };
  }

  function restoreAnswer(question, value) {
    var type = question.getAttribute("data-type");
    var values = Array.isArray(value) ? value.map(String) : [];
    if (type === "short_answer" || type === "numeric") {
      question.querySelector('input[type="text"]').value = String(value);
    } else if (type === "matching" || type === "fill_blanks") {
      var controls = question.querySelectorAll(type === "matching" ? "[data-match] select" : "[data-gap]");
      Array.prototype.forEach.call(controls, function (control, index) {
        control.value = values[index] === undefined ? "" : values[index];
      });
    } else if (type === "ordering") {
      var list = question.querySelector("[data-order]");
      values.forEach(function (id) {
        var item = list.querySelector('[data-item="' + CSS.escape(id) + '"]');
        if (item) {
          list.appendChild(item);
        }
      });
    } else {
      Array.prototype.forEach.call(question.querySelectorAll("[data-choice] input"), function (input) {
        input.checked = values.indexOf(input.value) >= 0;
      });
    }
  }

  function lessonId(question) {
    return question.id.replace(/^q-/, "");
  }

  function start() {
    var lms = connect();
    if (!lms) {
      return; // not in an LMS: nothing to report to
    }
    var started = Date.now();
    var finished = false;
    var restoring = false;
    var language = document.documentElement.lang || "en";
    var quiz = document.querySelector("[data-quiz]");
    var order = []; // lesson ids of the answered questions: their interaction's index
    var answers = {};
    var latest = null;

    function call(action) {
      try {
        return action();
      } catch (error) {
        return "false"; // an LMS's API that throws must not break the page
      }
    }

    function set(name, value) {
      return call(function () { return lms.set(name, value); });
    }

    function record(question, outcome) {
      var id = lessonId(question);
      var index = order.indexOf(id);
      if (index < 0) {
        index = order.length;
        order.push(id);
      }
      var type = question.getAttribute("data-type");
      var answer = answerOf(question);
      answers[id] = typeof answer === "string" ? answer.slice(0, TEXT_LIMIT) : answer;
      if (restoring) {
        return; // the LMS has these from the session that gave them
      }
      var prefix = "cmi.interactions." + index + ".";
      var response;
      var correct;
      if (INTERACTION_TYPES[type] && type !== "short_answer" && type !== "true_false") {
        var exercise = exerciseInteraction(lms, question, type, answer, language);
        response = exercise.response;
        correct = exercise.correct;
      } else if (type === "short_answer") {
        response = lms.text(answer, language);
        correct = lms.accepted(JSON.parse(question.getAttribute("data-accepted")), question.getAttribute("data-case-sensitive") === "true");
      } else if (type === "true_false") {
        response = lms.trueFalse(answer[0]);
        correct = [lms.trueFalse(rightChoices(question)[0])];
      } else {
        response = lms.join(answer);
        correct = [lms.join(rightChoices(question))];
      }
      set(prefix + "id", id);
      set(prefix + "type", INTERACTION_TYPES[type] || "choice");
      set(prefix + "weighting", question.getAttribute("data-points"));
      set(prefix + lms.response, response);
      // Partly right (matching, ordering, gaps) is not right: the score carries the share.
      set(prefix + "result", outcome === "correct" ? "correct" : lms.wrong);
      correct.forEach(function (pattern, position) {
        set(prefix + "correct_responses." + position + ".pattern", pattern);
      });
    }

    function saveAnswers() {
      var saved = order.map(function (id) { return [id, answers[id]]; });
      var text = JSON.stringify({ lessonc: 1, answers: saved });
      // Over the limit (long answers to many questions in SCORM 1.2): keep what fits, oldest first.
      while (text.length > lms.suspendLimit && saved.length) {
        saved.pop();
        text = JSON.stringify({ lessonc: 1, answers: saved });
      }
      set("cmi.suspend_data", text);
    }

    function report() {
      var score = null;
      var allAnswered = true;
      var passed = null;
      if (quiz) {
        // Before the first answer, nothing is answered; after it, lesson.js counts.
        var state = latest || {
          points: 0,
          maxPoints: Number(quiz.getAttribute("data-total-points")),
          answered: 0,
          questions: quiz.querySelectorAll("[data-question]").length
        };
        score = { raw: state.points, max: state.maxPoints };
        allAnswered = state.answered >= state.questions;
        if (allAnswered) {
          var mark = call(lms.passMark);
          if (typeof mark !== "number") {
            mark = Number(quiz.getAttribute("data-pass-percent"));
          }
          passed = score.max > 0 ? (score.raw * 100) >= mark * score.max : true;
        }
      }
      lms.report(set, score, allAnswered, passed);
      set(lms.sessionTime, lms.duration((Date.now() - started) / 1000));
      saveAnswers();
    }

    function restore() {
      var saved;
      try {
        saved = JSON.parse(call(function () { return lms.get("cmi.suspend_data"); }) || "null");
      } catch (error) {
        saved = null; // not ours, or cut short: start afresh
      }
      if (!quiz || !saved || !Array.isArray(saved.answers)) {
        return;
      }
      restoring = true;
      saved.answers.forEach(function (entry) {
        var question = Array.isArray(entry) ? document.getElementById("q-" + entry[0]) : null;
        if (!question || !quiz.contains(question) || !question.hasAttribute("data-question")) {
          return; // a question the lesson no longer has
        }
        restoreAnswer(question, entry[1]);
        var form = question.querySelector("form");
        // Submitting runs lesson.js's own check, which marks the answer and sends its verdict.
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit();
        } else {
          form.dispatchEvent(new Event("submit", { cancelable: true }));
        }
      });
      restoring = false;
    }

    if (String(call(lms.start)) !== "true") {
      return; // the LMS refused the session: the page stays a plain page
    }
    if (quiz) {
      quiz.addEventListener("lessonc:answer", function (event) {
        latest = event.detail;
        record(event.detail.question, event.detail.outcome);
        if (!restoring && !finished) {
          report();
          call(lms.commit);
        }
      });
    }
    restore();
    set(lms.exit, "suspend"); // keep the attempt open, so answers are there on return
    report();
    call(lms.commit);

    window.addEventListener("pagehide", function () {
      if (finished) {
        return;
      }
      finished = true;
      report();
      call(lms.commit);
      call(lms.finish);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
