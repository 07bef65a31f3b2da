// The scanner page (templates/checkin/scanner.html): camera, typed code and search results all
// lead to one scan (scan.js); the result covers the screen (result.js); scans made without a
// network wait in a queue (queue.js), decided by this phone's copy of the list (roster.js);
// the page itself loads offline (offline.js); offline, missing.js lists who is not here yet by
// that copy, with their numbers to call; device.js names this phone. Without JavaScript
// the page still works: the typed code, the search results and "Pindahkan ke bus ini" are plain
// forms.

import { startCamera } from "./camera.js";
import { renderMissing } from "./missing.js";
import { keepOffline } from "./offline.js";
import { $, root } from "./page.js";
import { isEmpty, queuedHashes, renderQueue, sync } from "./queue.js";
import { dropExpired, refreshRoster } from "./roster.js";
import { scan } from "./scan.js";
import { KEYS } from "./storage.js";

const ROSTER_EVERY_MS = 30000;
const SYNC_EVERY_MS = 10000;

// Each phone gets a short name once ("HP K7"), so an amber result can say which device scanned.
function nameThisDevice() {
  if (!localStorage.getItem(KEYS.device)) {
    const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    const pick = crypto.getRandomValues(new Uint8Array(2));
    localStorage.setItem(KEYS.device, `HP ${letters[pick[0] % letters.length]}${pick[1] % 10}`);
  }
  const field = $("device-name");
  field.value = localStorage.getItem(KEYS.device);
  field.addEventListener("change", () => {
    localStorage.setItem(KEYS.device, field.value.trim().slice(0, 40));
  });
}

function refreshCopy() {
  dropExpired();
  refreshRoster(queuedHashes()).then(renderMissing);
}

$("manual-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("code");
  if (input.value.trim()) scan(input.value);
  input.value = "";
  input.focus();
});

// Search results' buttons: the same path as a scan, so they work offline too.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.classList.contains("js-checkin")) return;
  event.preventDefault();
  scan(form.elements.code.value);
});

window.addEventListener("online", () => {
  renderQueue();
  sync();
  refreshCopy();
});
window.addEventListener("offline", renderQueue);
// Scans still on this phone: closing the page keeps them (localStorage), but say so first.
window.addEventListener("beforeunload", (event) => {
  if (!isEmpty()) {
    event.preventDefault();
    event.returnValue = "";
  }
});
setInterval(sync, SYNC_EVERY_MS);
setInterval(refreshCopy, ROSTER_EVERY_MS);

nameThisDevice();
$("camera-status").textContent = "";
renderQueue();
renderMissing();
refreshCopy();
sync();
keepOffline();
startCamera(scan);
root.dataset.ready = "1";
