// kampung staff pages: show that a long submit (an upload, an import) is under way.
// Without this file the forms work the same; only the feedback is missing.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
  const note = form.querySelector(".busy-note");
  if (note) note.hidden = false;
  // Disabled a tick later, so the browser still sends the form once, never twice.
  const button = form.querySelector("button[type=submit]");
  if (button) setTimeout(() => { button.disabled = true; }, 0);
});
