// 指挥大屏: follows the live feed (SSE) and swaps in the new figures; when the link drops it keeps
// the last figures and says since when it is disconnected. The big screen scales its 1920×1080
// stage to the window.
(function () {
  "use strict";
  // Trends over the operation, drawn by the bundled ECharts from the page's data block.
  var data = document.getElementById("dash-trends");
  if (data && window.echarts) {
    var trends = JSON.parse(data.textContent);
    var calm = document.body.classList.contains("still") ||
      (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var mine = trends.series.filter(function (s) { return s.chart === el.getAttribute("data-chart"); });
      if (!mine.length) { el.hidden = true; return; }
      var known = mine.some(function (s) { return s.values.some(function (v) { return v !== null; }); });
      if (!known) { el.classList.add("dash-chart-empty"); el.textContent = el.getAttribute("data-empty"); return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: !calm,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 36, bottom: 28, containLabel: true },
        xAxis: { type: "category", data: trends.days.map(function (d) { return d.slice(5); }) },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
        series: mine.map(function (s) {
          return { name: s.name, type: s.kind, yAxisIndex: s.axis, data: s.values, connectNulls: false, showSymbol: s.values.length < 20 };
        }),
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-drawn", "1");
    });
  }
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
