// The Unity WebGL bridge (EtridLightning.jslib) linked by Emscripten and called from C as
// IL2CPP calls it, over the real npm package, against a real LSP on the devnet (lsp-fixture:
// regtest chain, LDK nodes, the Étrid LSP over real HTTP and WebSocket). Scenario tests are
// named after shared/SCENARIOS.md; the others prove the bridge's own contract: one completion
// per request through the callback with its user_data, cancellation, freeing a client with
// requests in flight, typed errors, and every string it allocates freed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startFixture, walletInvoice, walletPays } from "../../../../wasm/tests/support/fixture.mjs";
import { startProxy } from "../../../../wasm/tests/support/proxy.mjs";
import { BridgeError, Op, Status, loadBridge, sdk } from "./bridge.mjs";

/** Invoice creation allowed per account before 429: a burst, then one a second. */
const RATE_BURST = 40;

let fixture;
let bridge;
/** Per account: bridge client handles with its admin and invoice keys. */
let accounts;
/** The C heap in use once the clients exist: every later check must find it again. */
let heapBaseline;

/** The fixed fiat rates the LSP quotes from (S28 moves one by rewriting the file). */
const ratesFile = join(mkdtempSync(join(tmpdir(), "etrid-webgl-rates-")), "rates.json");
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
  bridge = await loadBridge();
  accounts = fixture.accounts.map((account) => ({
    id: account.id,
    admin: client(account.admin_key),
    invoice: client(account.invoice_key),
  }));
  heapBaseline = bridge.heapInUse();
});

after(async () => {
  if (bridge && accounts) {
    for (const account of accounts) {
      bridge.free(account.admin);
      bridge.free(account.invoice);
    }
  }
  await fixture?.stop();
});

/** A bridge client of the fixture's LSP with `apiKey` (the C ABI's configuration JSON). */
function client(apiKey, extra = {}) {
  return bridge.clientNew({ base_url: fixture.api, api_key: apiKey, network: "regtest", ...extra });
}

/** The error JSON of a request that must fail with `code`. */
async function fails(handle, operation, args, code, status = Status.Error) {
  const completion = await bridge.request(handle, operation, args);
  assert.equal(completion.value.code, code, completion.json);
  assert.equal(completion.status, status, completion.json);
  return completion.value;
}

/** The payment once it is final (succeeded or failed). */
async function finalPayment(admin, paymentId, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const payment = await bridge.ok(admin, Op.GetPayment, { payment_id: paymentId });
    if (payment.status !== "pending") return payment;
    assert.ok(Date.now() < deadline, `payment ${paymentId} still pending`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until `predicate()` holds (polled), or fails after `timeoutMs`. */
async function until(predicate, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** No string the bridge allocated is still on the C heap. */
function heapIsBack() {
  assert.equal(bridge.heapInUse(), heapBaseline, "every string the bridge malloc'd was freed");
}

test("S10 webgl: an invoice key creates, a devnet wallet pays, the paid event arrives once, credited once", async () => {
  const { admin, invoice: shop } = accounts[1];
  const before = await bridge.ok(admin, Op.Balance);
  const items = [];
  bridge.eventsStart(shop, -1, (item) => items.push(item));
  try {
    const invoice = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: 21_000_000, description: "S10 sword" });
    assert.equal(invoice.status, "open");
    assert.equal(sdk.decodeInvoice(invoice.bolt11, "regtest").payment_hash, invoice.payment_hash);
    const waiting = bridge.start(shop, Op.WaitForPayment, { invoice_id: invoice.id, timeout_ms: 60_000 }, 99);
    assert.equal(bridge.pending(shop), 1);
    const paid = await walletPays(fixture, invoice.bolt11);
    assert.equal(paid.status, "succeeded", JSON.stringify(paid));
    const outcome = await waiting.done;
    assert.equal(outcome.userData, 99, "the request's user_data came back");
    assert.equal(outcome.requestId, waiting.id);
    assert.equal(outcome.status, Status.Ok);
    assert.equal(outcome.value.status, "paid");
    assert.equal(outcome.value.invoice.amount_received_msat, 21_000_000);
    assert.equal(bridge.pending(shop), 0);

    const paidEvents = () => items.filter((i) => i.kind === "event" && i.event.type === "invoice.paid" && i.event.data.id === invoice.id);
    await until(() => paidEvents().length > 0, "the invoice.paid event");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(paidEvents().length, 1, "one invoice.paid event");
    const after = await bridge.ok(admin, Op.Balance);
    assert.equal(after.available_msat - before.available_msat, 21_000_000, "credited exactly once");
  } finally {
    bridge.eventsStop(shop);
  }
  heapIsBack();
});

test("S11 webgl: the same external_id twice returns the same invoice", async () => {
  const { invoice: shop } = accounts[1];
  const request = { amount_msat: 5_000, description: "S11 potion", external_id: `order-${Date.now()}` };
  const first = await bridge.ok(shop, Op.CreateInvoice, request);
  const second = await bridge.ok(shop, Op.CreateInvoice, request);
  assert.equal(second.id, first.id);
  assert.equal(second.bolt11, first.bolt11);
});

test("S12 webgl: an expiring invoice gives expired, a timeout gives timed_out, a cancel completes as cancelled", async () => {
  const { invoice: shop } = accounts[1];
  const short = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: 1_000, expiry_secs: 2 });
  const expired = await bridge.ok(shop, Op.WaitForPayment, { invoice_id: short.id });
  assert.equal(expired.status, "expired");
  assert.equal(expired.invoice.id, short.id);

  const open = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: 1_000, expiry_secs: 600 });
  assert.deepEqual(await bridge.ok(shop, Op.WaitForPayment, { invoice_id: open.id, timeout_ms: 300 }), { status: "timed_out", invoice: null });

  // What a CancellationToken does in C#: the request completes once, as cancelled, and later.
  const waiting = bridge.start(shop, Op.WaitForPayment, { invoice_id: open.id });
  assert.equal(bridge.cancel(shop, waiting.id), 1);
  // C# cancels from a CancellationToken callback, under its own lock: no completion inside.
  assert.equal(bridge.pending(shop), 1, "not completed inside the cancel call");
  assert.equal(bridge.cancel(shop, waiting.id), 0, "a second cancel finds nothing more to cancel");
  const cancelled = await waiting.done;
  assert.equal(cancelled.status, Status.Cancelled);
  assert.equal(cancelled.value.code, "cancelled");
  assert.equal(bridge.pending(shop), 0);
  assert.equal(bridge.cancel(shop, 123_456), 0, "an unknown request");
  heapIsBack();
});

test("S13 webgl: an admin key pays an external invoice: preimage and fee returned, debited once, idempotent", async () => {
  const { admin } = accounts[0];
  const before = await bridge.ok(admin, Op.Balance);
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", 3_000_000n, "S13 bob's shop");
  const key = `s13-${Date.now()}`;
  const sent = await bridge.ok(admin, Op.PayInvoice, { bolt11, idempotency_key: key });
  const done = await finalPayment(admin, sent.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done));
  const preimageHash = createHash("sha256").update(Buffer.from(done.preimage, "hex")).digest("hex");
  assert.equal(preimageHash, done.payment_hash);
  const again = await bridge.ok(admin, Op.PayInvoice, { bolt11, idempotency_key: key });
  assert.equal(again.id, sent.id, "the same idempotency key pays nothing more");
  const after = await bridge.ok(admin, Op.Balance);
  assert.equal(before.available_msat - after.available_msat, 3_000_000 + done.fee_msat, "debited once");
  assert.equal(after.reserved_msat, 0);
});

test("S14 webgl: multi-path: more than the largest channel can carry succeeds, debited once", async () => {
  const { admin, invoice: shop } = accounts[0];
  const amount = 300_000_000;
  const incoming = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: amount, description: "S14 prize pool" });
  assert.equal((await walletPays(fixture, incoming.bolt11)).status, "succeeded");
  assert.equal((await bridge.ok(shop, Op.WaitForPayment, { invoice_id: incoming.id, timeout_ms: 30_000 })).status, "paid");
  const liquidity = await bridge.ok(admin, Op.Liquidity);
  assert.ok(liquidity.largest_outbound_msat < amount, `one channel cannot carry it: ${liquidity.largest_outbound_msat}`);
  const before = await bridge.ok(admin, Op.Balance);
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", BigInt(amount), "S14 big prize");
  const sent = await bridge.ok(admin, Op.PayInvoice, { bolt11, idempotency_key: `s14-${Date.now()}`, max_parts: 8 });
  const done = await finalPayment(admin, sent.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done));
  const after = await bridge.ok(admin, Op.Balance);
  assert.equal(before.available_msat - after.available_msat, amount + done.fee_msat, "debited once");
});

test("S15 webgl: hold invoice accepted then settled; accepted then cancelled and the payer refunded", async () => {
  const { admin } = accounts[1];
  const before = await bridge.ok(admin, Op.Balance);
  const preimage = randomBytes(32);
  const paymentHash = createHash("sha256").update(preimage).digest("hex");
  const held = await bridge.ok(admin, Op.CreateHoldInvoice, { payment_hash: paymentHash, amount_msat: 4_000_000 });
  assert.equal(held.kind, "hold");
  const paying = walletPays(fixture, held.bolt11);
  assert.equal((await bridge.ok(admin, Op.WaitForPayment, { invoice_id: held.id, timeout_ms: 60_000 })).status, "accepted");
  const settled = await bridge.ok(admin, Op.SettleHoldInvoice, { invoice_id: held.id, preimage: preimage.toString("hex") });
  assert.equal(settled.status, "paid");
  assert.equal((await paying).status, "succeeded");
  assert.equal((await bridge.ok(admin, Op.Balance)).available_msat - before.available_msat, 4_000_000);

  const other = createHash("sha256").update(randomBytes(32)).digest("hex");
  const refused = await bridge.ok(admin, Op.CreateHoldInvoice, { payment_hash: other, amount_msat: 2_000_000 });
  const payingAgain = walletPays(fixture, refused.bolt11).then((o) => o, (err) => ({ status: "failed", error: err.message }));
  assert.equal((await bridge.ok(admin, Op.WaitForPayment, { invoice_id: refused.id, timeout_ms: 60_000 })).status, "accepted");
  assert.equal((await bridge.ok(admin, Op.CancelHoldInvoice, { invoice_id: refused.id })).status, "cancelled");
  assert.equal((await payingAgain).status, "failed", "the payer's HTLC came back");
  assert.equal((await bridge.ok(admin, Op.Balance)).available_msat - before.available_msat, 4_000_000, "nothing more credited");
});

test("S16 webgl: keysend with custom TLV records", async () => {
  const { admin } = accounts[0];
  const nodes = await (await fetch(`${fixture.control}/v1/nodes`)).json();
  const alice = nodes.find((node) => node.name === "alice");
  const records = [{ type: 65_537, value: "68656c6c6f" }, { type: 696_969, value: "0102ff" }];
  const sent = await bridge.ok(admin, Op.Keysend, {
    destination: alice.node_id, amount_msat: 7_000_000, custom_records: records, idempotency_key: `s16-${Date.now()}`,
  });
  const done = await finalPayment(admin, sent.id);
  assert.equal(done.status, "succeeded");
  assert.equal(done.kind, "keysend");
  assert.deepEqual(done.custom_records, records);
  await fails(admin, Op.Keysend, {
    destination: alice.node_id, amount_msat: 1_000, custom_records: [{ type: 5_482_373_484, value: "00" }], idempotency_key: "s16-bad",
  }, "lsp_invalid_request");
});

test("S17 webgl: an invoice-scoped key cannot pay, manage keys or read other accounts' data", async () => {
  const mine = accounts[2];
  const theirs = accounts[1];
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", 1_000_000n);
  const forbidden = await fails(mine.invoice, Op.PayInvoice, { bolt11, idempotency_key: "s17-pay" }, "lsp_forbidden_scope");
  assert.equal(forbidden.http_status, 403);
  assert.equal(forbidden.retryable, false);
  await fails(mine.invoice, Op.CreateApiKey, { scope: "admin", label: "s17" }, "lsp_forbidden_scope");
  await fails(mine.invoice, Op.ListApiKeys, {}, "lsp_forbidden_scope");
  const foreign = await bridge.ok(theirs.invoice, Op.CreateInvoice, { amount_msat: 1_000 });
  await fails(mine.invoice, Op.GetInvoice, { invoice_id: foreign.id }, "lsp_not_found");
  await fails(mine.admin, Op.CancelInvoice, { invoice_id: foreign.id }, "lsp_not_found");
  const listed = await bridge.ok(mine.admin, Op.ListInvoices, { limit: 100 });
  assert.ok(listed.items.every((invoice) => invoice.id !== foreign.id));
});

test("S18 webgl: the event stream resumes after the last id: nothing missed, nothing repeated", async () => {
  const { admin, invoice: shop } = accounts[1];
  const { items: backlog } = await bridge.ok(admin, Op.ListEvents, { limit: 1000 });
  const start = backlog.length ? backlog[backlog.length - 1].id : 0;
  const paidIds = [];
  for (let i = 0; i < 3; i++) {
    const invoice = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: 10_000 + i, description: `S18 #${i}` });
    assert.equal((await walletPays(fixture, invoice.bolt11)).status, "succeeded");
    paidIds.push(invoice.id);
  }
  // One event, stop (as a scene change does), then start again after the last id handled.
  const seen = [];
  bridge.eventsStart(shop, start, (item) => {
    if (item.kind === "event" && seen.length === 0) seen.push(item.event);
  });
  await until(() => seen.length === 1, "the first event");
  bridge.eventsStop(shop);
  const resumeAfter = seen[0].id;
  bridge.eventsStart(shop, resumeAfter, (item) => {
    assert.equal(item.kind, "event", JSON.stringify(item));
    seen.push(item.event);
  });
  try {
    await until(() => paidIds.every((id) => seen.some((e) => e.type === "invoice.paid" && e.data.id === id)), "every paid event", 30_000);
  } finally {
    bridge.eventsStop(shop);
  }
  const ids = seen.map((e) => e.id);
  assert.deepEqual([...ids].sort((a, b) => a - b), ids, "in id order");
  assert.equal(new Set(ids).size, ids.length, "none repeated");
  const { items } = await bridge.ok(admin, Op.ListEvents, { after: start, limit: 1000 });
  assert.deepEqual(ids, items.filter((e) => e.id <= ids[ids.length - 1]).map((e) => e.id), "none missed");
  heapIsBack();
});

test("S19 webgl: a payment beyond the balance is refused before anything leaves the node", async () => {
  const { admin } = accounts[2];
  const before = await bridge.ok(admin, Op.Balance);
  const { invoice: bolt11 } = await walletInvoice(fixture, "bob", BigInt(before.available_msat + 1_000_000), "S19 too much");
  const key = `s19-${Date.now()}`;
  await fails(admin, Op.PayInvoice, { bolt11, idempotency_key: key }, "lsp_insufficient_balance");
  assert.deepEqual(await bridge.ok(admin, Op.Balance), before, "nothing reserved or debited");
  const { items } = await bridge.ok(admin, Op.ListPayments, { limit: 100 });
  assert.ok(items.every((payment) => payment.idempotency_key !== key), "no payment recorded");
});

test("S29 webgl: events reach the player's event loop in order, each once, across a dropped connection", async () => {
  const { admin, invoice: shop } = accounts[0];
  const { items: backlog } = await bridge.ok(admin, Op.ListEvents, { limit: 1000 });
  const start = backlog.length ? backlog[backlog.length - 1].id : 0;
  const proxy = await startProxy(Number(new URL(fixture.api).port));
  const game = bridge.clientNew({
    base_url: proxy.url, api_key: fixture.accounts[0].invoice_key, network: "regtest",
    reconnect: { initial_backoff_ms: 100, max_backoff_ms: 500 },
  });
  const seen = [];
  let inCallback = false;
  bridge.eventsStart(game, start, (item) => {
    // Called from the event loop, one at a time, as the .jslib calls into the player.
    assert.equal(inCallback, false);
    inCallback = true;
    if (item.kind === "event") seen.push(item.event);
    inCallback = false;
  });
  const paidIds = [];
  try {
    await until(() => proxy.connections >= 1, "the event stream");
    for (let i = 0; i < 3; i++) {
      if (i === 1) proxy.dropAll(); // the network drops: the stream reconnects and resumes
      const invoice = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: 30_000 + i, description: `S29 #${i}` });
      assert.equal((await walletPays(fixture, invoice.bolt11)).status, "succeeded");
      paidIds.push(invoice.id);
      await until(() => seen.some((e) => e.type === "invoice.paid" && e.data.id === invoice.id), `invoice.paid #${i}`, 30_000);
    }
  } finally {
    bridge.eventsStop(game);
    bridge.free(game);
    await proxy.close();
  }
  assert.ok(proxy.connections >= 2, "the stream reconnected");
  const ids = seen.map((e) => e.id);
  const { items } = await bridge.ok(admin, Op.ListEvents, { after: start, limit: 1000 });
  assert.deepEqual(ids, items.filter((e) => e.id <= ids[ids.length - 1]).map((e) => e.id), "every event once, in order");
  heapIsBack();
});

test("S21 webgl: an invoice of another account of this LSP is paid inside it, at once and once", async () => {
  const payer = accounts[0].admin;
  const { admin: payee, invoice: shop } = accounts[1];
  const [payerBefore, payeeBefore] = [await bridge.ok(payer, Op.Balance), await bridge.ok(payee, Op.Balance)];
  const invoice = await bridge.ok(shop, Op.CreateInvoice, { amount_msat: 2_500_000, description: "S21 trade" });
  const request = { bolt11: invoice.bolt11, idempotency_key: `s21-${Date.now()}` };
  const paid = await bridge.ok(payer, Op.PayInvoice, request);
  assert.equal(paid.status, "succeeded");
  assert.equal(paid.internal, true);
  assert.equal(paid.fee_msat, 0);
  assert.equal((await bridge.ok(payer, Op.PayInvoice, request)).id, paid.id, "the same key pays nothing more");
  assert.equal(payerBefore.available_msat - (await bridge.ok(payer, Op.Balance)).available_msat, 2_500_000);
  assert.equal((await bridge.ok(payee, Op.Balance)).available_msat - payeeBefore.available_msat, 2_500_000);
});

test("S22 webgl: a Lightning Address served by the LSP is paid, its terms checked", async () => {
  const owner = accounts[1].admin;
  const payer = accounts[0].admin;
  const name = `webgl-s22-${Date.now()}`;
  const served = await bridge.ok(owner, Op.CreateLightningAddress, { name, success_message: "Thanks!" });
  const paid = await bridge.ok(payer, Op.PayLnurl, { target: served.address, amount_msat: 1_500_000, idempotency_key: `s22-${Date.now()}` });
  assert.equal(paid.payment.status, "succeeded");
  assert.equal(paid.success_action.message, "Thanks!");
  await fails(payer, Op.PayLnurl, { target: served.address, amount_msat: 1, idempotency_key: `s22-low-${Date.now()}` }, "lnurl_amount_out_of_range");
  assert.equal(await bridge.ok(owner, Op.DeleteLightningAddress, { name }), null);
});

/** Polls the tournament through the bridge until `done(t)` holds. */
async function tournamentWhen(handle, id, done) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = await bridge.ok(handle, Op.GetTournament, { tournament_id: id });
    if (done(t)) return t;
    assert.ok(Date.now() < deadline, `tournament never got there: ${JSON.stringify(t)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const toAccount = (i) => ({ type: "account", account_id: accounts[i].id });
const deadlineIn = (secs) => Math.floor(Date.now() / 1000) + secs;

test("S26 webgl: a tournament fills, settles its pool and pays every winner by rank once", async () => {
  const organizer = accounts[2].admin;
  const [p0, p1] = [accounts[0].admin, accounts[1].admin];
  const [before0, before1] = [(await bridge.ok(p0, Op.Balance)).available_msat, (await bridge.ok(p1, Op.Balance)).available_msat];
  const t = await bridge.ok(organizer, Op.CreateTournament, {
    name: "webgl S26 cup", entry_fee_msat: 1_000_000, seats: 2, payout_table_bps: [6000, 4000], join_deadline: deadlineIn(600),
  });
  const e0 = await bridge.ok(organizer, Op.JoinTournament, { tournament_id: t.id, player_id: "p0", payout: toAccount(0) });
  const e1 = await bridge.ok(organizer, Op.JoinTournament, { tournament_id: t.id, player_id: "p1", payout: toAccount(1) });
  await fails(organizer, Op.JoinTournament, { tournament_id: t.id, player_id: "p0", payout: toAccount(1) }, "lsp_already_joined");
  const held = await bridge.ok(p0, Op.PayInvoice, { bolt11: e0.bolt11, idempotency_key: `s26-${Date.now()}` });
  assert.equal(held.status, "pending", "held, not yet debited");
  await bridge.ok(p1, Op.PayInvoice, { bolt11: e1.bolt11, idempotency_key: `s26-${Date.now()}` });
  const funded = await tournamentWhen(organizer, t.id, (x) => x.status === "funded");
  assert.equal(funded.pool_msat, 2_000_000);
  await fails(organizer, Op.JoinTournament, { tournament_id: t.id, player_id: "p2", payout: toAccount(0) }, "lsp_tournament_closed");
  const { items: payouts } = await bridge.ok(organizer, Op.EnterTournamentResults, {
    tournament_id: t.id, standings: [{ player_id: "p1", rank: 1 }, { player_id: "p0", rank: 2 }],
  });
  assert.deepEqual(payouts.map((p) => [p.player_id, p.amount_msat]), [["p1", 1_200_000], ["p0", 800_000]]);
  const { items: paid } = await bridge.ok(organizer, Op.PayTournament, { tournament_id: t.id });
  assert.ok(paid.every((p) => p.status === "succeeded"));
  await bridge.ok(organizer, Op.PayTournament, { tournament_id: t.id });
  assert.equal((await bridge.ok(p1, Op.Balance)).available_msat - before1, 200_000, "entry out, first prize in, once");
  assert.equal(before0 - (await bridge.ok(p0, Op.Balance)).available_msat, 200_000, "entry out, second prize in, once");
  heapIsBack();
});

test("S26 webgl: a public tournament takes keyless joins and shows its lobby", async () => {
  const organizer = accounts[2].admin;
  const player = accounts[0].admin;
  const keyless = client("");
  const t = await bridge.ok(organizer, Op.CreateTournament, {
    name: "webgl public cup", entry_fee_msat: 300_000, seats: 2, payout_table_bps: [10000], join_deadline: deadlineIn(600), public_join: true,
  });
  assert.equal(t.public_join, true);
  const lobby = await bridge.ok(keyless, Op.GetPublicTournament, { tournament_id: t.id });
  assert.deepEqual([lobby.prize_total_msat, lobby.players], [600_000, []]);
  const entry = await bridge.ok(keyless, Op.JoinPublicTournament, { tournament_id: t.id, player_id: "kay", payout: toAccount(0) });
  assert.equal(entry.status, "pending");
  await fails(keyless, Op.JoinPublicTournament, { tournament_id: t.id, player_id: "kay", payout: toAccount(1) }, "lsp_already_joined");
  await fails(keyless, Op.GetTournament, { tournament_id: t.id }, "lsp_unauthorized");
  const hidden = await bridge.ok(organizer, Op.CreateTournament, {
    name: "webgl private cup", entry_fee_msat: 1_000, seats: 2, payout_table_bps: [10000], join_deadline: deadlineIn(600),
  });
  await fails(keyless, Op.GetPublicTournament, { tournament_id: hidden.id }, "lsp_not_found");
  await bridge.ok(player, Op.PayInvoice, { bolt11: entry.bolt11, idempotency_key: `s26-public-${Date.now()}` });
  await tournamentWhen(organizer, t.id, (x) => x.seats_taken === 1);
  const seated = await bridge.ok(keyless, Op.GetPublicTournament, { tournament_id: t.id });
  assert.deepEqual(seated.players.map((p) => [p.player_id, p.status]), [["kay", "held"]]);
  assert.equal((await bridge.ok(organizer, Op.CancelTournament, { tournament_id: t.id })).status, "cancelled");
  await bridge.ok(organizer, Op.CancelTournament, { tournament_id: hidden.id });
  bridge.free(keyless);
  heapIsBack();
});

test("S27 webgl: a cancelled tournament refunds every held entry", async () => {
  const organizer = accounts[2].admin;
  const player = accounts[0].admin;
  const before = await bridge.ok(player, Op.Balance);
  const t = await bridge.ok(organizer, Op.CreateTournament, {
    name: "webgl S27 cup", entry_fee_msat: 700_000, seats: 3, payout_table_bps: [10000], join_deadline: deadlineIn(600),
  });
  const entry = await bridge.ok(organizer, Op.JoinTournament, { tournament_id: t.id, player_id: "solo", payout: toAccount(0) });
  await bridge.ok(player, Op.PayInvoice, { bolt11: entry.bolt11, idempotency_key: `s27-${Date.now()}` });
  await tournamentWhen(organizer, t.id, (x) => x.seats_taken === 1);
  const cancelled = await bridge.ok(organizer, Op.CancelTournament, { tournament_id: t.id });
  assert.equal(cancelled.status, "cancelled");
  assert.deepEqual(await bridge.ok(player, Op.Balance), before, "refunded whole");
  heapIsBack();
});

test("S23 webgl: a devnet wallet claims a voucher once; redeemWithdraw pays another account once", async () => {
  const owner = accounts[2].admin;
  const player = accounts[0].invoice;
  const before = (await bridge.ok(owner, Op.Balance)).available_msat;
  const batch = await bridge.ok(owner, Op.CreateVouchers, {
    amount_msat: 1_000_000, count: 2, description: "webgl S23", idempotency_key: `webgl-s23-${Date.now()}`,
  });
  assert.equal(batch.vouchers.length, 2);
  assert.equal(batch.reserved_msat, 2 * 1_010_000);
  const [first, second] = batch.vouchers;
  // A devnet wallet (bob) reads the first link and hands in its invoice.
  const offer = await (await fetch(first.url)).json();
  assert.equal(offer.tag, "withdrawRequest");
  const callback = new URL(offer.callback);
  callback.searchParams.set("k1", offer.k1);
  callback.searchParams.set("pr", (await walletInvoice(fixture, "bob", 1_000_000n)).invoice);
  assert.deepEqual(await (await fetch(callback)).json(), { status: "OK" });
  let claimed;
  for (let i = 0; i < 300 && claimed?.status !== "claimed"; i++) {
    claimed = await bridge.ok(owner, Op.GetVoucher, { voucher_id: first.id });
    if (claimed.status !== "claimed") await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(claimed.status, "claimed");
  const paid = await finalPayment(owner, claimed.payment_id);
  assert.equal(paid.status, "succeeded");
  // The game redeems the second into the player's account, once.
  const redeemed = await bridge.ok(player, Op.RedeemWithdraw, { lnurl: second.lnurl });
  assert.equal(redeemed.invoice.amount_msat, 1_000_000);
  const refused = await fails(player, Op.RedeemWithdraw, { lnurl: second.lnurl }, "lnurl_service_error");
  assert.match(refused.message, /already claimed/);
  await fails(owner, Op.CancelVoucher, { voucher_id: first.id }, "lsp_conflict");
  const listed = await bridge.ok(owner, Op.ListVouchers, { batch_id: batch.id });
  assert.deepEqual(listed.items.map((v) => v.status), ["claimed", "claimed"]);
  assert.equal(before - (await bridge.ok(owner, Op.Balance)).available_msat, 2_000_000 + paid.fee_msat);
  heapIsBack();
});

test("S24 webgl: a stream pauses, resumes and pays exactly its budget", async () => {
  const payer = accounts[0].admin;
  const payee = accounts[1].admin;
  const before = (await bridge.ok(payee, Op.Balance)).available_msat;
  let stream = await bridge.ok(payer, Op.CreateStream, {
    destination: { type: "account", account_id: accounts[1].id },
    rate_msat_per_sec: 10_000, budget_msat: 25_000, idempotency_key: `webgl-s24-${Date.now()}`,
  });
  assert.equal((await bridge.ok(payer, Op.PauseStream, { stream_id: stream.id })).state, "paused");
  await fails(payer, Op.PauseStream, { stream_id: stream.id }, "lsp_conflict");
  assert.equal((await bridge.ok(payer, Op.ResumeStream, { stream_id: stream.id })).state, "running");
  for (let i = 0; i < 300 && stream.state !== "finished"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream = await bridge.ok(payer, Op.GetStream, { stream_id: stream.id });
  }
  assert.equal(stream.state, "finished");
  assert.equal(stream.paid_msat, 25_000);
  assert.equal((await bridge.ok(payee, Op.Balance)).available_msat - before, 25_000);
  heapIsBack();
});

test("S25 webgl: a recurring schedule pays each occurrence once; a cancelled one pays no more", async () => {
  const payer = accounts[0].admin;
  const payee = accounts[1].admin;
  const before = (await bridge.ok(payee, Op.Balance)).available_msat;
  const args = (amount, maxCount, key) => ({
    amount_msat: amount,
    destination: { type: "account", account_id: accounts[1].id },
    schedule: { period: { kind: "every", secs: 1 }, start: Math.floor(Date.now() / 1000) + 1, end: null, max_count: maxCount, catch_up: { kind: "all", max: 10 } },
    idempotency_key: `${key}-${Date.now()}`,
  });
  const created = await bridge.ok(payer, Op.CreateSchedule, args(110_000, 2, "webgl-s25"));
  let schedule = created;
  for (let i = 0; i < 300 && schedule.status !== "completed"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    schedule = await bridge.ok(payer, Op.GetSchedule, { schedule_id: created.id });
  }
  assert.equal(schedule.status, "completed");
  assert.equal(schedule.paid_count, 2);
  const runs = await bridge.ok(payer, Op.ScheduleRuns, { schedule_id: created.id });
  assert.deepEqual(runs.items.map((r) => r.status), ["succeeded", "succeeded"]);
  assert.equal((await bridge.ok(payee, Op.Balance)).available_msat - before, 220_000);
  await fails(payer, Op.CancelSchedule, { schedule_id: created.id }, "lsp_conflict");
  const tip = await bridge.ok(payer, Op.CreateSchedule, args(1_000, null, "webgl-s25-tip"));
  assert.equal((await bridge.ok(payer, Op.CancelSchedule, { schedule_id: tip.id })).status, "cancelled");
  assert.ok((await bridge.ok(payer, Op.ListSchedules, {})).items.some((s) => s.id === created.id));
  heapIsBack();
});

test("S28 webgl: a fiat-priced invoice charges exactly the quote; a slipped quote is refused", async () => {
  const shop = accounts[1].invoice;
  const quote = await bridge.ok(shop, Op.CreateQuote, { fiat_amount: "4.99", currency: "USD", ttl_secs: 60 });
  assert.equal(quote.amount_msat, 4_990_000);
  const invoice = await bridge.ok(shop, Op.CreateInvoice, { quote_id: quote.id });
  assert.equal(invoice.amount_msat, 4_990_000, "exactly the quote");
  await fails(shop, Op.CreateQuote, { fiat_amount: "4.99", currency: "JPY" }, "lsp_unknown_currency");
  const held = await bridge.ok(shop, Op.CreateQuote, { fiat_amount: "4.99", currency: "USD" });
  setRates({ USD: "101500", EUR: "92000.50" });
  try {
    await fails(shop, Op.CreateInvoice, { quote_id: held.id }, "lsp_slippage_exceeded");
    assert.equal((await bridge.ok(shop, Op.CreateQuote, { fiat_amount: "4.99", currency: "USD" })).amount_msat, 4_916_257);
  } finally {
    setRates({ USD: "100000", EUR: "92000.50" });
  }
  heapIsBack();
});

test("S20 webgl: invoice creation beyond the rate limit gets 429 with Retry-After", async () => {
  const { invoice: shop } = accounts[2];
  let limited;
  for (let i = 0; i < RATE_BURST * 3 && !limited; i++) {
    const completion = await bridge.request(shop, Op.CreateInvoice, { amount_msat: 1_000, description: `S20 #${i}` });
    if (completion.status !== Status.Ok) limited = completion.value;
  }
  assert.ok(limited, "the limit was reached");
  assert.equal(limited.code, "lsp_rate_limited");
  assert.equal(limited.http_status, 429);
  assert.equal(limited.retryable, true);
  assert.ok(limited.retry_after_secs >= 1, `Retry-After ${limited.retry_after_secs}`);
  heapIsBack();
});

test("webgl bridge: bad input gets typed errors, synchronously or as one completion", async () => {
  const { admin } = accounts[0];
  assert.throws(() => client("key", { network: "moon" }), (e) => e instanceof BridgeError && e.code === "lsp_invalid_config" && /moon/.test(e.message));
  assert.throws(() => bridge.clientNew("{not json"), (e) => e instanceof BridgeError && e.code === "lsp_invalid_config");
  assert.throws(() => client("k y"), (e) => e instanceof BridgeError && e.code === "lsp_invalid_config");
  assert.equal(bridge.takeError(), null, "taking an error clears it");

  const unknown = await fails(admin, 999, {}, "invalid_argument", Status.InvalidArgument);
  assert.match(unknown.message, /999/);
  await fails(admin, Op.Balance, "[1, 2]", "invalid_argument", Status.InvalidArgument);
  await fails(admin, Op.Balance, "{oops", "invalid_argument", Status.InvalidArgument);
  const misspelt = await fails(admin, Op.CreateInvoice, { amountMsat: 1 }, "invalid_argument", Status.InvalidArgument);
  assert.match(misspelt.message, /amountMsat/);
  await fails(admin, Op.GetInvoice, {}, "invalid_argument", Status.InvalidArgument);
  // No arguments at all (a null pointer) is `{}`.
  assert.equal(typeof (await bridge.ok(admin, Op.Balance, undefined)).available_msat, "number");

  assert.throws(() => bridge.requestWithoutCallback(admin, Op.Balance), (e) => e.code === "invalid_argument" && /callback/.test(e.message));
  assert.throws(() => bridge.start(424_242, Op.Balance), (e) => e.code === "invalid_argument" && /client/.test(e.message));
  bridge.eventsStart(admin, -1, () => {});
  try {
    assert.throws(() => bridge.eventsStart(admin, -1, () => {}, 555), (e) => e.code === "invalid_argument" && /already/.test(e.message));
  } finally {
    bridge.eventsStop(admin);
  }
  // An unreachable LSP is a retryable transport error.
  const nowhere = bridge.clientNew({ base_url: "http://127.0.0.1:9", api_key: "k", network: "regtest", request_timeout_ms: 2_000 });
  try {
    const unreachable = await bridge.request(nowhere, Op.Health);
    assert.equal(unreachable.status, Status.Error);
    assert.equal(unreachable.value.retryable, true, unreachable.json);
  } finally {
    bridge.free(nowhere);
  }
  heapIsBack();
});

test("webgl bridge: freeing a client completes its requests as cancelled, at once, and nothing after", async () => {
  const account = fixture.accounts[1];
  const handle = client(account.invoice_key);
  const invoice = await bridge.ok(handle, Op.CreateInvoice, { amount_msat: 1_000, expiry_secs: 600 });
  const items = [];
  bridge.eventsStart(handle, 0, (item) => items.push(item));
  const waits = [0, 1, 2].map(() => bridge.start(handle, Op.WaitForPayment, { invoice_id: invoice.id }));
  const outcomes = [];
  waits.forEach((w) => w.done.then((c) => outcomes.push(c)));
  assert.equal(bridge.pending(handle), 3);
  bridge.free(handle);
  await Promise.resolve();
  assert.equal(outcomes.length, 3, "all completed during the free");
  assert.ok(outcomes.every((c) => c.status === Status.Cancelled && c.value.code === "cancelled"));
  const heard = items.length;
  assert.equal(bridge.pending(handle), 0);
  bridge.free(handle); // twice is harmless
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(items.length, heard, "no event after the free");
  heapIsBack();
});

test("webgl bridge: without the npm package loaded, creating a client says what to do", () => {
  const saved = globalThis.etridLightning;
  globalThis.etridLightning = undefined;
  try {
    assert.throws(() => client("key"), (e) => e.code === "webgl_package_missing" && /WebGL template/.test(e.message));
  } finally {
    globalThis.etridLightning = saved;
  }
});
