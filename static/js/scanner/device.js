// This phone's short name ("HP K7"), shown to colleagues on an amber result.

import { $ } from "./page.js";

export function deviceName() {
  return ($("device-name").value || "").trim().slice(0, 40);
}
