// Live updates: one Socket.IO connection per page, streams followed by kind and id, and a
// catch-up over HTTP so that nothing is lost. A followed element carries its stream's name, kind,
// id, number and catch-up address, all from the server (templates/macros/live.html). Every event carries its stream's number (seq):
// we apply them strictly in order, skip what we already have, and when a number is missing
// (after a reconnect, a restart or a Redis blip) fetch the missing ones before going on.
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.getAttribute("data-user") || typeof window.io !== "function") { return; }

  var streams = {};  // name -> {name, kind, id, last, events, busy, buffer, handlers, signals}
  var socket = window.io({ transports: ["websocket", "polling"] });
  var status = document.createElement("p");
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  body.appendChild(status);
  var lostTimer = null;
  var wasLost = false;

  function language() { return document.documentElement.lang || "nl"; }

  function number(element, name) { return parseInt(element.getAttribute(name), 10) || 0; }

  function deliver(stream, message) {
    stream.last = message.seq;
    // Something this reader may no longer see: only its number comes, to keep the count whole.
    if (message.type === "withheld") { return; }
    stream.handlers.forEach(function (handler) {
      try { handler(message); } catch (error) { window.console && console.warn(error); }
    });
  }

  function drain(stream) {
    // Apply buffered live events that are next in line; anything after a hole waits for catch-up.
    stream.buffer.sort(function (a, b) { return a.seq - b.seq; });
    while (stream.buffer.length) {
      var next = stream.buffer[0];
      if (next.seq <= stream.last) { stream.buffer.shift(); continue; }
      if (next.seq !== stream.last + 1) { return catchUp(stream); }
      stream.buffer.shift();
      deliver(stream, next);
    }
  }

  function catchUp(stream) {
    if (stream.busy) { return; }
    stream.busy = true;
    window.fetch(stream.events + "?after=" + stream.last,
                 { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) { revoke(stream.name); return { events: [] }; }
        if (!response.ok) { throw new Error("catch-up " + response.status); }
        return response.json();
      })
      .then(function (data) {
        stream.busy = false;
        if (data.gap) { window.location.reload(); return; }
        data.events.forEach(function (message) {
          if (message.seq === stream.last + 1) { deliver(stream, message); }
        });
        if (data.more) { return catchUp(stream); }
        drain(stream);
      })
      .catch(function () {
        stream.busy = false;
        window.setTimeout(function () { catchUp(stream); }, 3000);
      });
  }

  // Access ended while the page was open (made private, removed, banned, hidden, moved): stop
  // following, say so once, and keep what is on the page (and any typed text) as it is.
  function revoke(name) {
    if (!streams[name]) { return; }
    delete streams[name];
    if (document.getElementById("live-revoked")) { return; }
    var notice = document.createElement("p");
    notice.id = "live-revoked";
    notice.className = "notice warn";
    notice.setAttribute("role", "alert");
    notice.textContent = body.getAttribute("data-live-revoked") || "";
    var main = document.querySelector("main") || body;
    main.insertBefore(notice, main.firstChild);
  }

  socket.on("revoked", function (message) { if (message && message.stream) { revoke(message.stream); } });

  function subscribe(stream) {
    socket.emit("follow", { kind: stream.kind, id: stream.id }, function (answer) {
      if (!answer || !answer.ok) { return; }
      if (answer.last > stream.last) { catchUp(stream); }
    });
  }

  socket.on("connect", function () {
    body.setAttribute("data-live-state", "connected");  // for tests and styling
    window.clearTimeout(lostTimer);
    if (wasLost) { status.textContent = body.getAttribute("data-live-back") || ""; wasLost = false; }
    Object.keys(streams).forEach(function (name) { subscribe(streams[name]); });
  });

  socket.on("disconnect", function () {
    body.setAttribute("data-live-state", "disconnected");
    // Only say something when the connection stays away for a moment (a reload is not news).
    lostTimer = window.setTimeout(function () {
      wasLost = true;
      status.textContent = body.getAttribute("data-live-lost") || "";
    }, 4000);
  });

  socket.on("event", function (message) {
    var stream = streams[message && message.stream];
    if (!stream || typeof message.seq !== "number" || message.seq <= stream.last) { return; }
    if (stream.busy || message.seq !== stream.last + 1) {
      stream.buffer.push(message);
      if (!stream.busy) { catchUp(stream); }
      return;
    }
    deliver(stream, message);
  });

  ["typing", "presence"].forEach(function (name) {
    socket.on(name, function (message) {
      var stream = streams[message && message.stream];
      if (!stream) { return; }
      stream.signals.forEach(function (handler) { handler(name, message); });
    });
  });

  // Every 45 s: "still here" (keeps you in "who is here") and, from the answer, the stream's
  // latest number: a page that missed an event while the message queue was down, and has seen
  // no later event since, notices it and catches up.
  window.setInterval(function () {
    if (!socket.connected) { return; }
    Object.keys(streams).forEach(function (name) {
      var stream = streams[name];
      socket.emit("here", { kind: stream.kind, id: stream.id }, function (answer) {
        if (answer && answer.last > stream.last) { catchUp(stream); }
      });
    });
  }, 45000);

  window.LeerkringLive = {
    language: language,
    // Follow the thing an element stands for (its data-live-* attributes); data-live-last is
    // the stream number the page was rendered at.
    follow: function (element, onEvent, onSignal) {
      var name = element.getAttribute("data-live-stream");
      var stream = streams[name];
      if (!stream) {
        stream = streams[name] = { name: name, kind: element.getAttribute("data-live-kind"),
                                   id: number(element, "data-live-id"), last: number(element, "data-live-last"),
                                   events: element.getAttribute("data-live-events"), busy: false, buffer: [],
                                   handlers: [], signals: [] };
        if (socket.connected) { subscribe(stream); }
      }
      if (onEvent) { stream.handlers.push(onEvent); }
      if (onSignal) { stream.signals.push(onSignal); }
      return stream;
    },
    send: function (name, data) { if (socket.connected) { socket.emit(name, data); } },
    // HTML of our own server, rendered for this reader: a page fetches it when an event says
    // something changed that looks different to each reader (a review queue, a reply).
    fetchHtml: function (url) {
      return window.fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      });
    },
    // The server's sanitised HTML (fetched, or from an event in every language) as a DOM element.
    element: function (html) {
      var holder = document.createElement("template");
      holder.innerHTML = (typeof html === "string" ? html : html && (html[language()] || html.nl)) || "";
      // Forms in a live item carry this page's CSRF token (the server rendered it for nobody).
      var token = document.querySelector('meta[name="csrf-token"]');
      holder.content.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
        input.value = token ? token.getAttribute("content") : "";
      });
      return holder.content.firstElementChild;
    }
  };

  // Everyone follows their own stream: notifications and the unread badge.
  var badge = document.getElementById("notification-count");
  var link = document.getElementById("notification-link");
  window.LeerkringLive.follow(body, function (message) {
    if (message.type !== "notification" || !badge) { return; }
    var unread = message.unread || 0;
    var counted = link ? Number(link.getAttribute("data-counted")) || 0 : 0;
    if (counted && unread >= counted) { unread = (counted - 1) + "+"; }  // counted up to there: "99+"
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
    if (link) {
      link.setAttribute("aria-label", unread ? link.getAttribute("data-label-some").replace("{n}", unread)
                                             : link.getAttribute("data-label-none"));
    }
    var list = document.getElementById("notification-list");
    if (message.op === "new" && list && !document.getElementById("notification-" + message.notification_id)) {
      var item = window.LeerkringLive.element(message.html);
      if (item) {
        list.insertBefore(item, list.firstChild);
        list.hidden = false;
        var day = document.getElementById("notifications-today");  // the centre's "Today"
        if (day) { day.hidden = false; }
        var empty = document.getElementById("notifications-empty");
        if (empty) { empty.hidden = true; }
        var announce = document.getElementById("notifications-live");
        if (announce) { announce.textContent = item.textContent.replace(/\s+/g, " ").trim(); }
      }
    }
  });
})();
