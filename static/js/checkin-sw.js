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

// Set once this phone is logged out or the trip is over: from then on nothing is kept, not even
// by a response that was still on its way.
let forgotten = false;

async function forgetEverything() {
  forgotten = true;
  await caches.delete(CACHE);
  await self.registration.unregister();
}

// Only the page's precache makes the cache; a response refreshes what it holds.
async function keep(request, response) {
  if (forgotten || !(await caches.has(CACHE))) return;
  await (await caches.open(CACHE)).put(request, response);
  if (forgotten) await caches.delete(CACHE);
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

// The page sends the URLs it was built from (itself, CSS, scripts) to keep for offline use,
// or, at logout and after the trip, asks for everything to go.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "forget") {
    event.waitUntil(forgetEverything());
  } else if (data.type === "precache" && Array.isArray(data.urls) && !forgotten) {
    const urls = data.urls.filter((url) => keepable(new URL(url, SCOPE)));
    event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(urls)));
  }
});

async function fromNetwork(event, url) {
  const response = await fetch(event.request);
  if (loggedOut(response)) {
    event.waitUntil(forgetEverything());
  } else if (response.ok && !response.redirected && (isScanner(url) || isStatic(url))) {
    event.waitUntil(keep(event.request, response.clone()));
  }
  return response;
}

// caches.match, not caches.open: looking must not make the cache again once it is gone.
async function fromCache(request, url) {
  const where = { cacheName: CACHE };
  if (isScanner(url) || isStatic(url)) {
    const kept = (await caches.match(request, where)) ||
      (await caches.match(request, { ...where, ignoreSearch: true }));
    if (kept) return kept;
  }
  if (request.mode === "navigate") {
    const offline = await caches.match(OFFLINE_PAGE, where);
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
