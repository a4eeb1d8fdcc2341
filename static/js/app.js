// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Language select: switch at once when chosen (the button is the no-JS fallback).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Ask before destructive steps.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
})();
