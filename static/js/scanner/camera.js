// The camera: qr-scanner (static/vendor/qr-scanner, loaded only when this page starts it), the
// switch between the phone's cameras and its torch. A code held up in front of the camera is
// read many times a second: it is passed on once, not again while it stays in view.

import { $, cfg, text } from "./page.js";

// The same code seen again within this time is the same person still holding it up.
const REPEAT_MS = 4000;

let lastCode = "";
let lastSeen = 0;

function once(onCode) {
  return (data) => {
    const now = Date.now();
    const same = data === lastCode && now - lastSeen < REPEAT_MS;
    lastCode = data;
    lastSeen = now;
    if (!same) onCode(data);
  };
}

export async function startCamera(onCode) {
  const video = $("camera-video");
  const status = $("camera-status");
  let QrScanner;
  try {
    ({ default: QrScanner } = await import(cfg.qrScanner));
  } catch {
    status.textContent = text.camera_off;
    return;
  }
  video.hidden = false;
  const decoded = once(onCode);
  const scanner = new QrScanner(video, (found) => decoded(found.data), {
    preferredCamera: "environment",
    returnDetailedScanResult: true,
    maxScansPerSecond: 10,
  });
  try {
    await scanner.start();
  } catch {
    video.hidden = true;
    status.textContent = text.camera_off;
    return;
  }
  status.textContent = text.camera_on;
  const cameras = await QrScanner.listCameras(true).catch(() => []);
  if (cameras.length > 1) {
    let index = 0;
    const button = $("camera-switch");
    button.hidden = false;
    button.addEventListener("click", async () => {
      index = (index + 1) % cameras.length;
      await scanner.setCamera(cameras[index].id);
      updateTorch(scanner);
    });
  }
  updateTorch(scanner);
}

async function updateTorch(scanner) {
  const button = $("camera-torch");
  const has = await scanner.hasFlash().catch(() => false);
  button.hidden = !has;
  button.onclick = async () => {
    await scanner.toggleFlash();
    button.setAttribute("aria-pressed", String(scanner.isFlashOn()));
  };
}
