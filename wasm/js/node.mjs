// The package's ES module entry for Node: the CommonJS entry re-exported by name, so `import`
// and `require` share one WebAssembly instance (and one EtridError class) in a process.
// tests/exports.test.mjs checks this list against the CommonJS entry's exports.
import sdk from "./node.cjs";

export const {
  Client,
  EtridError,
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
} = sdk;

export default sdk;
