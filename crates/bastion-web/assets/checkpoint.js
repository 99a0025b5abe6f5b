// Bastion checkpoint entry page. No inline script (CSP): this file drives the officer's
// form. Every entry gets an id minted on the phone and goes into an IndexedDB queue first; it
// leaves the queue only when the server has answered (stored, or stored before: resends never
// duplicate). Offline entries survive reloads and restarts and are sent when the network returns.
(function () {
  "use strict";
  var root = document.getElementById("cp-entry");
  if (!root) return;
  var form = document.getElementById("cp-form");
  var i18n = (document.getElementById("cp-i18n") || { dataset: {} }).dataset;
  var threshold = parseFloat(root.getAttribute("data-threshold")) || 37.3;
  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("cp-status");
  var errorsEl = $("cp-errors");
  var lastDriver = null;
  var sending = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/checkpoints/" }).catch(function () {});
  }

  // ---- remembered values (last checkpoint, origin, destination) ----
  var params = new URLSearchParams(location.search);
  document.querySelectorAll("[data-remember]").forEach(function (el) {
    var key = "bastion.cp." + el.getAttribute("data-remember");
    var saved = localStorage.getItem(key);
    if (saved && !(el.id === "cp-checkpoint" && params.get("checkpoint"))) {
      if (el.tagName === "SELECT") {
        if (Array.prototype.some.call(el.options, function (o) { return o.value === saved; })) el.value = saved;
      } else if (!el.value) {
        el.value = saved;
      }
    }
    el.addEventListener("change", function () { localStorage.setItem(key, el.value); });
  });
  if ($("cp-checkpoint")) localStorage.setItem("bastion.cp.checkpoint", $("cp-checkpoint").value);

  // ---- IndexedDB queue ----
  var dbp = null;
  function db() {
    if (dbp) return dbp;
    dbp = new Promise(function (resolve, reject) {
      var r = indexedDB.open("bastion-checkpoint", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("queue", { keyPath: "id" }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
    return dbp;
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("queue", mode);
        var out = fn(t.objectStore("queue"));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function qPut(rec) { return tx("readwrite", function (s) { s.put(rec); }); }
  function qDel(id) { return tx("readwrite", function (s) { s.delete(id); }); }
  function qAll() { return tx("readonly", function (s) { return s.getAll(); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function maskName(n) { return n ? n.charAt(0) + "**" : ""; }
  // One message at a time: a new status replaces any error shown, and an error replaces the status.
  function say(text, cls) {
    showErrors([]);
    statusEl.textContent = "";
    var s = document.createElement("span");
    s.className = cls || "cp-ok";
    s.textContent = text;
    statusEl.appendChild(s);
  }
  function showErrors(list) {
    errorsEl.textContent = "";
    if (!list || !list.length) { errorsEl.hidden = true; return; }
    list.forEach(function (m) { var p = document.createElement("div"); p.textContent = m; errorsEl.appendChild(p); });
    errorsEl.hidden = false;
  }

  function renderQueue() {
    return qAll().then(function (all) {
      $("cp-queue").hidden = all.length === 0;
      $("cp-queue-n").textContent = String(all.length);
      var ul = $("cp-queue-list");
      ul.textContent = "";
      all.sort(function (a, b) { return a.captured_at - b.captured_at; }).forEach(function (r) {
        var li = document.createElement("li");
        li.textContent = new Date(Number(r.captured_at)).toLocaleTimeString() + " " + maskName(r.name || "") + " " + (r.temp || "") + "℃" + (r.lastError ? " — " + r.lastError : "");
        ul.appendChild(li);
      });
    }).catch(function () {});
  }

  function addRecent(rec, created, fever) {
    var list = [];
    try { list = JSON.parse(localStorage.getItem("bastion.cp.recent") || "[]"); } catch (_) { list = []; }
    list.unshift({ at: Date.now(), name: maskName(rec.name || (rec.pass_code ? "#" + rec.pass_code.slice(-4) : "")), temp: rec.temp, decision: rec.decision, fever: !!fever });
    list = list.slice(0, 10);
    localStorage.setItem("bastion.cp.recent", JSON.stringify(list));
    renderRecent();
  }
  var decisionLabel = {};
  document.querySelectorAll(".cp-decision").forEach(function (b) { decisionLabel[b.value] = b.textContent.trim(); });
  function renderRecent() {
    var list = [];
    try { list = JSON.parse(localStorage.getItem("bastion.cp.recent") || "[]"); } catch (_) { list = []; }
    var ul = $("cp-recent");
    ul.textContent = "";
    list.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = new Date(r.at).toLocaleTimeString() + "  " + r.name + "  " + r.temp + "℃  " + (decisionLabel[r.decision] || r.decision) + (r.fever ? " ⚠" : "");
      ul.appendChild(li);
    });
  }

  // ---- sending ----
  // Resolves to "done" (left the queue), "kept" (still queued: offline or server trouble).
  function send(rec) {
    var body = {};
    Object.keys(rec).forEach(function (k) { if (k !== "lastError") body[k] = rec[k]; });
    return fetch("/api/checkpoints/registrations", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (j) {
        if (resp.status === 200 || resp.status === 201) {
          return qDel(rec.id).then(function () {
            addRecent(rec, resp.status === 201, j.fever_case);
            return { state: "done", created: resp.status === 201, fever: !!j.fever_case };
          });
        }
        var msg = j.message || ("HTTP " + resp.status);
        if (resp.status === 401) {
          rec.lastError = i18n.login;
          return qPut(rec).then(function () { return { state: "kept", error: i18n.login }; });
        }
        if (resp.status >= 500 || resp.status === 429) {
          rec.lastError = msg;
          return qPut(rec).then(function () { return { state: "kept", error: msg }; });
        }
        // Refused for its content (422, 403, 409): it will never pass as is; give it back to the form.
        return qDel(rec.id).then(function () {
          return { state: "refused", error: msg, errors: (j.errors || []).map(function (e) { return e.message; }) };
        });
      });
    }, function () {
      return { state: "offline" };
    });
  }

  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return qAll().then(function (all) {
      all.sort(function (a, b) { return a.captured_at - b.captured_at; });
      var chain = Promise.resolve(true);
      all.forEach(function (rec) {
        chain = chain.then(function (go) {
          if (!go) return false;
          return send(rec).then(function (r) {
            if (r.state === "refused") say((rec.name ? maskName(rec.name) + "：" : "") + r.error, "cp-bad");
            return r.state !== "offline";
          });
        });
      });
      return chain;
    }).catch(function () {}).then(function () { flushing = false; return renderQueue(); });
  }

  function fill(rec) {
    Object.keys(rec).forEach(function (k) {
      var els = form.querySelectorAll('[name="' + k + '"]');
      els.forEach(function (el) {
        if (el.type === "radio") el.checked = el.value === rec[k];
        else if (el.type === "checkbox") el.checked = rec[k] === "1";
        else el.value = rec[k];
      });
    });
    updateTemp();
  }

  function resetForNext() {
    ["cp-doc", "cp-name", "cp-phone", "cp-temp", "cp-temp2", "cp-clinic", "cp-pass", "cp-pass-code"].forEach(function (id) { if ($(id)) $(id).value = ""; });
    form.querySelectorAll('input[name="reason"],input[name="health_code"]').forEach(function (r) { r.checked = r.value === "none"; });
    form.querySelector('input[name="travel_flag"]').checked = false;
    if (!$("cp-driver").value) {
      $("cp-plate").value = "";
      form.querySelectorAll('input[name="vehicle_type"]').forEach(function (r) { r.checked = false; });
    }
    $("cp-traveller").disabled = false;
    $("cp-pass-summary").textContent = "";
    $("cp-plate-warn").textContent = "";
    updateTemp();
    $("cp-doc").focus();
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var decision = e.submitter && e.submitter.value;
    var fd = new FormData(form);
    var rec = {};
    fd.forEach(function (v, k) { rec[k] = String(v); });
    rec.checkpoint_id = $("cp-checkpoint").value;
    rec.decision = decision || rec.decision || "";
    rec.id = uuid();
    rec.captured_at = String(Date.now());
    if (!rec.pass_code) delete rec.pass_code;
    showErrors([]);
    var buttons = form.querySelectorAll(".cp-decision");
    sending = true;
    buttons.forEach(function (b) { b.disabled = true; });
    // The entry is captured: clear the form now, so the officer can type the next traveller while
    // this one is sent (an answer arriving later must not wipe what they typed meanwhile).
    var fromPass = { locked: $("cp-traveller").disabled, summary: $("cp-pass-summary").textContent };
    resetForNext();
    qPut(rec).then(function () { return renderQueue(); }).then(function () { return send(rec); }).then(function (r) {
      if (r.state === "done") {
        say(r.fever ? i18n.fever : (r.created ? i18n.sent : i18n.resent), r.fever ? "cp-bad" : "cp-ok");
        lastDriver = rec.plate ? rec : null;
        $("cp-after").hidden = !lastDriver;
      } else if (r.state === "offline") {
        say(i18n.queued, "cp-bad");
        lastDriver = rec.plate ? rec : null;
        $("cp-after").hidden = !lastDriver;
      } else if (r.state === "kept") {
        say(r.error, "cp-bad");
      } else {
        // Refused for its content: the entry comes back to the form to be corrected.
        statusEl.textContent = "";
        fill(rec);
        $("cp-traveller").disabled = fromPass.locked;
        $("cp-pass-summary").textContent = fromPass.summary;
        showErrors(r.errors && r.errors.length ? r.errors : [r.error]);
      }
      return renderQueue();
    }).catch(function (err) { say(String(err), "cp-bad"); }).then(function () {
      sending = false;
      updateTemp();
    });
  });

  // ---- helpers on the form ----
  function updateTemp() {
    var t1 = parseFloat(($("cp-temp").value || "").replace(",", "."));
    var t2 = parseFloat(($("cp-temp2").value || "").replace(",", "."));
    // A reading outside 34.0–42.0 is a typo the server refuses, not a fever.
    var plausible = function (t) { return t >= 34 && t <= 42; };
    var high = plausible(t1) && t1 >= threshold;
    $("cp-fever-hint").hidden = !high || t2 > 0;
    var fever = t2 > 0 ? plausible(t2) && t2 >= threshold : high;
    $("cp-clinic-box").hidden = !fever;
    $("cp-temp2").classList.toggle("cp-need", high);
    // The decisions follow the rule: at or above the fever line only the transfer is possible.
    $("cp-rule-hint").hidden = !fever;
    if (!sending) {
      form.querySelectorAll(".cp-decision").forEach(function (b) { b.disabled = fever && b.value !== "transfer"; });
    }
  }
  $("cp-temp").addEventListener("input", updateTemp);
  $("cp-temp2").addEventListener("input", updateTemp);
  $("cp-x").addEventListener("click", function () { var d = $("cp-doc"); if (d.value.indexOf("X") < 0) d.value += "X"; d.focus(); });
  $("cp-doc-type").addEventListener("change", function () {
    $("cp-doc").setAttribute("inputmode", this.value === "id_card" ? "numeric" : "text");
    $("cp-x").hidden = this.value !== "id_card";
  });
  var plateRe = /^([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]([DFABCEGHJK][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF])|WJ.*)$/;
  $("cp-plate").addEventListener("input", function () {
    var v = this.value.replace(/[\s·.\-]/g, "").toUpperCase();
    $("cp-plate-warn").textContent = v && !plateRe.test(v) ? i18n.plateOdd : "";
    if (v) {
      var any = form.querySelector('input[name="vehicle_type"]:checked');
      if (!any || any.value === "walk") { var car = form.querySelector('input[name="vehicle_type"][value="car"]'); if (car) car.checked = true; }
    }
  });
  $("cp-passenger").addEventListener("click", function () {
    if (!lastDriver) return;
    $("cp-driver").value = lastDriver.id;
    $("cp-driver-plate").textContent = lastDriver.plate;
    $("cp-driver-note").hidden = false;
    $("cp-plate").value = lastDriver.plate;
    form.querySelectorAll('input[name="vehicle_type"]').forEach(function (r) { r.checked = r.value === lastDriver.vehicle_type; });
    $("cp-origin").value = lastDriver.origin || "";
    $("cp-dest").value = lastDriver.destination || "";
    $("cp-after").hidden = true;
    $("cp-doc").focus();
  });
  $("cp-driver-clear").addEventListener("click", function () {
    $("cp-driver").value = "";
    $("cp-driver-note").hidden = true;
  });

  // ---- self-registration pass ----
  $("cp-pass-check").addEventListener("click", function () {
    var code = ($("cp-pass").value || "").replace(/\D/g, "");
    fetch("/api/checkpoints/passes/" + encodeURIComponent(code), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) {
        return resp.json().then(function (j) {
          if (resp.ok) {
            $("cp-pass-summary").textContent = j.summary;
            $("cp-pass-code").value = j.code;
            $("cp-traveller").disabled = true;
            $("cp-temp").focus();
          } else {
            $("cp-pass-summary").textContent = j.message || i18n.passBad;
            $("cp-pass-code").value = "";
            $("cp-traveller").disabled = false;
          }
        });
      }, function () { $("cp-pass-summary").textContent = i18n.queued; });
  });

  window.addEventListener("online", flush);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  renderRecent();
  updateTemp();
  renderQueue().then(flush);
})();
