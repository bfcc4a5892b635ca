/* The 自我评价 saved as it is typed, the approach of the exam page (quizzes/attempt.js): a short
   pause after typing sends the text (PUT), a failure keeps it in localStorage and it is sent when
   the network returns or the page is opened again; the status line says which. */
(function () {
  "use strict";
  var root = document.getElementById("self-assessment");
  if (!root) return;
  var T = window.APPRAISAL_TEXT || {};
  var text = document.getElementById("self-text");
  var statusEl = document.getElementById("save-status");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var key = root.dataset.key;
  var timer = null;
  var sending = false;
  var again = false;

  function show(msg, cls) { statusEl.textContent = msg; statusEl.className = "save-status " + (cls || ""); }
  function keep(value) { try { localStorage.setItem(key, value); } catch (e) { /* storage disabled */ } }
  function forget() { try { localStorage.removeItem(key); } catch (e) { /* storage disabled */ } }

  function send() {
    if (sending) { again = true; return; }
    sending = true;
    var value = text.value;
    keep(value);
    show(T.saving);
    fetch(root.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({text: value})
    }).then(function (response) {
      if (response.ok) {
        if (text.value === value) forget();
        show(T.saved, "saved");
      } else {
        return response.json().then(function (body) { show(body.detail || T.failed, "failed"); });
      }
    }).catch(function () {
      show(T.pending, "pending");
    }).then(function () {
      sending = false;
      if (again) { again = false; send(); }
    });
  }

  var stored = null;
  try { stored = localStorage.getItem(key); } catch (e) { stored = null; }
  if (stored !== null && stored !== text.value) { text.value = stored; send(); }
  text.addEventListener("input", function () {
    keep(text.value);
    clearTimeout(timer);
    timer = setTimeout(send, 800);
  });
  window.addEventListener("online", function () {
    var waiting = null;
    try { waiting = localStorage.getItem(key); } catch (e) { waiting = null; }
    if (waiting !== null) send();
  });
})();
