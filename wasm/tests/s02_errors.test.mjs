// S02 Reject bad invoices with distinct typed errors: bad checksum, mixed case, wrong network,
// bad signature, unknown even feature, sub-msat amount, too short. Each is thrown as an Error
// named "EtridError" whose .code is the core's stable code.

import { test } from "node:test";
import assert from "node:assert/strict";

import { sdk, thrown } from "./support/sdk.mjs";
import { invalid, valid } from "./support/vectors.mjs";

/** The code decoding `text` for mainnet throws (expiry allowed, so only the fault shows). */
const codeOf = (text, network = "bitcoin") =>
  thrown(() => sdk.decodeInvoiceWith(text, { network, allowExpired: true })).code;

test("S02 distinct typed errors: every invalid spec example has its own code", () => {
  const codes = {
    checksum: codeOf(invalid.checksum),
    mixedCase: codeOf(invalid.mixedCase),
    signature: codeOf(invalid.signature),
    unknownFeature: codeOf(invalid.unknownFeature),
    subMsat: codeOf(invalid.subMsat),
    tooShort: codeOf(invalid.tooShort),
    multiplier: codeOf(invalid.multiplier),
    noSeparator: codeOf(invalid.noSeparator),
  };
  assert.deepStrictEqual(codes, {
    checksum: "invoice_bad_encoding",
    mixedCase: "invoice_mixed_case",
    signature: "invoice_bad_signature",
    unknownFeature: "invoice_unknown_required_feature",
    subMsat: "invoice_sub_msat_amount",
    tooShort: "invoice_too_short",
    multiplier: "invoice_invalid_amount",
    noSeparator: "invoice_bad_encoding",
  });
});

test("S02 distinct typed errors: wrong network, both ways", () => {
  assert.equal(codeOf(valid.testnetFallback, "bitcoin"), "invoice_wrong_network");
  assert.equal(codeOf(valid.coffee, "testnet"), "invoice_wrong_network");
  assert.equal(codeOf(valid.coffee, "regtest"), "invoice_wrong_network");
  const err = thrown(() => sdk.decodeInvoice(valid.testnetFallback, "bitcoin"));
  assert.equal(err.code, "invoice_wrong_network");
  assert.match(err.message, /testnet/);
});

test("S02 distinct typed errors: empty and garbage input throw, never crash", () => {
  assert.equal(codeOf(""), "invoice_empty");
  assert.equal(codeOf("   "), "invoice_empty");
  for (const text of ["lnbc", "not an invoice", "lnbc1", "\u0000\uffff", "x".repeat(10_000)]) {
    const code = codeOf(text);
    assert.match(code, /^invoice_[a-z_]+$/, `${JSON.stringify(text.slice(0, 20))} -> ${code}`);
  }
  // The module still works after all of these.
  assert.equal(sdk.decodeInvoiceWith(valid.coffee, { network: "bitcoin", allowExpired: true }).amount_msat, 250_000_000n);
});

test("S02 distinct typed errors: bad arguments are invalid_argument", () => {
  const badNetwork = thrown(() => sdk.decodeInvoice(valid.coffee, "litecoin"));
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
      thrown(() => sdk.decodeInvoiceWith(valid.coffee, options)).code,
      "invalid_argument",
      JSON.stringify(options),
    );
  }
});
