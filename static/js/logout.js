// Logging out leaves no personal data on this phone: the scanner's copy of the list, its queue
// and its device name (localStorage "kampung-*"), the pages and files it kept for offline use
// (the Cache API) and its service worker. The server asks the browser for the same
// (Clear-Site-Data, kampung/auth/views.py); this is for browsers that ignore that header.
// Without JavaScript the logout is the same plain form, and the header alone does the work.
"use strict";

(() => {
  const PREFIX = "kampung-";
  // However long the browser takes to empty its storage, the logout goes ahead after this.
  const AT_MOST_MS = 3000;

  function ownKeys(storage) {
    return Object.keys(storage).filter((key) => key.startsWith(PREFIX));
  }

  function unsentScans() {
    return ownKeys(localStorage).some((key) => {
      if (!key.startsWith(`${PREFIX}queue-`)) return false;
      try {
        return JSON.parse(localStorage.getItem(key)).length > 0;
      } catch {
        return false;
      }
    });
  }

  async function forgetThisPhone() {
    for (const storage of [localStorage, sessionStorage]) {
      for (const key of ownKeys(storage)) storage.removeItem(key);
    }
    const work = [];
    if ("caches" in window) {
      work.push(caches.keys().then((names) => Promise.all(names.map((name) => caches.delete(name)))));
    }
    if ("serviceWorker" in navigator) {
      // The scanner's worker stops keeping files this page may still be loading.
      navigator.serviceWorker.controller?.postMessage({ type: "forget" });
      work.push(navigator.serviceWorker.getRegistrations()
        .then((registrations) => Promise.all(registrations.map((r) => r.unregister()))));
    }
    await Promise.allSettled(work);
  }

  let leaving = false;

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-logout")) return;
    event.preventDefault();
    if (leaving) return;
    if (unsentScans() && !window.confirm(form.dataset.unsent)) return;
    leaving = true;
    const waited = new Promise((resolve) => setTimeout(resolve, AT_MOST_MS));
    Promise.race([forgetThisPhone(), waited]).finally(() => form.submit());
  });

  // The page a logout lands on: once more, in case the form was sent before this could run.
  if (document.querySelector("[data-logged-out]")) forgetThisPhone();
})();
