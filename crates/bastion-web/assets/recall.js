// Recall pages: the board follows its event stream (SSE) and reloads its live part when the
// order changes; the link page can fill the post field with the phone's location.
(function () {
  "use strict";
  function refresh(box) {
    fetch(box.getAttribute("data-live"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("recall-live");
    if (box && window.EventSource) {
      var es = new EventSource(box.getAttribute("data-events"));
      es.addEventListener("board", function () { refresh(box); });
      es.addEventListener("open", function () { box.setAttribute("data-connected", "1"); });
    }
    document.querySelectorAll("[data-geo]").forEach(function (btn) {
      if (!navigator.geolocation) { btn.hidden = true; return; }
      btn.addEventListener("click", function () {
        var input = document.getElementById(btn.getAttribute("data-geo"));
        navigator.geolocation.getCurrentPosition(function (p) {
          input.value = "GPS " + p.coords.latitude.toFixed(5) + "," + p.coords.longitude.toFixed(5);
        }, function () { btn.textContent = "无法获取位置"; }, { timeout: 8000 });
      });
    });
  });
})();
