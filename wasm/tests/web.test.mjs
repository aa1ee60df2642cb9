// The browser build (wasm-bindgen --target web, the package's "./web" export) works too: it is
// initialised from the .wasm bytes with initSync, as a bundler or a page would after fetching it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import { valid } from "./support/vectors.mjs";

test("web build: initSync, then decode an invoice and render its QR code", async () => {
  const web = await import("@etrid/lightning/web");
  const bytes = await readFile(new URL("../pkg/web/etrid_wasm_bg.wasm", import.meta.url));
  web.initSync({ module: bytes });
  const invoice = web.decodeInvoiceWith(valid.coffee, { network: "bitcoin", allowExpired: true });
  assert.equal(invoice.amount_msat, 250_000_000n);
  assert.equal(invoice.description, "1 cup coffee");
  assert.ok(web.qrSvg(valid.coffee).endsWith("</svg>"));
  try {
    web.decodeInvoice(valid.coffee, "bitcoin");
    assert.fail("expected invoice_expired");
  } catch (err) {
    assert.equal(err.code, "invoice_expired");
  }
});
