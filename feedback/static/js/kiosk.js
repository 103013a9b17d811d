/* The counter kiosk, a single page: who served you -> face -> reasons -> optional complaint -> thanks.
 *
 * Every tap sequence gets a client_uuid when it starts, so sending it twice stores it once.
 * A rating that cannot be sent (network loss) is kept in localStorage and retried when the
 * browser is back online and every few seconds. The screen resets itself after an idle time;
 * a sequence abandoned after the face was tapped is still sent (every tap is a rating).
 * No dependencies, no CDN.
 */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("kiosk-settings").textContent);
  var text = JSON.parse(document.getElementById("kiosk-text").textContent);
  var root = document.getElementById("kiosk");
  var steps = ["staff", "score", "reasons", "comment", "thanks"];
  var state = null;
  var idleTimer = null;
  var thanksTimer = null;
  var flushing = false;
  var busy = false;

  // ---- helpers -------------------------------------------------------------------------------
  function $(selector, scope) { return (scope || document).querySelector(selector); }
  function $all(selector, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(selector)); }

  function newUuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function fresh() {
    return { uuid: newUuid(), staffId: null, staffName: "", score: null, reasons: [], sent: false, tappedAt: null };
  }

  // ---- the unsent queue (localStorage) ----------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(settings.storageKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(items) {
    try { window.localStorage.setItem(settings.storageKey, JSON.stringify(items)); } catch (e) { /* storage full */ }
    showPending();
  }
  function enqueue(payload) {
    var items = loadQueue().filter(function (p) { return p.client_uuid !== payload.client_uuid; });
    items.push(payload);
    saveQueue(items);
  }
  function dequeue(uuid) {
    saveQueue(loadQueue().filter(function (p) { return p.client_uuid !== uuid; }));
  }
  function showPending() {
    var count = loadQueue().length;
    var badge = document.getElementById("k-pending");
    badge.hidden = count === 0;
    badge.textContent = text.pending.replace("{n}", count);
    document.getElementById("k-offline").hidden = navigator.onLine !== false;
  }

  function post(payload, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 10000) : null;
    return fetch(settings.apiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(payload),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).finally(function () { if (timer) { clearTimeout(timer); } });
  }

  // Sends what is waiting, oldest first; stops at the first network failure.
  function flush() {
    if (flushing || navigator.onLine === false) { showPending(); return Promise.resolve(); }
    var items = loadQueue();
    if (!items.length) { showPending(); return Promise.resolve(); }
    flushing = true;
    var index = 0;
    function next() {
      if (index >= items.length) { return Promise.resolve(); }
      var item = items[index++];
      return post(item).then(function (result) {
        if (result.status === 200) { dequeue(item.client_uuid); return next(); }
        if (result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429) {
          // Refused for good (invalid, device revoked): keeping it would block the queue forever.
          if (window.console) { window.console.warn("kiosk: rating refused", result.status, result.body); }
          dequeue(item.client_uuid);
          return next();
        }
        return null;  // server trouble: try again later
      });
    }
    return next().catch(function () { /* offline again */ }).then(function () {
      flushing = false;
      showPending();
    });
  }

  // ---- screens -----------------------------------------------------------------------------------
  function show(name) {
    root.setAttribute("data-step", name);
    $all(".k-step", root).forEach(function (section) {
      section.hidden = section.getAttribute("data-step-name") !== name;
    });
    $(".k-restart").hidden = name === "staff" || name === "thanks";
    $all(".k-error", root).forEach(function (el) { el.hidden = true; el.textContent = ""; });
    window.scrollTo(0, 0);
    armIdle();
  }

  function reset() {
    clearTimeout(thanksTimer);
    state = fresh();
    $all(".k-face").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    $all(".k-chip").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    document.getElementById("k-comment").value = "";
    document.getElementById("k-phone").value = "";
    document.getElementById("k-case").hidden = true;
    document.getElementById("k-queued").hidden = true;
    show("staff");
  }

  function armIdle() {
    clearTimeout(idleTimer);
    var current = root.getAttribute("data-step");
    if (current === "staff" || current === "thanks") { return; }
    idleTimer = setTimeout(onIdle, settings.idleSeconds * 1000);
  }

  // Nobody touched the screen for a while: keep what was tapped, then start over for the next person.
  function onIdle() {
    if (state && state.score !== null && !state.sent) {
      state.sent = true;
      enqueue(payloadOf(state, false));
      flush();
    }
    reset();
  }

  function payloadOf(s, withText) {
    var payload = {
      client_uuid: s.uuid,
      score: s.score,
      staff_id: s.staffId,
      reasons: s.reasons.slice(),
      tapped_at: s.tappedAt || Date.now()
    };
    if (withText) {
      var comment = document.getElementById("k-comment").value.trim();
      var phone = document.getElementById("k-phone").value.trim();
      if (comment) { payload.comment = comment; }
      if (phone) { payload.phone = phone; }
    }
    return payload;
  }

  function showError(field, message) {
    var el = $('.k-error[data-error-for="' + field + '"]', root) || $('.k-step:not([hidden]) .k-error', root);
    if (!el) { return; }
    el.textContent = message;
    el.hidden = false;
  }

  function showThanks(result, queued) {
    show("thanks");
    var box = document.getElementById("k-case");
    box.hidden = !(result && result.case);
    if (result && result.case) {
      document.getElementById("k-case-code").textContent = result.case;
      document.getElementById("k-case-digits").textContent = result.case_digits || "";
      document.getElementById("k-case-secret").textContent = result.secret || "";
      document.getElementById("k-case-secret-line").hidden = !result.secret;
      document.getElementById("k-case-sms").hidden = !document.getElementById("k-phone").value.trim();
    }
    document.getElementById("k-queued").hidden = !queued;
    var seconds = (result && result.case) ? settings.caseThanksSeconds : settings.thanksSeconds;
    clearTimeout(thanksTimer);
    thanksTimer = setTimeout(reset, seconds * 1000);
  }

  function plausiblePhone(value) {
    var digits = value.replace(/[\s.\-()]/g, "");
    return /^(\+?84|0)\d{8,10}$/.test(digits) || /^\+\d{8,15}$/.test(digits);
  }

  function send() {
    if (busy || !state || state.score === null) { return; }
    var onComment = root.getAttribute("data-step") === "comment";
    var payload = payloadOf(state, onComment);
    if (payload.phone && !plausiblePhone(payload.phone)) {
      showError("phone", text.phoneInvalid);
      return;
    }
    if (navigator.onLine === false) {
      state.sent = true;
      enqueue(payload);
      showThanks(null, true);
      return;
    }
    busy = true;
    var buttons = $all('[data-action="send"]');
    buttons.forEach(function (b) { b.disabled = true; b.setAttribute("data-label", b.textContent); b.textContent = text.sending; });
    post(payload, 8000).then(function (result) {
      if (result.status === 200) {
        state.sent = true;
        showThanks(result.body, false);
        flush();
      } else if (result.status === 400) {
        var field = result.body && result.body.field;
        if ((field === "phone" || field === "comment") && !onComment) { show("comment"); }
        showError(field || "reasons", (result.body && result.body.error) || text.failed);
      } else if (result.status === 403) {
        window.location.reload();  // the device was revoked: the server shows why
      } else {
        state.sent = true;
        enqueue(payload);
        showThanks(null, true);
      }
    }, function () {
      state.sent = true;
      enqueue(payload);
      showThanks(null, true);
    }).then(function () {
      busy = false;
      buttons.forEach(function (b) { b.disabled = false; b.textContent = b.getAttribute("data-label"); });
    });
  }

  // ---- taps ----------------------------------------------------------------------------------------
  root.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target.disabled) { return; }
    if (target.classList.contains("k-staff")) {
      var id = target.getAttribute("data-staff-id");
      state.staffId = id ? parseInt(id, 10) : null;
      state.staffName = target.getAttribute("data-staff-name") || "";
      document.getElementById("k-served").textContent = state.staffName
        ? text.served.replace("{name}", state.staffName) : text.servedUnknown;
      show("score");
    } else if (target.classList.contains("k-face")) {
      state.score = parseInt(target.getAttribute("data-score"), 10);
      state.tappedAt = Date.now();
      $all(".k-face").forEach(function (b) { b.setAttribute("aria-pressed", String(b === target)); });
      var positive = state.score >= 4;
      $('.k-chips[data-for="negative"]').hidden = positive;
      $('.k-chips[data-for="positive"]').hidden = !positive;
      // Reasons of the other kind no longer apply once the face changed.
      state.reasons = state.reasons.filter(function (r) {
        var chip = $('.k-chip[data-reason="' + r + '"]');
        var keep = chip && !chip.parentNode.hidden;
        if (chip && !keep) { chip.setAttribute("aria-pressed", "false"); }
        return keep;
      });
      show("reasons");
    } else if (target.classList.contains("k-chip")) {
      var reason = target.getAttribute("data-reason");
      var on = state.reasons.indexOf(reason) === -1;
      state.reasons = state.reasons.filter(function (r) { return r !== reason; });
      if (on) { state.reasons.push(reason); }
      target.setAttribute("aria-pressed", String(on));
    }
    var action = target.getAttribute("data-action");
    if (action === "back") {
      var current = steps.indexOf(root.getAttribute("data-step"));
      show(steps[Math.max(0, current - 1)]);
    } else if (action === "comment") {
      show("comment");
      document.getElementById("k-comment").focus();
    } else if (action === "send") {
      send();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest('[data-action="restart"]');
    if (!target) { return; }
    reset();  // starting over on purpose discards the unfinished taps
  });

  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, armIdle, { passive: true });
  });
  // Now and then, while nobody is using it, reload the page to pick up staff changes (and a
  // revocation) -- but only after checking the server answers, so a network loss never leaves
  // the browser's own error page on the screen.
  var loadedAt = Date.now();
  var lastTouch = Date.now();
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () { lastTouch = Date.now(); }, { passive: true });
  });
  setInterval(function () {
    var quiet = Date.now() - lastTouch > settings.idleSeconds * 1000;
    if (root.getAttribute("data-step") !== "staff" || !quiet || Date.now() - loadedAt < settings.reloadMinutes * 60000) { return; }
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.ok || response.status === 403) { window.location.reload(); }
    }, function () { /* offline: keep the page we have */ });
  }, 60000);

  window.addEventListener("online", function () { showPending(); flush(); });
  window.addEventListener("offline", showPending);
  setInterval(flush, settings.retrySeconds * 1000);

  reset();
  flush();
})();
