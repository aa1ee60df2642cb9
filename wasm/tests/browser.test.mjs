// S10–S12, S17, S18 and S20 through the npm package in headless Chromium, against a real LSP on
// the devnet: the page imports js/browser.mjs with a <script type="module"> (the .wasm fetched
// beside it), and the client runs on the browser's fetch and WebSocket (the key in the
// WebSocket subprotocol). Browsers hold invoice-scoped keys only, so the admin scenarios (S13–S16,
// S19: paying, hold invoices, keysend) run in Node (lsp.test.mjs), where admin keys belong.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { startFixture, walletPays } from "./support/fixture.mjs";
import { launchChromium, openPage, serveDirectory } from "./support/browser.mjs";

let fixture;
let site;
let browser;
let page;

before(async () => {
  [fixture, site, browser] = await Promise.all([
    startFixture(["--accounts", "2", "--fund-msat", "0", "--invoice-rate-per-sec", "1", "--invoice-rate-burst", "30"]),
    serveDirectory(),
    launchChromium(),
  ]);
  page = await openPage(browser, site, "/tests/browser/index.html");
});

after(async () => {
  await browser?.close();
  await site?.close();
  await fixture?.stop();
});

/** Runs `body` (source of an async function of `(etrid, client, args)`) in the page with a client of `key`. */
function inPage(key, body, args = {}) {
  return page.evaluate(
    async ({ api, key, body, args }) => {
      const client = new window.etrid.Client({ baseUrl: api, apiKey: key, network: "regtest" });
      const run = new Function("etrid", "client", "args", `return (async () => { ${body} })();`);
      try {
        return await run(window.etrid, client, args);
      } finally {
        client.close();
      }
    },
    { api: fixture.api, key, body, args },
  );
}

const shopKey = () => fixture.accounts[0].invoice_key;

test("S10 in Chromium: an invoice key creates, the devnet wallet pays, the page hears invoice.paid", async () => {
  const created = await inPage(shopKey(), `
    const invoice = await client.createInvoice({ amount_msat: 12000n, description: "S10 browser sword" });
    return { id: invoice.id, bolt11: invoice.bolt11, amount: String(invoice.amount_msat) };
  `);
  assert.equal(created.amount, "12000");
  // A client that lives on in the page (not closed after the call) waits and listens.
  await page.evaluate(async ({ api, key, id }) => {
    const client = new window.etrid.Client({ baseUrl: api, apiKey: key, network: "regtest" });
    window.heard = [];
    window.stopListening = client.on("invoice.paid", (event) => window.heard.push({ id: event.data.id, type: event.type }));
    window.waiting = client.waitForPayment(id, { timeoutMs: 60000 });
    // Let the event stream open before the payment.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }, { api: fixture.api, key: shopKey(), id: created.id });
  const paid = await walletPays(fixture, created.bolt11);
  assert.equal(paid.status, "succeeded");
  const outcome = await page.evaluate(async () => {
    const result = await window.waiting;
    return { status: result.status, received: String(result.invoice.amount_received_msat) };
  });
  assert.deepEqual(outcome, { status: "paid", received: "12000" });
  await page.waitForFunction((id) => window.heard.some((e) => e.id === id), created.id, { timeout: 10_000 });
  const heard = await page.evaluate((id) => window.heard.filter((e) => e.id === id), created.id);
  assert.deepEqual(heard, [{ id: created.id, type: "invoice.paid" }]);
  await page.evaluate(() => window.stopListening());
  assert.deepEqual(page.problems, []);
});

test("S11 in Chromium: the same external_id twice returns the same invoice", async () => {
  const [first, second] = await inPage(shopKey(), `
    const request = { amount_msat: 3000n, external_id: "browser-order-" + Date.now() };
    const a = await client.createInvoice(request);
    const b = await client.createInvoice(request);
    return [a.id, b.id];
  `);
  assert.equal(first, second);
});

test("S12 in Chromium: an expiring invoice gives an expired result, and AbortSignal stops a wait", async () => {
  const outcome = await inPage(shopKey(), `
    const invoice = await client.createInvoice({ amount_msat: 1000n, expiry_secs: 2 });
    const expired = await client.waitForPayment(invoice.id);
    const open = await client.createInvoice({ amount_msat: 1000n });
    let aborted = null;
    try {
      await client.waitForPayment(open.id, { signal: AbortSignal.timeout(300) });
    } catch (err) {
      aborted = { code: err.code, isEtridError: err instanceof etrid.EtridError, cause: err.cause?.name };
    }
    return { expired: expired.status, aborted };
  `);
  assert.deepEqual(outcome, { expired: "expired", aborted: { code: "aborted", isEtridError: true, cause: "TimeoutError" } });
});

test("S17 in Chromium: an invoice key sees only its own account", async () => {
  const foreign = await inPage(fixture.accounts[1].invoice_key, `
    return (await client.createInvoice({ amount_msat: 1000n })).id;
  `);
  const codes = await inPage(shopKey(), `
    const codeOf = (promise) => promise.then(() => "resolved", (err) => err.code);
    return {
      read: await codeOf(client.getInvoice(args.foreign)),
      cancel: await codeOf(client.cancelInvoice(args.foreign)),
      listed: (await client.listInvoices({ limit: 100 })).items.some((i) => i.id === args.foreign),
    };
  `, { foreign });
  assert.deepEqual(codes, { read: "lsp_not_found", cancel: "lsp_not_found", listed: false });
});

test("S18 in Chromium: the event iterator resumes after the last id, nothing missed or repeated", async () => {
  const start = await inPage(shopKey(), `
    const { items } = await client.listEvents({ limit: 1000 });
    return items.length ? String(items[items.length - 1].id) : "0";
  `);
  const paid = [];
  for (let i = 0; i < 3; i++) {
    const invoice = await inPage(shopKey(), `return await client.createInvoice({ amount_msat: ${20_000 + i}n });`);
    assert.equal((await walletPays(fixture, invoice.bolt11)).status, "succeeded");
    paid.push(invoice.id);
  }
  const result = await inPage(shopKey(), `
    const seen = [];
    const first = client.events({ after: BigInt(args.start) });
    for await (const event of first) { seen.push(event); break; }
    const second = client.events({ after: first.lastEventId });
    for await (const event of second) {
      seen.push(event);
      if (args.paid.every((id) => seen.some((e) => e.type === "invoice.paid" && e.data.id === id))) break;
    }
    const { items } = await client.listEvents({ after: BigInt(args.start), limit: 1000 });
    const last = seen[seen.length - 1].id;
    return { seen: seen.map((e) => String(e.id)), log: items.filter((e) => e.id <= last).map((e) => String(e.id)) };
  `, { start, paid });
  assert.deepEqual(result.seen, result.log, "exactly the log, in order, once each");
  assert.ok(result.seen.length >= 3);
});

test("S20 in Chromium: beyond the rate limit, 429 with Retry-After readable through CORS", async () => {
  const limited = await inPage(fixture.accounts[1].invoice_key, `
    for (let i = 0; i < 100; i++) {
      try {
        await client.createInvoice({ amount_msat: 1000n });
      } catch (err) {
        return { code: err.code, status: err.status, retryAfterSecs: err.retryAfterSecs, retryable: err.retryable };
      }
    }
    return null;
  `);
  assert.ok(limited, "the limit was reached");
  assert.equal(limited.code, "lsp_rate_limited");
  assert.equal(limited.status, 429);
  assert.equal(limited.retryable, true);
  assert.ok(limited.retryAfterSecs >= 1);
});

test("bad input in Chromium: a wrong key and an unreachable LSP are typed errors", async () => {
  const codes = await page.evaluate(async (api) => {
    const { Client } = window.etrid;
    const codeOf = (promise) => promise.then(() => "resolved", (err) => err.code);
    return {
      wrongKey: await codeOf(new Client({ baseUrl: api, apiKey: "etrid_inv_nope", network: "regtest" }).createInvoice({ amount_msat: 1n })),
      down: await codeOf(new Client({ baseUrl: "http://127.0.0.1:1", apiKey: "k", network: "regtest" }).balance()),
    };
  }, fixture.api);
  assert.deepEqual(codes, { wrongKey: "lsp_unauthorized", down: "transport_connect" });
});
