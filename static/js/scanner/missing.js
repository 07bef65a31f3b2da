// Who is still missing, offline: the server's list (templates/checkin/_missing.html) cannot be
// fetched then, so the page shows this phone's copy instead (roster.js missingHere), found by
// name, each with a call to them and to their emergency contact. Hidden while online.

import { $, text } from "./page.js";
import { missingHere } from "./roster.js";

// At most this many names at once; the rest are found by typing a name.
const SHOWN = 25;

const section = $("offline-missing");
const list = $("offline-missing-list");
const more = $("offline-missing-more");
const filter = $("offline-missing-filter");

function callLink(number, label, words) {
  const link = document.createElement("a");
  link.className = "button secondary";
  link.href = `tel:${number}`;
  link.textContent = words;
  link.setAttribute("aria-label", label);
  return link;
}

function item(person) {
  const li = document.createElement("li");
  const name = document.createElement("p");
  name.className = "missing-name";
  name.textContent = person.name;
  const meta = document.createElement("p");
  meta.className = "muted small";
  meta.textContent = [`RT/RW ${person.rt_rw}`, person.kelurahan, person.bus].filter(Boolean).join(" · ");
  li.append(name, meta);
  const calls = document.createElement("p");
  calls.className = "row calls";
  if (person.phone) {
    const label = text.call_person.replace("%(name)s", person.name);
    calls.append(callLink(person.phone, label, text.call));
  }
  if (person.emergency_phone) {
    const words = text.call_emergency.replace("%(name)s", person.emergency_name);
    calls.append(callLink(person.emergency_phone, `${words} (${person.name})`, words));
  }
  if (calls.childElementCount) li.append(calls);
  return li;
}

export function renderMissing() {
  const people = navigator.onLine ? null : missingHere();
  section.hidden = people === null;
  if (people === null) return;
  const wanted = filter.value.trim().toLowerCase();
  const found = wanted ? people.filter((p) => p.name.toLowerCase().includes(wanted)) : people;
  list.replaceChildren(...found.slice(0, SHOWN).map(item));
  more.textContent = !people.length
    ? text.missing_none
    : found.length > SHOWN
      ? text.missing_more.replace("%(n)s", (found.length - SHOWN).toLocaleString("id"))
      : "";
  $("offline-missing-count").textContent = people.length.toLocaleString("id");
}

filter.addEventListener("input", renderMissing);
window.addEventListener("online", renderMissing);
window.addEventListener("offline", renderMissing);
