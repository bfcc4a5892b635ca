/* Taking an attempt: autosave each answer as given, a countdown from the server's remaining time,
   answers kept in localStorage while offline and sent when the network returns, and 切屏检测:
   every time the page is hidden it is reported once (see docs/exams.md). */
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  if (!root) return;
  var state = JSON.parse(document.getElementById("attempt-state").textContent);
  var T = window.QUIZ_TEXT || {};
  var api = root.dataset.api;
  var storeKey = "dangke-attempt-" + state.attempt;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var statusEl = document.getElementById("save-status");
  var warning = document.getElementById("network-warning");
  var closed = false;
  // Set when this page itself moves on (submitted, closed): that hides the page but is no departure.
  var leaving = false;
  var inflight = {};

  function pending() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function setPending(map) {
    try {
      if (Object.keys(map).length) localStorage.setItem(storeKey, JSON.stringify(map));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }
  function section(qid) { return root.querySelector('[data-question="' + qid + '"]'); }
  function showStatus(qid, text, cls) {
    var el = root.querySelector('[data-status-for="' + qid + '"]');
    if (el) { el.textContent = text; el.className = "question-status " + (cls || ""); }
    statusEl.textContent = text;
    statusEl.className = "save-status " + (cls || "");
  }

  function readAnswer(sec) {
    var type = sec.dataset.type;
    var inputs = sec.querySelectorAll("input, textarea");
    if (type === "single") {
      var c = sec.querySelector("input:checked");
      return c ? c.value : null;
    }
    if (type === "multiple") {
      var keys = [];
      sec.querySelectorAll("input:checked").forEach(function (i) { keys.push(i.value); });
      return keys.length ? keys : null;
    }
    if (type === "true_false") {
      var t = sec.querySelector("input:checked");
      return t ? t.value === "true" : null;
    }
    if (type === "fill") {
      var values = [];
      inputs.forEach(function (i) { values.push(i.value); });
      return values.some(function (v) { return v.trim(); }) ? values : null;
    }
    var text = sec.querySelector("textarea").value;
    return text.trim() ? text : null;
  }

  function writeAnswer(sec, value) {
    var type = sec.dataset.type;
    if (value === null || value === undefined) return;
    if (type === "single" || type === "multiple") {
      var wanted = Array.isArray(value) ? value : [value];
      sec.querySelectorAll("input").forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
    } else if (type === "true_false") {
      sec.querySelectorAll("input").forEach(function (i) { i.checked = i.value === String(value); });
    } else if (type === "fill") {
      var inputs = sec.querySelectorAll("input");
      (value || []).forEach(function (v, n) { if (inputs[n]) inputs[n].value = v; });
    } else {
      sec.querySelector("textarea").value = value;
    }
  }

  function updateAnswered() {
    var done = 0, total = state.questions.length;
    state.questions.forEach(function (q) { if (readAnswer(section(q.id)) !== null) done += 1; });
    var el = document.getElementById("answered");
    if (el) el.textContent = (T.answered || "%(done)s / %(total)s").replace("%(done)s", done).replace("%(total)s", total);
    return total - done;
  }

  function request(method, url, body, keepalive) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      // Lets a report made while the page is being hidden or closed still leave.
      keepalive: !!keepalive
    });
  }

  function markClosed(message) {
    closed = true;
    leaving = true;
    setPending({});
    statusEl.textContent = message || T.closed || "";
    window.location.href = root.dataset.resultUrl;
  }

  function save(qid) {
    var map = pending();
    if (!(qid in map) || closed) return Promise.resolve();
    var value = map[qid];
    var seq = (inflight[qid] || 0) + 1;
    inflight[qid] = seq;
    showStatus(qid, T.saving, "saving");
    return request("PUT", api + "answers/" + qid + "/", { answer: value }).then(function (resp) {
      if (resp.status === 409) { markClosed(); return; }
      if (!resp.ok) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          showStatus(qid, (T.failed || "") + (data.detail ? "：" + data.detail : ""), "error");
        });
      }
      setOnline(true);
      var now = pending();
      // Only forget the local copy if the trainee has not changed the answer meanwhile.
      if (inflight[qid] === seq && JSON.stringify(now[qid]) === JSON.stringify(value)) {
        delete now[qid];
        setPending(now);
      }
      showStatus(qid, T.saved, "saved");
    }).catch(function () {
      setOnline(false);
      showStatus(qid, T.pending, "pending");
    });
  }

  function flush() {
    return Promise.all(Object.keys(pending()).map(save));
  }

  function setOnline(online) {
    warning.hidden = online;
  }

  function onChange(event) {
    var sec = event.target.closest("[data-question]");
    if (!sec || closed) return;
    var qid = sec.dataset.question;
    var map = pending();
    map[qid] = readAnswer(sec);
    setPending(map);
    updateAnswered();
    save(qid);
  }

  var typingTimers = {};
  root.addEventListener("change", onChange);
  root.addEventListener("input", function (event) {
    // Text is saved after a short pause as well as on change, so a closed tab loses little.
    if (event.target.type === "radio" || event.target.type === "checkbox") return;
    var sec = event.target.closest("[data-question]");
    if (!sec) return;
    clearTimeout(typingTimers[sec.dataset.question]);
    typingTimers[sec.dataset.question] = setTimeout(function () { onChange(event); }, 1500);
  });

  // Restore: server answers first, then anything still waiting in this browser on top.
  Object.keys(state.answers).forEach(function (qid) { var s = section(qid); if (s) writeAnswer(s, state.answers[qid]); });
  var local = pending();
  Object.keys(local).forEach(function (qid) { var s = section(qid); if (s) writeAnswer(s, local[qid]); });
  updateAnswered();
  flush();

  window.addEventListener("beforeunload", function (event) {
    // Answers still only in this browser: ask before leaving (they stay in localStorage anyway).
    if (!closed && Object.keys(pending()).length) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("online", function () { setOnline(true); flush(); });
  window.addEventListener("offline", function () { setOnline(false); });
  if (!navigator.onLine) setOnline(false);
  setInterval(function () { if (Object.keys(pending()).length) flush(); }, 15000);

  function submit() {
    closed = false;
    return flush().then(function () {
      return request("POST", api + "submit/");
    }).then(function (resp) {
      if (resp.ok || resp.status === 404) { leaving = true; setPending({}); window.location.href = root.dataset.resultUrl; }
      else setOnline(false);
    }).catch(function () { setOnline(false); });
  }

  document.getElementById("submit-attempt").addEventListener("click", function (event) {
    var unanswered = updateAnswered();
    var message = unanswered ? event.target.dataset.confirmUnanswered : event.target.dataset.confirm;
    if (window.confirm(message)) submit();
  });

  // Countdown from the server's remaining time; the server enforces the deadline regardless.
  var countdown = document.getElementById("countdown");
  if (countdown && state.remaining !== null) {
    var endsAt = Date.now() + state.remaining * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      countdown.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
      countdown.classList.toggle("urgent", left <= 300);
      if (left <= 0) {
        clearInterval(timer);
        statusEl.textContent = T.timeUp;
        submit();
      }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }

  // 切屏检测. Each time the page is hidden (another app or tab, the screen locked, the page reloaded
  // or closed) one event with its own id is queued in localStorage and reported in order; the
  // server counts an id once, so resending after a network drop or a reload never counts twice.
  // window "blur" is not used: phones fire it for the keyboard, system dialogs and the notification
  // shade, desktops for our own confirm() and for clicks into the browser's UI.
  var focusKey = storeKey + "-focus";
  var focusCount = state.focusLosses || 0;
  var focusMax = state.maxFocusLosses || 0;
  var focusSending = false;
  var unloading = false;
  var warnOnReturn = false;
  var counterEl = document.getElementById("focus-counter");
  var focusWarning = document.getElementById("focus-warning");

  function focusQueue() {
    try { return JSON.parse(localStorage.getItem(focusKey) || "[]"); } catch (e) { return []; }
  }
  function setFocusQueue(list) {
    try {
      if (list.length) localStorage.setItem(focusKey, JSON.stringify(list));
      else localStorage.removeItem(focusKey);
    } catch (e) { /* storage disabled: the report in flight still counts */ }
  }
  function newEventId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function fill(text, n) {
    return (text || "").replace(/%\(n\)s/g, n).replace(/%\(max\)s/g, focusMax);
  }
  function shownCount() { return focusCount + focusQueue().length; }
  function renderFocus() {
    var n = shownCount();
    if (!counterEl) return;
    if (!focusMax && !n) return;
    counterEl.hidden = false;
    counterEl.textContent = fill(focusMax ? T.focusCount : T.focusCountUnlimited, n);
    counterEl.classList.toggle("urgent", !!focusMax && n >= focusMax);
  }
  function showFocusWarning() {
    if (!warnOnReturn || closed || !focusMax) return;
    warnOnReturn = false;
    var n = shownCount();
    var text = fill(T.focusWarning, n);
    if (n >= focusMax) text += "\n" + (T.focusLast || "");
    document.getElementById("focus-warning-text").textContent = text;
    focusWarning.hidden = false;
  }
  function dropFocusEvent(id) {
    setFocusQueue(focusQueue().filter(function (e) { return e.id !== id; }));
  }

  function flushFocus() {
    var queue = focusQueue();
    if (focusSending || closed || !queue.length) return;
    var ev = queue[0];
    focusSending = true;
    request("POST", api + "focus-lost/", { event_id: ev.id, hidden_at: ev.at }, true).then(function (resp) {
      if (resp.status === 409 || resp.status === 404) {
        // Closed meanwhile (deadline, another tab): nothing left to report.
        setFocusQueue([]);
        markClosed();
        return;
      }
      if (resp.status === 400) { dropFocusEvent(ev.id); focusSending = false; flushFocus(); return; }
      if (!resp.ok) throw new Error("focus-lost " + resp.status);
      return resp.json().then(function (body) {
        dropFocusEvent(ev.id);
        focusCount = Math.max(focusCount, body.focus_losses || 0);
        if (body.max_focus_losses !== undefined) focusMax = body.max_focus_losses;
        renderFocus();
        setOnline(true);
        if (body.state !== "in_progress") {
          setFocusQueue([]);
          markClosed(body.detail || T.focusClosed);
          return;
        }
        focusSending = false;
        flushFocus();
      });
    }).catch(function () {
      // Offline or the server is away: the event waits in localStorage for the next try.
      focusSending = false;
    });
  }

  function onLeave() {
    if (closed || leaving) return;
    var queue = focusQueue();
    queue.push({ id: newEventId(), at: new Date().toISOString() });
    setFocusQueue(queue);
    warnOnReturn = true;
    renderFocus();
    flushFocus();
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (!unloading) onLeave();
    } else {
      showFocusWarning();
      flushFocus();
    }
  });
  // Reloading, closing or navigating away: pagehide comes before the page turns hidden in some
  // browsers and after it in others; count it only if the page was still visible.
  window.addEventListener("pagehide", function () {
    if (document.visibilityState === "visible") onLeave();
    unloading = true;
  });
  window.addEventListener("pageshow", function (event) {
    // Back from the back/forward cache: the same page, watching again.
    if (event.persisted) { unloading = false; showFocusWarning(); flushFocus(); }
  });
  window.addEventListener("online", flushFocus);
  setInterval(flushFocus, 15000);
  document.getElementById("focus-warning-ok").addEventListener("click", function () {
    focusWarning.hidden = true;
  });
  // Events left from before a reload are sent now; the reload itself was one departure.
  if (focusQueue().length) warnOnReturn = true;
  renderFocus();
  showFocusWarning();
  flushFocus();

  // One question per screen (phones) or the whole list.
  var toggle = document.getElementById("one-per-screen");
  var sections = Array.prototype.slice.call(root.querySelectorAll("[data-question]"));
  var current = 0;
  function show(n) {
    current = Math.max(0, Math.min(sections.length - 1, n));
    sections.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    if (toggle.checked) sections[current].scrollIntoView({ block: "start" });
  }
  toggle.checked = window.matchMedia("(max-width: 719px)").matches;
  root.classList.toggle("one-per-screen", toggle.checked);
  toggle.addEventListener("change", function () { root.classList.toggle("one-per-screen", toggle.checked); show(current); });
  root.addEventListener("click", function (event) {
    if (event.target.classList.contains("next")) show(current + 1);
    if (event.target.classList.contains("prev")) show(current - 1);
  });
  show(0);
})();
