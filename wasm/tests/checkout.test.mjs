// S40 The checkout component in headless Chromium, against a real LSP on the devnet: the QR
// code is shown and reads back (jsQR) as the invoice, a devnet wallet pays it and "Paid"
// appears without a reload; the expired state and its retry; usable at 360 px and 1280 px
// (screenshots saved to $ETRID_ARTIFACTS_DIR/checkout, default artifacts/checkout); a WebLN
// wallet (the devnet wallet behind window.webln) pays, and a refusal is told; bad input shows
// a clear message, never a blank component.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import jsQR from "jsqr";

import { startFixture, walletPays } from "./support/fixture.mjs";
import { launchChromium, openPage, serveDirectory } from "./support/browser.mjs";

const ARTIFACTS = join(
  process.env.ETRID_ARTIFACTS_DIR ?? fileURLToPath(new URL("../../artifacts", import.meta.url)),
  "checkout",
);

let fixture;
let site;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [fixture, site, browser] = await Promise.all([
    startFixture(["--accounts", "1", "--fund-msat", "0"]),
    serveDirectory(),
    launchChromium(),
  ]);
});

after(async () => {
  await browser?.close();
  await site?.close();
  await fixture?.stop();
});

/** A page at `width` px with one <etrid-checkout> of `attributes`; resolves the page once the element is in `state`. */
async function checkout(attributes, { width = 1280, state = "waiting", setup } = {}) {
  const page = await openPage(browser, site, "/tests/browser/checkout.html", { width, height: 900 });
  if (setup) await setup(page);
  await page.evaluate((attributes) => {
    const element = document.createElement("etrid-checkout");
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    window.events = [];
    for (const name of ["etrid-paid", "etrid-expired", "etrid-error"]) {
      element.addEventListener(name, () => window.events.push(name));
    }
    document.querySelector("#shop").append(element);
  }, attributes);
  await waitForState(page, state);
  return page;
}

/** Waits until the element's state attribute is `state`. */
function waitForState(page, state, timeout = 60_000) {
  return page.waitForFunction(
    (state) => document.querySelector("etrid-checkout")?.getAttribute("state") === state,
    state,
    { timeout },
  );
}

/** What the element shows: status, message, which buttons, the invoice text. */
function shown(page) {
  return page.evaluate(() => {
    const root = document.querySelector("etrid-checkout").shadowRoot;
    const visible = (selector) => !root.querySelector(selector).hidden;
    return {
      status: root.querySelector(".status").textContent,
      message: visible(".message") ? root.querySelector(".message").textContent : null,
      amount: root.querySelector(".amount").textContent,
      description: root.querySelector("h2").textContent,
      qr: visible(".qr"),
      copy: visible('[data-action="copy"]'),
      webln: visible('[data-action="webln"]'),
      retry: visible('[data-action="retry"]'),
      countdown: visible(".countdown") ? root.querySelector(".countdown").textContent : null,
      bolt11: root.querySelector(".invoice-text").textContent,
    };
  });
}

/** Reads the element's QR code back: the SVG drawn on a canvas, decoded by jsQR in Node. */
async function readQr(page) {
  const image = await page.evaluate(async () => {
    const svg = document.querySelector("etrid-checkout").shadowRoot.querySelector(".qr svg");
    const size = 400;
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
    await img.decode();
    const canvas = Object.assign(document.createElement("canvas"), { width: size, height: size });
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    context.drawImage(img, 0, 0, size, size);
    return { size, data: Array.from(context.getImageData(0, 0, size, size).data) };
  });
  const read = jsQR(Uint8ClampedArray.from(image.data), image.size, image.size);
  assert.ok(read, "the QR code is readable");
  return read.data;
}

const shopAttributes = (extra = {}) => ({
  lsp: fixture.api,
  "api-key": fixture.accounts[0].invoice_key,
  network: "regtest",
  "amount-msat": "15000000",
  description: "Dragon egg",
  ...extra,
});

test("S40 checkout at 1280 px: QR readable, the devnet wallet pays, Paid appears without reload", async () => {
  const page = await checkout(shopAttributes({ "fiat-label": "≈ 9.00 EUR" }));
  const before = await shown(page);
  assert.equal(before.status, "Waiting for payment");
  assert.equal(before.amount, "15,000 sat");
  assert.equal(before.description, "Dragon egg");
  assert.ok(before.qr && before.copy && !before.retry);
  assert.equal(before.webln, false, "no WebLN wallet in this browser");
  assert.match(before.countdown, /^Expires in \d+:\d\d/);
  assert.equal(await readQr(page), `LIGHTNING:${before.bolt11.toUpperCase()}`);
  await page.screenshot({ path: join(ARTIFACTS, "checkout-1280-waiting.png"), fullPage: true });

  const navigations = [];
  page.on("framenavigated", (frame) => navigations.push(frame.url()));
  assert.equal((await walletPays(fixture, before.bolt11)).status, "succeeded");
  await waitForState(page, "paid", 30_000);
  const after = await shown(page);
  assert.equal(after.status, "Paid — thank you!");
  assert.equal(after.qr, false);
  assert.deepEqual(navigations, [], "no reload");
  assert.deepEqual(await page.evaluate(() => window.events), ["etrid-paid"]);
  assert.equal(await page.evaluate(() => document.querySelector("etrid-checkout").shadowRoot.activeElement?.className), "status", "focus moves to the status");
  await page.screenshot({ path: join(ARTIFACTS, "checkout-1280-paid.png"), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("S40 checkout at 360 px: fits the screen, buttons large enough to tap", async () => {
  const page = await checkout(shopAttributes(), { width: 360 });
  const layout = await page.evaluate(() => {
    const element = document.querySelector("etrid-checkout");
    const box = element.getBoundingClientRect();
    const buttons = [...element.shadowRoot.querySelectorAll("button:not([hidden])")].map((b) => b.getBoundingClientRect());
    const qr = element.shadowRoot.querySelector(".qr").getBoundingClientRect();
    return {
      overflow: document.documentElement.scrollWidth > window.innerWidth,
      right: box.right,
      qrWidth: qr.width,
      smallestButton: Math.min(...buttons.map((b) => b.height)),
    };
  });
  assert.equal(layout.overflow, false, "no horizontal scrolling");
  assert.ok(layout.right <= 360, `inside the screen: ${layout.right}`);
  assert.ok(layout.qrWidth >= 200, `QR large enough to scan: ${layout.qrWidth}`);
  assert.ok(layout.smallestButton >= 44, `touch targets: ${layout.smallestButton}`);
  assert.equal(await readQr(page), `LIGHTNING:${(await shown(page)).bolt11.toUpperCase()}`);
  await page.screenshot({ path: join(ARTIFACTS, "checkout-360-waiting.png"), fullPage: true });
  await page.close();
});

test("S40 the expired state, and its retry makes a new invoice", async () => {
  const page = await checkout(shopAttributes({ "expiry-secs": "2" }), { state: "expired" });
  const expired = await shown(page);
  assert.equal(expired.status, "This invoice expired");
  assert.ok(expired.retry && !expired.qr && !expired.copy);
  assert.deepEqual(await page.evaluate(() => window.events), ["etrid-expired"]);
  await page.screenshot({ path: join(ARTIFACTS, "checkout-1280-expired.png"), fullPage: true });
  // Keyboard: the retry button is reachable and works with Enter.
  await page.evaluate(() => document.querySelector("etrid-checkout").shadowRoot.querySelector('[data-action="retry"]').focus());
  await page.keyboard.press("Enter");
  await waitForState(page, "waiting");
  assert.notEqual((await shown(page)).bolt11, expired.bolt11, "a new invoice");
  await page.close();
});

test("S40 WebLN: the visitor's wallet pays through window.webln; a refusal is told, the QR stays", async () => {
  // window.webln backed by the devnet wallet alice: sendPayment really pays, over the devnet.
  const withWallet = async (page) => {
    await page.exposeFunction("devnetPay", (bolt11) => walletPays(fixture, bolt11));
    await page.evaluate(() => {
      window.webln = {
        enable: async () => {},
        sendPayment: async (bolt11) => {
          const outcome = await window.devnetPay(bolt11);
          if (outcome.status !== "succeeded") throw new Error(`payment ${outcome.status}`);
          return { preimage: outcome.preimage };
        },
      };
    });
  };
  const page = await checkout(shopAttributes(), { setup: withWallet });
  assert.equal((await shown(page)).webln, true);
  await page.evaluate(() => document.querySelector("etrid-checkout").shadowRoot.querySelector('[data-action="webln"]').click());
  await waitForState(page, "paid", 60_000);
  await page.close();

  const refusing = async (page) => {
    await page.evaluate(() => {
      window.webln = { enable: async () => {}, sendPayment: async () => { throw new Error("User rejected the payment"); } };
    });
  };
  const refused = await checkout(shopAttributes(), { setup: refusing });
  await refused.evaluate(() => document.querySelector("etrid-checkout").shadowRoot.querySelector('[data-action="webln"]').click());
  await refused.waitForFunction(() => !document.querySelector("etrid-checkout").shadowRoot.querySelector(".message").hidden);
  const view = await shown(refused);
  assert.match(view.message, /cancelled/);
  assert.equal(view.status, "Waiting for payment");
  assert.ok(view.qr, "the QR code stays");
  const code = await refused.evaluate(async (bolt11) => {
    try {
      await window.etrid.payWithWebLN(bolt11, "regtest");
    } catch (err) {
      return err.code;
    }
  }, view.bolt11);
  assert.equal(code, "webln_rejected");
  await refused.close();
});

test("S40 bad input shows a clear message, never a blank component", async () => {
  const cases = [
    [{ "api-key": "etrid_inv_wrong" }, /payment key was refused/],
    [{ lsp: "http://127.0.0.1:1" }, /cannot be reached/],
    [{ "amount-msat": "ten sats" }, /misconfigured/],
    [{ "amount-msat": "", "invoice-id": "inv_doesnotexist" }, /does not exist/],
    [{ network: "bitcoin" }, /cannot be paid/],
  ];
  for (const [extra, expected] of cases) {
    const page = await checkout(shopAttributes(extra), { state: "error" });
    const view = await shown(page);
    assert.equal(view.status, "Checkout unavailable", JSON.stringify(extra));
    assert.match(view.message ?? "", expected, JSON.stringify(extra));
    assert.ok(view.retry, "a retry is offered");
    await page.close();
  }
});
