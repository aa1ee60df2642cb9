// The tournament console (wasm/console/) in headless Chromium, served by a real LSP on the devnet
// as examples/tournament-console/run.mjs starts it (what scripts/tournament-console.sh runs: the
// lsp-fixture with `--console-dir`): an organizer creates a public tournament in the console, two devnet wallets
// join from its join link and pay, the seats fill and the pool is funded live (the event stream),
// the organizer enters the standings and pays the winners by keysend to the wallets' nodes, and
// the payouts complete on both pages (S26). Plus what the console and the join page refuse, the
// keyless client, what the LSP serves of the package, and the console exported as static files
// on another origin (the LSP allowing that origin on its admin endpoints).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { walletPays } from "./support/fixture.mjs";
import { launchChromium, openPage, serveDirectory } from "./support/browser.mjs";
import { exportConsole } from "../console/export.mjs";
import { Client } from "../js/node.mjs";

const EXAMPLE = fileURLToPath(new URL("../../examples/tournament-console/run.mjs", import.meta.url));

/** The example's process, and what it printed: the fixture's URLs and accounts, `console`. */
let example;
let fixture;
let browser;
let site;
let organizer;
let nodes;
/** The console exported as static files, served on an origin of its own. */
let elsewhere;
let exported;
/** The pages of the S26 run, whose consoles must stay free of errors. */
const pages = [];

before(async () => {
  exported = mkdtempSync(join(tmpdir(), "etrid-console-"));
  exportConsole(exported);
  elsewhere = await serveDirectory(exported);
  example = spawn(process.execPath, [EXAMPLE, "--admin-cors-origin", elsewhere.url, "--exit-on-stdin-eof"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const started = new Promise((resolve, reject) => {
    example.once("exit", (code) => reject(new Error(`run.mjs exited with ${code}`)));
    createInterface({ input: example.stdout }).once("line", (line) => resolve(JSON.parse(line)));
  });
  [fixture, browser] = await Promise.all([started, launchChromium()]);
  assert.equal(fixture.console, `${fixture.api}/console/`);
  site = { url: fixture.api };
  organizer = new Client({ baseUrl: fixture.api, apiKey: fixture.accounts[0].admin_key, network: "regtest" });
  nodes = await (await fetch(`${fixture.control}/v1/nodes`)).json();
});

after(async () => {
  organizer?.close();
  await browser?.close();
  if (example && example.exitCode === null) {
    const exited = new Promise((resolve) => example.once("exit", resolve));
    example.stdin.end();
    await exited;
  }
  await elsewhere?.close();
  if (exported) rmSync(exported, { recursive: true, force: true });
});

/** A page of the LSP's console at `path` (or a full URL); kept among `pages` when `watched`. */
async function open(path, watched = false) {
  const page = await openPage(browser, path.startsWith("http") ? { url: "" } : site, path);
  if (watched) pages.push(page);
  return page;
}

/** A refused request is the only error a page may log (the browser logs every 4xx). */
function onlyRefusals(page) {
  const others = page.problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
  assert.deepEqual(others, [], page.url());
}

/** Waits until the text of `selector` on `page` satisfies `ok`; returns it. */
async function textOf(page, selector, ok, what, timeout = 90_000) {
  const handle = await page.waitForFunction(
    ([sel, source]) => {
      const text = document.querySelector(sel)?.textContent ?? null;
      return text !== null && new Function("text", `return (${source})(text)`)(text) ? text : false;
    },
    [selector, ok.toString()],
    { timeout },
  ).catch((err) => {
    throw new Error(`${what}: ${err.message}`);
  });
  return handle.jsonValue();
}

/** Opens the console and connects with the organizer's admin key. */
async function connectedConsole() {
  const page = await open("/console/", true);
  assert.equal(await page.inputValue("#api-url"), fixture.api, "the LSP's own URL by default");
  await page.fill("#api-key", fixture.accounts[0].admin_key);
  await page.click("#connect");
  await page.waitForSelector("#create-panel:not([hidden])");
  assert.match(await page.textContent("#connection"), /regtest/);
  return page;
}

test("S26 in the console (Chromium): create, two devnet wallets join by link, funded live, results, winners paid and seen", async () => {
  const desk = await connectedConsole();
  await desk.fill("#t-name", "Console cup");
  await desk.fill("#t-fee", "10000");
  await desk.fill("#t-seats", "2");
  await desk.fill("#t-split", "70, 30");
  await desk.fill("#t-organizer", "5");
  await desk.fill("#t-window", "30");
  await desk.click("#create");
  const link = await textOf(desk, "#join-link", (t) => t.includes("join.html"), "the join link");
  assert.match(link, new RegExp(`^${fixture.api}/console/join\\.html\\?t=trn_[A-Za-z0-9_-]+&network=regtest$`));
  assert.ok(await desk.$("#join-qr svg"), "the join link as a QR code");
  assert.equal(await desk.textContent("#v-fee"), "10,000 sat");
  assert.equal(await desk.textContent("#v-seats"), "0 / 2");
  assert.equal(await desk.textContent("#v-prizes"), "20,000 sat pool when full");
  const id = new URL(link).searchParams.get("t");

  // Each wallet's player opens the link, joins with a keysend prize destination and pays.
  const players = [["ann", "alice"], ["ben", "bob"]];
  const payments = [];
  const joinPages = {};
  for (const [player, wallet] of players) {
    const page = await open(link, true);
    joinPages[player] = page;
    assert.equal(await page.textContent("#lobby-name"), "Console cup");
    assert.equal(await page.textContent("#lobby-prizes"), "19,000 sat");
    assert.equal(await page.textContent("#lobby-split"), "by rank 70 / 30 %");
    await page.fill("#player-id", player);
    await page.selectOption("#payout-type", "keysend");
    await page.fill("#payout-value", nodes.find((n) => n.name === wallet).node_id);
    await page.click("#join");
    const bolt11 = await textOf(page, "#invoice-text", (t) => t.startsWith("lnbcrt"), `${player}'s invoice`);
    assert.ok(await page.$("#invoice-qr svg"), "the entry invoice as a QR code");
    // A hold invoice's payment completes only when the tournament fills: in the background.
    payments.push(walletPays(fixture, bolt11, wallet));
    await textOf(page, "#entry-status", (t) => t.startsWith("You're in"), `${player}'s seat`);
    await textOf(desk, `tr[data-player="${player}"] .status`, (t) => ["held", "settled"].includes(t), `${player} seated in the console`);
  }

  // Full: the console hears the tournament funded, without a reload.
  await textOf(desk, "#v-status", (t) => t === "funded", "funded in the console");
  assert.equal(await desk.textContent("#v-seats"), "2 / 2");
  assert.equal(await desk.textContent("#v-prizes"), "19,000 sat");
  assert.equal(await desk.textContent("#v-split"), "by rank 70 / 30 % · organizer 5 %");
  for (const outcome of await Promise.all(payments)) assert.equal(outcome.status, "succeeded");

  // Results: ben wins. Then the winners are paid; the payouts complete live.
  await desk.fill('input[data-rank-for="ann"]', "2");
  await desk.fill('input[data-rank-for="ben"]', "1");
  await desk.click("#enter-results");
  await desk.waitForSelector("#pay:not([hidden])");
  await desk.click("#pay");
  for (const player of ["ann", "ben"]) {
    await textOf(desk, `tr[data-payout="${player}"] .status`, (t) => t === "succeeded", `${player}'s payout in the console`);
  }
  await textOf(desk, "#v-status", (t) => t === "completed", "completed in the console");
  assert.equal(await desk.textContent('tr[data-payout="ben"] td.amount'), "13,300 sat");
  assert.equal(await desk.textContent('tr[data-payout="ann"] td.amount'), "5,700 sat");
  await textOf(joinPages.ben, "#entry-status", (t) => t === "Rank 1: 13,300 sat (paid).", "ben's prize on his page");
  await textOf(joinPages.ann, "#entry-status", (t) => t === "Rank 2: 5,700 sat (paid).", "ann's prize on her page");

  // What the console showed is what the LSP did: exact prizes, each paid once, by keysend.
  const { items: payouts } = await organizer.listTournamentPayouts(id);
  assert.deepEqual(
    payouts.map((p) => [p.player_id, p.rank, p.amount_msat, p.status, p.attempts, p.destination.type]),
    [["ben", 1, 13_300_000n, "succeeded", 1, "keysend"], ["ann", 2, 5_700_000n, "succeeded", 1, "keysend"]],
  );
  const t = await organizer.getTournament(id);
  assert.equal(t.status, "completed");
  assert.equal(t.organizer_fee_msat, 1_000_000n);
  for (const page of pages) assert.deepEqual(page.problems, [], page.url());
});

test("the console and the join page show what the LSP refuses, and move no money", async () => {
  const balanceBefore = await organizer.balance();
  const desk = await open("/console/");
  await desk.fill("#api-key", "etrid_ak_wrong");
  await desk.click("#connect");
  await textOf(desk, "#connect-error", (t) => t.includes("lsp_unauthorized"), "a wrong key");
  await desk.fill("#api-key", fixture.accounts[0].admin_key);
  await desk.click("#connect");
  await desk.waitForSelector("#create-panel:not([hidden])");

  // A split that does not sum to 100 % is refused before anything is sent.
  const before = await organizer.listTournaments({ limit: 100 });
  await desk.fill("#t-name", "Bad split");
  await desk.fill("#t-split", "60, 30");
  await desk.click("#create");
  await textOf(desk, "#create-error", (t) => t.includes("payout_table_bps"), "a bad split");
  await desk.fill("#t-split", "abc");
  await desk.click("#create");
  await textOf(desk, "#create-error", (t) => t.includes("Prize split"), "a split that is no percentage");
  assert.equal((await organizer.listTournaments({ limit: 100 })).items.length, before.items.length);

  // A private tournament's join link leads nowhere; a closed one takes no join.
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 600);
  const terms = { entry_fee_msat: 1000n, seats: 2, payout_table_bps: [10_000], join_deadline: deadline };
  const hidden = await organizer.createTournament({ name: "Private", ...terms });
  const privatePage = await open(`/console/join.html?t=${hidden.id}&network=regtest`);
  await textOf(privatePage, "#lobby-error", (t) => t.includes("No such tournament"), "a private tournament's page");
  assert.equal(await privatePage.isHidden("#join-panel"), true);

  const open_ = await organizer.createTournament({ name: "Twice", public_join: true, ...terms });
  const first = await open(`/console/join.html?t=${open_.id}&network=regtest`);
  await first.fill("#player-id", "cy");
  await first.selectOption("#payout-type", "voucher");
  await first.click("#join");
  await textOf(first, "#invoice-text", (t) => t.startsWith("lnbcrt"), "cy's invoice");
  // Another browser (no remembered entry) takes the same name for another destination.
  const second = await browser.newPage();
  await second.goto(`${fixture.api}/console/join.html?t=${open_.id}&network=regtest`);
  await second.waitForFunction(() => window.ready === true);
  await second.fill("#player-id", "cy");
  await second.selectOption("#payout-type", "lightning_address");
  await second.fill("#payout-value", "cy@example.com");
  await second.click("#join");
  await textOf(second, "#join-error", (t) => t.includes("already_joined"), "a name taken");
  await second.close();
  await organizer.cancelTournament(open_.id);
  await textOf(first, "#entry-status", (t) => t.startsWith("The tournament was cancelled"), "cancelled on the join page");
  assert.deepEqual(await organizer.balance(), balanceBefore);
  for (const page of [desk, privatePage, first]) onlyRefusals(page);
});

test("a keyless client reads public lobbies and joins, and nothing else", async () => {
  const keyless = new Client({ baseUrl: fixture.api, network: "regtest" });
  try {
    const t = await organizer.createTournament({
      name: "Keyless",
      public_join: true,
      entry_fee_msat: 5000n,
      seats: 3,
      payout_table_bps: [10_000],
      join_deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
    });
    const lobby = await keyless.getPublicTournament(t.id);
    assert.deepEqual([lobby.name, lobby.seats, lobby.seats_taken, lobby.prize_total_msat, lobby.players], ["Keyless", 3, 0, 15_000n, []]);
    const entry = await keyless.joinPublicTournament(t.id, { player_id: "dee", payout: { type: "voucher" } });
    assert.equal(entry.status, "pending");
    await assert.rejects(keyless.getTournament(t.id), (err) => err.code === "lsp_unauthorized");
    await assert.rejects(keyless.getPublicTournament("trn_unknown"), (err) => err.code === "lsp_not_found");
    await organizer.cancelTournament(t.id);
  } finally {
    keyless.close();
  }
});

test("the LSP serves the console and the browser SDK, and nothing else of the package", async () => {
  const get = (path) => fetch(`${fixture.api}${path}`, { redirect: "manual" });
  const redirect = await get("/console");
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.get("location"), "/console/");
  for (const [path, type] of [
    ["/console/", "text/html"],
    ["/console/join.html", "text/html"],
    ["/console/console.mjs", "javascript"],
    ["/console/sdk/js/browser.mjs", "javascript"],
    ["/console/sdk/pkg/web/etrid_wasm_bg.wasm", "application/wasm"],
  ]) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get("content-type"), new RegExp(type), path);
  }
  for (const path of ["/console/sdk/package.json", "/console/sdk/pkg/node/etrid_wasm.js", "/console/.hidden", "/console/sdk/js/", "/console/nope.html"]) {
    assert.equal((await get(path)).status, 404, path);
  }
});

test("the console as static files on another origin: connects by URL, its join links carry the LSP's URL", async () => {
  const desk = await open(`${elsewhere.url}/index.html`);
  assert.equal(await desk.inputValue("#api-url"), elsewhere.url, "its own origin until told");
  await desk.fill("#api-url", fixture.api);
  await desk.fill("#api-key", fixture.accounts[0].admin_key);
  await desk.click("#connect");
  await desk.waitForSelector("#create-panel:not([hidden])");
  await desk.fill("#t-name", "Elsewhere cup");
  await desk.fill("#t-seats", "2");
  await desk.fill("#t-split", "100");
  await desk.click("#create");
  const link = await textOf(desk, "#join-link", (t) => t.includes("join.html"), "the join link");
  const url = new URL(link);
  assert.equal(url.origin, elsewhere.url);
  assert.equal(url.searchParams.get("api"), fixture.api);
  const page = await open(link);
  await textOf(page, "#lobby-name", (t) => t === "Elsewhere cup", "the lobby from another origin");
  await page.fill("#player-id", "eve");
  await page.selectOption("#payout-type", "voucher");
  await page.click("#join");
  await textOf(page, "#invoice-text", (t) => t.startsWith("lnbcrt"), "eve's invoice");
  await organizer.cancelTournament(url.searchParams.get("t"));
  for (const p of [desk, page]) assert.deepEqual(p.problems, [], p.url());

  // Admin endpoints answer CORS for the listed origin only.
  const preflight = (origin) =>
    fetch(`${fixture.api}/v1/tournaments`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
  assert.equal((await preflight(elsewhere.url)).headers.get("access-control-allow-origin"), elsewhere.url);
  assert.equal((await preflight("http://evil.example")).headers.get("access-control-allow-origin"), null);
});
