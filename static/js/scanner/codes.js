// What a scan holds: the check-in code inside a bare code or a /c/<code> link of one of our
// hosts. The server decides by the same rule (kampung/checkin/service.py parse_code); the two
// must agree, or a scan judged offline would be judged otherwise once sent.

const TOKEN = /^[A-Za-z0-9_-]{20,64}$/; // kampung/tokens.py TOKEN_PATTERN

// "Kampung.example:8000" -> "kampung.example": hosts match by name, whatever the port.
function hostName(host) {
  return host.replace(/:\d*$/, "").toLowerCase();
}

// The code; null for a link that is not ours (another site, another scheme, unreadable).
export function extractCode(raw, hosts) {
  let value = raw.trim();
  if (value.includes("://")) {
    let url;
    try {
      url = new URL(value);
    } catch {
      return null;
    }
    const ours = new Set(hosts.map(hostName));
    if (!["http:", "https:"].includes(url.protocol) || !ours.has(url.hostname)) return null;
    value = url.pathname;
  }
  const at = value.lastIndexOf("/c/");
  if (at >= 0) value = value.slice(at + 3).replace(/^\/+|\/+$/g, "");
  return value;
}

export function looksLikeCode(code) {
  return TOKEN.test(code);
}

// How the offline copy names a person: the hex SHA-256 of their code, never the code itself.
export async function sha256(value) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Each scan's own id: the server counts a scan sent twice once.
export function newNonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16)).join("");
}
