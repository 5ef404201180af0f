// elementevents console: small progressive enhancements; every form works without this file.
"use strict";

// consoleform: the instance form.
(function () {
  // The refresh interval's slider and number stay in step; the server
  // reads the number.
  document.querySelectorAll("input[data-sync]").forEach(function (input) {
    var other = document.getElementById(input.getAttribute("data-sync"));
    if (!other) { return; }
    input.addEventListener("input", function () { other.value = input.value; });
  });

  // A date format field shows "now" in its pattern and zone, or why the
  // pattern does not work, as the user types.
  var form = document.querySelector("form[data-datepattern-url]");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-datepattern-url");
  document.querySelectorAll("input[data-datepattern]").forEach(function (input) {
    var zone = document.getElementById(input.getAttribute("data-datepattern"));
    var out = document.getElementById(input.id + "-now");
    if (!out) { return; }
    var timer = 0, asked = 0;
    function check() {
      var n = ++asked;
      if (input.value === "") { out.textContent = ""; out.classList.remove("bad"); return; }
      var q = "?pattern=" + encodeURIComponent(input.value) + "&zone=" + encodeURIComponent(zone ? zone.value : "");
      fetch(url + q, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) { return res.json(); })
        .then(function (r) {
          if (n !== asked) { return; } // a later check is on its way
          if (r.error) {
            out.textContent = r.error;
            out.classList.add("bad");
          } else {
            out.textContent = "Now: " + r.now;
            out.classList.remove("bad");
          }
        })
        .catch(function () { /* the check is a help; the server checks again on save */ });
    }
    function later() { clearTimeout(timer); timer = setTimeout(check, 250); }
    input.addEventListener("input", later);
    if (zone) { zone.addEventListener("input", later); }
    // Checked when its pencil opens, not for every object at load.
    var pencil = input.closest("details");
    if (pencil && !pencil.open) {
      pencil.addEventListener("toggle", function () { if (pencil.open && out.textContent === "") { check(); } });
    } else {
      check();
    }
  });
})();
