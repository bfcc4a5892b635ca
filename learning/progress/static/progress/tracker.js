/* Lesson tracker: reports honest watching/reading to POST /api/v1/lessons/{id}/progress/.
 * The server decides what is credited; this script only reports, blocks seeking ahead on a first
 * viewing, pauses when the tab is hidden, and asks "还在学习吗？" after a long idle time. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 10000;

  function csrfToken(root) {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function newSessionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function Tracker(root) {
    this.root = root;
    this.kind = root.dataset.kind;
    this.endpoint = root.dataset.endpoint;
    this.duration = parseFloat(root.dataset.duration) || 0;
    this.minReading = parseFloat(root.dataset.minReading) || 0;
    this.furthest = parseFloat(root.dataset.furthest) || 0;
    this.lastPosition = parseFloat(root.dataset.lastPosition) || 0;
    this.completed = root.dataset.completed === "true";
    this.idleMs = (parseInt(root.dataset.idleSeconds, 10) || 600) * 1000;
    this.session = newSessionId();
    this.csrf = csrfToken(root);
    this.lastInteraction = Date.now();
    this.playing = false;
    this.timer = null;
    var texts = root.querySelector("[data-tracker-text]");
    this.texts = texts ? texts.dataset : {};
    this.ui = {
      percent: root.querySelector("[data-tracker-percent]"),
      bar: root.querySelector("[data-tracker-bar]"),
      done: root.querySelector("[data-tracker-done]"),
      message: root.querySelector("[data-tracker-message]"),
      idle: root.querySelector("[data-tracker-idle]"),
      resume: root.querySelector("[data-tracker-continue]"),
      remaining: root.querySelector("[data-tracker-remaining]")
    };
    this.watchInteraction();
    if (this.kind === "video") this.startVideo();
    else this.startArticle();
  }

  Tracker.prototype.send = function (body, keepalive) {
    var self = this;
    body.playback_session = this.session;
    function post() {
      var options = {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "X-CSRFToken": self.csrf, "Accept": "application/json" },
        body: JSON.stringify(body)
      };
      // A hung request must not hold back the ones queued behind it.
      if (window.AbortSignal && AbortSignal.timeout) options.signal = AbortSignal.timeout(15000);
      return fetch(self.endpoint, options).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (data) {
        self.show(data);
        return data;
      }).catch(function () {
        self.say(self.texts.offline);
      });
    }
    // The server credits the span between consecutive reports, so they must arrive in the order
    // they were made (a seek sends two at once). A page being closed sends at once.
    if (keepalive) return post();
    this.queue = (this.queue || Promise.resolve()).then(post);
    return this.queue;
  };

  Tracker.prototype.show = function (data) {
    var percent = Math.min(100, Math.floor((data.watched_ratio || 0) * 100));
    if (this.ui.percent) this.ui.percent.textContent = String(percent);
    if (this.ui.bar) this.ui.bar.style.width = percent + "%";
    if (data.completed && !this.completed) {
      this.completed = true;
      this.say(this.texts.done);
    }
    if (this.ui.done) this.ui.done.hidden = !data.completed;
    this.showRemaining(data);
  };

  // Articles: “还需阅读 1 分 20 秒”, the required reading time less what the server credited.
  Tracker.prototype.showRemaining = function (data) {
    var el = this.ui.remaining;
    if (!el || typeof data.credited_seconds !== "number") return;
    var left = Math.max(0, Math.ceil(this.minReading - data.credited_seconds));
    if (data.completed || !left) { el.hidden = true; return; }
    var m = Math.floor(left / 60), s = left % 60;
    var time = m ? el.dataset.minSec.replace("%(m)s", m).replace("%(s)s", s) : el.dataset.sec.replace("%(s)s", s);
    el.textContent = el.dataset.template.replace("%(time)s", time);
  };

  Tracker.prototype.say = function (text) {
    if (text && this.ui.message) this.ui.message.textContent = text;
  };

  Tracker.prototype.watchInteraction = function () {
    var self = this;
    ["pointerdown", "keydown", "touchstart", "wheel", "scroll", "mousemove"].forEach(function (name) {
      window.addEventListener(name, function () { self.lastInteraction = Date.now(); }, { passive: true });
    });
    if (this.ui.resume) {
      this.ui.resume.addEventListener("click", function () {
        self.lastInteraction = Date.now();
        self.ui.idle.hidden = true;
        if (self.video) self.video.play();
      });
    }
  };

  Tracker.prototype.isIdle = function () {
    return Date.now() - this.lastInteraction > this.idleMs;
  };

  Tracker.prototype.askIfStillHere = function () {
    if (this.ui.idle) this.ui.idle.hidden = false;
  };

  /* ---- video ---- */

  Tracker.prototype.startVideo = function () {
    var scope = this.root.closest("article, main") || document;
    var video =
      scope.querySelector("video[data-video-player]") ||
      scope.querySelector("[data-dangke-player] video") ||
      scope.querySelector("video");
    if (!video) return;
    this.video = video;
    var self = this;
    var lastTime = 0;

    if (this.lastPosition > 1) {
      var resume = function () {
        if (video.currentTime < 1 && self.lastPosition < (video.duration || self.duration) - 5) {
          video.currentTime = self.lastPosition;
        }
      };
      if (video.readyState >= 1) resume();
      else video.addEventListener("loadedmetadata", resume, { once: true });
    }

    function onPlay() {
      if (self.playing) return;
      if (self.isIdle()) self.lastInteraction = Date.now();
      self.playing = true;
      lastTime = video.currentTime;
      self.send({ event: "play", position: video.currentTime });
      clearInterval(self.timer);
      self.timer = setInterval(function () {
        if (self.isIdle()) {
          video.pause();
          self.askIfStillHere();
          return;
        }
        self.send({ event: "heartbeat", position: video.currentTime });
      }, HEARTBEAT_MS);
    }
    function onPause() {
      if (!self.playing) return;
      self.playing = false;
      clearInterval(self.timer);
      self.send({ event: "pause", position: video.currentTime });
    }
    function onEnded() {
      self.playing = false;
      clearInterval(self.timer);
      self.send({ event: "ended", position: video.currentTime });
    }
    function onTimeUpdate() {
      var now = video.currentTime;
      // Only continuous playback moves the furthest point; a jump is a seek.
      if (self.playing && now > self.furthest && now - lastTime < 2.5) self.furthest = now;
      lastTime = now;
    }
    function onSeeking() {
      // Report what was played up to the jump first, so a seek never loses the seconds since the
      // last heartbeat (the server then re-anchors at the new position on "seeked").
      if (self.playing && lastTime > 0) self.send({ event: "heartbeat", position: lastTime });
      if (!self.completed && video.currentTime > self.furthest + 2) {
        video.currentTime = self.furthest;
        self.say(self.texts.seekBlocked);
      }
    }
    function onSeeked() {
      lastTime = video.currentTime;
      // Re-anchor the server at the new position so the next heartbeat measures from here.
      if (self.playing) self.send({ event: "play", position: video.currentTime });
    }

    [["play", onPlay], ["pause", onPause], ["ended", onEnded], ["timeupdate", onTimeUpdate]].forEach(function (pair) {
      video.addEventListener(pair[0], pair[1]);
      video.addEventListener("dangke:" + pair[0], pair[1]);
    });
    video.addEventListener("playing", onPlay);
    video.addEventListener("seeking", onSeeking);
    video.addEventListener("seeked", onSeeked);

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && !video.paused) video.pause();
    });
    window.addEventListener("pagehide", function () {
      if (self.playing) {
        self.playing = false;
        clearInterval(self.timer);
        self.send({ event: "pause", position: video.currentTime }, true);
      }
    });
  };

  /* ---- article ---- */

  Tracker.prototype.startArticle = function () {
    var self = this;
    var idleShown = false;
    function visible() { return document.visibilityState === "visible"; }
    function active() { return visible() && !self.isIdle(); }
    self.send({ event: "play", active: active() });
    self.timer = setInterval(function () {
      if (self.completed) { clearInterval(self.timer); return; }
      var isActive = active();
      if (visible() && self.isIdle() && !idleShown) {
        idleShown = true;
        self.askIfStillHere();
      }
      if (!self.isIdle()) idleShown = false;
      self.send({ event: "heartbeat", active: isActive });
    }, HEARTBEAT_MS);
    document.addEventListener("visibilitychange", function () {
      if (!visible()) self.send({ event: "pause", active: false });
      else self.lastInteraction = Date.now();
    });
  };

  function init() {
    var roots = document.querySelectorAll("[data-lesson-tracker]");
    for (var i = 0; i < roots.length; i++) {
      if (!roots[i].dataset.trackerReady) {
        roots[i].dataset.trackerReady = "1";
        new Tracker(roots[i]);
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
