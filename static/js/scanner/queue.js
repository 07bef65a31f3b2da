// Sending scans to /api/checkins, and the queue of those not sent yet: kept in localStorage
// until the server has answered for them (and only until then), sent again every few seconds
// and whenever the network returns, each with its own device time and nonce.

import { $, cfg, csrf, refreshLive, text } from "./page.js";
import { refreshRoster } from "./roster.js";
import { KEYS, forget, load, save } from "./storage.js";

// At most this many scans in one request; the server takes up to 500.
const BATCH = 200;

let queue = load(KEYS.queue, []);

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function post(scans, timeout) {
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

function store() {
  if (queue.length) save(KEYS.queue, queue);
  else forget(KEYS.queue);
}

export function enqueue(item) {
  queue.push(item);
  store();
}

export function isEmpty() {
  return queue.length === 0;
}

export function queuedHashes() {
  return new Set(queue.map((item) => item.hash));
}

let syncing = false;

export async function sync() {
  if (syncing || queue.length === 0 || !navigator.onLine) return;
  syncing = true;
  try {
    const batch = queue.slice(0, BATCH);
    const answers = await post(batch.map(({ hash, ...scan }) => scan), 15000);
    const sent = new Set(answers.map((answer) => answer.nonce));
    // Read again: another tab of this phone may have queued meanwhile.
    queue = load(KEYS.queue, []).filter((item) => !sent.has(item.nonce));
    store();
    reportSync(answers);
    refreshLive();
    refreshRoster(queuedHashes());
  } catch (error) {
    // Still no network, or the server is busy: try again on the next tick.
    if (error instanceof HttpError) $("net-status").textContent = error.message;
  } finally {
    syncing = false;
    $("queue-count").textContent = String(queue.length);
    renderBadge();
  }
}

function reportSync(answers) {
  const list = $("sync-results");
  for (const answer of answers) {
    const li = document.createElement("li");
    li.className = `sync-${answer.colour}`;
    // First-strong and pop isolates: a right-to-left name keeps the words after it in order.
    const who = answer.person ? `\u2068${answer.person.name}\u2069` : "";
    const dup = answer.colour === "amber" ? ` (${text.duplicate})` : "";
    li.textContent = `${text.synced}: ${who} · ${answer.title}${dup}${answer.detail ? ` · ${answer.detail}` : ""}`;
    list.prepend(li);
  }
}

// "3 belum terkirim", sticky at the top of the page while anything waits.
function renderBadge() {
  const badge = $("queue-badge");
  badge.hidden = queue.length === 0;
  badge.textContent = text.unsent.replace("%(n)s", String(queue.length));
}

export function renderQueue() {
  renderBadge();
  $("sync").hidden = false;
  $("net-status").textContent = navigator.onLine ? text.online : text.offline;
  $("net-status").className = navigator.onLine ? "net-status online" : "net-status offline";
  $("queue-count").textContent = String(queue.length);
}
