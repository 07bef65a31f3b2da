// One scan, from whatever read it (camera, typed code, handheld scanner, a search result) to
// the result on screen: the server decides when it answers; otherwise this phone decides from
// its copy of the list, and the scan waits in the queue.

import { extractCode, newNonce, sha256 } from "./codes.js";
import { busId, checkpoint, hosts, refreshLive, text } from "./page.js";
import { HttpError, enqueue, isEmpty, post, renderQueue, sync } from "./queue.js";
import { deviceName } from "./device.js";
import { renderMissing } from "./missing.js";
import { show } from "./result.js";
import { callsOf, localAnswer, markHere } from "./roster.js";


export async function scan(raw) {
  const code = extractCode(raw, hosts);
  const hash = code ? await sha256(code) : "";
  const item = {
    code: raw.trim().slice(0, 300),
    checkpoint,
    scanned_at: new Date().toISOString(),
    nonce: newNonce(),
    device: deviceName(),
  };
  if (busId) item.bus = busId;
  if (navigator.onLine && isEmpty()) {
    try {
      const [answer] = await post([item], 4000);
      show(answer, { code: item.code, calls: callsOf(hash) });
      if (answer.outcome === "ok" || answer.outcome === "already") markHere(hash);
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
  if (answer.colour === "green") markHere(hash);
  enqueue({ ...item, hash });
  show(answer, { pending: true, code: item.code });
  renderMissing();
  renderQueue();
  sync();
}
