// Bastion checkpoint service worker (served at /checkpoints/sw.js, scope /checkpoints/): keeps the
// officer's entry page and its assets available without network. Registrations themselves are
// queued in IndexedDB by checkpoint.js and sent when the network returns; API calls never hit a cache.
"use strict";
var CACHE = "bastion-checkpoint-v2";
var PAGE = "/checkpoints/entry";
var ASSETS = ["/assets/app.css", "/assets/checkpoint.css", "/assets/checkpoint.js", "/assets/app.js", "/assets/vendor/htmx.min.js"];

self.addEventListener("install", function (e) {
  e.waitUntil(
    caches.open(CACHE)
      .then(function (c) { return c.addAll(ASSETS.concat([PAGE])); })
      .catch(function () { /* best effort: the page caches itself on the next visit */ })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (e) {
  e.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname === PAGE) {
    // Network first: a fresh page when online, the last good one when not.
    e.respondWith(
      fetch(req).then(function (resp) {
        if (resp.ok && !resp.redirected) {
          var copy = resp.clone();
          caches.open(CACHE).then(function (c) { c.put(PAGE, copy); });
        }
        return resp;
      }).catch(function () {
        return caches.match(PAGE, { ignoreSearch: true }).then(function (r) {
          return r || new Response("离线且无缓存页面", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
        });
      })
    );
    return;
  }
  if (url.pathname.indexOf("/assets/") === 0) {
    // Stale while revalidate.
    e.respondWith(
      caches.open(CACHE).then(function (c) {
        return c.match(req).then(function (hit) {
          var net = fetch(req).then(function (resp) {
            if (resp.ok) c.put(req, resp.clone());
            return resp;
          }).catch(function () { return hit; });
          return hit || net;
        });
      })
    );
  }
});
