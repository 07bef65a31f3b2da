// What the scanner page tells its scripts: the settings in the data-* attributes of #scanner
// (templates/checkin/scanner.html) and its words in the organiser's language (data-strings,
// made by kampung/checkin/results.py scanner_strings).

export const root = document.getElementById("scanner");
export const cfg = root.dataset;
export const text = JSON.parse(cfg.strings);
export const checkpoint = Number(cfg.checkpoint);
// The bus this scanner is narrowed to (?bus=, or a stop for one bus); null for every bus.
export const busId = Number(cfg.busId) || null;
export const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
// The hosts a QR code of ours may name, as the server counts them (kampung.links.site_hosts)
export const hosts = JSON.parse(cfg.hosts || "[]");

export const $ = (id) => document.getElementById(id);

// The count and the missing list (an htmx block) reload on this event.
export function refreshLive() {
  document.body.dispatchEvent(new Event("refresh-live"));
}
