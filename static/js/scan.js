// The scan's small enhancements (the pages work without them): the questionnaire's progress
// counter, and the copy buttons next to the round's links.
(function () {
  "use strict";

  var form = document.querySelector("form[data-scan-form]");
  if (form) {
    var bar = form.querySelector("[data-scan-progress]");
    var count = form.querySelector("[data-scan-count]");
    var update = function () {
      var names = {};
      var done = 0;
      form.querySelectorAll("input[type=radio]").forEach(function (input) {
        names[input.name] = names[input.name] || input.checked;
      });
      Object.keys(names).forEach(function (name) { if (names[name]) { done += 1; } });
      bar.value = done;
      count.textContent = count.getAttribute("data-template")
        .replace("{done}", done).replace("{total}", bar.max);
      // A fixed item no longer needs its error mark.
      form.querySelectorAll("fieldset.scan-item.has-error").forEach(function (fieldset) {
        if (fieldset.querySelector("input:checked")) { fieldset.classList.remove("has-error"); }
      });
    };
    form.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      input.select();
      var done = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
