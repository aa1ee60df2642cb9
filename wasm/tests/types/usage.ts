// Compiled (never run) by types.test.mjs with `tsc --strict`: the package's declarations must
// give real types. Each @ts-expect-error line must be an error; were anything typed `any`, it
// would not be, and tsc would fail on the unused directive.
import {
  Client,
  EtridError,
  decodeInvoice,
  decodeInvoiceWith,
  qrMatrix,
  qrSvg,
  type DecodeOptions,
  type LspEvent,
  type LspInvoice,
  type LspPayment,
  type Quote,
  type Tournament,
  type TournamentEntry,
  type TournamentStatus,
  type WaitResult,
  type Invoice,
  type Network,
  type QrMatrix,
  type RouteHintHop,
} from "@etrid/lightning";

const invoice: Invoice = decodeInvoice("lnbc...", "bitcoin");
const amount: bigint | null = invoice.amount_msat;
const network: Network = invoice.network;
const paymentHash: string = invoice.payment_hash;
const description: string | null = invoice.description;
const timestamp: bigint = invoice.timestamp;
const hop: RouteHintHop | undefined = invoice.route_hints[0]?.hops[0];
const scid: bigint | undefined = hop?.short_channel_id;
const fee: number | undefined = hop?.fee_base_msat;
const bits: number[] = invoice.features.bits;
const mpp: boolean = invoice.features.basic_mpp;
const fallbacks: string[] = invoice.fallback_addresses;

// @ts-expect-error amounts are bigint, never number
const asNumber: number = invoice.amount_msat;
// @ts-expect-error the amount may be null
const notNull: bigint = invoice.amount_msat;
// @ts-expect-error no such field (fields are snake_case)
invoice.paymentHash;
// @ts-expect-error not a network name
decodeInvoice("lnbc...", "litecoin");
decodeInvoice("lnbc...", "mainnet");

const options: DecodeOptions = { network: "testnet", allowExpired: true };
decodeInvoiceWith("lntb...", options);
decodeInvoiceWith("lnbc...", { network: "bitcoin", requireAmount: true });
// @ts-expect-error misspelt option
decodeInvoiceWith("lnbc...", { network: "bitcoin", allowExpire: true });
// @ts-expect-error the network is required
decodeInvoiceWith("lnbc...", { allowExpired: true });

const matrix: QrMatrix = qrMatrix("lnbc...");
const width: number = matrix.width;
const modules: Uint8Array = matrix.modules;
// @ts-expect-error modules are bytes, not booleans
const asBooleans: boolean[] = matrix.modules;
const svg: string = qrSvg("lnbc...");

try {
  decodeInvoice("lnbc...", "bitcoin");
} catch (err) {
  if (err instanceof EtridError) {
    const code: string = err.code;
    const message: string = err.message;
    const retryable: boolean | undefined = err.retryable;
    void [code, message, retryable];
  }
}

// The LSP client: typed requests and results, bigint amounts, typed events.
async function shop(): Promise<void> {
  const client = new Client({ baseUrl: "https://lsp.example", apiKey: "k", network: "regtest" });
  // @ts-expect-error the network must be a network name
  new Client({ baseUrl: "https://lsp.example", apiKey: "k", network: "moon" });
  const created: LspInvoice = await client.createInvoice({ amount_msat: 1_000n, description: "sword" });
  // @ts-expect-error amounts are bigint, never number
  await client.createInvoice({ amount_msat: 1000 });
  // @ts-expect-error request fields are snake_case
  await client.createInvoice({ amountMsat: 1_000n });
  const received: bigint | null = created.amount_received_msat;
  const waited: WaitResult = await client.waitForPayment(created.id, { signal: AbortSignal.timeout(1_000) });
  if (waited.status === "paid" && waited.invoice) {
    const paidAt: bigint | null = waited.invoice.paid_at;
    void paidAt;
  }
  const unsubscribe: () => void = client.on("invoice.paid", (event) => {
    const paid: LspInvoice = event.data;
    const id: bigint = event.id;
    void [paid, id];
  });
  client.on("payment.failed", (event) => {
    const failed: LspPayment = event.data;
    // @ts-expect-error a payment event carries a payment, not an invoice
    const wrong: LspInvoice = event.data;
    void [failed, wrong];
  });
  client.on("tournament.updated", (event) => {
    const status: TournamentStatus = event.data.status;
    const seats: number = event.data.seats_taken;
    // @ts-expect-error a tournament event carries a tournament, not a payment
    const wrong: LspPayment = event.data;
    void [status, seats, wrong];
  });
  client.on("tournament.payout", (event) => void (event.data.amount_msat satisfies bigint));
  const cup: Tournament = await client.createTournament({
    name: "cup",
    entry_fee_msat: 1_000n,
    seats: 2,
    payout_table_bps: [10_000],
    join_deadline: 2_000_000_000,
  });
  const entry: TournamentEntry = await client.joinTournament(cup.id, {
    player_id: "p1",
    payout: { type: "lightning_address", address: "ann@example.com" },
  });
  // @ts-expect-error payout destinations are tagged by type
  await client.joinTournament(cup.id, { player_id: "p2", payout: { address: "x@y.z" } });
  const quote: Quote = await client.createQuote({ fiat_amount: "4.99", currency: "EUR" });
  // @ts-expect-error fiat amounts are decimal strings, never numbers
  await client.createQuote({ fiat_amount: 4.99, currency: "EUR" });
  await client.createInvoice({ quote_id: quote.id });
  void entry;
  client.on("error", (error) => void error.code);
  // @ts-expect-error not an event name
  client.on("invoice.bought", () => {});
  unsubscribe();
  for await (const event of client.events({ after: 10n })) {
    if (event.type === "invoice.paid") {
      const invoice: LspInvoice = event.data;
      void invoice;
    } else if (event.type === "payment.succeeded") {
      const payment: LspPayment = event.data;
      void payment;
    }
    const typed: LspEvent | { type: "resync" } = event;
    void typed;
    break;
  }
  const prepared = client.preparePayInvoice({ bolt11: "lnbc...", idempotency_key: "order-1" });
  const most: bigint = prepared.maxTotalMsat;
  const payment: LspPayment = await client.pay(prepared);
  const fee: bigint | null = payment.fee_msat;
  const available: bigint = (await client.balance()).available_msat;
  void [received, most, fee, available];
}

void [amount, network, paymentHash, description, timestamp, scid, fee, bits, mpp, fallbacks];
void [asNumber, notNull, width, modules, asBooleans, svg, shop];
