#!/usr/bin/env node
// The tournament console on this machine: starts the lsp-fixture (regtest chain, LDK nodes, the
// Étrid LSP serving the console from the npm package, one organizer account funded so it can pay
// winners by keysend) and prints how to use it. Players need a wallet: on the devnet, the wallets
// alice and bob pay entry invoices through the devnet's control API (the command is printed).
// Prints one JSON line (the fixture's URLs and accounts, plus `console`) when ready; Ctrl-C (or
// closing stdin with --exit-on-stdin-eof) stops everything.
//
//   node examples/tournament-console/run.mjs [--admin-cors-origin ORIGIN] [--exit-on-stdin-eof]
import { fileURLToPath } from "node:url";

import { startFixture } from "../../wasm/tests/support/fixture.mjs";

const PACKAGE = fileURLToPath(new URL("../../wasm/", import.meta.url));
const args = process.argv.slice(2);
const fixtureArgs = ["--accounts", "1", "--fund-msat", "50000000", "--console-dir", PACKAGE];
const originAt = args.indexOf("--admin-cors-origin");
if (originAt >= 0) fixtureArgs.push("--admin-cors-origin", args[originAt + 1]);

const fixture = await startFixture(fixtureArgs);
const { stop, stderr, ...info } = fixture;
const consoleUrl = `${fixture.api}/console/`;
console.log(JSON.stringify({ ...info, console: consoleUrl }));
console.error(`tournament console: open ${consoleUrl}
  admin key: ${fixture.accounts[0].admin_key}
  a devnet wallet pays a player's entry invoice (alice or bob):
    curl -s -X POST ${fixture.control}/v1/nodes/alice/pay -H 'content-type: application/json' -d '{"invoice":"<bolt11>"}'
  a winner's node id for keysend prizes: curl -s ${fixture.control}/v1/nodes
Ctrl-C stops the devnet and the LSP.`);

async function shutdown() {
  await stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
if (args.includes("--exit-on-stdin-eof")) {
  process.stdin.resume();
  process.stdin.on("end", shutdown);
}
