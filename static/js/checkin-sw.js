// The scanner's service worker: the scanner page and its files load even without a network.
// Scoped to /manage/<slug>/checkin/, so it never touches any other page.
"use strict";

const CACHE = "kampung-scanner-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The page sends the URLs it was built from (itself, CSS, scripts) to keep for offline use.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "precache" && Array.isArray(event.data.urls)) {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(event.data.urls)));
  }
});

function keep(request, response) {
  const url = new URL(request.url);
  return response.ok && !response.redirected &&
    (request.mode === "navigate" || url.pathname.startsWith("/static/"));
}

// Network first, so that online pages are always fresh; the cache only when the network fails.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (keep(request, response)) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(async () =>
        (await caches.match(request)) ||
        (await caches.match(request, { ignoreSearch: true })) ||
        Response.error()
      )
  );
});
