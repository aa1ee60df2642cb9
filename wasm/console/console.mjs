// The organizer's console: connect with an admin key, create a tournament, share its join link,
// watch seats fill (the account's event stream), enter the standings and pay the winners.
import {
  byId,
  destination,
  element,
  etrid,
  percent,
  row,
  sats,
  showError,
  splitText,
  statusBadge,
  when,
} from "./common.mjs";

const SESSION_KEY = "etrid-console";

/** The connected client and what the page shows. */
const state = {
  client: null,
  network: "regtest",
  stopListening: null,
  selected: null,
  tournaments: [],
  refreshTimer: null,
  /** Ranks typed but not entered yet, by player: kept when the table is drawn again. */
  rankDrafts: new Map(),
};

/** Reads "50, 30, 20" (percent, up to two decimals each) as basis points [5000, 3000, 2000]. */
export function percentsToBps(text, field) {
  const parts = text.split(/[\s,;/]+/).filter((p) => p !== "");
  if (parts.length === 0) throw new Error(`${field}: give at least one percentage`);
  return parts.map((part) => {
    const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(part);
    if (!match) throw new Error(`${field}: ${JSON.stringify(part)} is not a percentage like 50 or 12.5`);
    return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  });
}

/** Connects with the form's URL and key: learns the LSP's network, then listens to its events. */
async function connect(baseUrl, apiKey) {
  disconnect();
  // The network only matters to payments, which the console does not make: a first client
  // asks the node for it, and the client kept is made for that network.
  const probe = new etrid.Client({ baseUrl, apiKey, network: "regtest" });
  let node;
  try {
    node = await probe.nodeInfo();
  } finally {
    probe.close();
  }
  state.network = node.network;
  state.client = new etrid.Client({ baseUrl, apiKey, network: node.network });
  state.stopListening = state.client.on("*", onEvent);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ baseUrl, apiKey }));
  byId("connection").textContent = `${baseUrl} · ${node.network} · node ${node.alias ?? node.node_id.slice(0, 12)}`;
  byId("connect").hidden = true;
  byId("disconnect").hidden = false;
  byId("api-key").value = "";
  for (const id of ["create-panel", "list-panel"]) byId(id).hidden = false;
  await loadList();
}

function disconnect() {
  state.stopListening?.();
  state.client?.close();
  Object.assign(state, { client: null, stopListening: null, selected: null, tournaments: [] });
  sessionStorage.removeItem(SESSION_KEY);
  byId("connection").textContent = "Not connected";
  byId("connect").hidden = false;
  byId("disconnect").hidden = true;
  for (const id of ["create-panel", "list-panel", "view"]) byId(id).hidden = true;
}

/** An event of the account: a tournament's change refreshes what shows it. */
function onEvent(event) {
  if (event.type === "resync") {
    scheduleRefresh();
    return;
  }
  if (!event.type?.startsWith("tournament.")) return;
  const id = event.type === "tournament.updated" ? event.data.id : event.data.tournament_id;
  if (event.type === "tournament.updated") {
    const index = state.tournaments.findIndex((t) => t.id === id);
    if (index >= 0) state.tournaments[index] = event.data;
    renderList();
  }
  if (id === state.selected) scheduleRefresh();
}

/** Refreshes the selected tournament soon, once for a burst of events. */
function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => state.selected && showTournament(state.selected), 150);
}

async function loadList() {
  const page = await state.client.listTournaments({ limit: 50 });
  state.tournaments = page.items;
  renderList();
}

function renderList() {
  const list = byId("tournaments");
  list.replaceChildren();
  for (const t of state.tournaments) {
    const item = element("li");
    item.dataset.tournament = t.id;
    item.classList.toggle("selected", t.id === state.selected);
    item.append(element("strong", t.name), " ", statusBadge(t.status), element("div", `${t.seats_taken} / ${t.seats} seats`, "note"));
    item.addEventListener("click", () => select(t.id));
    list.append(item);
  }
  if (state.tournaments.length === 0) list.append(element("li", "None yet: create one.", "note"));
}

async function select(id) {
  if (id !== state.selected) state.rankDrafts.clear();
  state.selected = id;
  renderList();
  await showTournament(id);
}

/** The join link players open: the join page beside this one, with the tournament and network. */
function joinLink(tournament) {
  const url = new URL("join.html", window.location.href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("t", tournament.id);
  url.searchParams.set("network", state.network);
  const api = state.client.baseUrl;
  if (new URL(api).origin !== window.location.origin) url.searchParams.set("api", api);
  return url.toString();
}

/** Reads the tournament, its entries and payouts, and shows them. */
async function showTournament(id) {
  const client = state.client;
  if (!client) return;
  try {
    const [t, entries, payouts] = await Promise.all([
      client.getTournament(id),
      client.listTournamentEntries(id),
      client.listTournamentPayouts(id),
    ]);
    if (state.selected !== id) return;
    render(t, entries.items, payouts.items);
    showError("view-error");
  } catch (error) {
    showError("view-error", error);
  }
}

function render(t, entries, payouts) {
  byId("view").hidden = false;
  byId("v-name").textContent = t.name;
  byId("v-status").replaceChildren(statusBadge(t.status));
  byId("v-seats").textContent = `${t.seats_taken} / ${t.seats}`;
  byId("v-meter").style.width = `${Math.round((100 * t.seats_taken) / t.seats)}%`;
  byId("v-fee").textContent = sats(t.entry_fee_msat);
  // Before it is full, the pool it will have; the prizes are that less the organizer's fee.
  byId("v-prizes").textContent =
    t.prize_total_msat == null ? `${sats(BigInt(t.entry_fee_msat) * BigInt(t.seats))} pool when full` : sats(t.prize_total_msat);
  byId("v-split").textContent = `by rank ${splitText(t.payout_table_bps)}${t.organizer_fee_bps ? ` · organizer ${percent(t.organizer_fee_bps)} %` : ""}`;
  byId("v-deadline").textContent = when(t.join_deadline);

  const share = byId("share");
  share.hidden = !(t.public_join && t.status === "open");
  if (!share.hidden) {
    const link = joinLink(t);
    const anchor = byId("join-link");
    if (anchor.href !== link) {
      anchor.href = link;
      anchor.textContent = link;
      byId("join-qr").innerHTML = etrid.qrSvg(link);
    }
  }

  const ranks = new Map(payouts.map((p) => [p.player_id, p.rank]));
  const enteringResults = t.status === "funded";
  const tbody = byId("players");
  tbody.replaceChildren();
  const seated = entries.filter((e) => e.status !== "expired");
  for (const [index, entry] of seated.entries()) {
    let rankCell = ranks.get(entry.player_id) ?? "";
    if (enteringResults && entry.status === "settled") {
      rankCell = element("input");
      rankCell.type = "number";
      rankCell.min = "1";
      rankCell.value = state.rankDrafts.get(entry.player_id) ?? String(index + 1);
      rankCell.dataset.rankFor = entry.player_id;
      rankCell.addEventListener("input", (event) => state.rankDrafts.set(entry.player_id, event.target.value));
      rankCell.setAttribute("aria-label", `Rank of ${entry.player_id}`);
    }
    const tr = row([entry.player_id, statusBadge(entry.status), destination(entry.payout), rankCell]);
    tr.dataset.player = entry.player_id;
    tbody.append(tr);
  }
  byId("players-note").textContent = enteringResults
    ? "Give each player's rank (1 is the winner; equal ranks share; leave blank for no prize), then enter the results."
    : seated.length === 0
      ? "No one has joined yet."
      : "";

  byId("enter-results").hidden = !enteringResults;
  byId("pay").hidden = !(t.status === "results" || (t.status === "paying" && t.payouts_failed > 0));
  byId("pay").textContent = t.payouts_failed > 0 ? "Retry failed payouts" : "Pay winners";
  byId("cancel").hidden = t.status !== "open";

  byId("payouts-panel").hidden = payouts.length === 0;
  const payoutRows = byId("payouts");
  payoutRows.replaceChildren();
  for (const p of payouts) {
    let detail = p.failure_reason ?? destination(p.destination);
    if (p.voucher_lnurl) {
      detail = element("div");
      const qr = element("div", "", "qr");
      qr.innerHTML = etrid.qrSvg(p.voucher_lnurl);
      detail.append(qr, element("div", p.voucher_lnurl, "mono"));
    }
    const tr = row([String(p.rank), p.player_id, sats(p.amount_msat), statusBadge(p.status), detail]);
    tr.dataset.payout = p.player_id;
    tr.cells[2].className = "amount";
    payoutRows.append(tr);
  }
}

async function create(form) {
  const deadline = Math.floor(Date.now() / 1000) + 60 * Number(byId("t-window").value);
  const organizer = byId("t-organizer").value.trim() || "0";
  const [organizerBps] = percentsToBps(organizer, "Organizer fee");
  const request = {
    name: byId("t-name").value.trim(),
    entry_fee_msat: etrid.parseAmountIn(byId("t-fee").value.trim(), "sat"),
    seats: Number(byId("t-seats").value),
    payout_table_bps: percentsToBps(byId("t-split").value, "Prize split"),
    organizer_fee_bps: organizerBps,
    join_deadline: deadline,
    public_join: byId("t-public").checked,
  };
  const t = await state.client.createTournament(request);
  form.reset();
  state.tournaments.unshift(t);
  await select(t.id);
}

async function enterResults() {
  const standings = [...document.querySelectorAll("input[data-rank-for]")]
    .filter((input) => input.value.trim() !== "")
    .map((input) => {
      const rank = Number(input.value);
      if (!Number.isInteger(rank) || rank < 1) {
        throw new Error(`Rank of ${input.dataset.rankFor}: a whole number from 1`);
      }
      return { player_id: input.dataset.rankFor, rank };
    });
  await state.client.enterTournamentResults(state.selected, { standings });
  await showTournament(state.selected);
}

/** Runs `action` from a button, showing its failure in `errorId`; the button waits meanwhile. */
function onClick(buttonId, errorId, action) {
  const button = byId(buttonId);
  button.addEventListener("click", async () => {
    button.disabled = true;
    showError(errorId);
    try {
      await action();
    } catch (error) {
      showError(errorId, error);
    } finally {
      button.disabled = false;
    }
  });
}

function start() {
  byId("api-url").value = window.location.origin;
  byId("connect-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("connect-error");
    try {
      await connect(byId("api-url").value.trim().replace(/\/+$/, ""), byId("api-key").value.trim());
    } catch (error) {
      disconnect();
      showError("connect-error", error);
    }
  });
  byId("disconnect").addEventListener("click", disconnect);
  byId("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("create-error");
    const button = byId("create");
    button.disabled = true;
    try {
      await create(event.target);
    } catch (error) {
      showError("create-error", error);
    } finally {
      button.disabled = false;
    }
  });
  byId("refresh-list").addEventListener("click", () => loadList().catch((e) => showError("view-error", e)));
  onClick("enter-results", "view-error", enterResults);
  onClick("pay", "view-error", async () => {
    await state.client.payTournament(state.selected);
    await showTournament(state.selected);
  });
  onClick("cancel", "view-error", async () => {
    if (!window.confirm("Cancel the tournament? Every held entry fee is refunded.")) return;
    await state.client.cancelTournament(state.selected);
    await showTournament(state.selected);
  });
  onClick("copy-link", "view-error", () => navigator.clipboard.writeText(byId("join-link").href));

  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    const { baseUrl, apiKey } = JSON.parse(saved);
    byId("api-url").value = baseUrl;
    connect(baseUrl, apiKey).catch((error) => {
      disconnect();
      showError("connect-error", error);
    });
  }
  window.ready = true;
}

start();
