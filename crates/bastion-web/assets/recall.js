// Recall pages: the board follows its event stream (SSE) and reloads its live part when the
// order changes; the order form shows the fields of the chosen scope; the link page can fill the post field with the phone's location.
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
    // The order form shows only the fields of the chosen scope; hidden ones are not sent.
    var scope = document.querySelector("[data-scope-select]");
    if (scope) {
      var apply = function () {
        document.querySelectorAll("[data-scope-for]").forEach(function (el) {
          var on = el.getAttribute("data-scope-for").split(" ").indexOf(scope.value) >= 0;
          el.hidden = !on;
          el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !on; });
        });
      };
      scope.addEventListener("change", apply);
      apply();
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
