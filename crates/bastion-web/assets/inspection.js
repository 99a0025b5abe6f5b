// 督导检查 on a phone: the checklist is sent as JSON with its client key; without a network it
// waits in the phone (IndexedDB, with its photo) and is sent when the network returns. The server
// stores each client key once, so sending again never duplicates.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  // ---- the queue ----
  var dbp = null;
  function db() {
    if (dbp) return dbp;
    dbp = new Promise(function (resolve, reject) {
      var r = indexedDB.open("bastion-inspection", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("queue", { keyPath: "key" }); };
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
  function qDel(key) { return tx("readwrite", function (s) { s.delete(key); }); }
  function qAll() { return tx("readonly", function (s) { return s.getAll(); }); }

  var form = $("insp-form");
  var msg = form ? form.dataset : {};
  function say(text, cls) {
    var box = $("insp-status");
    if (!box) return;
    box.textContent = "";
    var p = document.createElement("div");
    p.className = "alert " + (cls || "alert-success");
    p.textContent = text;
    box.appendChild(p);
  }
  function showQueue() {
    return qAll().then(function (all) {
      var box = $("insp-queue");
      if (!box) return all;
      box.hidden = all.length === 0;
      $("insp-queue-n").textContent = String(all.length);
      return all;
    }).catch(function () { return []; });
  }

  // Send one inspection and its photo. Resolves with the answer, rejects on a network failure.
  function send(rec) {
    return fetch("/api/inspections", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(rec.body),
    }).then(function (resp) {
      return resp.json().then(function (j) {
        if (!resp.ok) return { ok: false, status: resp.status, body: j };
        // The photos one after another; the server keeps each picture once per inspection.
        var photos = rec.photos || [];
        var out = { ok: true, body: j, photoError: null };
        return photos.reduce(function (chain, ph) {
          return chain.then(function () {
            var fd = new FormData();
            fd.append("file", ph.file, ph.name || "photo.jpg");
            return fetch("/api/inspections/" + j.id + "/photos?source=" + encodeURIComponent(ph.source || "unknown"), {
              method: "POST", credentials: "same-origin", body: fd, headers: { "Accept": "application/json" },
            }).then(function (p) {
              return p.json().then(function (pj) { if (!p.ok) out.photoError = pj.message || String(p.status); });
            });
          });
        }, Promise.resolve()).then(function () { return out; });
      });
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return qAll().then(function (all) {
      var chain = Promise.resolve();
      all.forEach(function (rec) {
        chain = chain.then(function () {
          return send(rec).then(function (r) {
            if (r.ok) {
              return qDel(rec.key).then(function () { say(msg.msgSent || "已发送"); });
            }
            if (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 408 && r.status !== 429) {
              // Refused for what it says: keep it, shown with the reason, for the inspector to redo.
              rec.lastError = (r.body && r.body.message) || String(r.status);
              return qPut(rec);
            }
          });
        });
      });
      return chain;
    }).catch(function () {}).then(function () { flushing = false; return showQueue(); });
  }

  // ---- the form ----
  if (form) {
    form.querySelectorAll(".insp-item").forEach(function (item) {
      var mark = function () {
        var bad = item.querySelector('input[type=radio][value="not_ok"]');
        item.classList.toggle("is-bad", !!(bad && bad.checked));
      };
      item.addEventListener("change", mark);
      mark();
    });
    var photos = [];
    form.querySelectorAll('input[type=file]').forEach(function (input) {
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files || [], function (f) {
          photos.push({ file: f, name: f.name, source: input.dataset.source || "unknown" });
        });
        $("insp-photo-name").textContent = photos.map(function (p) { return p.name; }).join("、");
      });
    });
    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (p) {
        form.elements.location.value = "GPS " + p.coords.latitude.toFixed(5) + "," + p.coords.longitude.toFixed(5);
      }, function () {}, { timeout: 8000, maximumAge: 60000 });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var items = [];
      var missing = [];
      form.querySelectorAll(".insp-item").forEach(function (item, i) {
        var picked = item.querySelector("input[type=radio]:checked");
        if (!picked) missing.push(i + 1);
        items.push({
          result: picked ? picked.value : "",
          note: form.elements["note_" + i].value,
          severity: form.elements["severity_" + i].value,
        });
      });
      if (missing.length) {
        say((msg.msgMissing || "") + missing.join("、"), "alert-error");
        return;
      }
      var body = {
        client_key: form.elements.client_key.value,
        post_id: form.dataset.post,
        template_id: form.elements.template_id.value,
        plan_id: form.elements.plan_id ? form.elements.plan_id.value : "",
        follows_finding: form.elements.follows_finding ? form.elements.follows_finding.value : "",
        started_at: form.elements.started_at.value,
        note: form.elements.note.value,
        location: form.elements.location.value,
        items: items,
        mismatches: Array.prototype.map.call(form.querySelectorAll('input[name="mismatch"]:checked'), function (m) { return m.value; }),
      };
      var rec = { key: body.client_key, body: body, photos: photos, at: Date.now() };
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var queue = function () {
        return qPut(rec).then(function () {
          say(msg.msgQueued || "", "alert-warning");
          form.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = true; });
          return showQueue();
        });
      };
      if (!navigator.onLine) { queue(); return; }
      send(rec).then(function (r) {
        if (r.ok) {
          var to = "/inspections/" + r.body.id + "?saved=1";
          if (r.photoError) to = "/inspections/" + r.body.id + "?photo_error=" + encodeURIComponent(r.photoError);
          window.location.assign(to);
          return;
        }
        button.disabled = false;
        var errs = (r.body && r.body.errors) || [];
        say(errs.length ? errs.map(function (x) { return x.message; }).join("；") : (r.body && r.body.message) || String(r.status), "alert-error");
      }, function () { queue(); });
    });
  }

  window.addEventListener("online", flush);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  showQueue().then(flush);
})();
