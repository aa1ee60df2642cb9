// S40 examples/web-checkout as a user runs it (node examples/web-checkout/serve.mjs, what
// scripts/web-checkout.sh starts): the shop page in Chromium shows the checkout, the devnet
// wallet pays through the page's button, and the item unlocks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { launchChromium } from "./support/browser.mjs";

const SERVE = fileURLToPath(new URL("../../examples/web-checkout/serve.mjs", import.meta.url));

let server;
let info;
let browser;

before(async () => {
  server = spawn(process.execPath, [SERVE, "--port", "0", "--exit-on-stdin-eof"], { stdio: ["pipe", "pipe", "inherit"] });
  info = await new Promise((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`serve.mjs exited with ${code}`)));
    createInterface({ input: server.stdout }).once("line", (line) => resolve(JSON.parse(line)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.stdin.end();
    await exited;
  }
});

test("S40 examples/web-checkout: the shop page sells the item, the devnet wallet pays, the item unlocks", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto(info.url);
  await page.waitForFunction(() => document.querySelector("etrid-checkout")?.getAttribute("state") === "waiting", null, { timeout: 30_000 });
  const amount = await page.evaluate(() => document.querySelector("etrid-checkout").shadowRoot.querySelector(".amount").textContent);
  assert.equal(amount, "21,000 sat");
  assert.equal(await page.isHidden("#unlocked"), true);
  await page.click("#devnet-pay");
  await page.waitForSelector("#unlocked", { state: "visible", timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.querySelector("etrid-checkout").getAttribute("state")), "paid");
  assert.deepEqual(problems, []);
});
