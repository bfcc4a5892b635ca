// Video detail page in the admin: poll the status API while the video is queued or processing.
(function () {
  "use strict";
  var box = document.querySelector("[data-video-status]");
  if (!box) return;
  var status = box.getAttribute("data-status");
  if (status !== "queued" && status !== "processing") return;
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("[data-video-progress]");
  var text = box.querySelector("[data-video-progress-text]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.status === "ready" || data.status === "failed") {
          window.location.reload();
          return;
        }
        if (bar) bar.value = data.progress;
        if (text) text.textContent = data.progress + "%";
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
