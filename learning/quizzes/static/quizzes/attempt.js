/* Taking an attempt: autosave each answer as given, a countdown from the server's remaining time,
   answers kept in localStorage while offline and sent when the network returns, and 切屏检测:
   every time the page is hidden it is reported once, a reload of this page excepted (see
   docs/exams.md); the 答题卡 (answered / unanswered / flagged, jump to any question), 标记 per
   question and the question the trainee was on are kept in this browser and survive a reload. */
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

  // 标记 (flag for review): kept in this browser per attempt, like the answers waiting to be sent.
  var flagKey = storeKey + "-flags";
  function flags() {
    try { return JSON.parse(localStorage.getItem(flagKey) || "[]").map(String); } catch (e) { return []; }
  }
  function setFlags(list) {
    try {
      if (list.length) localStorage.setItem(flagKey, JSON.stringify(list));
      else localStorage.removeItem(flagKey);
    } catch (e) { /* storage disabled: the flag lasts until the page is left */ }
  }

  function updateAnswered() {
    var done = 0, total = state.questions.length;
    var flagged = flags();
    state.questions.forEach(function (q) {
      var answered = readAnswer(section(q.id)) !== null;
      if (answered) done += 1;
      var item = document.querySelector('.sheet-item[data-goto="' + q.id + '"]');
      if (item) {
        var isFlagged = flagged.indexOf(String(q.id)) >= 0;
        item.classList.toggle("answered", answered);
        item.classList.toggle("unanswered", !answered);
        item.classList.toggle("flagged", isFlagged);
        item.dataset.state = (answered ? "answered" : "unanswered") + (isFlagged ? " flagged" : "");
        // The squares' colours said aloud: "第 3 题，已答，已标记".
        if (T.sheetItem) {
          item.setAttribute("aria-label", [
            T.sheetItem.replace("%(n)s", item.textContent.trim()),
            answered ? T.stateAnswered : T.stateUnanswered
          ].concat(isFlagged ? [T.stateFlagged] : []).join("，"));
        }
      }
      var button = root.querySelector('[data-flag="' + q.id + '"]');
      if (button) {
        var on = flagged.indexOf(String(q.id)) >= 0;
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.textContent = on ? T.unflag : T.flag;
      }
    });
    var el = document.getElementById("answered");
    if (el) el.textContent = (T.answered || "%(done)s / %(total)s").replace("%(done)s", done).replace("%(total)s", total);
    var summary = document.getElementById("sheet-summary");
    if (summary) {
      summary.textContent = (T.sheet || "").replace("%(done)s", done).replace("%(total)s", total)
        .replace("%(flagged)s", flagged.length);
    }
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

  function forgetPlace() {
    try { localStorage.removeItem(storeKey + "-flags"); localStorage.removeItem(storeKey + "-at"); } catch (e) { /* ignore */ }
  }

  function markClosed(message) {
    closed = true;
    leaving = true;
    setPending({});
    forgetPlace();
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
      if (resp.ok || resp.status === 404) { leaving = true; setPending({}); forgetPlace(); window.location.href = root.dataset.resultUrl; }
      else setOnline(false);
    }).catch(function () { setOnline(false); });
  }

  var submitButton = document.getElementById("submit-attempt");
  document.querySelectorAll(".submit-attempt").forEach(function (button) {
    button.addEventListener("click", function () {
      var unanswered = updateAnswered();
      var d = submitButton.dataset;
      var message = unanswered ? d.confirmUnanswered : (flags().length ? d.confirmFlagged : d.confirm);
      if (window.confirm(message)) submit();
    });
  });

  // Countdown from the server's remaining time; the server enforces the deadline regardless.
  // A screen reader hears the time left at 10 and 5 minutes (polite) and at 1 minute (assertive),
  // each once, and only when that moment comes while the page is open (not every second).
  var countdown = document.getElementById("countdown");
  var TIME_NOTICES = [600, 300, 60];
  if (countdown && state.remaining !== null) {
    var endsAt = Date.now() + state.remaining * 1000;
    var noticed = TIME_NOTICES.filter(function (at) { return state.remaining <= at; });
    var notice = function (left) {
      TIME_NOTICES.forEach(function (at) {
        if (left > at || noticed.indexOf(at) >= 0) return;
        noticed.push(at);
        if (at === 60) document.getElementById("timer-alert").textContent = T.lastMinute || "";
        else document.getElementById("timer-notice").textContent = (T.minutesLeft || "").replace("%(n)s", at / 60);
      });
    };
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      notice(left);
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

  // 切屏检测. Each time the page is hidden (another app or tab, the screen locked, the page closed
  // or left for another address) one event with its own id is queued in localStorage and reported
  // in order; the server counts an id once, so resending after a network drop never counts twice.
  // A reload of this page is no departure: when the page is being unloaded (pagehide) the event is
  // only kept here, marked `unload`, and the next load of this page decides — a reload drops it,
  // any other arrival (back from another page, the exam reopened) reports it. An unload never
  // followed by this page coming back is never reported; the attempt ends at its deadline anyway.
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
  // A departure queued this long before pagehide is the same one (browsers that hide first).
  var UNLOAD_WINDOW_MS = 1000;

  function focusQueue() {
    try { return JSON.parse(localStorage.getItem(focusKey) || "[]"); } catch (e) { return []; }
  }
  function setFocusQueue(list) {
    try {
      if (list.length) localStorage.setItem(focusKey, JSON.stringify(list));
      else localStorage.removeItem(focusKey);
    } catch (e) { /* storage disabled: the report in flight still counts */ }
  }
  function reportable() { return focusQueue().filter(function (e) { return !e.unload; }); }
  function newEventId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function fill(text, n) {
    return (text || "").replace(/%\(n\)s/g, n).replace(/%\(max\)s/g, focusMax);
  }
  function shownCount() { return focusCount + reportable().length; }
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
    var queue = reportable();
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

  function onLeave(unload) {
    if (closed || leaving) return;
    var queue = focusQueue();
    queue.push({ id: newEventId(), at: new Date().toISOString(), t: Date.now(), unload: !!unload });
    setFocusQueue(queue);
    warnOnReturn = true;
    renderFocus();
    // Sent on the next turn: a pagehide right behind this (a reload) can still hold it back.
    if (!unload) setTimeout(flushFocus, 0);
  }

  // Unload events become departures when this page comes back other than by a reload.
  function settleUnloads(reloaded) {
    var queue = focusQueue();
    if (!queue.some(function (e) { return e.unload; })) return;
    setFocusQueue(reloaded
      ? queue.filter(function (e) { return !e.unload; })
      : queue.map(function (e) { delete e.unload; return e; }));
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (!unloading) onLeave(false);
    } else {
      showFocusWarning();
      flushFocus();
    }
  });
  // Reloading, closing or navigating away: pagehide comes before the page turns hidden in some
  // browsers and after it in others. Either way the departure is held back as an `unload`.
  window.addEventListener("pagehide", function () {
    if (document.visibilityState === "visible") {
      onLeave(true);
    } else {
      var queue = focusQueue();
      var last = queue[queue.length - 1];
      if (last && !last.unload && Date.now() - (last.t || 0) < UNLOAD_WINDOW_MS) {
        last.unload = true;
        setFocusQueue(queue);
      }
    }
    unloading = true;
  });
  window.addEventListener("pageshow", function (event) {
    // Back from the back/forward cache: the page was left for another one — a departure.
    if (event.persisted) {
      unloading = false;
      settleUnloads(false);
      warnOnReturn = true;
      renderFocus();
      showFocusWarning();
      flushFocus();
    }
  });
  window.addEventListener("online", flushFocus);
  setInterval(flushFocus, 15000);
  document.getElementById("focus-warning-ok").addEventListener("click", function () {
    focusWarning.hidden = true;
  });
  var navigation = (window.performance && performance.getEntriesByType)
    ? performance.getEntriesByType("navigation")[0] : null;
  settleUnloads(!!navigation && navigation.type === "reload");
  // Departures left from before (closed, left for another page, offline) are sent now.
  if (reportable().length) warnOnReturn = true;
  renderFocus();
  showFocusWarning();
  flushFocus();

  // One question per screen (phones) or the whole list; the 答题卡 jumps to any question, and the
  // question the trainee was on is where a reload reopens.
  var toggle = document.getElementById("one-per-screen");
  var sheet = document.getElementById("answer-sheet");
  var header = document.getElementById("exam-header");
  var sections = Array.prototype.slice.call(root.querySelectorAll("[data-question]"));
  var atKey = storeKey + "-at";
  var current = 0;
  var wide = window.matchMedia("(min-width: 720px)");
  function remember() {
    try { localStorage.setItem(atKey, sections[current].dataset.question); } catch (e) { /* ignore */ }
  }
  function markCurrent() {
    var qid = sections[current].dataset.question;
    document.querySelectorAll(".sheet-item[data-goto]").forEach(function (item) {
      var here = item.dataset.goto === qid;
      item.classList.toggle("current", here);
      if (here) item.setAttribute("aria-current", "step"); else item.removeAttribute("aria-current");
    });
  }
  function scrollToSection(sec) {
    var offset = header ? header.getBoundingClientRect().height : 0;
    window.scrollTo(0, window.pageYOffset + sec.getBoundingClientRect().top - offset - 8);
  }
  var jumpedAt = 0;
  function show(n, scroll) {
    if (scroll !== false) jumpedAt = Date.now();
    current = Math.max(0, Math.min(sections.length - 1, n));
    sections.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    markCurrent();
    remember();
    if (scroll !== false) scrollToSection(sections[current]);
  }
  // Moving to a question (上一题/下一题, the 答题卡): focus goes to its heading, and where it is in
  // the exam is announced — "第 3 题，共 27 题".
  var positionEl = document.getElementById("question-position");
  function go(n) {
    show(n);
    var heading = sections[current].querySelector(".question-stem");
    if (heading) heading.focus({ preventScroll: true });
    if (positionEl && T.position) {
      positionEl.textContent = T.position.replace("%(n)s", current + 1).replace("%(total)s", sections.length);
    }
  }
  toggle.checked = !wide.matches;
  root.classList.toggle("one-per-screen", toggle.checked);
  if (sheet) sheet.open = wide.matches;
  toggle.addEventListener("change", function () { root.classList.toggle("one-per-screen", toggle.checked); show(current); });
  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("next")) go(current + 1);
    if (target.classList.contains("prev")) go(current - 1);
    var goto = target.closest("[data-goto]");
    if (goto) {
      go(sections.indexOf(section(goto.dataset.goto)));
      // On a phone the sheet covers the question: fold it away after the jump.
      if (sheet && !wide.matches) sheet.open = false;
    }
    var flag = target.closest("[data-flag]");
    if (flag) {
      var list = flags();
      var id = flag.dataset.flag;
      var at = list.indexOf(id);
      if (at >= 0) list.splice(at, 1); else list.push(id);
      setFlags(list);
      updateAnswered();
    }
  });
  // In the whole list, the question at the top of the screen is the current one.
  var scrollTimer = null;
  window.addEventListener("scroll", function () {
    if (toggle.checked) return;
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(function () {
      if (Date.now() - jumpedAt < 600) return;  // our own jump, not the trainee scrolling
      var offset = (header ? header.getBoundingClientRect().height : 0) + 16;
      for (var i = 0; i < sections.length; i += 1) {
        if (sections[i].getBoundingClientRect().bottom > offset) {
          if (i !== current) show(i, false);
          break;
        }
      }
    }, 150);
  }, { passive: true });
  root.addEventListener("focusin", function (event) {
    var sec = event.target.closest("[data-question]");
    if (sec && sections.indexOf(sec) !== current) show(sections.indexOf(sec), false);
  });
  var savedAt = null;
  try { savedAt = localStorage.getItem(atKey); } catch (e) { /* ignore */ }
  var start = savedAt ? sections.indexOf(section(savedAt)) : -1;
  updateAnswered();
  show(start > 0 ? start : 0, start > 0);
})();
