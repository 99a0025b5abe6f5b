// 值班看板: follows the board's live feed (SSE) and swaps in the new shifts table; when the link
// drops it keeps the last table and says since when it is disconnected (the browser reconnects).
(function () {
  "use strict";
  var root = document.querySelector("[data-board-live]");
  if (!root || !window.EventSource) return;
  var lost = root.querySelector("[data-testid=disconnected]");
  var lostAt = root.querySelector("[data-lost-at]");
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var es = new EventSource(root.getAttribute("data-board-live"));
  es.addEventListener("open", function () { lost.hidden = true; root.setAttribute("data-connected", "1"); });
  es.addEventListener("error", function () {
    if (lost.hidden) {
      var d = new Date();
      lostAt.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
      lost.hidden = false;
    }
    root.removeAttribute("data-connected");
  });
  es.addEventListener("board", function (e) {
    var old = document.getElementById("duty-board");
    if (!old) return;
    old.outerHTML = e.data;
  });
})();
