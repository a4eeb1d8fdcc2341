// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Selects that apply at once (language, follow level; the button is the no-JS fallback). A
  // choice made with the mouse or by touch applies at once; arrow keys on a closed select only
  // move the choice, which applies on Enter or when focus leaves the select (WCAG 3.2.2: changing
  // a setting by itself must not reload the page).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var chosen = select.value;
    var byKeyboard = false;
    var sent = false;
    function apply() {
      if (!sent && select.value !== chosen) {
        sent = true;
        select.form.submit();
      }
    }
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        apply();
      } else if (event.key !== "Tab") {
        byKeyboard = true;
      }
    });
    select.addEventListener("pointerdown", function () { byKeyboard = false; });
    select.addEventListener("change", function () {
      if (!byKeyboard) { apply(); }
    });
    select.addEventListener("blur", apply);
  });

  // A case or trajectory page read by someone with unread notifications: they are read
  // (templates/macros/live.html, read_on_open).
  var token = document.querySelector('meta[name="csrf-token"]');
  document.querySelectorAll("[data-read-on-open]").forEach(function (marker) {
    if (!token || !window.fetch) { return; }
    window.fetch(marker.getAttribute("data-read-on-open"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token.getAttribute("content") }
    }).catch(function () { /* the notification stays unread; opening it marks it */ });
  });

  // The compact header menu on narrow screens: the button opens and closes it; Escape closes it
  // and gives the focus back to the button. (Wide screens hide the button and always show the menu.)
  var toggle = document.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (menu) {
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    };
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

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
