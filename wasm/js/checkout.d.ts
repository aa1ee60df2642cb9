// Types of "@etrid/lightning/checkout": importing it defines <etrid-checkout>.
import type { EtridError, LspInvoice } from "./index.js";

/** The `<etrid-checkout>` element; see js/checkout.mjs for its attributes and events. */
export declare class EtridCheckout extends HTMLElement {
  /** loading, waiting, paid, expired, failed or error (also the `state` attribute). */
  readonly state: "loading" | "waiting" | "paid" | "expired" | "failed" | "error";
  /** The invoice shown, once created or loaded. */
  readonly invoice: LspInvoice | null;
}

declare global {
  interface HTMLElementTagNameMap {
    "etrid-checkout": EtridCheckout;
  }
  interface HTMLElementEventMap {
    "etrid-paid": CustomEvent<LspInvoice>;
    "etrid-expired": CustomEvent<LspInvoice>;
    "etrid-error": CustomEvent<EtridError | LspInvoice>;
  }
}
