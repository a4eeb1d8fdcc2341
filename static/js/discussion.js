// The discussion page: how far the reader got (for "first unread reply"), and live updates:
// new replies appear (with an "n new replies" bar when the reader is not at the bottom, told to
// screen readers politely), edits, removals, helpful counts, the answer, locking, "X is typing"
// and who is here. Inserted HTML is the server's sanitised HTML; names are set as text.
(function () {
  "use strict";
  var section = document.getElementById("replies");
  var token = document.querySelector('meta[name="csrf-token"]');
  if (!section) { return; }

  function reportRead(number) {
    var url = section.getAttribute("data-read-url") || section.getAttribute("data-read-url-live");
    if (!url || !token || !window.fetch || !(number > 0)) { return; }
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token.getAttribute("content") },
      body: JSON.stringify({ number: number })
    }).catch(function () { /* offline or logged out: the next visit tries again */ });
  }
  reportRead(parseInt(section.getAttribute("data-read-number"), 10));

  var live = window.LeerkringLive;
  if (!live) { return; }
  var discussionId = parseInt(section.getAttribute("data-live-id"), 10);
  var me = parseInt(section.getAttribute("data-user-id"), 10);
  var onLastPage = section.hasAttribute("data-last-page");
  var list = section.querySelector("ol.replies");
  var bar = document.getElementById("new-replies-bar");
  var announcer = document.getElementById("replies-live");
  var typingLine = document.getElementById("live-typing");
  var presenceLine = document.getElementById("live-presence");
  var unseen = 0;
  var typingTimer = null;

  function text(name, values) {
    var value = section.getAttribute(name) || "";
    Object.keys(values || {}).forEach(function (key) { value = value.replace("{" + key + "}", values[key]); });
    return value;
  }

  function nearBottom() {
    var end = document.getElementById("replies-end");
    return !end || end.getBoundingClientRect().top <= window.innerHeight + 80;
  }

  function showBar(latestNumber) {
    unseen += 1;
    var link = bar.querySelector("a");
    link.textContent = unseen === 1 ? text("data-new-one") : text("data-new-many", { n: unseen });
    if (onLastPage) {
      link.setAttribute("href", "#reply-" + (latestNumber - unseen + 1));
    } else {
      var perPage = parseInt(section.getAttribute("data-per-page"), 10) || 50;
      var page = Math.max(1, Math.ceil(latestNumber / perPage));
      link.setAttribute("href", section.getAttribute("data-page-url") + "?page=" + page + "#reply-" + latestNumber);
    }
    bar.hidden = false;
  }

  function hideBar() { unseen = 0; bar.hidden = true; }

  // A reply that changed while the page is open comes rendered for this reader, with their own
  // buttons, from the server (the event only says which one). Fetches are chained, so replies
  // change in the order their events came.
  var fetching = Promise.resolve();
  var arriving = {};  // numbers of new replies being fetched: an edit to one waits for it
  function fetchReply(number, apply) {
    var url = section.getAttribute("data-fragment-url") + "&number=" + number;
    var next = fetching.then(function () { return live.fetchHtml(url); })
      .then(function (html) { apply(live.element(html)); })
      .catch(function () { /* gone, or no longer ours to see: the next event or a reload tells */ });
    fetching = next;
    return next;
  }

  function setCount(count) {
    var heading = document.getElementById("replies-title");
    if (heading && typeof count === "number") {
      heading.textContent = count === 1 ? text("data-count-one") : text("data-count-many", { n: count });
    }
  }

  function onReply(message) {
    if (message.redacted) { return; }  // caught up on something hidden since
    var number = message.number;
    setCount(message.reply_count);
    if (message.op !== "new") {
      // Edited, removed, hidden or restored: what each reader sees of it is the server's to say.
      if (!document.getElementById("reply-" + number) && !arriving[number]) { return; }
      fetchReply(number, function (item) {
        var current = document.getElementById("reply-" + number);
        if (item && current) { current.replaceWith(item); }
      });
      return;
    }
    if (document.getElementById("reply-" + number) || arriving[number]) { return; }  // already on the page
    var mine = message.author && message.author.id === me;
    if (!mine) {
      announcer.textContent = text("data-announce", { name: message.author ? message.author.name : "" });
    }
    if (typingLine) { typingLine.textContent = ""; }
    if (!onLastPage) { showBar(number); return; }
    var wasNearBottom = nearBottom();
    arriving[number] = true;
    fetchReply(number, function (item) {
      if (!item || document.getElementById("reply-" + number)) { return; }
      var empty = document.getElementById("replies-empty");
      if (empty) { empty.remove(); }
      item.classList.add("live-new");
      list.appendChild(item);
      if (!wasNearBottom && !mine) {
        showBar(number);
      } else {
        reportRead(number);
      }
    }).then(function () { delete arriving[number]; });
  }

  function pageNotice(textValue) {
    var notice = document.getElementById("live-page-notice");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "live-page-notice";
      notice.className = "notice warn";
      notice.setAttribute("role", "status");
      document.querySelector(".discussion").before(notice);
    }
    notice.textContent = textValue;
  }

  function onDiscussion(message) {
    if (message.redacted) { return; }
    if (message.op === "hidden") {
      pageNotice(text("data-hidden-discussion"));
      var mine = parseInt(section.getAttribute("data-author-id"), 10) === me;
      if (!section.hasAttribute("data-may-moderate") && !mine) {
        document.querySelectorAll(".opening-post, ol.replies, #reply-form").forEach(function (el) { el.remove(); });
      }
    } else if (message.op === "moved") {
      pageNotice(text("data-moved"));
    } else if (message.op === "edited") {
      var title = document.getElementById("discussion-title");
      if (title) { title.textContent = message.title; }
      var opening = document.querySelector(".opening-post");
      if (opening) { opening.innerHTML = message.body_html; }  // sanitised when it was saved
    } else if (message.op === "locked") {
      var form = document.querySelector("#reply-form form");
      var button = form && form.querySelector("button[type=submit]");
      if (button) { button.disabled = !!message.locked; }  // the typed text stays in the box
      var notice = document.getElementById("live-lock-notice");
      if (message.locked && !notice) {
        notice = document.createElement("p");
        notice.id = "live-lock-notice";
        notice.className = "notice";
        document.getElementById("reply-form-title").after(notice);
      }
      if (notice) {
        notice.textContent = message.locked ? text("data-locked") + " " + (message.lock_reason || "") : "";
        notice.hidden = !message.locked;
      }
      announcer.textContent = message.locked ? notice.textContent : "";
    } else if (message.op === "answer") {
      section.querySelectorAll("li.reply.accepted").forEach(function (li) { li.classList.remove("accepted"); });
      if (message.accepted_reply_id) {
        section.querySelectorAll("li.reply").forEach(function (li) {
          if (parseInt(li.getAttribute("data-reply-id"), 10) === message.accepted_reply_id) {
            li.classList.add("accepted");
          }
        });
      }
    }
  }

  function onReaction(message) {
    var item = document.getElementById("reply-" + message.number);
    if (!item) { return; }
    var count = item.querySelector(".helpful-count");
    if (count && count.closest("button")) {  // the reader's own "Helpful" button shows the bare number
      count.textContent = String(message.helpful_count);
      return;
    }
    var n = message.helpful_count;
    if (!count) {
      var actions = item.querySelector(".reply-actions");
      if (!actions) { return; }
      count = document.createElement("span");
      count.className = "muted helpful-count";
      actions.insertBefore(count, actions.firstChild);
    }
    count.textContent = n === 1 ? text("data-helpful-one") : text("data-helpful-many", { n: n });
    count.hidden = n === 0;
  }

  function onSignal(name, message) {
    if (name === "typing" && typingLine && message.user_id !== me) {
      typingLine.textContent = text("data-typing", { name: message.name });
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { typingLine.textContent = ""; }, 4000);
    } else if (name === "presence" && presenceLine) {
      var names = (message.people || []).map(function (person) { return person.name; });
      var more = (message.count || names.length) - names.length;
      presenceLine.textContent = presenceLine.getAttribute("data-label").replace("{names}", names.join(", ")) +
        (more > 0 ? " (+" + more + ")" : "");
      presenceLine.hidden = (message.count || names.length) < 2;  // only yourself: nothing to tell
    }
  }

  live.follow(section, function (message) {
    if (message.type === "reply") { onReply(message); }
    else if (message.type === "discussion") { onDiscussion(message); }
    else if (message.type === "reaction") { onReaction(message); }
  }, onSignal);

  window.addEventListener("scroll", function () { if (!bar.hidden && nearBottom()) { hideBar(); } },
                          { passive: true });
  bar.querySelector("a").addEventListener("click", function () { window.setTimeout(hideBar, 50); });

  // Typing signals, at most every few seconds, only while typing a reply.
  var box = document.querySelector("#reply-form textarea");
  var lastTyping = 0;
  if (box) {
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2500) {
        lastTyping = now;
        live.send("typing", { kind: "discussion", id: discussionId });
      }
    });
  }
})();
