// The markdown composer ([data-composer], templates/macros/composer.html): a formatting toolbar
// (buttons and Ctrl/Cmd+B, Ctrl/Cmd+I) and Write/Preview tabs. The preview is rendered and
// sanitised by the server (POST /api/v1/preview); its answer is the only HTML this file inserts.
// Progressive enhancement: without this file the composer is a plain textarea.
//
// Local drafts of what is typed are kept by static/js/drafts.js. The user-facing texts come from
// data attributes on <body>, rendered by the server in the user's language.
(function () {
  "use strict";

  var texts = document.body.dataset;

  function text(name, fallback) {
    return texts[name] || fallback;
  }

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
    quote: function (textarea) { prefixLines(textarea, "> "); },
    heading: function (textarea) { prefixLines(textarea, "## "); }
  };
  // For static/js/uploads.js: it inserts the markdown of an uploaded image the same way.
  window.LeerkringComposer = { replaceSelection: replaceSelection };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // The textareas a composer writes in: one, or the parts of a text written in parts
  // (templates/macros/composer.html, composer_parts). For static/js/uploads.js and mentions.js.
  function textareasOf(composer) {
    return Array.prototype.slice.call(composer.querySelectorAll("textarea"));
  }

  // The textarea the toolbar works on: the one last written in (the first at the start).
  function activeTextarea(composer) {
    var areas = textareasOf(composer);
    return areas.filter(function (area) { return area.hasAttribute("data-composer-active"); })[0] || areas[0];
  }
  window.LeerkringComposer.textareasOf = textareasOf;
  window.LeerkringComposer.activeTextarea = activeTextarea;

  // The preview of a text in parts: every part with text under its heading.
  function sourceOf(composer, areas) {
    if (areas.length === 1) { return areas[0].value; }
    return areas.filter(function (area) { return area.value.trim(); }).map(function (area) {
      var part = area.closest("[data-composer-part]");
      var heading = part ? part.getAttribute("data-heading") : "";
      return (heading ? "## " + heading.replace(/\s+/g, " ") + "\n\n" : "") + area.value;
    }).join("\n\n");
  }

  function setupComposer(composer) {
    var bar = composer.querySelector(".composer-bar");
    var areas = textareasOf(composer);
    var parts = composer.querySelector("[data-composer-parts]");
    var preview = composer.querySelector("[data-composer-preview]");
    if (!bar || !areas.length) { return; }
    var tools = Array.prototype.slice.call(bar.querySelectorAll("button[data-md]"));
    var writeTab = bar.querySelector('[data-composer-tab="write"]');
    var previewTab = bar.querySelector('[data-composer-tab="preview"]');
    var request = 0;

    bar.hidden = false;
    function activate(area) {
      areas.forEach(function (other) {
        other.toggleAttribute("data-composer-active", other === area);
        var part = other.closest("[data-composer-part]");
        if (part) { part.classList.toggle("active", other === area); }
      });
    }
    if (parts) { activate(areas[0]); }

    // The parts of one text grow with what is written in them, so the whole text reads as one
    // document (the toolbar stays in view above it); the writer can still drag one larger.
    function fit(textarea) {
      if (!parts || textarea.hidden) { return; }
      if (!textarea.leastHeight) { textarea.leastHeight = textarea.offsetHeight; }  // its rows
      var scrolled = window.scrollY;  // "auto" shrinks it for a moment: the page must not jump
      textarea.style.height = "auto";
      var border = textarea.offsetHeight - textarea.clientHeight;
      textarea.style.height = Math.max(textarea.scrollHeight + border, textarea.leastHeight) + "px";
      if (window.scrollY !== scrolled) { window.scrollTo(window.scrollX, scrolled); }
    }
    function fitAll() { areas.forEach(fit); }
    if (parts) {
      fitAll();
      var width = window.innerWidth;
      window.addEventListener("resize", function () {
        if (window.innerWidth !== width) { width = window.innerWidth; fitAll(); }
      });
    }

    tools.forEach(function (button) {
      var kind = button.getAttribute("data-md");
      if (kind === "bold") { button.setAttribute("aria-keyshortcuts", "Control+B Meta+B"); }
      if (kind === "italic") { button.setAttribute("aria-keyshortcuts", "Control+I Meta+I"); }
      button.addEventListener("click", function () {
        var textarea = activeTextarea(composer);
        if (ACTIONS[kind] && !textarea.hidden) { ACTIONS[kind](textarea); }
      });
    });

    areas.forEach(function (textarea) {
      textarea.addEventListener("focus", function () { activate(textarea); });
      textarea.addEventListener("input", function () { fit(textarea); });
      textarea.addEventListener("keydown", function (event) {
        if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
        var key = event.key.toLowerCase();
        if (key === "b" || key === "i") {
          event.preventDefault();
          ACTIONS[key === "b" ? "bold" : "italic"](textarea);
        }
      });
      // The browser cannot point at a hidden field that fails validation: show it first.
      textarea.addEventListener("invalid", function () { showWrite(false); });
      // Restoring a draft changes the text: show it.
      textarea.addEventListener("draft:restored", function () { showWrite(false); fit(textarea); });
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
      areas.forEach(function (textarea) { textarea.hidden = previewing; });
      if (parts) { parts.hidden = previewing; }
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
      var source = sourceOf(composer, areas);
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
      fitAll();
      if (focus) { activeTextarea(composer).focus(); }
    }

    if (previewTab) { previewTab.addEventListener("click", showPreview); }
    if (writeTab) { writeTab.addEventListener("click", function () { showWrite(true); }); }
  }

  document.querySelectorAll("[data-composer]").forEach(setupComposer);
})();
