// S10–S29 through the npm package in Node, against a real LSP on the devnet (the lsp-fixture
// binary: regtest chain, LDK nodes, the Étrid LSP over real HTTP and WebSocket). The client is
// the package's `Client`: the Rust core's LspClient on Node's fetch and the `ws` WebSocket.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sdk } from "./support/sdk.mjs";
import { startFixture, walletInvoice, walletPays } from "./support/fixture.mjs";
import { startProxy } from "./support/proxy.mjs";
import { QUIET_ZONE, readBack } from "./support/qr.mjs";

const { Client, EtridError } = sdk;

/** Invoice creation allowed per account before 429: a burst, then one a second. */
const RATE_BURST = 40;

let fixture;
/** Per account: an admin-key client and an invoice-key client. */
let accounts;

/** The fixed fiat rates the LSP quotes from (S28 moves one by rewriting the file). */
const ratesFile = join(mkdtempSync(join(tmpdir(), "etrid-rates-")), "rates.json");
function setRates(rates) {
  writeFileSync(`${ratesFile}.tmp`, JSON.stringify(rates));
  renameSync(`${ratesFile}.tmp`, ratesFile);
}

before(async () => {
  setRates({ USD: "100000", EUR: "92000.50" });
  fixture = await startFixture([
    "--accounts", "3",
    "--fund-msat", "20000000",
    "--invoice-rate-per-sec", "1",
    "--invoice-rate-burst", String(RATE_BURST),
    "--fiat-rates-file", ratesFile,
  ]);
  accounts = fixture.accounts.map((account) => ({
    id: account.id,
    admin: client(account.admin_key),
    invoice: client(account.invoice_key),
  }));
});

after(async () => {
  await fixture?.stop();
});

/** A client of the fixture's LSP with `apiKey`. */
function client(apiKey, extra = {}) {
  return new Client({ baseUrl: fixture.api, apiKey, network: "regtest", ...extra });
}

/** Resolves the payment once it is final (succeeded or failed). */
async function finalPayment(admin, paymentId, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const payment = await admin.getPayment(paymentId);
    if (payment.status !== "pending") return payment;
    assert.ok(Date.now() < deadline, `payment ${paymentId} still pending`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Awaits `promise`, which must reject with an EtridError of `code`; returns the error. */
async function rejects(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof EtridError, `not an EtridError: ${err?.stack ?? err}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/** Every ledger entry of the account that references `id`. */
async function ledgerEntriesFor(admin, id) {
  const { items } = await admin.listLedger({ limit: 100 });
  return items.filter((entry) => entry.reference_id === id);
}

test("S10 invoice key: create, a devnet wallet pays, the paid event arrives, credited exactly once", async () => {
  const { admin, invoice: shop } = accounts[1];
  const before = await admin.balance();
  const heard = [];
  const unsubscribe = shop.on("invoice.paid", (event) => heard.push(event));
  try {
    const invoice = await shop.createInvoice({ amount_msat: 21_000_000n, description: "S10 sword" });
    assert.equal(invoice.status, "open");
    assert.equal(typeof invoice.amount_msat, "bigint");
    // The decoded invoice agrees with the LSP's record of it.
    const decoded = sdk.decodeInvoice(invoice.bolt11, "regtest");
    assert.equal(decoded.payment_hash, invoice.payment_hash);
    assert.equal(decoded.amount_msat, 21_000_000n);

    const waiting = shop.waitForPayment(invoice.id, { timeoutMs: 60_000 });
    const paid = await walletPays(fixture, invoice.bolt11);
    assert.equal(paid.status, "succeeded", JSON.stringify(paid));
    const outcome = await waiting;
    assert.equal(outcome.status, "paid");
    assert.equal(outcome.invoice.id, invoice.id);
    assert.equal(outcome.invoice.amount_received_msat, 21_000_000n);

    // The listener heard it, once, on the event loop.
    const deadline = Date.now() + 10_000;
    while (!heard.some((e) => e.data.id === invoice.id) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const events = heard.filter((e) => e.data.id === invoice.id);
    assert.equal(events.length, 1, "one invoice.paid event");
    assert.equal(events[0].type, "invoice.paid");
    assert.equal(typeof events[0].id, "bigint");

    const after = await admin.balance();
    assert.equal(after.available_msat - before.available_msat, 21_000_000n, "credited exactly once");
    const entries = await ledgerEntriesFor(admin, invoice.id);
    assert.equal(entries.length, 1, JSON.stringify(entries, (_, v) => (typeof v === "bigint" ? `${v}` : v)));
    assert.equal(entries[0].amount_msat, 21_000_000n);
  } finally {
    unsubscribe();
  }
});

test("S11 the same external_id twice returns the same invoice", async () => {
  const { invoice: shop } = accounts[1];
  const request = { amount_msat: 5_000n, description: "S11 potion", external_id: `order-${Date.now()}` };
  const first = await shop.createInvoice(request);
  const second = await shop.createInvoice(request);
  assert.equal(second.id, first.id);
  assert.equal(second.bolt11, first.bolt11);
  // Other parameters under the same id are refused, not silently merged.
  await rejects(shop.createInvoice({ ...request, amount_msat: 6_000n }), "lsp_idempotency_mismatch");
});

test("S12 waiting for an invoice that expires gives an expired result, not a hang", async () => {
  const { invoice: shop } = accounts[1];
  const invoice = await shop.createInvoice({ amount_msat: 1_000n, expiry_secs: 2 });
  const started = Date.now();
  const outcome = await shop.waitForPayment(invoice.id);
  assert.equal(outcome.status, "expired");
  assert.equal(outcome.invoice.id, invoice.id);
  assert.ok(Date.now() - started < 30_000, "returned soon after the expiry");
});

test("S12 waitForPayment honours its timeout and its AbortSignal", async () => {
  const { invoice: shop } = accounts[1];
  const invoice = await shop.createInvoice({ amount_msat: 1_000n, expiry_secs: 600 });
  const timedOut = await shop.waitForPayment(invoice.id, { timeoutMs: 300 });
  assert.deepEqual(timedOut, { status: "timed_out", invoice: null });

  const controller = new AbortController();
  const waiting = shop.waitForPayment(invoice.id, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("the player closed the shop")), 300);
  const err = await rejects(waiting, "aborted");
  assert.equal(err.cause.message, "the player closed the shop");
  // An already aborted signal rejects at once.
  await rejects(shop.waitForPayment(invoice.id, { signal: AbortSignal.abort() }), "aborted");
});

test("S13 pay an external invoice with an admin key: preimage and fee returned, balance debited once", async () => {
  const { admin } = accounts[0];
  const before = await admin.balance();
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", 3_000_000n, "S13 bob's shop");
  const prepared = admin.preparePayInvoice({ bolt11, idempotency_key: `s13-${Date.now()}` });
  assert.equal(prepared.amountMsat, 3_000_000n);
  assert.equal(prepared.maxTotalMsat, prepared.amountMsat + prepared.maxFeeMsat);
  assert.equal(prepared.invoice.amount_msat, 3_000_000n);
  const sent = await admin.pay(prepared);
  const done = await finalPayment(admin, sent.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done, (_, v) => (typeof v === "bigint" ? `${v}` : v)));
  const preimageHash = createHash("sha256").update(Buffer.from(done.preimage, "hex")).digest("hex");
  assert.equal(preimageHash, done.payment_hash, "the preimage opens the payment hash");
  assert.equal(typeof done.fee_msat, "bigint");
  assert.ok(done.fee_msat <= prepared.maxFeeMsat);
  // Paying again with the same idempotency key pays nothing more.
  const again = await admin.pay(prepared);
  assert.equal(again.id, sent.id);
  const after = await admin.balance();
  assert.equal(before.available_msat - after.available_msat, 3_000_000n + done.fee_msat, "debited once");
  assert.equal(after.reserved_msat, 0n);
});

/** The LSP's outbound capacity per channel, by counterparty, sorted. */
async function outbound(admin) {
  const { items } = await admin.listChannels();
  return items
    .map((channel) => [channel.counterparty_node_id, channel.outbound_capacity_msat])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

/** How many channels `compare(before, now)` holds for. */
const count = (before, now, compare) => before.filter(([, b], i) => compare(b, now[i][1])).length;

/** Polls the channels until at least two moved as `compare` says (commitments settle a moment after the payment). */
async function twoChannelsMoved(admin, before, compare) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = await outbound(admin);
    if (count(before, now, compare) >= 2 || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("S14 multi-path: more than the largest channel can carry succeeds in two or more parts", async () => {
  const { admin, invoice: shop } = accounts[0];
  const amount = 300_000_000n;
  // Receive it first: alice pays the LSP more than one path carries.
  const start = await outbound(admin);
  const incoming = await shop.createInvoice({ amount_msat: amount, description: "S14 prize pool" });
  const received = await walletPays(fixture, incoming.bolt11);
  assert.equal(received.status, "succeeded", JSON.stringify(received));
  assert.equal((await shop.waitForPayment(incoming.id, { timeoutMs: 30_000 })).status, "paid");
  const mid = await twoChannelsMoved(admin, start, (b, n) => n > b);
  assert.ok(count(start, mid, (b, n) => n > b) >= 2, "both router channels carried a part in");

  // Then pay it out: no single channel can carry it, so it goes in parts (the reference server
  // does not report `parts`, see API.md; the channels show them).
  const liquidity = await admin.liquidity();
  assert.ok(liquidity.largest_outbound_msat < amount, `one channel cannot carry it: ${liquidity.largest_outbound_msat}`);
  const before = await admin.balance();
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", amount, "S14 big prize");
  const sent = await admin.pay(admin.preparePayInvoice({ bolt11, idempotency_key: `s14-${Date.now()}`, max_parts: 8 }));
  const done = await finalPayment(admin, sent.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done, (_, v) => (typeof v === "bigint" ? `${v}` : v)));
  const end = await twoChannelsMoved(admin, mid, (b, n) => n < b);
  assert.ok(count(mid, end, (b, n) => n < b) >= 2, "both router channels carried a part out");
  const after = await admin.balance();
  assert.equal(before.available_msat - after.available_msat, amount + done.fee_msat, "debited once");
});

test("S15 hold invoice: accepted then settled; accepted then cancelled and the payer refunded", async () => {
  const { admin } = accounts[1];
  const before = await admin.balance();

  const preimage = randomBytes(32);
  const paymentHash = createHash("sha256").update(preimage).digest("hex");
  const held = await admin.createHoldInvoice({ payment_hash: paymentHash, amount_msat: 4_000_000n });
  assert.equal(held.kind, "hold");
  const paying = walletPays(fixture, held.bolt11);
  assert.equal((await admin.waitForPayment(held.id, { timeoutMs: 60_000 })).status, "accepted");
  const settled = await admin.settleHoldInvoice(held.id, { preimage: preimage.toString("hex") });
  assert.equal(settled.status, "paid");
  assert.equal((await paying).status, "succeeded");
  assert.equal((await admin.balance()).available_msat - before.available_msat, 4_000_000n);

  const other = createHash("sha256").update(randomBytes(32)).digest("hex");
  const refused = await admin.createHoldInvoice({ payment_hash: other, amount_msat: 2_000_000n });
  const payingAgain = walletPays(fixture, refused.bolt11).then(
    (outcome) => outcome,
    (err) => ({ status: "failed", error: err.message }),
  );
  assert.equal((await admin.waitForPayment(refused.id, { timeoutMs: 60_000 })).status, "accepted");
  const cancelled = await admin.cancelHoldInvoice(refused.id);
  assert.equal(cancelled.status, "cancelled");
  assert.equal((await payingAgain).status, "failed", "the payer's HTLC came back");
  assert.equal((await admin.balance()).available_msat - before.available_msat, 4_000_000n, "nothing credited");
});

test("S16 keysend with custom TLV records", async () => {
  const { admin } = accounts[0];
  const nodes = await (await fetch(`${fixture.control}/v1/nodes`)).json();
  const alice = nodes.find((node) => node.name === "alice");
  const records = [
    { type: 65_537n, value: "68656c6c6f" },
    { type: 696_969n, value: "0102ff" },
  ];
  const prepared = admin.prepareKeysend({
    destination: alice.node_id,
    amount_msat: 7_000_000n,
    custom_records: records,
    idempotency_key: `s16-${Date.now()}`,
  });
  const sent = await admin.keysend(prepared);
  const done = await finalPayment(admin, sent.id);
  assert.equal(done.status, "succeeded");
  assert.equal(done.kind, "keysend");
  assert.deepEqual(done.custom_records, records);
  // A record in the keysend preimage's type is refused before sending.
  assert.throws(
    () =>
      admin.prepareKeysend({
        destination: alice.node_id,
        amount_msat: 1_000n,
        custom_records: [{ type: 5_482_373_484n, value: "00" }],
        idempotency_key: "s16-bad",
      }),
    (err) => err instanceof EtridError && err.code === "lsp_invalid_request",
  );
});

test("S17 an invoice-scoped key cannot pay, manage keys or read other accounts' data", async () => {
  const mine = accounts[2];
  const theirs = accounts[1];
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", 1_000_000n);
  const prepared = mine.invoice.preparePayInvoice({ bolt11, idempotency_key: "s17-pay" });
  await rejects(mine.invoice.pay(prepared), "lsp_forbidden_scope");
  await rejects(mine.invoice.createApiKey({ scope: "admin", label: "s17" }), "lsp_forbidden_scope");
  await rejects(mine.invoice.listApiKeys(), "lsp_forbidden_scope");
  await rejects(mine.invoice.createWebhook({ url: "http://127.0.0.1:9/hook" }), "lsp_forbidden_scope");
  const foreign = await theirs.invoice.createInvoice({ amount_msat: 1_000n });
  await rejects(mine.invoice.getInvoice(foreign.id), "lsp_not_found");
  await rejects(mine.admin.getInvoice(foreign.id), "lsp_not_found");
  await rejects(mine.admin.cancelInvoice(foreign.id), "lsp_not_found");
  const listed = await mine.admin.listInvoices({ limit: 100 });
  assert.ok(listed.items.every((invoice) => invoice.id !== foreign.id));
});

test("S18 events resume after the last id: nothing missed, nothing repeated", async () => {
  const { admin, invoice: shop } = accounts[1];
  const { items: backlog } = await admin.listEvents({ limit: 1000 });
  const start = backlog.length ? backlog[backlog.length - 1].id : 0n;
  const paidIds = [];
  for (let i = 0; i < 3; i++) {
    const invoice = await shop.createInvoice({ amount_msat: 10_000n + BigInt(i), description: `S18 #${i}` });
    assert.equal((await walletPays(fixture, invoice.bolt11)).status, "succeeded");
    paidIds.push(invoice.id);
  }
  // Read one event, stop (the stream closes), then resume from the last id seen.
  const seen = [];
  const first = shop.events({ after: start });
  for await (const event of first) {
    seen.push(event);
    break;
  }
  const resumeAfter = first.lastEventId;
  assert.equal(resumeAfter, seen[0].id);
  const second = shop.events({ after: resumeAfter });
  for await (const event of second) {
    seen.push(event);
    if (paidIds.every((id) => seen.some((e) => e.type === "invoice.paid" && e.data.id === id))) break;
  }
  const ids = seen.map((e) => e.id);
  assert.deepEqual([...ids].sort((a, b) => (a < b ? -1 : 1)), ids, "in id order");
  assert.equal(new Set(ids).size, ids.length, "none repeated");
  // None missed: exactly what the event log holds after `start`, up to the last one read.
  const { items } = await admin.listEvents({ after: start, limit: 1000 });
  const expected = items.filter((e) => e.id <= ids[ids.length - 1]).map((e) => e.id);
  assert.deepEqual(ids, expected);
});

test("S29 events reach the app on its event loop, in order, each once, across a dropped connection", async () => {
  const { admin, invoice: key } = accounts[0];
  const { items: backlog } = await admin.listEvents({ limit: 1000 });
  const start = backlog.length ? backlog[backlog.length - 1].id : 0n;
  const proxy = await startProxy(Number(new URL(fixture.api).port));
  const direct = accounts[0].invoice;
  const game = new Client({
    baseUrl: proxy.url,
    apiKey: fixture.accounts[0].invoice_key,
    network: "regtest",
    reconnect: { initialBackoffMs: 100, maxBackoffMs: 500 },
  });
  const heard = [];
  let inListener = false;
  const unsubscribe = game.on("*", (event) => {
    // Called from the event loop, one at a time: never re-entered.
    assert.equal(inListener, false);
    inListener = true;
    heard.push(event);
    inListener = false;
  });
  const iterator = game.events({ after: start });
  const iterated = [];
  const reading = (async () => {
    for await (const event of iterator) {
      iterated.push(event);
      if (event.type === "invoice.paid" && event.data.description === "S29 #2") break;
    }
  })();
  try {
    const connected = Date.now() + 10_000;
    while (proxy.connections < 2) {
      assert.ok(Date.now() < connected, "the two event streams never connected");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (let i = 0; i < 3; i++) {
      if (i === 1) proxy.dropAll(); // the network drops: the streams reconnect and resume
      const invoice = await direct.createInvoice({ amount_msat: 20_000n + BigInt(i), description: `S29 #${i}` });
      assert.equal((await walletPays(fixture, invoice.bolt11)).status, "succeeded");
      const deadline = Date.now() + 30_000;
      while (!iterated.some((e) => e.type === "invoice.paid" && e.data.id === invoice.id)) {
        assert.ok(Date.now() < deadline, `invoice.paid #${i} never arrived`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await reading;
    assert.ok(proxy.connections >= 3, `the streams reconnected (${proxy.connections} connections)`);
    const { items } = await admin.listEvents({ after: start, limit: 1000 });
    const ids = iterated.map((e) => e.id);
    assert.deepEqual(ids, items.filter((e) => e.id <= ids[ids.length - 1]).map((e) => e.id), "every event once, in order");
    // The listener (live from its start) heard the same events in the same order, none twice.
    const live = heard.map((e) => e.id);
    assert.equal(new Set(live).size, live.length, "none twice");
    assert.deepEqual(live, [...live].sort((a, b) => (a < b ? -1 : 1)), "in order");
    for (let i = 0; i < 3; i++) {
      assert.ok(heard.some((e) => e.type === "invoice.paid" && e.data.description === `S29 #${i}`), `the listener heard #${i}`);
    }
  } finally {
    unsubscribe();
    await proxy.close();
  }
});

test("S19 a payment beyond the balance is refused before anything leaves the node", async () => {
  const { admin } = accounts[2];
  const before = await admin.balance();
  const tooMuch = before.available_msat + 1_000_000n;
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", tooMuch, "S19 too much");
  const key = `s19-${Date.now()}`;
  await rejects(admin.pay(admin.preparePayInvoice({ bolt11, idempotency_key: key })), "lsp_insufficient_balance");
  const after = await admin.balance();
  assert.deepEqual(after, before, "nothing reserved or debited");
  const { items } = await admin.listPayments({ limit: 100 });
  assert.ok(items.every((payment) => payment.idempotency_key !== key), "no payment recorded");
});

test("S21 an invoice of another account of this LSP is paid inside it: at once, once, both sides agree", async () => {
  const payer = accounts[0].admin;
  const { admin: payee, invoice: shop } = accounts[2];
  const [payerBefore, payeeBefore] = [await payer.balance(), await payee.balance()];
  const invoice = await shop.createInvoice({ amount_msat: 6_000_000n, description: "S21 trade" });
  const prepared = payer.preparePayInvoice({ bolt11: invoice.bolt11, idempotency_key: `s21-${Date.now()}` });
  const paid = await payer.pay(prepared);
  assert.equal(paid.status, "succeeded", "settled in the answer itself");
  assert.equal(paid.internal, true);
  assert.equal(paid.fee_msat, 0n);
  assert.equal(createHash("sha256").update(Buffer.from(paid.preimage, "hex")).digest("hex"), invoice.payment_hash);
  assert.equal((await shop.waitForPayment(invoice.id, { timeoutMs: 5_000 })).status, "paid");
  const [payerAfter, payeeAfter] = [await payer.balance(), await payee.balance()];
  assert.equal(payerBefore.available_msat - payerAfter.available_msat, 6_000_000n);
  assert.equal(payeeAfter.available_msat - payeeBefore.available_msat, 6_000_000n);
  assert.deepEqual((await ledgerEntriesFor(payer, paid.id)).map((e) => [e.kind, e.amount_msat]), [["debit", 6_000_000n]]);
  assert.deepEqual((await ledgerEntriesFor(payee, invoice.id)).map((e) => [e.kind, e.amount_msat]), [["credit", 6_000_000n]]);
  // Paying it again, from the same key or another account, moves nothing.
  assert.equal((await payer.pay(prepared)).id, paid.id);
  const other = accounts[1].admin;
  const err = await rejects(
    other.pay(other.preparePayInvoice({ bolt11: invoice.bolt11, idempotency_key: `s21-other-${Date.now()}` })),
    "lsp_payment_failed",
  );
  assert.match(err.message, /already paid/);
  assert.deepEqual(await payer.balance(), payerAfter);
  assert.deepEqual(await payee.balance(), payeeAfter);
});

test("S22 a Lightning Address served by the LSP: payLnurl checks its terms and pays it, the comment reaches the payee", async () => {
  const owner = accounts[2].admin;
  const payer = accounts[0].admin;
  const name = `npm-s22-${Date.now()}`;
  const served = await owner.createLightningAddress({ name, comment_allowed: 50, success_message: "Thanks!" });
  assert.match(served.address, new RegExp(`^${name}@127\\.0\\.0\\.1:\\d+$`));
  assert.ok((await owner.listLightningAddresses()).items.some((a) => a.name === name));
  const paid = await payer.payLnurl({ target: served.address, amount_msat: 3_000_000n, comment: "gg", idempotency_key: `s22-${Date.now()}` });
  assert.equal(paid.payment.status, "succeeded");
  assert.deepEqual(paid.success_action, { tag: "message", message: "Thanks!" });
  const invoice = (await owner.listInvoices({ limit: 10 })).items.find((i) => i.payment_hash === paid.payment.payment_hash);
  assert.equal(invoice.status, "paid");
  assert.equal(invoice.metadata.comment, "gg");
  // The same through the bech32 LNURL, and refusals that pay nothing.
  const before = await payer.balance();
  await rejects(payer.payLnurl({ target: served.lnurl, amount_msat: 1n, idempotency_key: `s22-low-${Date.now()}` }), "lnurl_amount_out_of_range");
  await rejects(payer.payLnurl({ target: served.address, amount_msat: 5_000n, comment: "x".repeat(51), idempotency_key: `s22-long-${Date.now()}` }), "lnurl_comment_too_long");
  await owner.deleteLightningAddress(name);
  await rejects(payer.payLnurl({ target: served.address, amount_msat: 5_000n, idempotency_key: `s22-gone-${Date.now()}` }), "lnurl_service_error");
  assert.deepEqual(await payer.balance(), before, "nothing paid");
});

/** Polls the voucher until its status is `status`. */
async function voucherWhen(admin, id, status, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const voucher = await admin.getVoucher(id);
    if (voucher.status === status) return voucher;
    assert.ok(Date.now() < deadline, `voucher ${id} is ${voucher.status}, never ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A wallet hands `pr` to a voucher's LNURL-withdraw callback (no key). */
async function claimVoucher(offer, pr, k1 = offer.k1) {
  const url = new URL(offer.callback);
  url.searchParams.set("k1", k1);
  url.searchParams.set("pr", pr);
  return (await fetch(url)).json();
}

test("S23 vouchers: a devnet wallet claims one, of 20 concurrent claims one is paid, redeemVoucher pays another account, cancel returns the value", async () => {
  const owner = accounts[2].admin;
  const before = await owner.balance();
  const request = { amount_msat: 1_000_000n, min_withdrawable_msat: 100_000n, count: 3, description: "npm S23 prize", idempotency_key: `s23-${Date.now()}` };
  const batch = await owner.createVouchers(request);
  assert.equal(batch.vouchers.length, 3);
  assert.equal(batch.reserved_msat, 3n * 1_010_000n, "each: its amount and a fee allowance of 1 %, at least 10 sat");
  assert.equal((await owner.createVouchers(request)).id, batch.id, "the same key answers the same batch");
  assert.equal(before.available_msat - (await owner.balance()).available_msat, 3n * 1_010_000n);
  const [first, second, third] = batch.vouchers;
  assert.match(first.lnurl, /^LNURL1/);
  // The printable sheet: one A4 page; each card's code reads back (jsQR) as its voucher's LNURL.
  const pages = sdk.voucherSheetsSvg(batch.vouchers);
  assert.equal(pages.length, 1);
  assert.match(pages[0], /width="210mm" height="297mm"/);
  assert.match(pages[0], /1000 sat/);
  const codes = [...pages[0].matchAll(/<rect width="(\d+)" height="\d+" fill="#fff"\/><path d="([^"]+)"/g)];
  assert.equal(codes.length, 3);
  codes.forEach(([, side, path], i) => {
    const width = Number(side) - 2 * QUIET_ZONE;
    const modules = new Uint8Array(width * width);
    for (const [, x, y] of path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) modules[(Number(y) - QUIET_ZONE) * width + Number(x) - QUIET_ZONE] = 1;
    assert.equal(readBack({ width, modules }), batch.vouchers[i].lnurl.toUpperCase());
  });

  // A devnet wallet (bob) reads the link and hands in its invoice; refused claims change nothing.
  const offer = await (await fetch(first.url)).json();
  assert.equal(offer.tag, "withdrawRequest");
  assert.equal(offer.maxWithdrawable, 1_000_000);
  const tooMuch = await claimVoucher(offer, (await walletInvoice(fixture, "bob", 1_000_001n)).invoice);
  assert.equal(tooMuch.status, "ERROR");
  assert.match(tooMuch.reason, /100000 to 1000000 msat/);
  assert.equal((await claimVoucher(offer, (await walletInvoice(fixture, "bob", 5_000n)).invoice, "wrong")).status, "ERROR");
  assert.deepEqual(await claimVoucher(offer, (await walletInvoice(fixture, "bob", 1_000_000n)).invoice), { status: "OK" });
  const claimed = await voucherWhen(owner, first.id, "claimed");
  const firstPayment = await finalPayment(owner, claimed.payment_id);
  assert.equal(firstPayment.status, "succeeded");

  // 20 concurrent claims of the second (invoices of another account, paid inside the LSP): one wins.
  const secondOffer = await (await fetch(second.url)).json();
  const payee = accounts[1].invoice;
  const invoices = [];
  for (let i = 0; i < 20; i++) invoices.push((await payee.createInvoice({ amount_msat: 500_000n, description: `S23 race ${i}` })).bolt11);
  const answers = await Promise.all(invoices.map((pr) => claimVoucher(secondOffer, pr)));
  assert.equal(answers.filter((a) => a.status === "OK").length, 1, JSON.stringify(answers));
  assert.equal((await voucherWhen(owner, second.id, "claimed")).claimed_msat, 500_000n);

  // The SDK redeems the third into account 0 (paid at once); a second redeem is refused by the service.
  const player = accounts[0].invoice;
  const redeemed = await player.redeemWithdraw({ lnurl: third.lnurl });
  assert.equal(redeemed.invoice.amount_msat, 1_000_000n);
  assert.equal((await player.waitForPayment(redeemed.invoice.id, { timeoutMs: 10_000 })).status, "paid");
  const refused = await rejects(player.redeemWithdraw({ lnurl: third.lnurl }), "lnurl_service_error");
  assert.match(refused.message, /already claimed/);

  // Cancelling a claimed voucher is refused; a fresh one cancels and its value returns.
  await rejects(owner.cancelVoucher(first.id), "lsp_conflict");
  const spare = await owner.createVouchers({ amount_msat: 1_000_000n, idempotency_key: `s23-spare-${Date.now()}` });
  assert.equal((await owner.cancelVoucher(spare.vouchers[0].id)).status, "cancelled");
  const listed = await owner.listVouchers({ batch_id: batch.id });
  assert.deepEqual(listed.items.map((v) => v.status).sort(), ["claimed", "claimed", "claimed"]);

  // The owner paid exactly the three claims and the one routing fee; nothing stays set aside.
  const after = await owner.balance();
  assert.equal(after.reserved_msat, before.reserved_msat);
  assert.equal(before.available_msat - after.available_msat, 1_000_000n + 500_000n + 1_000_000n + firstPayment.fee_msat);
});

/** Polls the schedule until `done(s)` holds. */
async function scheduleWhen(admin, id, done, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const schedule = await admin.getSchedule(id);
    if (done(schedule)) return schedule;
    assert.ok(Date.now() < deadline, `schedule ${id} never ${what}: ${schedule.status}, ${schedule.paid_count} paid`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test("S25 a recurring schedule pays each occurrence exactly once; a cancelled one pays no more", async () => {
  const payer = accounts[0].admin;
  const payee = accounts[1].admin;
  const before = (await payee.balance()).available_msat;
  const every = (secs, maxCount) => ({
    period: { kind: "every", secs: BigInt(secs) },
    start: BigInt(Math.floor(Date.now() / 1000) + 1),
    end: null,
    max_count: maxCount,
    catch_up: { kind: "all", max: 10 },
  });
  const destination = { type: "account", account_id: accounts[1].id };
  await rejects(payer.createSchedule({ amount_msat: 1n, destination: { type: "account", account_id: accounts[0].id }, schedule: every(1, 1), idempotency_key: `s25-own-${Date.now()}` }), "lsp_invalid_request");
  const subscription = await payer.createSchedule({ amount_msat: 200_000n, destination, schedule: every(1, 3), description: "npm S25", idempotency_key: `s25-${Date.now()}` });
  assert.equal(subscription.status, "active");
  const done = await scheduleWhen(payer, subscription.id, (s) => s.status === "completed", "completed");
  assert.equal(done.paid_count, 3);
  assert.equal(done.paid_total_msat, 600_000n);
  const runs = (await payer.scheduleRuns(subscription.id)).items;
  assert.deepEqual(runs.map((r) => [r.index, r.status]), [[2, "succeeded"], [1, "succeeded"], [0, "succeeded"]]);
  assert.equal((await payee.balance()).available_msat - before, 600_000n, "each occurrence credited once");
  await rejects(payer.cancelSchedule(subscription.id), "lsp_conflict");
  // A cancelled schedule runs no more.
  const tip = await payer.createSchedule({ amount_msat: 1_000n, destination, schedule: every(1, null), idempotency_key: `s25-tip-${Date.now()}` });
  assert.equal((await payer.cancelSchedule(tip.id)).status, "cancelled");
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const ran = (await payer.scheduleRuns(tip.id)).items.length;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal((await payer.scheduleRuns(tip.id)).items.length, ran, "nothing ran after the cancel");
  assert.ok((await payer.listSchedules()).items.some((s) => s.id === subscription.id));
});

test("S24 a stream pays its rate, pauses, resumes and stops at exactly its budget", async () => {
  const payer = accounts[0].admin;
  const payee = accounts[1].admin;
  const before = (await payee.balance()).available_msat;
  const destination = { type: "account", account_id: accounts[1].id };
  await rejects(payer.createStream({ destination, rate_msat_per_sec: 1_000n, budget_msat: 5_000n, min_payment_msat: 6_000n, idempotency_key: `s24-dust-${Date.now()}` }), "lsp_invalid_request");
  const stream = await payer.createStream({ destination, rate_msat_per_sec: 10_000n, budget_msat: 35_000n, description: "npm S24", idempotency_key: `s24-${Date.now()}` });
  assert.equal(stream.state, "running");
  const when = async (done, what) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const s = await payer.getStream(stream.id);
      if (done(s)) return s;
      assert.ok(Date.now() < deadline, `stream never ${what}: ${s.state}, ${s.paid_msat} paid`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await when((s) => s.payments >= 1n, "paid once");
  // The game holds the stream's own key: this stream only.
  const { key } = await payer.createStreamKey(stream.id);
  const game = client(key);
  assert.equal((await game.pauseStream(stream.id)).state, "paused");
  await rejects(game.pauseStream(stream.id), "lsp_conflict");
  await rejects(game.balance(), "lsp_unauthorized");
  assert.equal((await game.resumeStream(stream.id)).state, "running");
  const done = await when((s) => s.state === "finished", "finished");
  assert.equal(done.paid_msat, 35_000n, "exactly the budget");
  assert.equal((await payee.balance()).available_msat - before, 35_000n);
  // Each payment is a transfer (no invoice): the payee's transfer.received events carry the
  // stream's id and its sequences 1, 2, 3, … and add up to what the stream paid.
  const received = [];
  for (let after; ; ) {
    const page = await payee.listEvents({ after, limit: 1000 });
    received.push(...page.items.filter((e) => e.type === "transfer.received" && e.data.stream_id === stream.id).map((e) => e.data));
    if (!page.has_more) break;
    after = page.items.at(-1).id;
  }
  assert.deepEqual(received.map((t) => t.stream_sequence), Array.from({ length: Number(done.payments) }, (_, i) => BigInt(i + 1)));
  assert.equal(received.reduce((sum, t) => sum + t.amount_msat, 0n), 35_000n);
  assert.equal((await payer.getPayment(received[0].id)).kind, "transfer");
  await rejects(payer.stopStream(stream.id), "lsp_conflict");
  assert.ok((await payer.listStreams()).items.some((s) => s.id === stream.id));
});

/** Polls the tournament until `done(t)` holds. */
async function tournamentWhen(client, id, done, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await client.getTournament(id);
    if (done(t)) return t;
    assert.ok(Date.now() < deadline, `tournament never ${what}: ${JSON.stringify(t, (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("S26 a tournament: players join with hold invoices, the full pool is settled, winners paid by rank exactly once", async () => {
  const { admin: organizer, invoice: game } = accounts[1];
  const walletWinner = accounts[0].admin;
  const accountPlayer = accounts[2].admin;
  const [winnerBefore, playerBefore, organizerBefore] = [await walletWinner.balance(), await accountPlayer.balance(), await organizer.balance()];
  const t = await organizer.createTournament({
    name: "npm S26 cup",
    entry_fee_msat: 1_000_000n,
    seats: 2,
    payout_table_bps: [7000, 3000],
    organizer_fee_bps: 500,
    join_deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
  });
  assert.equal(t.status, "open");
  // A wallet pays one entry, another account of this LSP the other (held from its balance).
  const ann = await game.joinTournament(t.id, { player_id: "ann", payout: { type: "account", account_id: accounts[0].id } });
  const bob = await game.joinTournament(t.id, { player_id: "bob", payout: { type: "account", account_id: accounts[2].id } });
  assert.equal(ann.status, "pending");
  assert.equal((await game.joinTournament(t.id, { player_id: "ann", payout: { type: "account", account_id: accounts[0].id } })).invoice_id, ann.invoice_id, "joining again unpaid is the same entry");
  await rejects(game.joinTournament(t.id, { player_id: "ann", payout: { type: "account", account_id: accounts[2].id } }), "lsp_already_joined");
  const wallet = walletPays(fixture, ann.bolt11);
  const held = await accountPlayer.pay(accountPlayer.preparePayInvoice({ bolt11: bob.bolt11, idempotency_key: `s26-${Date.now()}` }));
  assert.equal(held.status, "pending");
  assert.equal(held.internal, true);
  const funded = await tournamentWhen(game, t.id, (x) => x.status === "funded", "funded");
  assert.equal(funded.pool_msat, 2_000_000n);
  assert.equal(funded.organizer_fee_msat, 100_000n);
  assert.equal(funded.prize_total_msat, 1_900_000n);
  assert.equal((await wallet).status, "succeeded");
  await rejects(game.joinTournament(t.id, { player_id: "cy", payout: { type: "account", account_id: accounts[0].id } }), "lsp_tournament_closed");
  await rejects(organizer.enterTournamentResults(t.id, { standings: [{ player_id: "ghost", rank: 1 }] }), "lsp_invalid_request");
  const { items: payouts } = await organizer.enterTournamentResults(t.id, { standings: [{ player_id: "ann", rank: 1 }, { player_id: "bob", rank: 2 }] });
  assert.deepEqual(payouts.map((p) => [p.player_id, p.amount_msat]), [["ann", 1_330_000n], ["bob", 570_000n]]);
  const paid = await organizer.payTournament(t.id);
  assert.ok(paid.items.every((p) => p.status === "succeeded"), "payouts between accounts are done in the answer");
  assert.equal((await organizer.getTournament(t.id)).status, "completed");
  // Again: nobody is paid twice.
  const again = await organizer.payTournament(t.id);
  assert.ok(again.items.every((p) => p.attempts === 1));
  assert.equal((await walletWinner.balance()).available_msat - winnerBefore.available_msat, 1_330_000n);
  assert.equal((await accountPlayer.balance()).available_msat - playerBefore.available_msat, 570_000n - 1_000_000n);
  assert.equal((await organizer.balance()).available_msat - organizerBefore.available_msat, 100_000n);
  const { items: audit } = await organizer.tournamentAudit(t.id);
  assert.equal(audit.filter((a) => a.action === "payout_succeeded").length, 2);
  const { items: entries } = await game.listTournamentEntries(t.id);
  assert.deepEqual(entries.map((e) => e.status), ["settled", "settled"]);
});

test("S27 a cancelled tournament refunds every player: a wallet's HTLCs fail back, an account's reservation is released", async () => {
  const { admin: organizer } = accounts[1];
  const player = accounts[0].admin;
  const before = await player.balance();
  const t = await organizer.createTournament({
    name: "npm S27 cup",
    entry_fee_msat: 800_000n,
    seats: 3,
    payout_table_bps: [10000],
    join_deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
  });
  const a = await organizer.joinTournament(t.id, { player_id: "a", payout: { type: "account", account_id: accounts[0].id } });
  const b = await organizer.joinTournament(t.id, { player_id: "b", payout: { type: "account", account_id: accounts[0].id } });
  const wallet = walletPays(fixture, a.bolt11).then(() => "paid", () => "refunded");
  const held = await player.pay(player.preparePayInvoice({ bolt11: b.bolt11, idempotency_key: `s27-${Date.now()}` }));
  assert.equal((await player.balance()).reserved_msat - before.reserved_msat, 800_000n);
  await tournamentWhen(organizer, t.id, (x) => x.seats_taken === 2, "two seats taken");
  const cancelled = await organizer.cancelTournament(t.id);
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.cancel_reason, "cancelled by the organizer");
  assert.equal(await wallet, "refunded");
  assert.equal((await finalPayment(player, held.id)).status, "failed");
  assert.deepEqual(await player.balance(), before);
  const { items: entries } = await organizer.listTournamentEntries(t.id);
  assert.deepEqual(entries.map((e) => e.status), ["refunded", "refunded"]);
  await rejects(organizer.joinTournament(t.id, { player_id: "c", payout: { type: "account", account_id: accounts[0].id } }), "lsp_tournament_closed");
});

test("S28 a fiat-priced invoice charges exactly the quote; an expired or slipped quote is refused, never charged", async () => {
  const shop = accounts[1].invoice;
  const quote = await shop.createQuote({ fiat_amount: "4.99", currency: "USD", ttl_secs: 60 });
  assert.equal(quote.amount_msat, 4_990_000n, "4.99 / 100,000 × 10¹¹");
  assert.equal(quote.rate, "100000");
  const invoice = await shop.createInvoice({ quote_id: quote.id, description: "S28 sword" });
  assert.equal(invoice.amount_msat, 4_990_000n);
  assert.equal(invoice.metadata.fiat.currency, "USD");
  assert.equal((await walletPays(fixture, invoice.bolt11)).status, "succeeded");
  assert.equal((await shop.waitForPayment(invoice.id, { timeoutMs: 30_000 })).status, "paid");
  await rejects(shop.createQuote({ fiat_amount: "4.99", currency: "JPY" }), "lsp_unknown_currency");
  await rejects(shop.createQuote({ fiat_amount: "4.99", currency: "usd" }), "lsp_invalid_request");
  await rejects(shop.createInvoice({ quote_id: quote.id, amount_msat: 1_000n }), "lsp_invalid_request");
  const short = await shop.createQuote({ fiat_amount: "4.99", currency: "USD", ttl_secs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  await rejects(shop.createInvoice({ quote_id: short.id }), "lsp_quote_expired");
  const held = await shop.createQuote({ fiat_amount: "4.99", currency: "USD" });
  setRates({ USD: "101500", EUR: "92000.50" });
  try {
    const moved = await rejects(shop.createInvoice({ quote_id: held.id }), "lsp_slippage_exceeded");
    assert.match(moved.message, /150 bps/);
    const requote = await shop.createQuote({ fiat_amount: "4.99", currency: "USD" });
    assert.equal(requote.amount_msat, 4_916_257n, "the new rate, rounded up");
  } finally {
    setRates({ USD: "100000", EUR: "92000.50" });
  }
});

test("S20 invoice creation beyond the rate limit gets 429 with Retry-After", async () => {
  const { invoice: shop } = accounts[2];
  let limited;
  for (let i = 0; i < RATE_BURST * 3 && !limited; i++) {
    try {
      await shop.createInvoice({ amount_msat: 1_000n, description: `S20 #${i}` });
    } catch (err) {
      limited = err;
    }
  }
  assert.ok(limited, "the limit was reached");
  assert.ok(limited instanceof EtridError);
  assert.equal(limited.code, "lsp_rate_limited");
  assert.equal(limited.status, 429);
  assert.equal(limited.retryable, true);
  assert.ok(limited.retryAfterSecs >= 1, `Retry-After ${limited.retryAfterSecs}`);
});

test("bad input: a wrong key, an unreachable LSP and malformed arguments give typed errors", async () => {
  const stranger = client("etrid_inv_0000000000000000000000000000000000000000000000000000000000000000");
  const unauthorized = await rejects(stranger.createInvoice({ amount_msat: 1_000n }), "lsp_unauthorized");
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.retryable, false);

  const down = new Client({ baseUrl: "http://127.0.0.1:9", apiKey: "k", network: "regtest", requestTimeoutMs: 5_000 });
  const unreachable = await rejects(down.balance(), "transport_connect");
  assert.equal(unreachable.retryable, true);

  const { invoice: shop } = accounts[1];
  await rejects(shop.createInvoice({ amountMsat: 1_000n }), "invalid_argument");
  await rejects(shop.createInvoice({ amount_msat: 1.5 }), "invalid_argument");
  await rejects(shop.createInvoice({ amount_msat: 0n }), "lsp_invalid_request");
  await rejects(shop.getInvoice("../balance"), "lsp_invalid_request");
  assert.throws(() => shop.preparePayInvoice({ bolt11: "lnbc1bogus", idempotency_key: "x" }), EtridError);
  assert.throws(() => new Client({ baseUrl: "ftp://x", apiKey: "k", network: "regtest" }), (err) => err.code === "lsp_invalid_config");
  assert.throws(() => new Client({ baseUrl: fixture.api, apiKey: "k", network: "moon" }), (err) => err.code === "invalid_argument");
  assert.throws(() => shop.on("invoice.bought", () => {}), (err) => err.code === "invalid_argument");
});
