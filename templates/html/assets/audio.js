/* lessonc audio players: the dialogue's transcript follows the voice.
 * The players work without this file (native controls, captions). It marks the
 * turn being spoken (aria-current), read from the caption cues of the player's
 * own WebVTT track, whose cue ids are the turns' ids; a turn's "Play from here"
 * button (or a click on the turn) seeks to the turn's cue and plays.
 */
(function () {
  "use strict";

  function cueList(audio) {
    var track = audio.textTracks && audio.textTracks[0];
    if (!track) {
      return null;
    }
    if (track.mode === "disabled") {
      track.mode = "hidden"; // loads the cues without showing them over nothing
    }
    return track.cues;
  }

  function cueAt(cues, time) {
    if (!cues) {
      return null;
    }
    for (var i = 0; i < cues.length; i += 1) {
      if (cues[i].startTime <= time && time < cues[i].endTime) {
        return cues[i];
      }
    }
    return null;
  }

  function setupTranscript(audio) {
    var container = document.getElementById(audio.getAttribute("data-transcript"));
    if (!container) {
      return;
    }
    var current = null;
    cueList(audio);

    function highlight() {
      var cue = cueAt(cueList(audio), audio.currentTime);
      var turn = cue ? document.getElementById(cue.id) : null;
      if (turn === current) {
        return;
      }
      if (current) {
        current.classList.remove("speaking");
        current.removeAttribute("aria-current");
      }
      current = turn && container.contains(turn) ? turn : null;
      if (current) {
        current.classList.add("speaking");
        current.setAttribute("aria-current", "true");
      }
    }

    function seek(cueId) {
      var cues = cueList(audio);
      var cue = cues && cues.getCueById(cueId);
      if (!cue) {
        return;
      }
      var go = function () {
        audio.currentTime = cue.startTime;
        highlight();
        var playing = audio.play();
        if (playing && playing.catch) {
          playing.catch(function () {
            /* autoplay refused: the position is set, the listener presses play */
          });
        }
      };
      if (audio.readyState >= 1) {
        go();
      } else {
        // preload="none": nothing is known about the file until it is asked for
        audio.addEventListener("loadedmetadata", go, { once: true });
        audio.load();
      }
    }

    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
    // The buttons show once the captions are in: a page opened as a file cannot load
    // them (browsers give file: pages no origin), and there the buttons would do nothing.
    var captions = audio.querySelector("track");
    function showButtons() {
      Array.prototype.forEach.call(container.querySelectorAll(".turn-play"), function (button) {
        button.hidden = false;
      });
    }
    if (captions && captions.readyState === 2) {
      showButtons();
    } else if (captions) {
      captions.addEventListener("load", showButtons);
    }
    Array.prototype.forEach.call(container.querySelectorAll(".turn-play"), function (button) {
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        seek(button.getAttribute("data-cue"));
      });
    });
    Array.prototype.forEach.call(container.querySelectorAll(".turn[id]"), function (turn) {
      turn.addEventListener("click", function (event) {
        // a link or a selection inside the turn keeps its own meaning
        if (event.target.closest("a, button") || String(window.getSelection())) {
          return;
        }
        seek(turn.id);
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(
      document.querySelectorAll("audio[data-transcript]"),
      setupTranscript
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
