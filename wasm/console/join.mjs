// A player's join page: the tournament's lobby (polled: the player holds no key, so there is no
// event stream), the join form, the entry invoice as a QR code (or WebLN), and the player's seat
// and prize as they happen. The player's entry is remembered in this browser per tournament, so
// coming back shows it again.
import { byId, element, etrid, row, sats, showError, splitText, statusBadge, when } from "./common.mjs";

const POLL_MS = 2000;
const params = new URLSearchParams(window.location.search);
const tournamentId = params.get("t") ?? "";
const network = params.get("network") ?? "bitcoin";
const baseUrl = (params.get("api") ?? window.location.origin).replace(/\/+$/, "");
const storageKey = `etrid-entry:${tournamentId}`;

/** A keyless client: the public lobby and join need no key. */
const client = new etrid.Client({ baseUrl, network });
let entry = JSON.parse(localStorage.getItem(storageKey) ?? "null");

const PAYOUT_FIELDS = {
  lightning_address: { label: "Lightning Address", placeholder: "you@wallet.example" },
  keysend: { label: "Node id (66 hex characters)", placeholder: "02…" },
  voucher: null,
};

/** The destination the form describes. */
function payoutFromForm() {
  const type = byId("payout-type").value;
  const value = byId("payout-value").value.trim();
  switch (type) {
    case "lightning_address":
      return { type, address: value };
    case "keysend":
      return { type, node_id: value };
    default:
      return { type };
  }
}

function showPayoutField() {
  const field = PAYOUT_FIELDS[byId("payout-type").value];
  byId("payout-value-row").hidden = field === null;
  byId("payout-value").required = field !== null;
  if (field) {
    byId("payout-value-label").textContent = field.label;
    byId("payout-value").placeholder = field.placeholder;
  }
}

/** What the player's entry and the lobby say about the player now. */
function entryStatus(lobby, me) {
  if (lobby.status === "cancelled" || lobby.status === "cancelling") {
    return me ? "The tournament was cancelled: your entry fee is refunded." : "The tournament was cancelled.";
  }
  if (!me) return "Waiting for your payment…";
  if (me.prize_msat != null) {
    const paid = me.prize_status === "succeeded" ? "paid" : `prize ${me.prize_status.replaceAll("_", " ")}`;
    return `Rank ${me.rank}: ${sats(me.prize_msat)} (${paid}).`;
  }
  if (["results", "paying", "completed"].includes(lobby.status)) return "Results are in. No prize this time: thanks for playing!";
  if (lobby.status === "open") return "You're in: your seat is taken. The tournament starts when every seat is.";
  return "You're in: the tournament is full. Good luck!";
}

function render(lobby) {
  document.title = `${lobby.name} · join`;
  byId("lobby-name").textContent = lobby.name;
  byId("lobby-status").textContent = lobby.status.replaceAll("_", " ");
  byId("lobby-status").className = `connection status ${lobby.status}`;
  byId("lobby-seats").textContent = `${lobby.seats_taken} / ${lobby.seats}`;
  byId("lobby-meter").style.width = `${Math.round((100 * lobby.seats_taken) / lobby.seats)}%`;
  byId("lobby-fee").textContent = sats(lobby.entry_fee_msat);
  byId("lobby-prizes").textContent = sats(lobby.prize_total_msat);
  byId("lobby-split").textContent = `by rank ${splitText(lobby.payout_table_bps)}`;
  byId("lobby-deadline").textContent = when(lobby.join_deadline);

  const players = byId("players");
  players.replaceChildren();
  for (const p of lobby.players) {
    const paid = p.prize_status ? statusBadge(p.prize_status) : "";
    const tr = row([p.player_id, statusBadge(p.status), p.rank ?? "", p.prize_msat == null ? "" : sats(p.prize_msat), paid]);
    tr.dataset.player = p.player_id;
    tr.cells[3].className = "amount";
    players.append(tr);
  }
  if (lobby.players.length === 0) {
    const empty = row(["No one yet: be the first!"]);
    empty.cells[0].colSpan = 5;
    players.append(empty);
  }

  const me = entry && lobby.players.find((p) => p.player_id === entry.player_id);
  byId("join-panel").hidden = Boolean(entry) || lobby.status !== "open";
  byId("entry-panel").hidden = !entry;
  if (entry) {
    byId("entry-title").textContent = `${entry.player_id}'s entry`;
    byId("entry-status").textContent = entryStatus(lobby, me);
    const unpaid = !me && lobby.status === "open" && entry.expires_at * 1000 > Date.now();
    byId("invoice").hidden = !unpaid;
    if (!unpaid && !me && lobby.status === "open") {
      // The invoice lapsed unpaid: the player may join again.
      forget();
      byId("join-error").textContent = "Your entry invoice expired unpaid: join again to get a new one.";
    }
  }
}

function showInvoice() {
  byId("invoice-qr").innerHTML = etrid.qrSvg(`lightning:${entry.bolt11.toUpperCase()}`);
  byId("invoice-text").textContent = entry.bolt11;
  byId("invoice-amount").textContent = sats(entry.amount_msat);
  byId("pay-webln").hidden = !etrid.hasWebLN();
}

function remember(joined) {
  entry = {
    player_id: joined.player_id,
    bolt11: joined.bolt11,
    amount_msat: String(joined.amount_msat),
    expires_at: Number(joined.expires_at),
  };
  localStorage.setItem(storageKey, JSON.stringify(entry));
}

function forget() {
  entry = null;
  localStorage.removeItem(storageKey);
}

async function refresh() {
  try {
    render(await client.getPublicTournament(tournamentId));
    showError("lobby-error");
  } catch (error) {
    showError(
      "lobby-error",
      error.code === "lsp_not_found" ? new Error("No such tournament takes joins here: check the link.") : error,
    );
  }
}

function start() {
  byId("payout-type").addEventListener("change", showPayoutField);
  showPayoutField();
  byId("join-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("join-error");
    const button = byId("join");
    button.disabled = true;
    try {
      const joined = await client.joinPublicTournament(tournamentId, {
        player_id: byId("player-id").value.trim(),
        payout: payoutFromForm(),
      });
      remember(joined);
      showInvoice();
      await refresh();
    } catch (error) {
      showError("join-error", error);
    } finally {
      button.disabled = false;
    }
  });
  byId("pay-webln").addEventListener("click", async () => {
    try {
      await etrid.payWithWebLN(entry.bolt11, network);
      await refresh();
    } catch (error) {
      showError("join-error", error);
    }
  });
  byId("copy-invoice").addEventListener("click", () => navigator.clipboard.writeText(entry.bolt11));
  if (entry) showInvoice();
  refresh().finally(() => {
    setInterval(refresh, POLL_MS);
    window.ready = true;
  });
}

start();
