// The markdown composer and local drafts. Progressive enhancement: without this file every form
// is a plain form with a plain textarea, and nothing here is needed to post.
//
// 1. Composer ([data-composer], templates/macros/composer.html): a formatting toolbar (buttons
//    and Ctrl/Cmd+B, Ctrl/Cmd+I) and Write/Preview tabs. The preview is rendered and sanitised by
//    the server (POST /api/v1/preview); its answer is the only HTML this file inserts.
// 2. Drafts (<form data-draft="KEY">): what is typed is kept in localStorage, so a reload, a
//    crash or an expired session loses nothing. A draft is removed only when the server has
//    accepted the form (see settleSubmitted), when the user discards it, after 30 days, or at
//    logout (shared computers).
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

  // --- composer ---------------------------------------------------------------------------------

  function dispatchInput(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Replace the textarea's selection with `insert`, then select [selectStart, selectEnd) of the
  // inserted text. execCommand keeps the browser's undo history; setRangeText is the fallback.
  function replaceSelection(textarea, insert, selectStart, selectEnd) {
    var start = textarea.selectionStart;
    textarea.focus();
    var done = false;
    try {
      done = document.execCommand("insertText", false, insert);
    } catch (error) {
      done = false;
    }
    if (!done || textarea.value.slice(start, start + insert.length) !== insert) {
      textarea.setRangeText(insert, start, textarea.selectionEnd, "end");
      dispatchInput(textarea);
    }
    textarea.setSelectionRange(start + selectStart, start + selectEnd);
  }

  // How many of `ch` (up to 3) both end `before` and start `after`.
  function runAround(before, after, ch) {
    var left = 0, right = 0;
    while (left < 3 && before.charAt(before.length - 1 - left) === ch) { left += 1; }
    while (right < 3 && after.charAt(right) === ch) { right += 1; }
    return Math.min(left, right);
  }

  function isWrapped(run, marker) {
    // "**x**" is bold, "*x*" italic, "***x***" both.
    return marker.length === 2 ? run >= 2 : run === 1 || run === 3;
  }

  function wrapInline(textarea, marker) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var value = textarea.value;
    var selected = value.slice(start, end);
    var m = marker.length;
    // Pressing the button again on wrapped text unwraps it (markers inside or just outside
    // the selection).
    var inside = runAround(selected, selected, marker.charAt(0));
    if (selected.length > 2 * inside && isWrapped(inside, marker)) {
      var inner = selected.slice(m, -m);
      replaceSelection(textarea, inner, 0, inner.length);
      return;
    }
    if (isWrapped(runAround(value.slice(0, start), value.slice(end), marker.charAt(0)), marker)) {
      textarea.setSelectionRange(start - m, end + m);
      replaceSelection(textarea, selected, 0, selected.length);
      return;
    }
    // Keep surrounding spaces outside the markers: "** bold **" is not bold in CommonMark.
    var lead = selected.match(/^\s*/)[0], trail = selected.match(/\s*$/)[0];
    var core = selected.slice(lead.length, selected.length - trail.length);
    if (!core) { lead = selected; trail = ""; }
    var insert = lead + marker + core + marker + trail;
    replaceSelection(textarea, insert, lead.length + m, lead.length + m + core.length);
  }

  function insertLink(textarea) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var selected = textarea.value.slice(start, end).trim();
    var insert;
    if (/^(https?:\/\/|mailto:)\S+$/i.test(selected)) {
      // A selected address becomes the target; the caret goes where the link text belongs.
      insert = "[](" + selected + ")";
      replaceSelection(textarea, insert, 1, 1);
    } else {
      insert = "[" + selected + "](https://)";
      var url = insert.length - "https://)".length;
      replaceSelection(textarea, insert, url, insert.length - 1);
    }
  }

  // Prefix every line touched by the selection ("- " for a list, "> " for a quote); when all of
  // them already have it, remove it instead.
  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var endIndex = textarea.selectionEnd;
    if (endIndex > textarea.selectionStart && value.charAt(endIndex - 1) === "\n") { endIndex -= 1; }
    var end = value.indexOf("\n", endIndex);
    if (end === -1) { end = value.length; }
    var lines = value.slice(start, end).split("\n");
    var all = lines.every(function (line) { return line.indexOf(prefix) === 0; });
    var changed = lines.map(function (line) {
      return all ? line.slice(prefix.length) : prefix + line;
    }).join("\n");
    textarea.setSelectionRange(start, end);
    // One line: the caret goes to its end; several: they stay selected, so pressing the
    // button again undoes it.
    replaceSelection(textarea, changed, lines.length > 1 ? 0 : changed.length, changed.length);
  }

  var ACTIONS = {
    bold: function (textarea) { wrapInline(textarea, "**"); },
    italic: function (textarea) { wrapInline(textarea, "*"); },
    link: insertLink,
    list: function (textarea) { prefixLines(textarea, "- "); },
    quote: function (textarea) { prefixLines(textarea, "> "); }
  };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function setupComposer(composer) {
    var bar = composer.querySelector(".composer-bar");
    var textarea = composer.querySelector("textarea");
    var preview = composer.querySelector("[data-composer-preview]");
    if (!bar || !textarea) { return; }
    var tools = Array.prototype.slice.call(bar.querySelectorAll("button[data-md]"));
    var writeTab = bar.querySelector('[data-composer-tab="write"]');
    var previewTab = bar.querySelector('[data-composer-tab="preview"]');
    var request = 0;

    bar.hidden = false;
    tools.forEach(function (button) {
      var kind = button.getAttribute("data-md");
      if (kind === "bold") { button.setAttribute("aria-keyshortcuts", "Control+B Meta+B"); }
      if (kind === "italic") { button.setAttribute("aria-keyshortcuts", "Control+I Meta+I"); }
      button.addEventListener("click", function () {
        if (ACTIONS[kind] && !textarea.hidden) { ACTIONS[kind](textarea); }
      });
    });

    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        ACTIONS[key === "b" ? "bold" : "italic"](textarea);
      }
    });

    // Arrow keys move between the toolbar's buttons (as in the ARIA toolbar pattern);
    // Tab still reaches every button.
    bar.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.filter.call(bar.querySelectorAll("button"), function (b) {
        return !b.disabled;
      });
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) { return; }
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      buttons[(next + buttons.length) % buttons.length].focus();
    });

    function setMode(previewing) {
      if (writeTab) { writeTab.setAttribute("aria-pressed", previewing ? "false" : "true"); }
      if (previewTab) { previewTab.setAttribute("aria-pressed", previewing ? "true" : "false"); }
      // Hidden, never disabled: a disabled textarea would not be submitted with the form.
      textarea.hidden = previewing;
      if (preview) { preview.hidden = !previewing; }
      tools.forEach(function (button) { button.disabled = previewing; });
      composer.classList.toggle("previewing", previewing);
    }

    function showMessage(message) {
      preview.textContent = "";
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = message;
      preview.appendChild(p);
    }

    function showPreview() {
      if (!preview) { return; }
      setMode(true);
      var source = textarea.value;
      if (!source.trim()) {
        showMessage(text("previewEmpty", "Nothing to preview yet."));
        return;
      }
      var mine = ++request;
      composer.setAttribute("aria-busy", "true");
      showMessage(text("previewLoading", "Loading preview…"));
      fetch("/api/v1/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken()
        },
        body: JSON.stringify({ text: source })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, data: data || {} };
        });
      }).then(function (result) {
        if (mine !== request) { return; }  // a newer preview (or Write) came in between
        if (result.ok && typeof result.data.html === "string") {
          // Server-rendered and sanitised (community/markup.py): the one place for innerHTML.
          preview.innerHTML = result.data.html;
        } else {
          var error = result.data.error;
          showMessage(error && error.message ? error.message
            : text("previewError", "The preview could not be loaded. Your text is still here."));
        }
      }).catch(function () {
        if (mine === request) {
          showMessage(text("previewError", "The preview could not be loaded. Your text is still here."));
        }
      }).then(function () {
        if (mine === request) { composer.removeAttribute("aria-busy"); }
      });
    }

    function showWrite(focus) {
      request += 1;
      composer.removeAttribute("aria-busy");
      setMode(false);
      if (focus) { textarea.focus(); }
    }

    if (previewTab) { previewTab.addEventListener("click", showPreview); }
    if (writeTab) { writeTab.addEventListener("click", function () { showWrite(true); }); }
    // The browser cannot point at a hidden field that fails validation: show it first.
    textarea.addEventListener("invalid", function () { showWrite(false); });
    // Restoring a draft changes the text: show it.
    textarea.addEventListener("draft:restored", function () { showWrite(false); });
  }

  document.querySelectorAll("[data-composer]").forEach(setupComposer);

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

  // The page that loads after a draft form was submitted tells whether the server accepted it.
  // The draft stays when the session ended (someone signed in submitted; now nobody or someone
  // else is), when the page shows an error, or when the same form is back showing the text
  // (a validation error). It goes when the same person is still signed in and the form is gone,
  // shows other text (e.g. an empty reply box under the new reply) or comes back with a success
  // message. A login or registration that succeeds (anonymous before, signed in now) clears its
  // draft too.
  function settleSubmitted() {
    var marker = readJSON(session, SUBMITTED);
    if (!marker) { return; }
    session.removeItem(SUBMITTED);
    var entry = navigationEntry();
    if (!marker.key || !marker.form || typeof marker.at !== "number" || Date.now() - marker.at > SUBMIT_WINDOW) {
      return;
    }
    if (entry && entry.type === "back_forward") { return; }
    if (marker.user !== user) {
      // Signed in now, anonymous before: the login or registration went through.
      if (marker.user === "anon") { removeAcceptedDrafts(marker); }
      return;
    }
    if (pageShowsError()) { return; }
    var same = Array.prototype.filter.call(document.querySelectorAll("form[data-draft]"), function (form) {
      return form.getAttribute("data-draft") === marker.form;
    });
    var kept = !document.querySelector(".flash-success") &&
      same.some(function (form) { return formShows(form, marker.fields || {}); });
    if (!kept) { removeAcceptedDrafts(marker); }
  }

  function formatTime(timestamp) {
    var when = new Date(timestamp);
    var lang = document.documentElement.lang || undefined;
    var today = new Date().toDateString() === when.toDateString();
    try {
      return when.toLocaleString(lang, today ? { hour: "2-digit", minute: "2-digit" }
        : { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
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
      // Keep the draft until the next page shows the server accepted it.
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
