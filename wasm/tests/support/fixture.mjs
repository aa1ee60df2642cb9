// A real devnet and LSP for the package's integration tests: the `lsp-fixture` binary (see
// examples/src/lsp_fixture.rs) started once per test file. It prints one JSON line when ready
// (API and control URLs, accounts with keys) and stops, removing its state, when its standard
// input closes, so it never outlives the test process.
import { spawn } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The fixture binary: $ETRID_LSP_FIXTURE, else the release build in $CARGO_TARGET_DIR. */
export function fixtureBinary() {
  if (process.env.ETRID_LSP_FIXTURE) return process.env.ETRID_LSP_FIXTURE;
  const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "etrid-target");
  return join(target, "release", "lsp-fixture");
}

/**
 * Starts a fixture with `args` (e.g. ["--accounts", "2", "--fund-msat", "50000000"]) and
 * resolves once it is ready with its info plus `stop()`. Rejects with its stderr if it exits
 * first or is not ready within `readyTimeoutMs`.
 */
export function startFixture(args, readyTimeoutMs = 240_000) {
  const child = spawn(fixtureBinary(), args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.stdin.end();
      // A fixture that ignores its closed stdin is killed after a while.
      setTimeout(() => child.kill("SIGKILL"), 60_000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`lsp-fixture not ready after ${readyTimeoutMs} ms:\n${stderr}`));
    }, readyTimeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`lsp-fixture could not start (${fixtureBinary()}): ${err.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`lsp-fixture exited with ${code} before it was ready:\n${stderr}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      try {
        resolve({ ...JSON.parse(line), stop, stderr: () => stderr });
      } catch (err) {
        child.kill("SIGKILL");
        reject(new Error(`lsp-fixture printed ${line}: ${err.message}`));
      }
    });
  });
}

/** POSTs `body` as JSON to the devnet control API at `control` + `path`; resolves the JSON answer. */
export async function control(fixture, path, body) {
  const response = await fetch(`${fixture.control}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`devnet ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** The devnet wallet `node` (default alice) pays `bolt11`; resolves the payment outcome. */
export function walletPays(fixture, bolt11, node = "alice") {
  return control(fixture, `/v1/nodes/${node}/pay`, { invoice: bolt11, timeout_secs: 60 });
}

/** An invoice of the devnet node `node` for `amountMsat`. */
export function walletInvoice(fixture, node, amountMsat, description = "from the devnet") {
  return control(fixture, `/v1/nodes/${node}/invoice`, {
    amount_msat: Number(amountMsat),
    description,
  });
}
