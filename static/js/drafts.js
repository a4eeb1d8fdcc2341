// Local drafts (<form data-draft="KEY">): what is typed is kept in localStorage, so a reload, a
// crash, an expired session or a server that is down when "send" is pressed loses nothing. A
// draft is removed only when the server's answer to sending it shows the form was accepted (see
// settleSubmitted), when the user discards it, after 30 days, or at logout (shared computers).
// Sending never removes it. Progressive enhancement: without this file forms work as usual.
//
// Code that sends a draft form itself (fetch) and succeeds tells this file with
// form.dispatchEvent(new CustomEvent("draft:clear")).
//
// The user-facing texts come from data attributes on <body>, rendered by the server in the
// user's language.
(function () {
  "use strict";

  var PREFIX = "leerkring-draft:";
  var SUBMITTED = "leerkring-draft-submitted";
  var MAX_AGE = 30 * 24 * 60 * 60 * 1000;
  var SAVE_DELAY = 400;
  // A submit whose answer has not loaded within this time is not trusted to settle anything.
  var SUBMIT_WINDOW = 10 * 60 * 1000;
  // The page answering a submit is the one whose navigation the submit started: it starts a few
  // milliseconds after the submit, however long the server takes to answer. A page opened later
  // (from a link, after the browser's "cannot connect" page) starts seconds after it at least.
  var ANSWER_START = 2000;
  var TEXT_TYPES = ["text", "email", "url", "search", "tel", "number"];

  var body = document.body;
  var user = body.dataset.user || "anon";
  var texts = body.dataset;

  function text(name, fallback) {
    return texts[name] || fallback;
  }

  // Storage can be missing or refuse writes (private modes, full quota): drafts then simply
  // do nothing, the forms still work.
  function usable(kind) {
    try {
      var store = window[kind];
      store.setItem("leerkring-probe", "1");
      store.removeItem("leerkring-probe");
      return store;
    } catch (error) {
      return null;
    }
  }
  var local = usable("localStorage");
  var session = usable("sessionStorage");

  function readJSON(store, key) {
    if (!store) { return null; }
    try {
      return JSON.parse(store.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function writeJSON(store, key, value) {
    if (!store) { return; }
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (error) { /* quota full: keep working without a draft */ }
  }

  function dispatchInput(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- drafts -----------------------------------------------------------------------------------

  function draftKey(form) {
    return PREFIX + user + ":" + form.getAttribute("data-draft") + ":" + location.pathname;
  }

  // Once the server accepted a form, its drafts go on every page they were kept on (a form
  // re-shown after a validation error lives at the URL it posted to, e.g. /d/5/reply).
  function removeAcceptedDrafts(marker) {
    var prefix = PREFIX + marker.user + ":" + marker.form + ":";
    removeDraft(marker.key);
    draftKeys().forEach(function (key) {
      if (key.indexOf(prefix) === 0) { removeDraft(key); }
    });
  }

  // Text the user typed: text-like inputs and textareas; never hidden, password or file
  // inputs, the CSRF token, or a field marked data-no-draft.
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.hasAttribute("data-no-draft")) { return false; }
      if (el.tagName === "TEXTAREA") { return true; }
      if (el.tagName !== "INPUT") { return false; }
      return TEXT_TYPES.indexOf((el.getAttribute("type") || "text").toLowerCase()) !== -1;
    });
  }

  // Field values by name; a repeated name gets "#2", "#3"... in document order.
  function fieldValues(form) {
    var values = {}, seen = {};
    draftFields(form).forEach(function (el) {
      seen[el.name] = (seen[el.name] || 0) + 1;
      values[seen[el.name] > 1 ? el.name + "#" + seen[el.name] : el.name] = el.value;
    });
    return values;
  }

  function fieldsByKey(form) {
    var fields = {}, seen = {};
    draftFields(form).forEach(function (el) {
      seen[el.name] = (seen[el.name] || 0) + 1;
      fields[seen[el.name] > 1 ? el.name + "#" + seen[el.name] : el.name] = el;
    });
    return fields;
  }

  function hasText(values) {
    return Object.keys(values).some(function (name) { return values[name].trim() !== ""; });
  }

  // Does the form show everything the draft holds? (Empty draft fields do not count.)
  function formShows(form, values) {
    var current = fieldValues(form);
    return Object.keys(values).every(function (name) {
      return !values[name].trim() || current[name] === values[name];
    });
  }

  function saveDraft(form) {
    if (!local) { return; }
    var values = fieldValues(form);
    if (hasText(values)) {
      writeJSON(local, draftKey(form), { t: Date.now(), fields: values });
    } else {
      local.removeItem(draftKey(form));
    }
  }

  function loadDraft(key) {
    var draft = readJSON(local, key);
    if (!draft || typeof draft.t !== "number" || !draft.fields || typeof draft.fields !== "object") {
      return null;
    }
    return draft;
  }

  function removeDraft(key) {
    if (local) { local.removeItem(key); }
  }

  function draftKeys() {
    var keys = [];
    if (!local) { return keys; }
    for (var i = 0; i < local.length; i += 1) {
      var key = local.key(i);
      if (key && key.indexOf(PREFIX) === 0) { keys.push(key); }
    }
    return keys;
  }

  function removeOldDrafts() {
    var now = Date.now();
    draftKeys().forEach(function (key) {
      var draft = loadDraft(key);
      if (!draft || now - draft.t > MAX_AGE) { removeDraft(key); }
    });
  }

  function removeUserDrafts() {
    draftKeys().forEach(function (key) {
      if (key.indexOf(PREFIX + user + ":") === 0) { removeDraft(key); }
    });
    if (session) { session.removeItem(SUBMITTED); }
  }

  var timers = new Map();

  function scheduleSave(form) {
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () {
      timers.delete(form);
      saveDraft(form);
    }, SAVE_DELAY));
  }

  function flushSaves() {
    timers.forEach(function (timer, form) {
      clearTimeout(timer);
      saveDraft(form);
    });
    timers.clear();
  }

  function isLogoutForm(form) {
    // Deleting the account ends every session too (account/delete.html).
    if (form.hasAttribute("data-ends-session")) { return true; }
    try {
      return new URL(form.action, location.href).pathname === "/logout";
    } catch (error) {
      return false;
    }
  }

  function navigationEntry() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    return entries[0] || null;
  }

  // Signs that the page after a submit is not a success: a form with errors, an error flash,
  // an error page, or (where the browser tells) an error status.
  function pageShowsError() {
    var entry = navigationEntry();
    if (entry && entry.responseStatus >= 400) { return true; }
    return Boolean(document.querySelector(".form-errors, .flash-error, .error-page, [data-draft-keep]"));
  }

  // When this page's navigation started (ms since the epoch), or null when the browser cannot tell.
  function navigationStart() {
    var perf = window.performance;
    if (!perf) { return null; }
    if (typeof perf.timeOrigin === "number" && perf.timeOrigin > 0) { return perf.timeOrigin; }
    return perf.timing && perf.timing.navigationStart > 0 ? perf.timing.navigationStart : null;
  }

  // Is this page the server's answer to the submit in `marker`? Only the navigation the submit
  // started is. When the server could not be reached the browser shows its own error page (where
  // this file does not run), and the next page of ours is one opened later by the user: not an
  // answer, so it settles nothing. A reload or history step is not an answer either.
  function answersSubmit(marker) {
    var entry = navigationEntry();
    if (entry && entry.type !== "navigate") { return false; }
    var start = navigationStart();
    return start !== null && start >= marker.at - 250 && start - marker.at <= ANSWER_START;
  }

  // Did the server accept the form? Every form with a draft answers success with a redirect (to
  // the new reply, the discussion, the case...; mostly with a success message), and a refusal
  // with the form again, showing the text. The redirect count is only known for same-origin
  // redirects, which these are; a browser that does not tell keeps the draft unless there is a
  // success message.
  function pageShowsAccepted(marker) {
    if (pageShowsError()) { return false; }
    var success = Boolean(document.querySelector(".flash-success"));
    var entry = navigationEntry();
    if (!success && !(entry && entry.redirectCount > 0)) { return false; }
    var same = Array.prototype.filter.call(document.querySelectorAll("form[data-draft]"), function (form) {
      return form.getAttribute("data-draft") === marker.form;
    });
    return success || !same.some(function (form) { return formShows(form, marker.fields || {}); });
  }

  // The page that loads after a draft form was submitted (in the same tab) settles its draft:
  // it goes only when this page is the server's answer to that submit and shows the form was
  // accepted with the same person signed in. A login or registration that succeeds (anonymous
  // before, signed in now) clears its draft too. An expired session (someone signed in
  // submitted; now nobody is), an error, a refused form, a server that could not be reached or a
  // page opened some other way keep the draft, and the form offers it again.
  function settleSubmitted() {
    var marker = readJSON(session, SUBMITTED);
    if (!marker) { return; }
    session.removeItem(SUBMITTED);
    if (!marker.key || !marker.form || typeof marker.at !== "number" || Date.now() - marker.at > SUBMIT_WINDOW) {
      return;
    }
    if (!answersSubmit(marker)) { return; }
    if (marker.user !== user) {
      // Signed in now, anonymous before: the login or registration went through.
      if (marker.user === "anon" && !pageShowsError()) { removeAcceptedDrafts(marker); }
      return;
    }
    if (pageShowsAccepted(marker)) { removeAcceptedDrafts(marker); }
  }

  function formatTime(timestamp) {
    var when = new Date(timestamp);
    var lang = document.documentElement.lang || undefined;
    var today = new Date().toDateString() === when.toDateString();
    try {
      // The product's one date-time style: "3 december 2026, 06:06" (community/i18n.py).
      var time = when.toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit" });
      return today ? time
        : when.toLocaleDateString(lang, { day: "numeric", month: "long", year: "numeric" }) + ", " + time;
    } catch (error) {
      return when.toLocaleString();
    }
  }

  function button(label, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function firstField(form) {
    var fields = draftFields(form);
    return fields.filter(function (el) { return !el.value; })[0] || fields[0] || null;
  }

  function offerDraft(form, key, draft) {
    var notice = document.createElement("div");
    notice.className = "draft-notice";
    notice.setAttribute("role", "status");
    form.parentNode.insertBefore(notice, form);

    var message = document.createElement("p");
    var parts = text("draftFound", "A draft from {time} was kept.").split("{time}");
    message.appendChild(document.createTextNode(parts[0]));
    if (parts.length > 1) {
      var time = document.createElement("time");
      time.dateTime = new Date(draft.t).toISOString();
      time.textContent = formatTime(draft.t);
      message.appendChild(time);
      message.appendChild(document.createTextNode(parts.slice(1).join("{time}")));
    }

    function close(focusTarget) {
      notice.remove();
      if (focusTarget) { focusTarget.focus(); }
    }

    var restore = button(text("draftRestore", "Restore"), "button small", function () {
      var fields = fieldsByKey(form);
      var restored = null;
      Object.keys(draft.fields).forEach(function (name) {
        var field = fields[name];
        if (field && typeof draft.fields[name] === "string") {
          field.value = draft.fields[name];
          field.dispatchEvent(new CustomEvent("draft:restored", { bubbles: true }));
          dispatchInput(field);
          restored = restored || (draft.fields[name] ? field : null);
        }
      });
      saveDraft(form);
      close(restored || firstField(form));
    });
    var discard = button(text("draftDiscard", "Discard"), "button small secondary", function () {
      removeDraft(key);
      close(firstField(form));
    });

    var actions = document.createElement("p");
    actions.className = "draft-actions";
    actions.appendChild(restore);
    actions.appendChild(discard);
    // Filled after insertion, so screen readers announce the status message.
    window.requestAnimationFrame(function () {
      notice.appendChild(message);
      notice.appendChild(actions);
    });
  }

  function setupDrafts() {
    if (!local) { return; }
    removeOldDrafts();
    settleSubmitted();

    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var key = draftKey(form);
      var draft = loadDraft(key);
      if (draft && hasText(draft.fields) && !formShows(form, draft.fields)) {
        offerDraft(form, key, draft);
      }
      form.addEventListener("draft:clear", function () {
        clearTimeout(timers.get(form));
        timers.delete(form);
        removeDraft(key);
      });
    });

    document.addEventListener("input", function (event) {
      var form = event.target.form;
      if (form && form.hasAttribute("data-draft") && draftFields(form).indexOf(event.target) !== -1) {
        scheduleSave(form);
      }
    });

    // Bubble phase on document: app.js's confirm dialog (registered earlier) has had its say.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (event.defaultPrevented) { return; }
      if (isLogoutForm(form)) {
        removeUserDrafts();
        return;
      }
      if (!form.hasAttribute("data-draft")) { return; }
      // Sending keeps the draft (saved with the text as sent); the marker tells the server's
      // answer, the next page in this tab, which draft it settles.
      clearTimeout(timers.get(form));
      timers.delete(form);
      saveDraft(form);
      var values = fieldValues(form);
      if (hasText(values)) {
        writeJSON(session, SUBMITTED, {
          key: draftKey(form), form: form.getAttribute("data-draft"), user: user, at: Date.now(), fields: values
        });
      }
    });

    window.addEventListener("pagehide", flushSaves);
  }

  setupDrafts();
})();
