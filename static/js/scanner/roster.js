// The offline copy of the list on this phone, to decide a scan without the network: only the
// people with a seat, each named by a hash of their code, with what the result shows of them
// and whether they are here already. kampung/checkin/roster.py offline_copy builds it; it
// expires after the trip (expires_at) and is then deleted, here and on every scanner page.

import { looksLikeCode } from "./codes.js";
import { busId, cfg, text } from "./page.js";
import { KEYS, forget, keysStartingWith, load, save } from "./storage.js";

// A copy still in date, or null (past its date, or from before copies had one).
function current(copy) {
  return copy && Date.parse(copy.expires_at) > Date.now() ? copy : null;
}

let copy = null;

// Every checkpoint's copy past its date leaves the phone, this page's included.
export function dropExpired() {
  for (const key of keysStartingWith("kampung-roster-")) {
    if (!current(load(key, null))) forget(key);
  }
  copy = current(load(KEYS.roster, null));
}

// The server's list, when there is a network; `queued`: hashes of the scans not sent yet. A copy
// already here asks only for what changed since it was read (`as_of`): a few entries, not the
// whole list of a large trip every 30 seconds.
export async function refreshRoster(queued) {
  if (!navigator.onLine) return;
  try {
    const since = copy?.as_of ? `?since=${encodeURIComponent(copy.as_of)}` : "";
    const response = await fetch(cfg.roster + since, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    if (!current(data)) {
      forget(KEYS.roster);
      copy = null;
      return;
    }
    let entries = data.entries;
    if (data.changes && copy) {
      const byHash = new Map(copy.entries.map((entry) => [entry.hash, entry]));
      for (const entry of data.entries) {
        if (entry.gone) byHash.delete(entry.hash);
        else byHash.set(entry.hash, entry);
      }
      entries = [...byHash.values()];
    } else {
      entries = entries.filter((entry) => !entry.gone);
    }
    // Scans still in the queue count as here, whatever the server knows yet.
    for (const entry of entries) if (queued.has(entry.hash)) entry.here = true;
    copy = { expires_at: data.expires_at, as_of: data.as_of, entries };
    save(KEYS.roster, copy);
  } catch {
    // Offline again, or logged out: keep the copy we have.
  }
}

function entryOf(hash) {
  if (copy && !current(copy)) dropExpired();
  return copy ? copy.entries.find((entry) => entry.hash === hash) : undefined;
}

export function markHere(hash) {
  const entry = entryOf(hash);
  if (entry) {
    entry.here = true;
    save(KEYS.roster, copy);
  }
}

// The answer this phone gives on its own, in the words the server would use.
export function localAnswer(code, hash) {
  if (code === null) return { colour: "red", title: text.invalid, detail: text.foreign_url };
  if (!looksLikeCode(code)) return { colour: "red", title: text.invalid, detail: text.malformed };
  const entry = entryOf(hash);
  if (!copy) return { colour: "red", title: text.unknown, detail: text.no_roster };
  // Cancelled and waitlisted people are not in the copy: red, and the server says why on sync.
  if (!entry) return { colour: "red", title: text.not_listed, detail: text.not_listed_detail };
  // A passenger of another bus, as check_in() decides it: amber, naming their own bus.
  if (busId && entry.person.bus_id !== busId) {
    const bus = entry.person.bus;
    const title = bus ? text.wrong_bus_title.replace("%(bus)s", bus) : text.wrong_bus_none;
    return {
      outcome: "wrong_bus",
      colour: "amber",
      title,
      detail: text.wrong_bus_detail,
      person: entry.person,
    };
  }
  if (entry.here) {
    return { colour: "amber", title: text.already, detail: text.already_local, person: entry.person };
  }
  return { outcome: "ok", colour: "green", title: text.ok, person: entry.person };
}
