// Bastion page behaviour. No inline scripts (the CSP forbids them): everything hooks data attributes.
(function () {
  "use strict";
  // Confirm before submitting forms that change state: <form data-confirm="确认要…吗？">
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  // Column choice (显隐列), remembered per browser.
  function applyColumns() {
    var hidden = {};
    try { hidden = JSON.parse(localStorage.getItem("bastion.people.hidden") || "{}"); } catch (_) { hidden = {}; }
    document.querySelectorAll("[data-col-toggle]").forEach(function (box) {
      var col = box.getAttribute("data-col-toggle");
      box.checked = !hidden[col];
      document.querySelectorAll('[data-col="' + col + '"]').forEach(function (cell) { cell.hidden = !!hidden[col]; });
    });
    return hidden;
  }
  document.addEventListener("change", function (e) {
    var col = e.target.getAttribute && e.target.getAttribute("data-col-toggle");
    if (!col) return;
    var show = e.target.checked;
    var hidden = {};
    try { hidden = JSON.parse(localStorage.getItem("bastion.people.hidden") || "{}"); } catch (_) { hidden = {}; }
    hidden[col] = !show;
    localStorage.setItem("bastion.people.hidden", JSON.stringify(hidden));
    applyColumns();
  });

  // Unit tree filter.
  document.addEventListener("input", function (e) {
    if (!e.target.classList || !e.target.classList.contains("tree-filter")) return;
    var q = e.target.value.trim();
    e.target.parentNode.querySelectorAll(".tree li").forEach(function (li) {
      li.hidden = q !== "" && li.textContent.indexOf(q) < 0;
    });
  });

  // Phone menu: a real button that opens and closes the side menu; a tap outside closes it.
  function setNav(open) {
    document.body.classList.toggle("nav-open", open);
    document.querySelectorAll(".burger").forEach(function (b) { b.setAttribute("aria-expanded", open ? "true" : "false"); });
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest(".burger")) { setNav(!document.body.classList.contains("nav-open")); return; }
    if (document.body.classList.contains("nav-open") && !(e.target.closest && e.target.closest(".sidebar"))) setNav(false);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") setNav(false); });

  document.addEventListener("DOMContentLoaded", function () {
    applyColumns();
    // On phones the tree starts folded so the list is what the officer sees first.
    if (window.innerWidth < 1100) document.querySelectorAll("details.tree-box").forEach(function (d) { d.open = false; });
  });
})();

// publicity: a small rich-text editor over the article body textarea (the server sanitises
// whatever arrives; without script the plain textarea still works).
(function () {
  "use strict";
  document.querySelectorAll(".pub-editor-bar[data-editor-for]").forEach(function (bar) {
    var area = document.getElementById(bar.getAttribute("data-editor-for"));
    if (!area || !document.execCommand) return;
    var ed = document.createElement("div");
    ed.className = "pub-editor";
    ed.contentEditable = "true";
    ed.setAttribute("role", "textbox");
    ed.setAttribute("aria-multiline", "true");
    ed.setAttribute("aria-label", (document.querySelector('label[for="' + area.id + '"]') || {}).textContent || "正文");
    ed.innerHTML = area.value;
    area.hidden = true;
    area.removeAttribute("required");
    area.parentNode.insertBefore(ed, area);
    bar.hidden = false;
    var sync = function () { area.value = ed.innerHTML; };
    ed.addEventListener("input", sync);
    area.form && area.form.addEventListener("submit", sync);
    bar.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-cmd]");
      if (!b) return;
      ed.focus();
      var cmd = b.getAttribute("data-cmd");
      if (cmd === "insertImage") {
        var n = window.prompt("图片编号（先在“图片”中上传）");
        if (n && /^\d+$/.test(n.trim())) document.execCommand("insertImage", false, "/news/images/" + n.trim() + ".jpg");
      } else {
        document.execCommand(cmd, false, b.getAttribute("data-arg"));
      }
      sync();
    });
  });
})();

// Any page: a button marked data-print prints the page (its print styles hide the menus).
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) window.print();
});
