// Loading without a network: a service worker (static/js/checkin-sw.js, scoped to this trip's
// check-in pages) keeps this page and its files, and nothing else, until the trip's offline
// copy expires (data-offline-until); from then on the worker and its cache leave the phone.

import { cfg } from "./page.js";

const scope = new URL(cfg.scope, location.href).href;

async function forgetOffline() {
  // The worker stops keeping anything, even files this page is loading still.
  navigator.serviceWorker.controller?.postMessage({ type: "forget" });
  const registration = await navigator.serviceWorker.getRegistration(scope);
  if (registration && registration.scope === scope) await registration.unregister();
  // The worker names its cache after its scope: "kampung-scanner-v2:<scope>".
  for (const name of await caches.keys()) {
    if (name.startsWith("kampung-scanner-") && name.endsWith(`:${scope}`)) await caches.delete(name);
  }
}

export async function keepOffline() {
  if (!("serviceWorker" in navigator)) return;
  try {
    if (!(Date.parse(cfg.offlineUntil) > Date.now())) {
      await forgetOffline();
      return;
    }
    await navigator.serviceWorker.register(cfg.worker, { scope: cfg.scope });
    const ready = await navigator.serviceWorker.ready;
    const urls = [location.pathname + location.search, ...JSON.parse(cfg.assets)];
    ready.active?.postMessage({ type: "precache", urls });
  } catch {
    // Without a service worker the scanner still works; it just cannot load offline.
  }
}
