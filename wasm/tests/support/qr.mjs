// Reads QR module matrices back with jsQR (an independent decoder): drawn with the quiet zone
// into an RGBA image first. Shared by the Node (S03) and Chromium runners.
import { createRequire } from "node:module";

const jsQR = createRequire(import.meta.url)("jsqr");

/** Modules of light margin around the code, as the SVG draws it. */
export const QUIET_ZONE = 4;

/** Draws a QrMatrix with the quiet zone, `scale` pixels per module, as RGBA pixels. */
export function rasterise({ width, modules }, scale = 4) {
  const side = (width + 2 * QUIET_ZONE) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      if (modules[y * width + x] !== 1) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const px = ((y + QUIET_ZONE) * scale + dy) * side + (x + QUIET_ZONE) * scale + dx;
          pixels.fill(0, px * 4, px * 4 + 3);
        }
      }
    }
  }
  return { pixels, side };
}

/** Reads a QrMatrix back with jsQR; returns the decoded text or null. */
export function readBack(matrix) {
  const { pixels, side } = rasterise(matrix);
  return jsQR(pixels, side, side)?.data ?? null;
}

