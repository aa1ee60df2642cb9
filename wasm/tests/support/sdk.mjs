// Loads the package as a user would: through its own name and package.json "exports" (Node
// resolves a package's self-reference), i.e. the wasm-bindgen --target nodejs build in pkg/node.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The @etrid/lightning module. */
export const sdk = require("@etrid/lightning");

/**
 * Runs `fn`, which must throw an EtridError, and returns what it threw after checking the shape
 * every thrown error has: an Error named "EtridError" with a non-empty code and message.
 */
export function thrown(fn) {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`threw a non-Error: ${String(err)}`);
    if (err.name !== "EtridError") throw new Error(`threw ${err.name}: ${err.message}`);
    if (typeof err.code !== "string" || err.code === "") throw new Error("no .code");
    if (typeof err.message !== "string" || err.message === "") throw new Error("no .message");
    return err;
  }
  throw new Error("did not throw");
}
