/*
 * Dangke lesson player (templates/media_pipeline/includes/player.html).
 *
 * Source order: native HLS (Safari, iOS, most Android browsers) → hls.js (loaded on demand) →
 * the MP4 fallback. The position is remembered in localStorage per video.
 *
 * Hooks for other scripts (e.g. watch-progress tracking). Every event is a CustomEvent dispatched
 * on the <video> element, bubbling, with detail {videoId, position, duration, playbackRate,
 * source, paused}:
 *   dangke:ready       a source is attached ("native-hls" | "hls.js" | "mp4" in detail.source)
 *   dangke:play        playback started or resumed
 *   dangke:pause       playback paused (not fired for the pause that precedes "ended")
 *   dangke:timeupdate  position moved while playing (about once a second)
 *   dangke:seeked      the user jumped to detail.position (detail.from is where they were)
 *   dangke:ratechange  playback rate changed
 *   dangke:ended       played to the end
 *   dangke:error       the video cannot be played (detail.message)
 * Each <video> also gets `dangkePlayer` = {videoId, source, play(), pause(), seek(seconds),
 * position(), duration()}, and window.DangkePlayer.players lists them. Listen with e.g.
 *   document.addEventListener("dangke:timeupdate", function (e) { ... e.detail.position ... });
 */
(function () {
  "use strict";

  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var STORAGE_PREFIX = "dangke:video-position:";
  var registry = (window.DangkePlayer = window.DangkePlayer || { players: [] });
  var hlsScriptPromise = null;

  function loadHlsJs(url) {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsScriptPromise) {
      hlsScriptPromise = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = url;
        tag.async = true;
        tag.onload = function () { resolve(window.Hls); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return hlsScriptPromise;
  }

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: no memory */ }
  }
  function storageRemove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function formatTime(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function setup(figure) {
    if (figure.getAttribute("data-dangke-ready")) return;
    figure.setAttribute("data-dangke-ready", "1");
    var video = figure.querySelector("video");
    var videoId = video.getAttribute("data-video-id");
    var hlsSrc = video.getAttribute("data-hls-src");
    var mp4Src = video.getAttribute("data-mp4-src");
    var storageKey = STORAGE_PREFIX + videoId;
    var texts = {
      resume: figure.getAttribute("data-text-resume") || "",
      error: figure.getAttribute("data-text-error") || "",
    };
    var state = { source: null, hls: null, lastPosition: 0, lastTick: 0, ended: false };

    function detail(extra) {
      var d = {
        videoId: videoId,
        position: video.currentTime || 0,
        duration: isFinite(video.duration) ? video.duration : parseFloat(video.getAttribute("data-duration")) || null,
        playbackRate: video.playbackRate,
        source: state.source,
        paused: video.paused,
      };
      if (extra) for (var k in extra) d[k] = extra[k];
      return d;
    }
    function emit(name, extra) {
      video.dispatchEvent(new CustomEvent("dangke:" + name, { bubbles: true, detail: detail(extra) }));
    }
    function showMessage(text) {
      var box = figure.querySelector("[data-dangke-message]");
      if (box && text) { box.textContent = text; box.hidden = false; }
    }

    function useMp4() {
      if (state.hls) { state.hls.destroy(); state.hls = null; }
      if (!mp4Src) { showMessage(texts.error); emit("error", { message: "no playable source" }); return; }
      state.source = "mp4";
      video.src = mp4Src;
      emit("ready");
    }

    function attach() {
      if (video.canPlayType(HLS_TYPE)) {
        state.source = "native-hls";
        video.src = hlsSrc;
        emit("ready");
        return;
      }
      loadHlsJs(video.getAttribute("data-hls-script")).then(function (Hls) {
        if (!Hls || !Hls.isSupported()) { useMp4(); return; }
        var hls = new Hls({ capLevelToPlayerSize: true, startLevel: -1 });
        state.hls = hls;
        state.source = "hls.js";
        var recoveredMedia = false;
        hls.on(Hls.Events.ERROR, function (event, data) {
          if (!data.fatal) return;
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
            recoveredMedia = true;
            hls.recoverMediaError();
          } else {
            useMp4();
          }
        });
        hls.loadSource(hlsSrc);
        hls.attachMedia(video);
        emit("ready");
      }, useMp4);
    }

    // Resume where this browser left off, unless that was (nearly) the end.
    video.addEventListener("loadedmetadata", function () {
      var saved = parseFloat(storageGet(storageKey));
      // Near the end counts as finished: start over instead of resuming into the credits.
      var tail = isFinite(video.duration) ? Math.min(5, video.duration * 0.1) : 0;
      if (saved > 1 && (!isFinite(video.duration) || saved < video.duration - tail)) {
        video.currentTime = saved;
        state.lastPosition = saved;
        var resume = figure.querySelector("[data-dangke-resume]");
        if (resume) {
          resume.querySelector("[data-dangke-resume-text]").textContent = texts.resume + formatTime(saved);
          resume.hidden = false;
        }
      }
    }, { once: true });

    var restart = figure.querySelector("[data-dangke-restart]");
    if (restart) {
      restart.addEventListener("click", function () {
        video.currentTime = 0;
        storageRemove(storageKey);
        restart.parentNode.hidden = true;
      });
    }

    video.addEventListener("play", function () { state.ended = false; emit("play"); });
    video.addEventListener("pause", function () {
      storageSet(storageKey, String(video.currentTime));
      // Browsers pause right before "ended"; report only real pauses.
      if (!video.ended) emit("pause");
    });
    video.addEventListener("seeking", function () { state.seekFrom = state.lastPosition; });
    video.addEventListener("seeked", function () {
      emit("seeked", { from: state.seekFrom || 0 });
      state.lastPosition = video.currentTime;
    });
    video.addEventListener("ratechange", function () { emit("ratechange"); });
    video.addEventListener("timeupdate", function () {
      if (video.seeking) return;
      state.lastPosition = video.currentTime;
      var now = Date.now();
      if (now - state.lastTick < 1000) return;
      state.lastTick = now;
      storageSet(storageKey, String(video.currentTime));
      if (!video.paused) emit("timeupdate");
    });
    video.addEventListener("ended", function () {
      state.ended = true;
      storageRemove(storageKey);
      emit("ended");
    });
    video.addEventListener("error", function () {
      // A native-HLS failure gets one more chance with the MP4.
      if (state.source === "native-hls") { useMp4(); return; }
      if (state.source === "mp4") { showMessage(texts.error); emit("error", { message: "media error" }); }
    });
    window.addEventListener("pagehide", function () {
      if (!video.ended && video.currentTime > 0) storageSet(storageKey, String(video.currentTime));
    });

    video.dangkePlayer = {
      videoId: videoId,
      get source() { return state.source; },
      play: function () { return video.play(); },
      pause: function () { video.pause(); },
      seek: function (seconds) { video.currentTime = seconds; },
      position: function () { return video.currentTime || 0; },
      duration: function () { return isFinite(video.duration) ? video.duration : null; },
    };
    registry.players.push(video);
    attach();
  }

  // "视频处理中": follow the encoding progress for signed-in users, reload when it is playable.
  function followPending(box) {
    if (box.getAttribute("data-dangke-ready")) return;
    box.setAttribute("data-dangke-ready", "1");
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("[data-dangke-progress]");
    var text = box.querySelector("[data-dangke-progress-text]");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return; // anonymous or not allowed: the note asks to refresh later
          if (data.status === "ready") { window.location.reload(); return; }
          if (data.status === "failed") return;
          if (bar) bar.value = data.progress;
          if (text) text.textContent = data.progress + "%";
          window.setTimeout(poll, 5000);
        })
        .catch(function () { window.setTimeout(poll, 15000); });
    }
    window.setTimeout(poll, 5000);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-dangke-player]"), setup);
    Array.prototype.forEach.call(document.querySelectorAll("[data-dangke-player-pending]"), followPending);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
