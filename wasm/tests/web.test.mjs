// The browser build (wasm-bindgen --target web, the package's "./web" export) works too: it is
// initialised from the .wasm bytes with initSync, as a bundler or a page would after fetching it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

import { caseNamed, readScenario } from "./support/scenarios.mjs";

const s01 = readScenario(new URL("../../tests/scenarios/s01_decode.json", import.meta.url), "S01");
const coffee = caseNamed(s01, "coffee").input.invoice;

test("web build: initSync, then decode an invoice and render its QR code", async () => {
  const web = await import("@etrid/lightning/web");
  const bytes = await readFile(new URL("../pkg/web/etrid_wasm_bg.wasm", import.meta.url));
  web.initSync({ module: bytes });
  const invoice = web.decodeInvoiceWith(coffee, { network: "bitcoin", allowExpired: true });
  assert.equal(invoice.amount_msat, 250_000_000n);
  assert.equal(invoice.description, "1 cup coffee");
  assert.ok(web.qrSvg(coffee).endsWith("</svg>"));
  try {
    web.decodeInvoice(coffee, "bitcoin");
    assert.fail("expected invoice_expired");
  } catch (err) {
    assert.equal(err.code, "invoice_expired");
  }
});
