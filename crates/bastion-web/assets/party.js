// The petition (请战书) form on a phone: write, tick the missions, sign on the canvas with a
// finger — or take a photo of the signed paper with its red fingerprint — and tick consent to
// publication if wanted; sent as JSON with the signature as a PNG data URL (the photo scaled to at
// most 1600 px and sent as JPEG). The server checks and re-encodes it.
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
  var paper = document.getElementById('pp-paper');
  var preview = document.getElementById('pp-paper-preview');
  var photo = null;
  paper.addEventListener('change', function () {
    photo = null;
    preview.hidden = true;
    var file = paper.files && paper.files[0];
    if (!file) return;
    // Read as a data URL (the page's policy allows data: pictures, not blob:).
    var reader = new FileReader();
    reader.onload = function () {
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
        var c = document.createElement('canvas');
        c.width = Math.round(img.width * scale);
        c.height = Math.round(img.height * scale);
        c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
        photo = c.toDataURL('image/jpeg', 0.85);
        preview.src = photo;
        preview.hidden = false;
      };
      img.onerror = function () { show(form.dataset.failed); };
      img.src = reader.result;
    };
    reader.onerror = function () { show(form.dataset.failed); };
    reader.readAsDataURL(file);
  });
  function show(text) {
    result.textContent = text;
    result.hidden = false;
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!canvas.dataset.inked && !photo) { show(form.dataset.blank); return; }
    var missions = [];
    form.querySelectorAll('input[name=missions]:checked').forEach(function (c) { missions.push(c.value); });
    var body = {
      body: form.querySelector('#pp-body').value,
      missions: missions,
      signature: photo || canvas.toDataURL('image/png'),
      publish_consent: document.getElementById('pp-consent').checked
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
