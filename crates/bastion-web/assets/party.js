// The petition (请战书) form on a phone: write, tick the missions, sign on the canvas with a
// finger; sent as JSON with the signature as a PNG data URL. The server checks and re-encodes it.
(function () {
  'use strict';
  var form = document.getElementById('petition-form');
  if (!form) return;
  var canvas = document.getElementById('pp-sign');
  var result = document.getElementById('petition-result');
  var g = canvas.getContext('2d');
  g.lineWidth = 4;
  g.lineCap = 'round';
  g.lineJoin = 'round';
  g.strokeStyle = '#b00';
  var down = false;
  function at(e) {
    var r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  }
  canvas.addEventListener('pointerdown', function (e) {
    down = true;
    canvas.setPointerCapture(e.pointerId);
    var p = at(e);
    g.beginPath();
    g.moveTo(p[0], p[1]);
    g.lineTo(p[0] + 0.1, p[1] + 0.1);
    g.stroke();
    canvas.dataset.inked = '1';
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!down) return;
    var p = at(e);
    g.lineTo(p[0], p[1]);
    g.stroke();
    e.preventDefault();
  });
  ['pointerup', 'pointercancel', 'pointerleave'].forEach(function (t) {
    canvas.addEventListener(t, function () { down = false; });
  });
  document.getElementById('pp-clear').addEventListener('click', function () {
    g.clearRect(0, 0, canvas.width, canvas.height);
    delete canvas.dataset.inked;
  });
  function show(text) {
    result.textContent = text;
    result.hidden = false;
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!canvas.dataset.inked) { show(form.dataset.blank); return; }
    var missions = [];
    form.querySelectorAll('input[name=missions]:checked').forEach(function (c) { missions.push(c.value); });
    var body = {
      body: form.querySelector('#pp-body').value,
      missions: missions,
      signature: canvas.toDataURL('image/png')
    };
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    fetch('/api/party/petitions', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (x) {
      if (x.ok) {
        location.assign(location.pathname + '?done=' + x.j.id);
        return;
      }
      button.disabled = false;
      var lines = (x.j.errors || []).map(function (f) { return f.message; });
      show(lines.length ? lines.join('\n') : x.j.message);
    }).catch(function () {
      button.disabled = false;
      show(form.dataset.failed);
    });
  });
})();
