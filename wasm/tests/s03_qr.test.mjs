// S03 Render a QR code for an invoice; reading it back yields the same string. The module matrix
// is drawn into an RGBA image and read back with jsQR (an independent decoder); the SVG's dark
// modules are checked against the matrix.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import { sdk, thrown } from "./support/sdk.mjs";
import { valid } from "./support/vectors.mjs";

const jsQR = createRequire(import.meta.url)("jsqr");

const QUIET_ZONE = 4;
const SVG_MODULE = 8;

/** Draws a QrMatrix with the quiet zone, `scale` pixels per module, as RGBA pixels. */
function rasterise({ width, modules }, scale = 4) {
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
function readBack(matrix) {
  const { pixels, side } = rasterise(matrix);
  return jsQR(pixels, side, side)?.data ?? null;
}

test("S03 QR code for an invoice: the matrix reads back as the same invoice", () => {
  for (const invoice of [valid.coffee, valid.routeHints, valid.picoAmount, valid.donation]) {
    const matrix = sdk.qrMatrix(invoice);
    assert.ok(matrix.modules instanceof Uint8Array);
    assert.ok(Number.isInteger(matrix.width) && matrix.width >= 21 && (matrix.width - 17) % 4 === 0);
    assert.equal(matrix.modules.length, matrix.width * matrix.width);
    assert.ok(matrix.modules.every((m) => m === 0 || m === 1));
    // Bech32 is encoded in upper case (alphanumeric mode): the same invoice, case aside.
    assert.equal(readBack(matrix), invoice.toUpperCase());
    // And what is read back decodes to the same invoice.
    const decoded = sdk.decodeInvoiceWith(readBack(matrix), { network: "bitcoin", allowExpired: true });
    assert.equal(decoded.bolt11, invoice);
  }
});

test("S03 QR code: other text is encoded exactly as given", () => {
  for (const text of ["https://example.com/Pay?Item=42", "lightning:LNURL is not bech32 here", "ナンセンス 1杯"]) {
    assert.equal(readBack(sdk.qrMatrix(text)), text);
  }
});

test("S03 QR code: the SVG is a well-formed document drawing exactly the matrix", () => {
  const matrix = sdk.qrMatrix(valid.coffee);
  const svg = sdk.qrSvg(valid.coffee);
  assert.match(svg, /^<\?xml version="1\.0"[^>]*\?><svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.endsWith("</svg>"));
  const side = (matrix.width + 2 * QUIET_ZONE) * SVG_MODULE;
  assert.match(svg, new RegExp(`width="${side}" height="${side}" viewBox="0 0 ${side} ${side}"`));
  // Balanced tags: every element is self-closed or closed.
  const opened = (svg.match(/<(svg|path|rect)\b[^>]*[^/]>/g) ?? []).length;
  const closed = (svg.match(/<\/(svg|path|rect)>/g) ?? []).length;
  assert.equal(opened, closed);
  // Each dark module is one "M{x} {y}h8v8" square; together they are the matrix.
  const drawn = new Uint8Array(matrix.width * matrix.width);
  for (const [, x, y] of svg.matchAll(/M(\d+) (\d+)h8v8/g)) {
    const mx = Number(x) / SVG_MODULE - QUIET_ZONE;
    const my = Number(y) / SVG_MODULE - QUIET_ZONE;
    assert.ok(mx >= 0 && my >= 0 && mx < matrix.width && my < matrix.width);
    drawn[my * matrix.width + mx] = 1;
  }
  assert.deepStrictEqual(drawn, matrix.modules);
});

test("S03 QR code: empty or oversized text throws a typed error", () => {
  assert.equal(thrown(() => sdk.qrSvg("")).code, "qr_empty");
  assert.equal(thrown(() => sdk.qrMatrix("")).code, "qr_empty");
  assert.equal(thrown(() => sdk.qrSvg("x".repeat(8000))).code, "qr_data_too_long");
  assert.equal(thrown(() => sdk.qrMatrix("x".repeat(8000))).code, "qr_data_too_long");
});
