// What the scanner keeps on this phone, in localStorage. Every key starts with "kampung-", so
// that logging out (static/js/logout.js) finds and removes them all.

import { checkpoint } from "./page.js";

export const KEYS = {
  queue: `kampung-queue-${checkpoint}`,
  roster: `kampung-roster-${checkpoint}`,
  device: "kampung-device",
};

export function load(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
}

export function forget(key) {
  localStorage.removeItem(key);
}

// The keys of every checkpoint's copy of one kind ("kampung-roster-"), this page's included.
export function keysStartingWith(prefix) {
  return Object.keys(localStorage).filter((key) => key.startsWith(prefix));
}
