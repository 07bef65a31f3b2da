// The offline copy of the list on this phone, to decide a scan without the network: only the
// people with a seat, each named by the start of a hash of their code, with what the result
// shows of them, whether they are here already, and the numbers to call them or their emergency
// contact. kampung/checkin/offline_copy.py builds it (its PERSON_FIELDS are the positions
// below); it expires after the trip (expires_at) and is then deleted, here and on every scanner
// page; logging out deletes it too (static/js/logout.js).

import { looksLikeCode } from "./codes.js";
import { busId, cfg, text } from "./page.js";
import { KEYS, forget, keysStartingWith, load, save } from "./storage.js";

// The copy's layout this script reads; a copy of another layout is dropped and read again.
const FORMAT = 2;
const [HASH, HERE, NAME, RT_RW, KELURAHAN, BUS_ID, PHONE, EMERGENCY_NAME, EMERGENCY_PHONE] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8,
];

// A copy still in date and of this layout, or null.
function current(copy) {
  return copy && copy.format === FORMAT && Date.parse(copy.expires_at) > Date.now() ? copy : null;
}

let copy = null;
// hash -> entry, built once per copy
let index = null;

function keep(newCopy) {
  copy = newCopy;
  index = null;
}

// Every checkpoint's copy past its date leaves the phone, this page's included.
export function dropExpired() {
  for (const key of keysStartingWith("kampung-roster-")) {
    if (!current(load(key, null))) forget(key);
  }
  keep(current(load(KEYS.roster, null)));
}

// The start of a full hash that this copy names people by.
function short(hash) {
  return hash.slice(0, copy.hash_chars);
}

// The server's list, when there is a network; `queued`: hashes of the scans not sent yet. A copy
// already here asks only for what changed since it was read (`as_of`): a few entries, not the
// whole list of a large trip every 30 seconds.
export async function refreshRoster(queued) {
  if (!navigator.onLine) return;
  try {
    const since = copy?.as_of
      ? `?since=${encodeURIComponent(copy.as_of)}&chars=${copy.hash_chars}`
      : "";
    const response = await fetch(cfg.roster + since, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    if (!current(data)) {
      forget(KEYS.roster);
      keep(null);
      return;
    }
    let people = data.people;
    if (data.changes && !(copy && data.hash_chars === copy.hash_chars)) {
      // Changes to a copy this phone no longer holds as they were: read the whole list.
      forget(KEYS.roster);
      keep(null);
      await refreshRoster(queued);
      return;
    }
    if (data.changes) {
      const byHash = new Map(copy.people.map((entry) => [entry[HASH], entry]));
      for (const hash of data.gone) byHash.delete(hash);
      for (const entry of data.people) byHash.set(entry[HASH], entry);
      people = [...byHash.values()];
    }
    const { gone, changes, ...rest } = data;
    keep({ ...rest, people });
    // Scans still in the queue count as here, whatever the server knows yet.
    const waiting = new Set([...queued].map(short));
    for (const entry of people) if (waiting.has(entry[HASH])) entry[HERE] = 1;
    save(KEYS.roster, copy);
  } catch {
    // Offline again, or logged out: keep the copy we have.
  }
}

function entryOf(hash) {
  if (copy && !current(copy)) dropExpired();
  if (!copy || !hash) return undefined;
  index ??= new Map(copy.people.map((entry) => [entry[HASH], entry]));
  return index.get(short(hash));
}

// What the result shows of a person, and the numbers to call.
function personOf(entry) {
  const bus = entry[BUS_ID] ?? null;
  return {
    name: entry[NAME],
    rt_rw: entry[RT_RW],
    kelurahan: entry[KELURAHAN],
    bus: bus === null ? "" : copy.buses[bus] ?? "",
    bus_id: bus,
    phone: entry[PHONE] || "",
    emergency_name: entry[EMERGENCY_NAME] || "",
    emergency_phone: entry[EMERGENCY_PHONE] || "",
  };
}

// The numbers for a scanned person (the server's answer does not carry them): from the copy.
export function callsOf(hash) {
  const entry = entryOf(hash);
  return entry ? personOf(entry) : null;
}

export function markHere(hash) {
  const entry = entryOf(hash);
  if (entry) {
    entry[HERE] = 1;
    save(KEYS.roster, copy);
  }
}

// Who is not here yet by this phone's copy (of this scanner's bus), for the list offline.
export function missingHere() {
  if (copy && !current(copy)) dropExpired();
  if (!copy) return null;
  return copy.people
    .filter((entry) => !entry[HERE] && (!busId || entry[BUS_ID] === busId))
    .map(personOf)
    .sort((a, b) => a.name.localeCompare(b.name, "id"));
}

// The answer this phone gives on its own, in the words the server would use.
export function localAnswer(code, hash) {
  if (code === null) return { colour: "red", title: text.invalid, detail: text.foreign_url };
  if (!looksLikeCode(code)) return { colour: "red", title: text.invalid, detail: text.malformed };
  const entry = entryOf(hash);
  if (!copy) return { colour: "red", title: text.unknown, detail: text.no_roster };
  // Cancelled and waitlisted people are not in the copy: red, and the server says why on sync.
  if (!entry) return { colour: "red", title: text.not_listed, detail: text.not_listed_detail };
  const person = personOf(entry);
  // A passenger of another bus, as check_in() decides it: amber, naming their own bus.
  if (busId && person.bus_id !== busId) {
    const title = person.bus
      ? text.wrong_bus_title.replace("%(bus)s", person.bus)
      : text.wrong_bus_none;
    return { outcome: "wrong_bus", colour: "amber", title, detail: text.wrong_bus_detail, person };
  }
  if (entry[HERE]) {
    return { colour: "amber", title: text.already, detail: text.already_local, person };
  }
  return { outcome: "ok", colour: "green", title: text.ok, person };
}
