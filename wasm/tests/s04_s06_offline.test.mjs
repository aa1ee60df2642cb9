// S04 (Lightning Address and LNURL), S05 (fiat quotes) and S06 (webhook signatures) through the
// npm package: every case of tests/scenarios/s04_lnurl.json, s05_fiat.json and s06_webhook.json,
// shared with the Rust runner. Each op is one exported function; errors are EtridErrors with
// the core's stable code.
import { test } from "node:test";
import assert from "node:assert/strict";

import { sdk } from "./support/sdk.mjs";
import { forEveryCase, readScenario } from "./support/scenarios.mjs";

const scenario = (file, id) => readScenario(new URL(`../../tests/scenarios/${file}`, import.meta.url), id);

/** `value` with every integer (number or bigint) as a bigint, to compare exactly. */
function exact(value) {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(exact);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, exact(item)]));
  }
  return value;
}

/** Runs `op()` and checks it against the case's `expect` (`ok` result or `error` code). */
function expectOutcome(expect, op) {
  let result;
  try {
    result = op();
  } catch (err) {
    assert.ok(err instanceof sdk.EtridError, `not an EtridError: ${err?.stack ?? err}`);
    assert.ok("error" in expect, `unexpected ${err.code}: ${err.message}`);
    assert.equal(err.code, expect.error);
    return;
  }
  assert.ok("ok" in expect, `expected ${expect.error}, got ${JSON.stringify(exact(result), (_, v) => (typeof v === "bigint" ? `${v}` : v))}`);
  assert.deepEqual(exact(result), exact(expect.ok));
}

/** The fields of a pay offer the S04 cases list. */
const payFields = (offer) => ({
  callback: offer.callback,
  min_sendable: offer.min_sendable,
  max_sendable: offer.max_sendable,
  metadata: offer.metadata,
  description: offer.parsed_metadata.description,
  comment_allowed: offer.comment_allowed,
});

/** The fields of a withdraw offer the S04 cases list. */
const withdrawFields = (offer) => ({
  callback: offer.callback,
  k1: offer.k1,
  default_description: offer.default_description,
  min_withdrawable: offer.min_withdrawable,
  max_withdrawable: offer.max_withdrawable,
  is_empty: offer.min_withdrawable === 0n && offer.max_withdrawable === 0n,
});

const S04_OPS = {
  parse_address: ({ text }) => sdk.parseLightningAddress(text),
  decode_lnurl: ({ text }) => ({ url: sdk.decodeLnurl(text) }),
  encode_lnurl: ({ url }) => ({ lnurl: sdk.encodeLnurl(url) }),
  parse_pay_request: ({ body }) => payFields(sdk.parsePayRequest(body)),
  parse_withdraw_request: ({ body }) => withdrawFields(sdk.parseWithdrawRequest(body)),
  parse_lnurl_response: ({ body }) => {
    const response = sdk.parseLnurlResponse(body);
    return { kind: response.kind, reason: response.kind === "error" ? response.reason : null };
  },
  pay_callback_url: ({ offer, amount_msat, comment }) => ({
    url: sdk.payCallbackUrl(sdk.parsePayRequest(offer), amount_msat, comment ?? undefined),
  }),
  withdraw_callback_url: ({ offer, amount_msat, invoice }) => ({
    url: sdk.withdrawCallbackUrl(sdk.parseWithdrawRequest(offer), amount_msat, invoice),
  }),
  verify_invoice_matches: ({ offer, amount_msat, invoice_amount_msat, invoice_description_hash }) =>
    sdk.verifyLnurlInvoice(sdk.parsePayRequest(offer), amount_msat, {
      amount_msat: invoice_amount_msat === null ? null : BigInt(invoice_amount_msat),
      description_hash: invoice_description_hash,
    }) ?? null,
};

/** A quote as the S05 cases describe it. */
const quote = (q) =>
  sdk.fiatQuote({ amount: q.amount, currency: q.currency, rate: q.rate, rounding: q.rounding, ttlSecs: q.ttl_secs, now: q.now });

const S05_OPS = {
  quote: (input) => {
    const made = quote(input);
    return { msat: made.msat, currency: made.currency, created_at_unix: made.created_at_unix, expires_at_unix: made.expires_at_unix };
  },
  fiat_to_msat: ({ amount, rate, rounding }) => ({ msat: sdk.fiatToMsat(amount, rate, rounding) }),
  msat_to_fiat: ({ msat, rate, decimals, rounding }) => ({ amount: sdk.msatToFiat(BigInt(msat), rate, decimals, rounding) }),
  check_slippage: ({ quote: q, new_rate, max_bps }) => sdk.checkSlippage(quote(q), new_rate, max_bps) ?? null,
  check_valid: ({ quote: q, now }) => sdk.checkQuoteValid(quote(q), now) ?? null,
};

const S06_OPS = {
  sign: ({ secrets, body, timestamp }) => ({ header: sdk.signWebhook(secrets, body, BigInt(timestamp)) }),
  verify: ({ secret, header, body, now, tolerance_secs }) =>
    sdk.verifyWebhook({ "etrid-signature": header ?? undefined }, body, secret, { now, toleranceSecs: tolerance_secs }),
};

/** Runs every case of `file` with the op table `ops`; an op without an entry fails. */
async function runAll(t, file, ops) {
  await forEveryCase(t, file, (c) => {
    const op = ops[c.op];
    assert.ok(op, `unknown op ${c.op}`);
    expectOutcome(c.expect, () => op(c.input));
  });
}

test("S04 every Lightning Address and LNURL case of s04_lnurl.json", (t) => runAll(t, scenario("s04_lnurl.json", "S04"), S04_OPS));
test("S05 every fiat case of s05_fiat.json", (t) => runAll(t, scenario("s05_fiat.json", "S05"), S05_OPS));
test("S06 every webhook signature case of s06_webhook.json", (t) => runAll(t, scenario("s06_webhook.json", "S06"), S06_OPS));

test("S06 verifyWebhook reads Headers objects, Node header records and raw Buffers", () => {
  const body = Buffer.from('{"id":"evt_1","type":"invoice.paid"}');
  const now = Math.floor(Date.now() / 1000);
  const header = sdk.signWebhook(["whsec_shop"], body, BigInt(now));
  const fetchHeaders = new Headers({ "Etrid-Signature": header, "content-type": "application/json" });
  assert.equal(sdk.verifyWebhook(fetchHeaders, body, "whsec_shop").timestamp, BigInt(now));
  assert.equal(sdk.verifyWebhook({ "etrid-signature": [header] }, body.toString(), Buffer.from("whsec_shop")).timestamp, BigInt(now));
  assert.throws(() => sdk.verifyWebhook({}, body, "whsec_shop"), (err) => err.code === "webhook_missing_header");
  assert.throws(() => sdk.verifyWebhook(header, Buffer.concat([body, Buffer.from(" ")]), "whsec_shop"), (err) => err.code === "webhook_signature_mismatch");
  assert.throws(() => sdk.verifyWebhook(header, { parsed: true }, "whsec_shop"), (err) => err.code === "invalid_argument");
});

test("amounts: parse and format exactly, typed errors for the rest", () => {
  assert.equal(sdk.parseAmount("1.5 sat"), 1_500n);
  assert.equal(sdk.parseAmount("0.00000001 BTC"), 1_000n);
  assert.equal(sdk.parseAmountIn("21", "sat"), 21_000n);
  assert.equal(sdk.formatAmount(1_500n, "sat"), "1.5 sat");
  assert.equal(sdk.parseAmount(sdk.formatAmount(123_456_789n, "btc")), 123_456_789n);
  assert.throws(() => sdk.parseAmount("1.0001 sat"), (err) => err instanceof sdk.EtridError && err.code.startsWith("amount_"));
  assert.throws(() => sdk.parseAmount("21"), (err) => err.code.startsWith("amount_"));
  assert.throws(() => sdk.formatAmount(1n, "bits"), (err) => err.code === "invalid_argument");
});
