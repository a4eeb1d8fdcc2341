// @mention autocomplete in every composer ([data-composer], templates/macros/composer.html).
// Typing "@san" asks GET /api/v1/people for people whose name or handle starts with "san" and who
// may read the place the composer writes in (data-mention-place="discussion:12"); a list of
// suggestions opens under the text. ArrowDown/ArrowUp move, Enter or Tab inserts "@handle ",
// Escape closes. ARIA: the textarea names the listbox (aria-controls, aria-haspopup,
// aria-activedescendant) and a polite status announces how many were found. The textarea keeps its
// own textbox role: a composer is a multi-line text field first, which role=combobox would hide;
// a textbox may not carry aria-expanded (ARIA 1.2), so whether the list is open is the listbox's
// own hidden state and the announcement.
// Everything shown is set with textContent. Texts come from data attributes on <body>.
(function () {
  "use strict";

  var texts = document.body.dataset;
  // What a mention looks like just before the caret: "@" after a space, a line start or
  // punctuation (not inside an address such as a@b.nl), then the start of a name or handle.
  var TYPED = /(^|[^\w@\/.])@([\p{L}\p{N}._'\u2019-]{1,40})$/u;
  var DELAY = 150;
  var counter = 0;

  function text(name, fallback) {
    return texts[name] || fallback;
  }

  function announcement(count) {
    if (count === 0) { return text("mentionNone", "No one found."); }
    if (count === 1) { return text("mentionOne", "1 person found. Use the arrow keys and Enter to choose."); }
    return text("mentionMany", "{count} people found. Use the arrow keys and Enter to choose.")
      .replace("{count}", String(count));
  }

  // Every textarea of the composer (a practice case has one per part) gets its own list, shown
  // under it.
  function setupMentions(composer) {
    if (!window.fetch) { return; }
    composer.querySelectorAll("textarea").forEach(function (textarea) {
      setupTextarea(composer, textarea);
    });
  }

  function setupTextarea(composer, textarea) {
    var holder = textarea.closest("[data-composer-part]") || composer;
    var place = composer.getAttribute("data-mention-place") || "";
    var id = "mention-list-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", text("mentionLabel", "People to mention"));
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    holder.appendChild(list);
    holder.appendChild(status);

    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-haspopup", "listbox");
    textarea.setAttribute("aria-controls", id);

    var people = [];      // the suggestions shown
    var active = -1;      // the highlighted one
    var typed = null;     // {start, end, query}: the "@query" being completed
    var request = 0;      // answers to older requests are dropped
    var timer = null;

    function close() {
      clearTimeout(timer);
      request += 1;
      people = [];
      active = -1;
      typed = null;
      list.hidden = true;
      list.textContent = "";
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, n) {
        option.setAttribute("aria-selected", n === index ? "true" : "false");
      });
      if (index >= 0) {
        var option = list.children[index];
        textarea.setAttribute("aria-activedescendant", option.id);
        if (option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function option(person, index) {
      var item = document.createElement("li");
      item.id = id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var avatar = document.createElement("span");
      avatar.className = "mention-avatar";
      avatar.setAttribute("aria-hidden", "true");
      avatar.textContent = person.initials;
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = person.name;
      item.appendChild(avatar);
      item.appendChild(name);
      if (person.organisation) {
        var org = document.createElement("span");
        org.className = "mention-org";
        org.textContent = person.organisation;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(org);
      }
      // mousedown would move the focus away from the text first.
      item.addEventListener("mousedown", function (event) { event.preventDefault(); });
      item.addEventListener("click", function () { pick(index); });
      return item;
    }

    function show(found) {
      people = found;
      list.textContent = "";
      found.forEach(function (person, index) { list.appendChild(option(person, index)); });
      status.textContent = announcement(found.length);
      if (!found.length) {
        list.hidden = true;
        highlight(-1);
        return;
      }
      list.hidden = false;
      highlight(0);
    }

    function lookUp(query) {
      var mine = ++request;
      var url = "/api/v1/people?q=" + encodeURIComponent(query) + (place ? "&place=" + encodeURIComponent(place) : "");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (mine !== request || typed === null) { return; }
          if (data && Array.isArray(data.items)) { show(data.items); } else { close(); }
        })
        .catch(function () { if (mine === request) { close(); } });
    }

    // After every change of the text or the caret: is a mention being typed?
    function check() {
      if (textarea.hidden || textarea.selectionStart !== textarea.selectionEnd) { close(); return; }
      var caret = textarea.selectionStart;
      var match = TYPED.exec(textarea.value.slice(Math.max(0, caret - 42), caret));
      if (!match) { close(); return; }
      var query = match[2];
      if (typed && typed.query === query && typed.end === caret) { return; }
      typed = { start: caret - query.length - 1, end: caret, query: query };
      clearTimeout(timer);
      timer = setTimeout(function () { lookUp(query); }, DELAY);
    }

    // Replace "@query" with "@handle " the way typing would (execCommand keeps the undo history).
    function pick(index) {
      var person = people[index];
      if (!person || !typed) { return; }
      var insert = "@" + person.handle + " ";
      var start = typed.start, end = typed.end;
      close();
      textarea.focus();
      textarea.setSelectionRange(start, end);
      var done = false;
      try { done = document.execCommand("insertText", false, insert); } catch (error) { done = false; }
      if (!done || textarea.value.slice(start, start + insert.length) !== insert) {
        textarea.setRangeText(insert, start, end, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      textarea.setSelectionRange(start + insert.length, start + insert.length);
      close();  // the input event above asked again; nothing is being typed now
      status.textContent = text("mentionChosen", "{name} mentioned.").replace("{name}", person.name);
    }

    textarea.addEventListener("input", check);
    textarea.addEventListener("click", check);
    textarea.addEventListener("keyup", function (event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") {
        check();
      }
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length || event.altKey || event.ctrlKey || event.metaKey) { return; }
      var handled = true;
      if (event.key === "ArrowDown") {
        highlight((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        highlight((active - 1 + people.length) % people.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
        pick(active);
      } else if (event.key === "Escape") {
        close();
      } else {
        handled = false;
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    textarea.addEventListener("blur", close);
  }

  document.querySelectorAll("[data-composer]").forEach(setupMentions);
})();
