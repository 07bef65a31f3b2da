// The scanner's service worker, scoped to one trip's /manage/<slug>/checkin/: the scanner pages
// and the static files they use load without a network, and nothing else is kept. The daftar
// hadir, the count page and every other page under the scope are never cached; offline, they
// get a short page that says so (…/checkin/offline). Once the server sends this phone to log
// in, everything kept here is deleted and the worker leaves.
"use strict";

const SCOPE = self.registration.scope;
const CACHE = `kampung-scanner-v2:${SCOPE}`;
const OFFLINE_PAGE = `${SCOPE}offline`;
const SCOPE_PATH = new URL(SCOPE).pathname;

// A scanner page: <scope><checkpoint id>, with or without ?bus=.
function isScanner(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(SCOPE_PATH) &&
    /^\d+$/.test(url.pathname.slice(SCOPE_PATH.length));
}

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

// What may be kept: the scanner pages, the offline page, static files. No printable list.
function keepable(url) {
  return isScanner(url) || isStatic(url) || url.origin + url.pathname === OFFLINE_PAGE;
}

// A redirect to the login page, or a refusal: this phone is logged out (or someone else is).
function loggedOut(response) {
  return response.type === "opaqueredirect" || response.status === 401 ||
    response.status === 403 || (response.redirected && new URL(response.url).pathname === "/login");
}

async function forgetEverything() {
  await caches.delete(CACHE);
  await self.registration.unregister();
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      // Earlier versions: one cache for every trip ("kampung-scanner-v1"), or this scope's.
      const ours = name === "kampung-scanner-v1" || name.endsWith(`:${SCOPE}`);
      if (ours && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page sends the URLs it was built from (itself, CSS, scripts) to keep for offline use.
self.addEventListener("message", (event) => {
  if (!(event.data && event.data.type === "precache" && Array.isArray(event.data.urls))) return;
  const urls = event.data.urls.filter((url) => keepable(new URL(url, SCOPE)));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(urls)));
});

async function fromNetwork(event, url) {
  const response = await fetch(event.request);
  if (loggedOut(response)) {
    event.waitUntil(forgetEverything());
  } else if (response.ok && !response.redirected && (isScanner(url) || isStatic(url))) {
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
  }
  return response;
}

async function fromCache(request, url) {
  const cache = await caches.open(CACHE);
  if (isScanner(url) || isStatic(url)) {
    const kept = (await cache.match(request)) || (await cache.match(request, { ignoreSearch: true }));
    if (kept) return kept;
  }
  if (request.mode === "navigate") {
    const offline = await cache.match(OFFLINE_PAGE);
    if (offline) return offline;
  }
  return Response.error();
}

// Network first, so that online pages are always fresh; the cache only when the network fails.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith(fromNetwork(event, url).catch(() => fromCache(request, url)));
});
