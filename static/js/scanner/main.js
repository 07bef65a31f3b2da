// The scanner: camera (qr-scanner), manual entry, a full-screen result with sound and vibration,
// and an offline queue kept in localStorage and sent to /api/checkins when the network returns.
// Without this file the page still works: the manual field is a plain form.

const root = document.getElementById("scanner");
const cfg = root.dataset;
const text = JSON.parse(cfg.strings);
const checkpoint = Number(cfg.checkpoint);
const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
const QUEUE_KEY = `kampung-queue-${checkpoint}`;
const ROSTER_KEY = `kampung-roster-${checkpoint}`;
const DEVICE_KEY = "kampung-device";
// The same code seen again within this time is the same person still holding it up.
const REPEAT_MS = 4000;
const ROSTER_EVERY_MS = 30000;
const SYNC_EVERY_MS = 10000;

const $ = (id) => document.getElementById(id);
const result = $("result");
const slot = (name) => result.querySelector(`[data-slot="${name}"]`);

// --- Small helpers --------------------------------------------------------------------------

function load(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function save(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
}

async function sha256(value) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function newNonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16)).join("");
}

function deviceName() {
  return ($("device-name").value || "").trim().slice(0, 40);
}

// The code inside a bare code or a /c/<code> URL; null for a URL of another site.
function extractCode(raw) {
  let value = raw.trim();
  if (/^https?:\/\//i.test(value)) {
    let url;
    try {
      url = new URL(value);
    } catch {
      return "";
    }
    if (url.host !== location.host) return null;
    value = url.pathname;
  }
  const at = value.lastIndexOf("/c/");
  if (at >= 0) value = value.slice(at + 3).replace(/\/+$/, "");
  return value;
}

// --- The result: colour, words, sound, vibration -------------------------------------------

let audio = null;
let hideTimer = null;

const SOUNDS = {
  green: { wave: "sine", notes: [[1046, 0, 0.15]] },
  amber: { wave: "triangle", notes: [[660, 0, 0.12], [660, 0.2, 0.12]] },
  red: { wave: "square", notes: [[196, 0, 0.55]] },
};
const VIBRATION = { green: [80], amber: [80, 80, 80], red: [400] };

function beep(colour) {
  try {
    audio ??= new AudioContext();
    const { wave, notes } = SOUNDS[colour];
    for (const [frequency, start, length] of notes) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = wave;
      osc.frequency.value = frequency;
      gain.gain.value = 0.25;
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + start);
      osc.stop(audio.currentTime + start + length);
    }
  } catch {
    // No sound on this phone: the colour and the vibration still tell.
  }
  navigator.vibrate?.(VIBRATION[colour]);
}

// Browsers start sound only after a touch; the first touch anywhere unlocks it.
document.addEventListener("pointerdown", () => {
  audio ??= new AudioContext();
  audio.resume();
}, { once: true });

function show(answer, { pending = false } = {}) {
  const person = answer.person;
  result.className = `result result-${answer.colour}`;
  // A non-breaking hyphen: "CHECK-IN" must not split over two lines.
  slot("title").textContent = answer.title.replaceAll("-", "\u2011");
  slot("name").textContent = person ? person.name : "";
  slot("meta").textContent = person ? `RT/RW ${person.rt_rw} · ${person.kelurahan}` : "";
  let bus = person ? person.bus : "";
  if (bus && cfg.bus && bus !== cfg.bus) bus = `${bus} ≠ ${cfg.bus}`;
  slot("bus").textContent = bus;
  slot("detail").textContent = answer.detail || "";
  slot("pending").hidden = !pending;
  const undo = slot("undo");
  undo.hidden = !answer.checkin_id;
  if (answer.checkin_id) undo.href = cfg.undo.replace(/\/0$/, `/${answer.checkin_id}`);
  result.hidden = false;
  beep(answer.colour);
  clearTimeout(hideTimer);
  // Green goes quickly so the next person is shown; amber and red stay until read.
  hideTimer = setTimeout(hide, answer.colour === "green" ? 2500 : 6000);
}

function hide() {
  result.hidden = true;
}

result.querySelector(".result-close").addEventListener("click", (event) => {
  event.preventDefault();
  hide();
  $("code").focus();
});

// --- The roster copy on this phone ------------------------------------------------------------

let roster = load(ROSTER_KEY, null);

async function refreshRoster() {
  if (!navigator.onLine) return;
  try {
    const response = await fetch(cfg.roster, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    // Scans still in the queue count as checked in here, whatever the server knows yet.
    const queued = new Set(queue.map((item) => item.hash));
    for (const entry of data.entries) if (queued.has(entry.h)) entry.c = true;
    roster = { fetched: Date.now(), entries: data.entries };
    save(ROSTER_KEY, roster);
  } catch {
    // Offline again: keep the copy we have.
  }
}

function rosterEntry(hash) {
  return roster ? roster.entries.find((entry) => entry.h === hash) : undefined;
}

function markInRoster(hash) {
  const entry = rosterEntry(hash);
  if (entry) {
    entry.c = true;
    save(ROSTER_KEY, roster);
  }
}

function localAnswer(code, hash) {
  if (code === null) return { colour: "red", title: text.invalid, detail: text.foreign_url };
  const entry = rosterEntry(hash);
  if (!entry) {
    return { colour: "red", title: text.unknown, detail: roster ? "" : text.no_roster };
  }
  const person = { name: entry.n, rt_rw: entry.r, kelurahan: entry.k, bus: entry.b };
  if (entry.s !== "registered") return { colour: "red", title: text[entry.s], person };
  if (entry.c) {
    return { colour: "amber", title: text.already, detail: text.already_local, person };
  }
  return { colour: "green", title: text.ok, person };
}

// --- Sending scans ------------------------------------------------------------------------------

let queue = load(QUEUE_KEY, []);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function post(scans, timeout) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const response = await fetch(cfg.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(scans),
      signal: controller.signal,
      redirect: "manual",
    });
    // An expired login answers with a redirect to /login: say so instead of queueing forever.
    if (response.type === "opaqueredirect") throw new HttpError(401, text.session);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new HttpError(response.status, body.error || text.error);
    return body.results;
  } finally {
    clearTimeout(timer);
  }
}

function refreshLive() {
  document.body.dispatchEvent(new Event("refresh-live"));
}

async function scan(raw) {
  const code = extractCode(raw);
  const hash = code ? await sha256(code) : "";
  const item = {
    code: raw.trim().slice(0, 300),
    checkpoint,
    scanned_at: new Date().toISOString(),
    nonce: newNonce(),
    device: deviceName(),
  };
  if (navigator.onLine && queue.length === 0) {
    try {
      const [answer] = await post([item], 4000);
      show(answer);
      if (answer.colour !== "red") markInRoster(hash);
      refreshLive();
      return;
    } catch (error) {
      if (error instanceof HttpError && error.status < 500) {
        const detail = error.status === 401 || error.status === 403 ? text.session : error.message;
        show({ colour: "red", title: text.error, detail });
        return;
      }
      // No answer from the server: decide here and queue the scan.
    }
  }
  const answer = localAnswer(code, hash);
  if (answer.colour === "green") markInRoster(hash);
  queue.push({ ...item, hash });
  save(QUEUE_KEY, queue);
  show(answer, { pending: true });
  renderQueue();
  sync();
}

let syncing = false;

async function sync() {
  if (syncing || queue.length === 0 || !navigator.onLine) return;
  syncing = true;
  try {
    const batch = queue.slice(0, 200);
    const answers = await post(batch.map(({ hash, ...scan }) => scan), 15000);
    const sent = new Set(answers.map((answer) => answer.nonce));
    queue = load(QUEUE_KEY, []).filter((item) => !sent.has(item.nonce));
    save(QUEUE_KEY, queue);
    reportSync(answers);
    refreshLive();
    refreshRoster();
  } catch (error) {
    // Still no network, or the server is busy: try again on the next tick.
    if (error instanceof HttpError) $("net-status").textContent = error.message;
  } finally {
    syncing = false;
    $("queue-count").textContent = String(queue.length);
  }
}

function reportSync(answers) {
  const list = $("sync-results");
  for (const answer of answers) {
    const li = document.createElement("li");
    li.className = `sync-${answer.colour}`;
    const who = answer.person ? answer.person.name : "";
    const dup = answer.colour === "amber" ? ` (${text.duplicate})` : "";
    li.textContent = `${text.synced}: ${who} · ${answer.title}${dup}${answer.detail ? ` · ${answer.detail}` : ""}`;
    list.prepend(li);
  }
}

function renderQueue() {
  $("sync").hidden = false;
  $("net-status").textContent = navigator.onLine ? text.online : text.offline;
  $("net-status").className = navigator.onLine ? "net-status online" : "net-status offline";
  $("queue-count").textContent = String(queue.length);
}

// --- Input: camera, typed code, handheld scanner, search results ----------------------------

let lastCode = "";
let lastSeen = 0;

function onDecoded(data) {
  const now = Date.now();
  const same = data === lastCode && now - lastSeen < REPEAT_MS;
  lastCode = data;
  lastSeen = now;
  if (!same) scan(data);
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

async function startCamera() {
  const video = $("camera-video");
  const status = $("camera-status");
  let QrScanner;
  try {
    ({ default: QrScanner } = await import(cfg.qrScanner));
  } catch {
    status.textContent = text.camera_off;
    return;
  }
  video.hidden = false;
  const scanner = new QrScanner(video, (found) => onDecoded(found.data), {
    preferredCamera: "environment",
    returnDetailedScanResult: true,
    maxScansPerSecond: 10,
  });
  try {
    await scanner.start();
  } catch {
    video.hidden = true;
    status.textContent = text.camera_off;
    return;
  }
  status.textContent = text.camera_on;
  const cameras = await QrScanner.listCameras(true).catch(() => []);
  if (cameras.length > 1) {
    let index = 0;
    const button = $("camera-switch");
    button.hidden = false;
    button.addEventListener("click", async () => {
      index = (index + 1) % cameras.length;
      await scanner.setCamera(cameras[index].id);
      updateTorch(scanner);
    });
  }
  updateTorch(scanner);
}

async function updateTorch(scanner) {
  const button = $("camera-torch");
  const has = await scanner.hasFlash().catch(() => false);
  button.hidden = !has;
  button.onclick = async () => {
    await scanner.toggleFlash();
    button.setAttribute("aria-pressed", String(scanner.isFlashOn()));
  };
}

// --- Offline: the service worker keeps this page loadable -----------------------------------

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(cfg.worker, { scope: cfg.scope });
    const ready = await navigator.serviceWorker.ready;
    const urls = [location.pathname + location.search, ...JSON.parse(cfg.assets)];
    ready.active?.postMessage({ type: "precache", urls });
  } catch {
    // Without a service worker the scanner still works; it just cannot load offline.
  }
}

// --- Start ---------------------------------------------------------------------------------------

// Each phone gets a short name once ("HP K7"), so an amber result can say which device scanned.
if (!localStorage.getItem(DEVICE_KEY)) {
  const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const pick = crypto.getRandomValues(new Uint8Array(2));
  localStorage.setItem(DEVICE_KEY, `HP ${letters[pick[0] % letters.length]}${pick[1] % 10}`);
}
$("device-name").value = localStorage.getItem(DEVICE_KEY);
$("device-name").addEventListener("change", () => localStorage.setItem(DEVICE_KEY, deviceName()));
$("camera-status").textContent = "";

window.addEventListener("online", () => {
  renderQueue();
  sync();
  refreshRoster();
});
window.addEventListener("offline", renderQueue);
setInterval(sync, SYNC_EVERY_MS);
setInterval(refreshRoster, ROSTER_EVERY_MS);

renderQueue();
refreshRoster();
sync();
registerWorker();
startCamera();
root.dataset.ready = "1";
