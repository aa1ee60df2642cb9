// What the console's two pages share: the SDK, amounts in sats, small DOM helpers and the words
// for each status. User-supplied text (names, ids, addresses) only ever goes in as text.
import * as etrid from "./sdk/js/browser.mjs";

export { etrid };

/** The element with id `id` (a page's fixed elements). */
export const byId = (id) => document.getElementById(id);

/** A new element `tag` with `text` as its text and `className`. */
export function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text !== "") node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A table row of cells, each a string (set as text) or a ready node. */
export function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.append(cell);
    else td.textContent = String(cell ?? "");
    tr.append(td);
  }
  return tr;
}

/** `msat` (a bigint, or null) in sats with the unit, exactly: "1,500 sat", "0.5 sat". */
export function sats(msat) {
  if (msat == null) return "–";
  const text = etrid.formatAmount(BigInt(msat), "sat");
  const [number, unit] = text.split(" ");
  const [whole, fraction] = number.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${grouped}${fraction ? `.${fraction}` : ""} ${unit}`;
}

/** A status word in its colour. */
export function statusBadge(status) {
  return element("span", status.replaceAll("_", " "), `status ${status}`);
}

/** Unix seconds as local date and time. */
export function when(unixSecs) {
  return new Date(Number(unixSecs) * 1000).toLocaleString();
}

/** Where a prize goes, in words, from a payout destination. */
export function destination(payout) {
  switch (payout.type) {
    case "lightning_address":
      return payout.address;
    case "keysend":
      return `node ${payout.node_id.slice(0, 16)}…`;
    case "account":
      return `account ${payout.account_id}`;
    case "voucher":
      return "voucher (handed over by the organizer)";
    default:
      return payout.type;
  }
}

/** The prize split by rank, in percent: "50 / 30 / 20 %". */
export function splitText(bps) {
  return `${bps.map((b) => percent(b)).join(" / ")} %`;
}

/** Basis points as a percent figure: 5000 → "50", 3333 → "33.33". */
export function percent(bps) {
  const whole = Math.trunc(bps / 100);
  const rest = bps % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, "0").replace(/0$/, "")}`;
}

/** An error's words for the page: the SDK's code and message, or the message alone. */
export function explain(error) {
  if (error && error.code) return `${error.message} (${error.code})`;
  return String(error?.message ?? error);
}

/** Shows `error` in the element `id` (empty clears it). */
export function showError(id, error = "") {
  byId(id).textContent = error === "" ? "" : explain(error);
}
