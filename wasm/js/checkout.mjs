// <etrid-checkout>: a Lightning checkout as a web component (no framework). It shows the amount
// and description, the invoice's QR code, a copy button, a "Pay with wallet" button when a
// WebLN wallet is present, a countdown to the invoice's expiry, and the live status from the
// LSP's event stream: paid, expired or failed, with a retry. All Lightning logic (invoices,
// decoding, QR codes, WebLN checks, waiting) is the SDK's; this file only draws and wires it.
//
// It holds an invoice-scoped key only: it can create invoices and watch them, never pay or
// read anything else. Usage:
//
//   <script type="module">import "@etrid/lightning/checkout";</script>
//   <etrid-checkout lsp="https://lsp.example" api-key="etrid_inv_..." network="bitcoin"
//     amount-msat="21000000" description="Magic sword"></etrid-checkout>
//
// or, to show an invoice the shop's server created: `invoice-id="inv_..."` instead of
// `amount-msat`. Events (bubbling, composed): `etrid-paid`, `etrid-expired`, `etrid-error`
// with the invoice (or error) in `event.detail`. Theme with the CSS variables of STYLE below.
import {
  Client,
  EtridError,
  decodeInvoice,
  formatAmount,
  hasWebLN,
  payWithWebLN,
  qrSvg,
} from "./browser.mjs";

/** The component's look; every colour, radius and font is a CSS variable a site can set. */
const STYLE = `
:host {
  --etrid-bg: #ffffff;
  --etrid-fg: #14161a;
  --etrid-muted: #5b6270;
  --etrid-accent: #f7931a;
  --etrid-accent-fg: #14161a;
  --etrid-success: #137a3a;
  --etrid-danger: #b3261e;
  --etrid-border: #d9dce1;
  --etrid-radius: 12px;
  --etrid-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  display: block;
  box-sizing: border-box;
  width: 100%;
  max-width: 400px;
  min-width: 280px;
  color: var(--etrid-fg);
  font-family: var(--etrid-font);
}
*, *::before, *::after { box-sizing: inherit; }
.card {
  background: var(--etrid-bg);
  border: 1px solid var(--etrid-border);
  border-radius: var(--etrid-radius);
  padding: 20px;
  display: flex;
  flex-direction: column;
  gap: 14px;
  text-align: center;
}
h2 { font-size: 1.05rem; margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.amount { font-size: 1.6rem; font-weight: 700; margin: 0; }
.fiat { color: var(--etrid-muted); font-size: 0.9rem; margin: -10px 0 0; }
.qr { width: min(100%, 280px); margin: 0 auto; background: #fff; padding: 8px; border-radius: 8px; }
.qr svg { display: block; width: 100%; height: auto; }
.status { margin: 0; min-height: 1.4em; font-weight: 600; }
.status:focus { outline: none; }
.status[data-state="paid"] { color: var(--etrid-success); }
.status[data-state="expired"], .status[data-state="failed"], .status[data-state="error"] { color: var(--etrid-danger); }
.countdown { color: var(--etrid-muted); font-variant-numeric: tabular-nums; margin: 0; font-size: 0.9rem; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: center; }
button {
  font: inherit;
  font-weight: 600;
  min-height: 44px;
  padding: 10px 16px;
  border-radius: calc(var(--etrid-radius) - 4px);
  border: 1px solid var(--etrid-border);
  background: var(--etrid-bg);
  color: var(--etrid-fg);
  cursor: pointer;
  flex: 1 1 140px;
}
button.primary { background: var(--etrid-accent); color: var(--etrid-accent-fg); border-color: var(--etrid-accent); }
button:focus-visible { outline: 3px solid var(--etrid-accent); outline-offset: 2px; }
button[hidden], [hidden] { display: none !important; }
.invoice-text {
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  font-size: 0.72rem;
  color: var(--etrid-muted);
  overflow-wrap: anywhere;
  margin: 0;
  max-height: 3.6em;
  overflow: hidden;
}
.message { margin: 0; color: var(--etrid-danger); overflow-wrap: anywhere; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** What the states say to the customer (and to screen readers). */
const STATUS_TEXT = {
  loading: "Preparing your invoice…",
  waiting: "Waiting for payment",
  paid: "Paid — thank you!",
  expired: "This invoice expired",
  failed: "The payment did not go through",
  error: "Checkout unavailable",
};

/** A customer-facing sentence for an SDK error, by its stable code. */
function explain(error) {
  const code = error instanceof EtridError || typeof error?.code === "string" ? error.code : "";
  if (code === "lsp_unauthorized" || code === "lsp_forbidden_scope") {
    return "The shop's payment key was refused. Please tell the shop.";
  }
  if (code.startsWith("transport_") || code === "lsp_timeout" || code === "lsp_stream_gave_up") {
    return "The payment server cannot be reached right now. Check your connection and retry.";
  }
  if (code === "lsp_rate_limited") return "Too many attempts. Please wait a moment and retry.";
  if (code === "lsp_not_found") return "This invoice does not exist.";
  if (code.startsWith("invoice_")) return `This invoice cannot be paid: ${error.message}`;
  if (code === "invalid_argument" || code === "lsp_invalid_config" || code === "lsp_invalid_request") {
    return `The checkout is misconfigured: ${error.message}`;
  }
  return error?.message ? `Something went wrong: ${error.message}` : "Something went wrong.";
}

/** `msat` in sats for people: exact (no rounding), the whole part grouped per the locale. */
function displayAmount(msat) {
  const [number, unit] = formatAmount(msat, "sat").split(" ");
  const [whole, fraction] = number.split(".");
  const grouped = BigInt(whole).toLocaleString(document.documentElement.lang || undefined);
  return `${grouped}${fraction ? `.${fraction}` : ""} ${unit}`;
}

/** `seconds` as m:ss (or h:mm:ss). */
function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** The checkout element. Attributes are read when it connects and when they change. */
export class EtridCheckout extends HTMLElement {
  static get observedAttributes() {
    return ["lsp", "api-key", "network", "amount-msat", "description", "invoice-id", "expiry-secs", "fiat-label"];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.innerHTML = `
      <style>${STYLE}</style>
      <section class="card" part="card" role="region" aria-label="Lightning payment">
        <h2 part="description"></h2>
        <p class="amount" part="amount"></p>
        <p class="fiat" part="fiat" hidden></p>
        <div class="qr" part="qr" role="img" hidden></div>
        <p class="status" part="status" role="status" aria-live="polite" tabindex="-1"></p>
        <p class="countdown" part="countdown" aria-hidden="true" hidden></p>
        <p class="message" part="message" role="alert" hidden></p>
        <div class="actions">
          <button type="button" class="primary" data-action="webln" part="webln-button" hidden>Pay with wallet</button>
          <button type="button" data-action="copy" part="copy-button" hidden>Copy invoice</button>
          <button type="button" class="primary" data-action="retry" part="retry-button" hidden>New invoice</button>
        </div>
        <p class="invoice-text" part="invoice-text" hidden></p>
        <span class="visually-hidden" aria-live="assertive" data-announce></span>
      </section>`;
    this.$ = (selector) => root.querySelector(selector);
    this.$('[data-action="copy"]').addEventListener("click", () => this.#copy());
    this.$('[data-action="webln"]').addEventListener("click", () => this.#payWithWallet());
    this.$('[data-action="retry"]').addEventListener("click", () => this.#start(true));
    this.state = "loading";
    this.invoice = null;
    this.#abort = null;
    this.#timer = 0;
  }

  #abort;
  #timer;
  #client = null;
  #generation = 0;
  #scheduled = false;

  connectedCallback() {
    this.#schedule();
  }

  disconnectedCallback() {
    this.#stop();
  }

  attributeChangedCallback(_name, previous, next) {
    if (this.isConnected && previous !== next) this.#schedule();
  }

  /** Starts over once, after the current task: a page setting several attributes in a row
   * (or creating the element and then configuring it) makes one invoice, not one per change. */
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.isConnected) this.#start(false);
    });
  }

  /** Stops waiting and counting down (on removal, or before a new invoice). */
  #stop() {
    this.#abort?.abort();
    this.#abort = null;
    clearInterval(this.#timer);
    this.#timer = 0;
    this.#client?.close();
    this.#client = null;
  }

  /** Creates (or loads) the invoice, shows it, and waits for its outcome. */
  async #start(retry) {
    this.#stop();
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.#show("loading");
    try {
      const network = this.getAttribute("network") ?? "bitcoin";
      // Not configured yet (a page may set lsp and api-key after creating the element):
      // stay in "loading" until they are set.
      if (!this.getAttribute("lsp") || !this.getAttribute("api-key")) return;
      this.#client = new Client({
        baseUrl: this.getAttribute("lsp") ?? "",
        apiKey: this.getAttribute("api-key") ?? "",
        network,
      });
      const existing = this.getAttribute("invoice-id");
      let invoice;
      if (existing && !retry) {
        invoice = await this.#client.getInvoice(existing);
      } else {
        const amount = this.getAttribute("amount-msat");
        if (!amount || !/^[0-9]+$/.test(amount)) {
          throw new EtridError("invalid_argument", "amount-msat must be a whole number of millisatoshis");
        }
        const expiry = this.getAttribute("expiry-secs");
        invoice = await this.#client.createInvoice({
          amount_msat: BigInt(amount),
          description: this.getAttribute("description") ?? undefined,
          expiry_secs: expiry ? Number(expiry) : undefined,
        });
      }
      if (!current()) return;
      // Decode what the LSP sent: the network, signature and amount are checked here too.
      const decoded = decodeInvoice(invoice.bolt11, network);
      this.invoice = invoice;
      this.#render(invoice, decoded);
      this.#show("waiting");
      this.#countdown(Number(invoice.expires_at));
      this.#abort = new AbortController();
      const outcome = await this.#client.waitForPayment(invoice.id, { signal: this.#abort.signal });
      if (!current()) return;
      this.#finish(outcome);
    } catch (error) {
      if (!current() || error?.code === "aborted") return;
      this.#fail(error);
    }
  }

  /** Fills in the invoice's amount, description, QR code and text. */
  #render(invoice, decoded) {
    const description = invoice.description ?? decoded.description ?? "";
    this.$("h2").textContent = description;
    this.$("h2").hidden = description === "";
    const amount = invoice.amount_msat ?? decoded.amount_msat;
    this.$(".amount").textContent = amount === null ? "Any amount" : displayAmount(amount);
    const fiat = this.getAttribute("fiat-label");
    this.$(".fiat").textContent = fiat ?? "";
    this.$(".fiat").hidden = !fiat;
    const qr = this.$(".qr");
    // Upper case: BOLT11 is case-insensitive, and upper case fits QR's denser alphanumeric mode.
    qr.innerHTML = qrSvg(`lightning:${invoice.bolt11}`.toUpperCase()).replace(/^<\?xml[^>]*>/, "");
    qr.setAttribute("aria-label", `QR code of the Lightning invoice for ${this.$(".amount").textContent}`);
    qr.hidden = false;
    const text = this.$(".invoice-text");
    text.textContent = invoice.bolt11;
    text.hidden = false;
    this.$('[data-action="copy"]').hidden = false;
    this.$('[data-action="webln"]').hidden = !hasWebLN();
  }

  /** Shows `state` with its status text (and `detail` appended). */
  #show(state, detail = "") {
    this.state = state;
    this.setAttribute("state", state);
    const status = this.$(".status");
    status.dataset.state = state;
    status.textContent = detail ? `${STATUS_TEXT[state]}: ${detail}` : STATUS_TEXT[state];
    const waiting = state === "waiting";
    const over = state === "expired" || state === "failed" || state === "error";
    this.$('[data-action="retry"]').hidden = !over;
    this.$(".countdown").hidden = !waiting;
    if (!waiting) {
      this.$('[data-action="webln"]').hidden = true;
      this.$('[data-action="copy"]').hidden = true;
    }
    if (state !== "error") this.$(".message").hidden = true;
    if (over || state === "paid") {
      this.$(".qr").hidden = true;
      this.$(".invoice-text").hidden = true;
    }
  }

  /** Counts down to `expiresAt` (Unix seconds), announcing the last minute once. */
  #countdown(expiresAt) {
    const countdown = this.$(".countdown");
    let announced = false;
    const tick = () => {
      const left = expiresAt - Date.now() / 1000;
      countdown.textContent = `Expires in ${clock(left)}`;
      if (left <= 60 && !announced && left > 0) {
        announced = true;
        this.$("[data-announce]").textContent = "Less than a minute left to pay.";
      }
    };
    tick();
    this.#timer = setInterval(tick, 1000);
  }

  /** Shows how waiting ended and tells the page. */
  #finish(outcome) {
    clearInterval(this.#timer);
    const state = { paid: "paid", accepted: "paid", expired: "expired", cancelled: "failed", timed_out: "expired" }[outcome.status];
    this.#show(state);
    this.$(".status").focus();
    const name = state === "paid" ? "etrid-paid" : state === "expired" ? "etrid-expired" : "etrid-error";
    this.dispatchEvent(new CustomEvent(name, { detail: outcome.invoice ?? this.invoice, bubbles: true, composed: true }));
  }

  /** Shows an error in words (never a blank component) and tells the page. */
  #fail(error) {
    clearInterval(this.#timer);
    this.#show("error");
    const message = this.$(".message");
    message.textContent = explain(error);
    message.hidden = false;
    this.dispatchEvent(new CustomEvent("etrid-error", { detail: error, bubbles: true, composed: true }));
  }

  /** Copies the invoice text and says so. */
  async #copy() {
    if (!this.invoice) return;
    const button = this.$('[data-action="copy"]');
    try {
      await navigator.clipboard.writeText(this.invoice.bolt11);
      button.textContent = "Copied";
    } catch {
      // No clipboard permission: select the text so the customer can copy it by hand.
      const range = document.createRange();
      range.selectNodeContents(this.$(".invoice-text"));
      const selection = this.shadowRoot.getSelection?.() ?? window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      button.textContent = "Select and copy";
    }
    setTimeout(() => (button.textContent = "Copy invoice"), 2000);
  }

  /** Pays with the visitor's WebLN wallet; the event stream then reports the payment. */
  async #payWithWallet() {
    if (!this.invoice) return;
    const button = this.$('[data-action="webln"]');
    button.disabled = true;
    try {
      await payWithWebLN(this.invoice.bolt11, this.getAttribute("network") ?? "bitcoin");
    } catch (error) {
      const message = this.$(".message");
      message.textContent =
        error?.code === "webln_rejected"
          ? "The wallet payment was cancelled. You can still scan the QR code."
          : `The wallet could not pay (${error?.message ?? error}). You can still scan the QR code.`;
      message.hidden = false;
    } finally {
      button.disabled = false;
    }
  }
}

if (!customElements.get("etrid-checkout")) customElements.define("etrid-checkout", EtridCheckout);
