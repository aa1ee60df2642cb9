// The package's entry for browsers and bundlers (Vite, webpack, esbuild, a plain
// <script type="module">): the wasm-bindgen `web` build, instantiated here once, from the .wasm
// file beside it (`new URL(..., import.meta.url)`, which bundlers copy and rewrite without
// configuration), plus the few things only JavaScript can define.
import init, * as wasm from "../pkg/web/etrid_wasm.js";

await init();

/**
 * What every function of this package throws and every Promise rejects with; branch on
 * `code`, never on `message`.
 */
export class EtridError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "EtridError";
    this.code = code;
  }
}

wasm.__registerErrorClass(EtridError);
// `for await (const event of client.events())`.
wasm.EventIterator.prototype[Symbol.asyncIterator] = function asyncIterator() {
  return this;
};

// tests/exports.test.mjs checks this list against the Node entry's exports.
export const {
  Client,
  EventIterator,
  PreparedKeysend,
  PreparedPayment,
  checkQuoteValid,
  checkSlippage,
  decodeInvoice,
  decodeInvoiceWith,
  decodeLnurl,
  encodeLnurl,
  fiatQuote,
  fiatToMsat,
  formatAmount,
  hasWebLN,
  msatToFiat,
  parseAmount,
  parseAmountIn,
  parseLightningAddress,
  parseLnurlResponse,
  parsePayRequest,
  parseWithdrawRequest,
  payCallbackUrl,
  payWithWebLN,
  qrMatrix,
  qrSvg,
  signWebhook,
  verifyLnurlInvoice,
  verifyWebhook,
  version,
  voucherSheetsSvg,
  withdrawCallbackUrl,
} = wasm;
