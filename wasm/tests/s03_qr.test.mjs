// S03 Render a QR code for an invoice; reading it back yields the same string. The cases are
// tests/scenarios/s03_qr.json, shared with the Rust, C++ and C# runners. The module matrix is
// drawn into an RGBA image and read back with jsQR (an independent decoder); the SVG's dark
// modules are checked against the matrix.

import { test } from "node:test";
import assert from "node:assert/strict";

import { sdk, thrown } from "./support/sdk.mjs";
import { forEveryCase, readScenario } from "./support/scenarios.mjs";
import { QUIET_ZONE, readBack } from "./support/qr.mjs";

const s03 = readScenario(new URL("../../tests/scenarios/s03_qr.json", import.meta.url), "S03");

const SVG_MODULE = 8;

/** The text a case renders. */
const textOf = ({ input }) => input.text.repeat(input.repeat);

/** Checks the SVG is a well-formed document drawing exactly the matrix. */
function checkSvg(svg, matrix) {
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
}

test("S03 QR code for every text of s03_qr.json: the matrix reads back as the payload", async (t) => {
  await forEveryCase(t, s03, (c) => {
    assert.equal(c.op, "qr");
    const text = textOf(c);
    if ("error" in c.expect) {
      assert.equal(thrown(() => sdk.qrMatrix(text)).code, c.expect.error);
      assert.equal(thrown(() => sdk.qrSvg(text)).code, c.expect.error);
      return;
    }
    const { payload, width, invoice } = c.expect.ok;
    const matrix = sdk.qrMatrix(text);
    assert.ok(matrix.modules instanceof Uint8Array);
    assert.equal(matrix.width, width);
    assert.equal(matrix.modules.length, width * width);
    assert.ok(matrix.modules.every((m) => m === 0 || m === 1));
    const scanned = readBack(matrix);
    assert.equal(scanned, payload);
    checkSvg(sdk.qrSvg(text), matrix);
    if (invoice !== null) {
      // What is read back decodes to the same invoice (the npm API's clock is Date.now()).
      const decoded = sdk.decodeInvoiceWith(scanned, { network: invoice.network, allowExpired: true });
      assert.equal(decoded.bolt11, invoice.bolt11);
    }
  });
});
