// Sample: a paid tournament run by the LSP's tournament API. The organizer creates it (entry fee,
// seats, payout table by rank, organizer fee, join deadline); each player joins with a player id
// and a Lightning Address for the prize, and pays the entry invoice shown as a QR code. The LSP
// holds each payment; when every seat is taken it settles them all and funds the pool; if the
// organizer cancels, or the deadline passes with seats free, every held payment goes back to its
// player. After the match the organizer enters the ranks and pays the winners: the LSP splits the
// pool to the millisatoshi and pays each winner exactly once, even across a crash.
//
// The organizer's calls need an admin-scoped key: this sample plays the organizer. Run it where an
// admin key is safe (the organizer's own machine, a dedicated server), never in a build given to
// players. A player build joins with an invoice-scoped key (JoinTournamentAsync, GetTournamentAsync).

using System;
using System.Collections.Generic;
using System.Globalization;
using UnityEngine;

namespace Etrid.Samples.TournamentLobby
{
    /// <summary>
    /// Creates a tournament, joins players (a QR code each), follows seats, pool and payouts live
    /// from the LSP's <c>tournament.*</c> events, enters results and pays the winners. Set the LSP
    /// URL and an admin key in the Inspector.
    /// </summary>
    public sealed class TournamentLobbySample : MonoBehaviour
    {
        [Tooltip("The Étrid LSP's base URL.")]
        [SerializeField] string baseUrl = "http://127.0.0.1:8080";

        [Tooltip("An admin-scoped API key: organizer side only, never in a player build.")]
        [SerializeField] string apiKey = "";

        [Tooltip("bitcoin, testnet, signet or regtest.")]
        [SerializeField] string network = "regtest";

        [SerializeField] string tournamentName = "Friday cup";

        [Range(2, 16)]
        [SerializeField] int seatCount = 4;

        [Tooltip("The entry fee in millisatoshis (1 sat = 1000 msat).")]
        [SerializeField] long entryFeeMsat = 10000000;

        [Tooltip("Prize shares of ranks 1, 2, 3, ... in basis points: never increasing, summing to 10000.")]
        [SerializeField] string payoutTableBps = "5000,3000,2000";

        [Tooltip("The organizer's share of the pool in basis points (500 = 5 %).")]
        [Range(0, 10000)]
        [SerializeField] int organizerFeeBps = 500;

        [Tooltip("Minutes players have to join; unfilled by then, the tournament is cancelled and refunded.")]
        [Range(1, 1440)]
        [SerializeField] int joinMinutes = 30;

        /// <summary>One player as this sample shows them.</summary>
        sealed class Player
        {
            public string Id = "";
            public string Address = "";
            public string Status = "";
            public string Bolt11;
            public Texture2D Qr;
            public string Rank = "";
            public string Payout = "";
        }

        LightningClient client;
        string tournamentId;
        Dictionary<string, object> tournament;
        readonly List<Player> players = new List<Player>();
        string newPlayerId = "player-1";
        string newPlayerAddress = "";
        string status = "";
        bool busy;
        Vector2 scroll;

        void Start()
        {
            if (string.IsNullOrEmpty(apiKey) || entryFeeMsat <= 0)
            {
                status = "Set an admin API key and a positive entry fee on the TournamentLobbySample component.";
                return;
            }
            // Created on the main thread: events and task continuations come back here.
            client = new LightningClient(baseUrl, apiKey, network);
            client.TournamentUpdated += e => { if (e.ObjectId == tournamentId) Refresh(); };
            client.TournamentEntry += e => Refresh();
            client.TournamentPayout += e => Refresh();
            client.StreamError += error => status = "Event stream stopped: " + error.Code + " (" + error.Message + ")";
            client.StartEvents();
        }

        void OnDestroy()
        {
            // Nothing is lost by quitting: the LSP keeps running the tournament (held entries are
            // refunded at the deadline if it never fills).
            if (client != null) client.Dispose();
            client = null;
            foreach (var p in players) DropQr(p);
        }

        string Field(string name)
        {
            object value;
            return tournament != null && tournament.TryGetValue(name, out value) && value != null ? value.ToString() : "";
        }

        async void Create()
        {
            busy = true;
            long deadline = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + joinMinutes * 60L;
            string args = "{\"name\":" + LightningJson.Quote(tournamentName) + ",\"entry_fee_msat\":" + entryFeeMsat
                + ",\"seats\":" + seatCount + ",\"payout_table_bps\":[" + payoutTableBps + "],\"organizer_fee_bps\":"
                + organizerFeeBps + ",\"join_deadline\":" + deadline + "}";
            try
            {
                tournament = LightningJson.ParseObject(await client.CreateTournamentAsync(args));
                if (this == null) return;
                tournamentId = (string)tournament["id"];
                status = "Created " + tournamentId + ": players may join for " + joinMinutes + " minutes.";
            }
            catch (LspException error)
            {
                if (this == null) return;
                status = "Could not create the tournament: " + error.Code + " (" + error.Message + ")";
            }
            busy = false;
        }

        async void Join()
        {
            busy = true;
            string payout = "{\"type\":\"lightning_address\",\"address\":" + LightningJson.Quote(newPlayerAddress) + "}";
            try
            {
                var entry = LightningJson.ParseObject(await client.JoinTournamentAsync(tournamentId, newPlayerId, payout));
                if (this == null) return;
                Player p = PlayerOf(newPlayerId) ?? new Player { Id = newPlayerId };
                if (!players.Contains(p)) players.Add(p);
                p.Address = newPlayerAddress;
                p.Bolt11 = (string)entry["bolt11"];
                DropQr(p);
                p.Qr = LightningQr.Texture(p.Bolt11, 4);
                p.Status = (string)entry["status"];
                newPlayerId = "player-" + (players.Count + 1);
            }
            catch (LspException error)
            {
                if (this == null) return;
                // already_joined, tournament_closed, invalid_request (a bad address): typed, nothing paid.
                status = "Could not join " + newPlayerId + ": " + error.Code + " (" + error.Message + ")";
            }
            busy = false;
        }

        /// <summary>Reloads the tournament, its entries and its payouts (after any tournament event).</summary>
        async void Refresh()
        {
            if (tournamentId == null) return;
            try
            {
                tournament = LightningJson.ParseObject(await client.GetTournamentAsync(tournamentId));
                var entries = (List<object>)LightningJson.ParseObject(await client.ListTournamentEntriesAsync(tournamentId))["items"];
                if (this == null) return;
                foreach (Dictionary<string, object> e in entries)
                {
                    Player p = PlayerOf((string)e["player_id"]);
                    if (p == null) continue;
                    p.Status = (string)e["status"];
                    if (p.Status != "pending") DropQr(p);
                }
                string state = Field("status");
                if (state == "results" || state == "paying" || state == "completed")
                {
                    var payouts = (List<object>)LightningJson.ParseObject(await client.ListTournamentPayoutsAsync(tournamentId))["items"];
                    if (this == null) return;
                    foreach (Dictionary<string, object> payout in payouts)
                    {
                        Player p = PlayerOf((string)payout["player_id"]);
                        if (p != null) p.Payout = payout["amount_msat"] + " msat: " + payout["status"];
                    }
                }
            }
            catch (LspException error)
            {
                if (this == null) return;
                status = "Refresh failed: " + error.Code + " (" + error.Message + ")";
            }
        }

        async void EnterResults()
        {
            var standings = new List<string>();
            foreach (var p in players)
            {
                int rank;
                if (p.Status == "settled" && int.TryParse(p.Rank, NumberStyles.None, CultureInfo.InvariantCulture, out rank))
                    standings.Add("{\"player_id\":" + LightningJson.Quote(p.Id) + ",\"rank\":" + rank + "}");
            }
            busy = true;
            try
            {
                await client.EnterTournamentResultsAsync(tournamentId, "[" + string.Join(",", standings.ToArray()) + "]");
                if (this == null) return;
                status = "Results entered: the payouts are computed. Pay the winners when ready.";
                Refresh();
            }
            catch (LspException error)
            {
                if (this == null) return;
                // Ranks out of order (1, 1, 3 is fine; 1, 3 is not) or a name that did not play.
                status = "Results refused: " + error.Code + " (" + error.Message + ")";
            }
            busy = false;
        }

        async void Pay()
        {
            busy = true;
            try
            {
                // Safe to press again: failed payouts are retried, paid ones are never paid twice.
                await client.PayTournamentAsync(tournamentId);
                if (this == null) return;
                Refresh();
            }
            catch (LspException error)
            {
                if (this == null) return;
                status = "Paying failed: " + error.Code + " (" + error.Message + ")";
            }
            busy = false;
        }

        async void Cancel()
        {
            busy = true;
            try
            {
                await client.CancelTournamentAsync(tournamentId);
                if (this == null) return;
                status = "Cancelled: every held entry fee goes back to its player.";
                Refresh();
            }
            catch (LspException error)
            {
                if (this == null) return;
                status = "Cancel refused: " + error.Code + " (" + error.Message + ")";
            }
            busy = false;
        }

        Player PlayerOf(string id)
        {
            foreach (var p in players) if (p.Id == id) return p;
            return null;
        }

        static void DropQr(Player p)
        {
            // Textures are native objects: destroy them, the garbage collector does not.
            if (p.Qr != null) Destroy(p.Qr);
            p.Qr = null;
        }

        void OnGUI()
        {
            GUILayout.BeginArea(new Rect(20, 20, Mathf.Min(640, Screen.width - 40), Screen.height - 40));
            GUILayout.Label(tournamentName + ": " + seatCount + " seats, entry " + entryFeeMsat / 1000 + " sats, prizes " + payoutTableBps + " bps");
            if (client == null)
            {
                GUILayout.Label(status);
                GUILayout.EndArea();
                return;
            }
            string state = Field("status");
            GUI.enabled = !busy;
            if (tournamentId == null)
            {
                if (GUILayout.Button("Create tournament", GUILayout.Height(32))) Create();
            }
            else
            {
                GUILayout.Label(tournamentId + ": " + state + ", " + Field("seats_taken") + "/" + Field("seats") + " seats taken"
                    + (Field("pool_msat") == "" ? "" : ", pool " + Field("pool_msat") + " msat, prizes " + Field("prize_total_msat") + " msat"));
                if (state == "open")
                {
                    GUILayout.BeginHorizontal();
                    newPlayerId = GUILayout.TextField(newPlayerId, 64, GUILayout.Width(140));
                    newPlayerAddress = GUILayout.TextField(newPlayerAddress, 120, GUILayout.Width(260));
                    if (GUILayout.Button("Join", GUILayout.Width(80))) Join();
                    if (GUILayout.Button("Cancel (refund all)", GUILayout.Width(140))) Cancel();
                    GUILayout.EndHorizontal();
                }
                scroll = GUILayout.BeginScrollView(scroll);
                foreach (var p in players) PlayerGUI(p, state);
                GUILayout.EndScrollView();
                if (state == "funded" && GUILayout.Button("Enter results (the ranks above)", GUILayout.Height(32))) EnterResults();
                if ((state == "results" || (state == "paying" && Field("payouts_failed") != "0"))
                    && GUILayout.Button("Pay the winners", GUILayout.Height(32))) Pay();
            }
            GUI.enabled = true;
            GUILayout.Label(status);
            GUILayout.EndArea();
        }

        void PlayerGUI(Player p, string state)
        {
            GUILayout.BeginHorizontal(GUI.skin.box);
            GUILayout.Label(p.Id, GUILayout.Width(120));
            if (p.Qr != null && p.Status == "pending")
            {
                Rect area = GUILayoutUtility.GetRect(128, 128, GUILayout.ExpandWidth(false));
                GUI.DrawTexture(area, p.Qr, ScaleMode.ScaleToFit);
                GUILayout.BeginVertical();
                GUILayout.Label("Scan to pay the entry fee (held until every seat is taken).");
                if (GUILayout.Button("Copy invoice", GUILayout.Width(120))) GUIUtility.systemCopyBuffer = p.Bolt11;
                GUILayout.EndVertical();
            }
            else
            {
                GUILayout.Label(p.Status, GUILayout.Width(80));
                if (state == "funded" && p.Status == "settled")
                {
                    GUILayout.Label("rank", GUILayout.Width(40));
                    p.Rank = GUILayout.TextField(p.Rank, 4, GUILayout.Width(40));
                }
                GUILayout.Label(p.Payout);
            }
            GUILayout.EndHorizontal();
        }
    }
}
