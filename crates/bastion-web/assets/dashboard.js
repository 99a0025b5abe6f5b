// 指挥大屏: follows the live feed (SSE) and swaps in the new figures; when the link drops it keeps
// the last figures and says since when it is disconnected. The big screen scales its 1920×1080
// stage to the window.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) return;
  var box = document.getElementById("dash-sections");
  var lost = document.querySelector(".dash-lost");
  var lostAt = document.querySelector("[data-lost-at]");
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var clock = function (d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); };
  if (window.EventSource) {
    var es = new EventSource(root.getAttribute("data-live"));
    es.addEventListener("open", function () { lost.hidden = true; root.setAttribute("data-connected", "1"); });
    es.addEventListener("error", function () {
      if (lost.hidden) { lostAt.textContent = clock(new Date()); lost.hidden = false; }
      root.removeAttribute("data-connected");
    });
    es.addEventListener("sections", function (e) {
      box.innerHTML = e.data;
      if (!document.body.classList.contains("still")) {
        box.classList.remove("fresh");
        void box.offsetWidth;
        box.classList.add("fresh");
      }
    });
  }
  var stage = document.querySelector(".dash-stage");
  if (stage) {
    var fit = function () {
      var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
      stage.style.transform = "scale(" + s + ")";
    };
    window.addEventListener("resize", fit);
    fit();
    var c = document.querySelector("[data-clock]");
    var tick = function () { c.textContent = clock(new Date()); };
    tick();
    setInterval(tick, 1000);
  }
})();
