// Public news site (publicity): refresh the article's live view count every 10 seconds.
(function () {
  "use strict";
  var el = document.querySelector("[data-views]");
  var m = location.pathname.match(/^\/news\/(\d+)$/);
  if (!el || !m || !window.fetch) return;
  setInterval(function () {
    fetch("/news/" + m[1] + "/views", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.views > Number(el.textContent)) el.textContent = j.views; })
      .catch(function () {});
  }, 10000);
})();
