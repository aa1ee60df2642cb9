// S02 Reject bad invoices with distinct typed errors: bad checksum, mixed case, wrong network,
// bad signature, unknown even feature, sub-msat amount, too short. Each is thrown as an Error
// named "EtridError" whose .code is the core's stable code. The cases are
// tests/scenarios/s02_errors.json, shared with the Rust, C++ and C# runners.

import { test } from "node:test";
import assert from "node:assert/strict";

import { sdk, thrown } from "./support/sdk.mjs";
import { caseNamed, forEveryCase, readScenario } from "./support/scenarios.mjs";

const s01 = readScenario(new URL("../../tests/scenarios/s01_decode.json", import.meta.url), "S01");
const s02 = readScenario(new URL("../../tests/scenarios/s02_errors.json", import.meta.url), "S02");
const coffee = caseNamed(s01, "coffee").input.invoice;

/** The code decoding `text` throws (expiry allowed, so only the fault shows). */
const codeOf = (text, network = "bitcoin") =>
  thrown(() => sdk.decodeInvoiceWith(text, { network, allowExpired: true })).code;

test("S02 every bad invoice of s02_errors.json throws its code", async (t) => {
  await forEveryCase(t, s02, ({ op, input, expect }) => {
    assert.equal(op, "decode_invoice");
    assert.ok("error" in expect, "an S02 case expects an error");
    if (expect.error !== "invoice_expired") {
      assert.equal(codeOf(input.invoice, input.network), expect.error);
      return;
    }
    // The npm API reads Date.now(): the invoice must have expired by then as well as by `now`.
    const invoice = sdk.decodeInvoiceWith(input.invoice, { network: input.network, allowExpired: true });
    assert.ok(input.now >= invoice.expires_at);
    assert.ok(BigInt(Math.floor(Date.now() / 1000)) >= invoice.expires_at);
    const err = thrown(() => sdk.decodeInvoiceWith(input.invoice, { network: input.network }));
    assert.equal(err.code, expect.error);
  });
});

test("S02 distinct typed errors: the kinds SCENARIOS.md names have distinct codes", () => {
  const kinds = ["checksum", "mixed_case", "testnet_invoice_on_bitcoin", "signature", "unknown_feature", "sub_msat", "too_short"];
  const codes = new Set(kinds.map((name) => caseNamed(s02, name).expect.error));
  assert.equal(codes.size, kinds.length);
});

test("S02 distinct typed errors: wrong network names the invoice's network", () => {
  const { input } = caseNamed(s02, "testnet_invoice_on_bitcoin");
  const err = thrown(() => sdk.decodeInvoice(input.invoice, "bitcoin"));
  assert.equal(err.code, "invoice_wrong_network");
  assert.match(err.message, /testnet/);
});

test("S02 distinct typed errors: empty and garbage input throw, never crash", () => {
  for (const text of ["lnbc", "not an invoice", "lnbc1", "\u0000\uffff", "x".repeat(10_000)]) {
    const code = codeOf(text);
    assert.match(code, /^invoice_[a-z_]+$/, `${JSON.stringify(text.slice(0, 20))} -> ${code}`);
  }
  // The module still works after all of these.
  assert.equal(sdk.decodeInvoiceWith(coffee, { network: "bitcoin", allowExpired: true }).amount_msat, 250_000_000n);
});

test("S02 distinct typed errors: bad arguments are invalid_argument", () => {
  const badNetwork = thrown(() => sdk.decodeInvoice(coffee, "litecoin"));
  assert.equal(badNetwork.code, "invalid_argument");
  assert.match(badNetwork.message, /litecoin/);
  for (const options of [
    undefined,
    null,
    "bitcoin",
    {},
    { network: 42 },
    { network: "bitcoin", allowExpire: true },
    { network: "bitcoin", allowExpired: "yes" },
  ]) {
    assert.equal(
      thrown(() => sdk.decodeInvoiceWith(coffee, options)).code,
      "invalid_argument",
      JSON.stringify(options),
    );
  }
});
