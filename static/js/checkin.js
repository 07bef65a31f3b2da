// Check-in pages: pause the live count while the page is hidden or offline, and print buttons.
"use strict";

// The count polls "every 5s"; a poll is dropped while nobody can see it or there is no network.
document.addEventListener("htmx:beforeRequest", (event) => {
  const polled = ["counts", "missing"].includes(event.detail.elt.id);
  if (polled && (document.hidden || !navigator.onLine)) {
    event.preventDefault();
  }
});

// Back in view: refresh at once instead of waiting for the next tick.
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) document.body.dispatchEvent(new Event("refresh-live"));
});

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
