// Live updates on pages other than a discussion: a community's feed and member count, and a
// notice on trajectory and case pages when something changed (with a link to reload; the
// page's own forms keep what was typed until the reader chooses to reload).
(function () {
  "use strict";
  var live = window.LeerkringLive;
  if (!live) { return; }

  function number(element, name) { return parseInt(element.getAttribute(name), 10) || 0; }

  document.querySelectorAll("[data-live-feed]").forEach(function (feed) {
    var kind = feed.getAttribute("data-live-kind");
    var id = number(feed, "data-live-id");
    var list = feed.querySelector("ol.feed");
    var empty = feed.querySelector(".empty");
    var counter = document.querySelector("[data-live-member-count]");
    live.follow(kind, id, number(feed, "data-live-last"), function (message) {
      if (message.type === "feed" && message.op === "new" && list && feed.hasAttribute("data-first-page")) {
        var item = live.element(message.html);
        if (item) {
          list.insertBefore(item, list.firstChild);
          list.hidden = false;
          if (empty) { empty.hidden = true; }
        }
      } else if (message.type === "membership" && counter && typeof message.member_count === "number") {
        var count = message.member_count;
        counter.textContent = (count === 1 ? counter.getAttribute("data-one") : counter.getAttribute("data-many"))
          .replace("{n}", count);
      }
    });
  });

  document.querySelectorAll("[data-live-page]").forEach(function (notice) {
    var text = notice.querySelector(".live-page-text");
    live.follow(notice.getAttribute("data-live-kind"), number(notice, "data-live-id"), number(notice, "data-live-last"),
      function (message) {
        var line = message.html ? live.element(message.html) : null;
        text.textContent = line ? line.textContent.replace(/\s+/g, " ").trim() : notice.getAttribute("data-updated");
        notice.hidden = false;
      });
  });
})();
