// Compiled (never run) by types.test.mjs with `tsc --strict`: the package's declarations must
// give real types. Each @ts-expect-error line must be an error; were anything typed `any`, it
// would not be, and tsc would fail on the unused directive.
import {
  decodeInvoice,
  decodeInvoiceWith,
  qrMatrix,
  qrSvg,
  type DecodeOptions,
  type EtridError,
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
  const code: string = (err as EtridError).code;
  const message: string = (err as EtridError).message;
  void [code, message];
}

void [amount, network, paymentHash, description, timestamp, scid, fee, bits, mpp, fallbacks];
void [asNumber, notNull, width, modules, asBooleans, svg];
