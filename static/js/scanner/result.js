// The answer to a scan, impossible to miss: the full-screen colour and words
// (templates/checkin/_result.html), a sound and a vibration per colour.

import { $, cfg, text } from "./page.js";
import { deviceName } from "./device.js";

const result = $("result");
const slot = (name) => result.querySelector(`[data-slot="${name}"]`);

const SOUNDS = {
  green: { wave: "sine", notes: [[1046, 0, 0.15]] },
  amber: { wave: "triangle", notes: [[660, 0, 0.12], [660, 0.2, 0.12]] },
  red: { wave: "square", notes: [[196, 0, 0.55]] },
};
const VIBRATION = { green: [80], amber: [80, 80, 80], red: [400] };

let audio = null;
let hideTimer = null;

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

// "Pindahkan ke bus ini" on a wrong bus: a plain form (templates/checkin/_result.html) that
// needs the network; it carries the scanned code.
function offerMove(answer, code) {
  const form = slot("move");
  if (!form) return;
  form.hidden = !(answer.outcome === "wrong_bus" && navigator.onLine && code);
  form.querySelector('[data-slot="move-code"]').value = code || "";
  form.querySelector('[data-slot="move-device"]').value = deviceName();
}

// Call the person or their emergency contact: the numbers come from this phone's copy of the
// list (roster.js), so they are there offline too.
function offerCalls(person, calls) {
  const numbers = calls || person || {};
  const call = slot("call");
  const emergency = slot("call-emergency");
  call.hidden = !numbers.phone;
  call.href = `tel:${numbers.phone || ""}`;
  call.setAttribute("aria-label", numbers.phone ? text.call_person.replace("%(name)s", numbers.name) : "");
  emergency.hidden = !numbers.emergency_phone;
  emergency.href = `tel:${numbers.emergency_phone || ""}`;
  emergency.textContent = text.call_emergency.replace("%(name)s", numbers.emergency_name || "");
  slot("calls").hidden = call.hidden && emergency.hidden;
}

// An answer as /api/checkins sends it ({outcome, colour, title, detail, person, checkin_id}), or
// as the phone decided it offline (pending: saved here, not sent yet); `code`: what was scanned;
// `calls`: the person's numbers from the copy on this phone.
export function show(answer, { pending = false, code = "", calls = null } = {}) {
  const person = answer.person;
  result.className = `result result-${answer.colour}`;
  // A non-breaking hyphen: "CHECK-IN" must not split over two lines.
  slot("title").textContent = answer.title.replaceAll("-", "\u2011");
  slot("name").textContent = person ? person.name : "";
  slot("meta").textContent = person ? `RT/RW ${person.rt_rw} · ${person.kelurahan}` : "";
  slot("bus").textContent = person ? person.bus : "";
  slot("detail").textContent = answer.detail || "";
  slot("pending").hidden = !pending;
  const undo = slot("undo");
  undo.hidden = !answer.checkin_id;
  if (answer.checkin_id) undo.href = cfg.undo.replace(/\/0$/, `/${answer.checkin_id}`);
  offerMove(answer, code);
  offerCalls(person, person ? calls : null);
  result.hidden = false;
  beep(answer.colour);
  clearTimeout(hideTimer);
  // Green goes quickly so the next person is shown; amber and red stay until read, and a wrong
  // bus until the organiser decides (the next scan or "Pindai berikutnya" closes it).
  if (answer.outcome !== "wrong_bus") {
    hideTimer = setTimeout(hide, answer.colour === "green" ? 2500 : 6000);
  }
}

function hide() {
  result.hidden = true;
}

result.querySelector(".result-close").addEventListener("click", (event) => {
  event.preventDefault();
  hide();
  $("code").focus();
});
