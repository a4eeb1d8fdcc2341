// The discussion page: tell the server how far the reader got (the highest reply number shown),
// so "first unread reply" works next time. Reading a page never writes on GET; this POST does.
(function () {
  "use strict";
  var section = document.querySelector("[data-read-url]");
  var token = document.querySelector('meta[name="csrf-token"]');
  if (!section || !token || !window.fetch) { return; }
  var number = parseInt(section.getAttribute("data-read-number"), 10);
  if (!(number > 0)) { return; }
  window.fetch(section.getAttribute("data-read-url"), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token.getAttribute("content") },
    body: JSON.stringify({ number: number })
  }).catch(function () { /* offline or logged out: the next visit tries again */ });
})();
