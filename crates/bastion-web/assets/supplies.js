// The issue desk (签领): tick a person, they sign on the canvas with a finger (or the post's leader
// confirms with a reason); the issuer signs once for the submission (required for more than one
// person); one submission covers everyone ticked, all or nothing.
(function () {
  'use strict';
  var form = document.getElementById('issue-form');
  if (!form) return;
  var result = document.getElementById('issue-result');

  function setUp(canvas) {
    if (canvas.dataset.ready) return;
    canvas.dataset.ready = '1';
    var g = canvas.getContext('2d');
    g.lineWidth = 3;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.strokeStyle = '#111';
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
  }

  function clearable(box, canvas) {
    box.querySelector('.sup-clear').addEventListener('click', function () {
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      delete canvas.dataset.inked;
    });
  }

  var issuerBox = document.getElementById('issuer-sign');
  var issuer = issuerBox.querySelector('canvas');
  setUp(issuer);
  clearable(issuerBox, issuer);

  form.querySelectorAll('.sup-person').forEach(function (li) {
    var pick = li.querySelector('input[name=pick]');
    var box = li.querySelector('.sup-sign');
    var canvas = box.querySelector('canvas');
    pick.addEventListener('change', function () {
      box.hidden = !pick.checked;
      if (pick.checked) setUp(canvas);
    });
    clearable(box, canvas);
    var confirm = box.querySelector('.sup-confirm');
    var reason = box.querySelector('.sup-reason');
    confirm.addEventListener('change', function () {
      reason.hidden = !confirm.checked;
      if (confirm.checked) reason.focus();
    });
  });

  function show(text) {
    result.textContent = text;
    result.scrollIntoView({ block: 'nearest' });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var people = [];
    var missing = false;
    form.querySelectorAll('.sup-person').forEach(function (li) {
      if (!li.querySelector('input[name=pick]').checked) return;
      var canvas = li.querySelector('canvas');
      var confirm = li.querySelector('.sup-confirm').checked;
      var p = { person_id: li.dataset.person };
      if (canvas.dataset.inked) {
        p.signature = canvas.toDataURL('image/png');
      } else if (confirm) {
        p.leader_reason = li.querySelector('.sup-reason').value;
      } else {
        missing = true;
      }
      people.push(p);
    });
    if (!people.length) { show(form.dataset.none); return; }
    if (missing) { show(form.dataset.blank); return; }
    if (people.length > 1 && !issuer.dataset.inked) { show(form.dataset.issuer); return; }
    var items = [];
    form.querySelectorAll('.sup-kit-qty').forEach(function (q) {
      var n = q.value.trim();
      if (n !== '' && n !== '0') items.push({ item_id: q.dataset.item, quantity: n });
    });
    if (!items.length) { show(form.dataset.noitems); return; }
    var body = {
      store_id: form.dataset.store,
      shift_date: form.querySelector('#shift_date').value,
      shift: form.querySelector('#shift').value,
      items: items,
      people: people,
      repeat_reason: form.querySelector('#repeat_reason').value,
      expired_reason: form.querySelector('#expired_reason').value,
      issuer_signature: issuer.dataset.inked ? issuer.toDataURL('image/png') : ''
    };
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    fetch('/api/supplies/issues', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (x) {
      if (x.ok) {
        location.assign(location.pathname + '?done=' + x.j.issues.length);
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
