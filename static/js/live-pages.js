// Live updates on pages other than a discussion: a community's feed and member count, and a
// notice on trajectory and case pages when something changed (with a link to reload; the
// page's own forms keep what was typed until the reader chooses to reload).
(function () {
  "use strict";
  var live = window.LeerkringLive;
  if (!live) { return; }

  document.querySelectorAll("[data-live-feed]").forEach(function (feed) {
    var list = feed.querySelector("ol.feed");
    var empty = feed.querySelector(".empty");
    var counter = document.querySelector("[data-live-member-count]");
    live.follow(feed, function (message) {
      if (message.type === "feed" && message.op === "new" && list && feed.hasAttribute("data-first-page")) {
        var item = live.element(message.html);
        if (item) {
          list.insertBefore(item, list.firstChild);
          list.hidden = false;
          if (empty) { empty.hidden = true; }
        }
      } else if ((message.type === "discussion" || message.type === "case") && message.op === "hidden" && list) {
        // A line about what a coordinator hid goes from open pages too.
        var path = message.type === "discussion" ? "/d/" + message.discussion_id : "/cases/" + message.case_id;
        list.querySelectorAll('a[href="' + path + '"]').forEach(function (link) {
          var item = link.closest("li");
          if (item) { item.remove(); }
        });
      } else if (message.type === "membership" && counter && typeof message.member_count === "number") {
        var count = message.member_count;
        counter.textContent = (count === 1 ? counter.getAttribute("data-one") : counter.getAttribute("data-many"))
          .replace("{n}", count);
      }
    });
  });

  // A review queue refreshes its list, rendered for this coordinator, when reports arrive or are
  // handled (by anyone).
  document.querySelectorAll("[data-live-queue]").forEach(function (queue) {
    var holder = queue.querySelector("#queue-list");
    var announce = queue.querySelector("#queue-live");
    var busy = false;
    live.follow(queue, function () {
      if (busy) { return; }
      busy = true;
      live.fetchHtml(queue.getAttribute("data-fragment-url"))
        .then(function (html) {
          // Our own server's page, rendered for this coordinator (sanitised content inside).
          var active = document.activeElement;
          if (!(active && holder.contains(active) && active.tagName === "INPUT" && active.value)) {
            holder.innerHTML = html;
            announce.textContent = queue.getAttribute("data-updated");
          }
        })
        .catch(function () { /* the next event or a reload brings it */ })
        .then(function () { busy = false; });
    });
  });

  document.querySelectorAll("[data-live-page]").forEach(function (notice) {
    var text = notice.querySelector(".live-page-text");
    live.follow(notice, function (message) {
      var line = message.html ? live.element(message.html) : null;
      text.textContent = line ? line.textContent.replace(/\s+/g, " ").trim() : notice.getAttribute("data-updated");
      notice.hidden = false;
    });
  });
})();
