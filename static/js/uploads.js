// Images in the composer ([data-composer], templates/macros/composer.html): pasted, dropped or
// chosen with the Image button, each is uploaded at once (POST /api/v1/uploads, before the text
// is saved) and the markdown that shows it is written into the text for the writer. The server
// re-encodes the image and keeps it for its uploader alone until a saved text shows it.
//
// While an upload runs the text holds a placeholder, replaced by the image's markdown when the
// answer comes (or removed, with the reason shown, when it is refused). The form is not sent
// while images are still uploading. Texts come from data attributes on the composer.
(function () {
  "use strict";

  var TYPES = ["image/png", "image/jpeg", "image/webp"];
  var counter = 0;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function imagesOf(list) {
    return Array.prototype.filter.call(list || [], function (file) {
      return TYPES.indexOf(file.type) !== -1;
    });
  }

  function plainName(file) {
    return (file.name || "image").replace(/[[\]()\n\r]/g, "").slice(0, 80) || "image";
  }

  // A composer may write in several textareas (the parts of a practice case): a pasted or dropped
  // image goes into the one it was pasted or dropped in, a chosen one into the one last written in.
  function setupUploads(composer) {
    var areas = Array.prototype.slice.call(composer.querySelectorAll("textarea"));
    var status = composer.querySelector("[data-composer-status]");
    var button = composer.querySelector("[data-composer-image]");
    var input = composer.querySelector("[data-composer-file]");
    var help = composer.querySelector("[data-composer-image-help]");
    var texts = composer.dataset;
    var form = composer.closest("form");
    var pending = 0;
    if (!areas.length || !texts.uploadUrl || !window.fetch || !window.FormData) { return; }
    if (help) { help.hidden = false; }

    function say(message, isError) {
      if (!status) { return; }
      status.textContent = message;
      status.classList.toggle("error", Boolean(isError));
    }

    function activeTextarea() {
      var composerApi = window.LeerkringComposer;
      return composerApi && composerApi.activeTextarea ? composerApi.activeTextarea(composer) : areas[0];
    }

    function changed(textarea) {
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    // The image gets a paragraph of its own: blank lines before and after where needed.
    // Answers the text inserted around `text`, so a refused upload can take it all away again.
    function insertAtCaret(textarea, text) {
      var value = textarea.value;
      var before = value.slice(0, textarea.selectionStart), after = value.slice(textarea.selectionEnd);
      var lead = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
      var trail = !after || /^\n\n/.test(after) ? "" : (/^\n/.test(after) ? "\n" : "\n\n");
      var insert = lead + text + trail;
      if (window.LeerkringComposer) {
        window.LeerkringComposer.replaceSelection(textarea, insert, insert.length, insert.length);
      } else {
        textarea.setRangeText(insert, textarea.selectionStart, textarea.selectionEnd, "end");
        changed(textarea);
      }
      return { lead: lead, trail: trail };
    }

    function shifted(position, start, end, length) {
      if (position >= end) { return position + length - (end - start); }
      return position > start ? start + length : position;
    }

    // Put `text` where the placeholder is (nothing, and the blank lines added with it, when the
    // upload was refused). The writer may have typed meanwhile: their caret stays in the same
    // place in their text.
    function replacePlaceholder(textarea, placeholder, around, text) {
      var value = textarea.value;
      var start = value.indexOf(placeholder);
      if (start === -1) {
        if (text) { insertAtCaret(textarea, text); }
        return;
      }
      var end = start + placeholder.length;
      if (!text) {
        if (value.slice(start - around.lead.length, start) === around.lead) { start -= around.lead.length; }
        if (value.slice(end, end + around.trail.length) === around.trail) { end += around.trail.length; }
      }
      var selStart = textarea.selectionStart, selEnd = textarea.selectionEnd;
      textarea.setRangeText(text, start, end, "preserve");
      textarea.setSelectionRange(shifted(selStart, start, end, text.length), shifted(selEnd, start, end, text.length));
      changed(textarea);
    }

    function upload(textarea, file) {
      var name = plainName(file);
      counter += 1;
      var placeholder = "![" + fill(texts.uploadBusy, { name: name }) + " #" + counter + "]()";
      var around = insertAtCaret(textarea, placeholder);
      say(fill(texts.uploadBusy, { name: name }));
      pending += 1;
      composer.setAttribute("data-uploading", String(pending));
      var body = new FormData();
      body.append("file", file, file.name || "image.png");
      fetch(texts.uploadUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
        body: body
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, data: data || {} };
        });
      }).then(function (result) {
        if (result.ok && typeof result.data.markdown === "string") {
          replacePlaceholder(textarea, placeholder, around, result.data.markdown);
          say(fill(texts.uploadDone, { name: name }));
        } else {
          replacePlaceholder(textarea, placeholder, around, "");
          var error = result.data.error;
          say(fill(texts.uploadFailed, { name: name, reason: error && error.message ? error.message : "" }), true);
        }
      }).catch(function () {
        replacePlaceholder(textarea, placeholder, around, "");
        say(fill(texts.uploadFailed, { name: name, reason: texts.uploadOffline || "" }), true);
      }).then(function () {
        pending -= 1;
        if (pending) {
          composer.setAttribute("data-uploading", String(pending));
        } else {
          composer.removeAttribute("data-uploading");
        }
      });
    }

    function uploadAll(textarea, files) {
      var write = composer.querySelector('[data-composer-tab="write"]');
      if (textarea.hidden && write) { write.click(); }  // images go into the text, not the preview
      files.forEach(function (file) { upload(textarea, file); });
    }

    function carriesFiles(event) {
      var types = event.dataTransfer && event.dataTransfer.types;
      return Boolean(types) && Array.prototype.indexOf.call(types, "Files") !== -1;
    }

    areas.forEach(function (textarea) {
      textarea.addEventListener("paste", function (event) {
        var files = imagesOf(event.clipboardData && event.clipboardData.files);
        if (!files.length) { return; }
        event.preventDefault();
        uploadAll(textarea, files);
      });

      textarea.addEventListener("dragover", function (event) {
        if (!carriesFiles(event)) { return; }
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        textarea.classList.add("dropping");
      });
      textarea.addEventListener("dragleave", function () { textarea.classList.remove("dropping"); });
      textarea.addEventListener("drop", function (event) {
        textarea.classList.remove("dropping");
        var files = imagesOf(event.dataTransfer && event.dataTransfer.files);
        if (!files.length) { return; }
        event.preventDefault();
        textarea.focus();
        uploadAll(textarea, files);
      });
    });

    if (button && input) {
      button.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", function () {
        var files = imagesOf(input.files);
        var textarea = activeTextarea();
        input.value = "";
        textarea.focus();
        uploadAll(textarea, files);
      });
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        if (!pending) { return; }
        event.preventDefault();
        say(texts.uploadWait, true);
      });
    }
  }

  document.querySelectorAll("[data-composer]").forEach(setupUploads);
})();
