// Sample: a paid lobby whose entry fees are held, not taken, until the game starts. Each player
// who joins gets a hold invoice for the payment hash of a preimage generated here; a seat is taken
// when the LSP holds the player's payment (invoice.accepted). When every seat is taken the
// organizer settles all the holds with their preimages (the fees are collected); "Cancel lobby"
// cancels every hold instead, and the Lightning protocol returns each held payment to its payer.
//
// This is a stub of the entry step only. Tournament pools proper (prize splits, payouts that are
// never paid twice) arrive with the tournament API (issue 15); this sample only holds, settles and
// cancels entry invoices.
//
// Hold invoices need an admin-scoped key: this sample plays the organizer. Run it where an admin
// key is safe (the organizer's own machine, a dedicated server), never in a build given to players.

using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using UnityEngine;

namespace Etrid.Samples.TournamentLobby
{
    /// <summary>
    /// A lobby of <c>seatCount</c> seats paid by hold invoices: join, pay (held), then start
    /// (settle all) or cancel (refund all). Set the LSP URL and an admin key in the Inspector.
    /// </summary>
    public sealed class TournamentLobbySample : MonoBehaviour
    {
        [Tooltip("The Étrid LSP's base URL.")]
        [SerializeField] string baseUrl = "http://127.0.0.1:8080";

        [Tooltip("An admin-scoped API key (hold invoices need it): organizer side only, never in a player build.")]
        [SerializeField] string apiKey = "";

        [Tooltip("bitcoin, testnet, signet or regtest.")]
        [SerializeField] string network = "regtest";

        [SerializeField] string lobbyName = "Friday cup";

        [Range(2, 16)]
        [SerializeField] int seatCount = 4;

        [Tooltip("The entry fee in millisatoshis (1 sat = 1000 msat).")]
        [SerializeField] long entryFeeMsat = 10000000;

        enum SeatState { Open, Creating, AwaitingPayment, Held, Settling, Settled, Cancelled }

        /// <summary>One seat: its player, the preimage only this organizer knows, and its hold invoice.</summary>
        sealed class Seat
        {
            public SeatState State;
            public string Player = "";
            public byte[] Preimage;
            public string InvoiceId;
            public string Bolt11;
            public Texture2D Qr;
        }

        LightningClient client;
        Seat[] seats;
        bool started;
        bool cancelled;

        /// <summary>No more joins: the tournament started or the lobby was cancelled.</summary>
        bool Closed { get { return started || cancelled; } }
        string status = "";
        Vector2 scroll;

        void Start()
        {
            seats = new Seat[seatCount];
            for (int i = 0; i < seats.Length; i++) seats[i] = new Seat { Player = "Player " + (i + 1) };
            if (string.IsNullOrEmpty(apiKey) || entryFeeMsat <= 0)
            {
                status = "Set an admin API key and a positive entry fee on the TournamentLobbySample component.";
                return;
            }
            // Created on the main thread: events and task continuations come back here.
            client = new LightningClient(baseUrl, apiKey, network);
            client.InvoiceAccepted += OnInvoiceAccepted;
            client.InvoiceExpired += OnInvoiceGone;
            client.InvoiceCancelled += OnInvoiceGone;
            client.StreamError += error => status = "Event stream stopped: " + error.Code + " (" + error.Message + ")";
            client.StartEvents();
        }

        void OnDestroy()
        {
            // Holds still open stay held until the LSP cancels them itself before their HTLC
            // deadline (hold_expires_at): the players get their money back then.
            if (client != null) client.Dispose();
            client = null;
            if (seats != null) foreach (var seat in seats) DropQr(seat);
        }

        /// <summary>Creates the seat's hold invoice for the hash of a fresh random preimage.</summary>
        async void Join(Seat seat, int number)
        {
            seat.State = SeatState.Creating;
            seat.Preimage = new byte[32];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(seat.Preimage);
            string paymentHash;
            using (var sha256 = SHA256.Create()) paymentHash = Hex(sha256.ComputeHash(seat.Preimage));
            string args = "{\"payment_hash\":" + LightningJson.Quote(paymentHash)
                + ",\"amount_msat\":" + entryFeeMsat
                + ",\"description\":" + LightningJson.Quote(lobbyName + ", seat " + number + ": " + seat.Player) + "}";
            try
            {
                string json = await client.CreateHoldInvoiceAsync(args);
                if (this == null) return;
                Dictionary<string, object> invoice = LightningJson.ParseObject(json);
                seat.InvoiceId = invoice["id"] as string;
                seat.Bolt11 = invoice["bolt11"] as string;
                seat.Qr = LightningQr.Texture(seat.Bolt11, 4);
                seat.State = SeatState.AwaitingPayment;
            }
            catch (LspException error)
            {
                if (this == null) return;
                seat.State = SeatState.Open;
                seat.Preimage = null;
                status = "Could not create seat " + number + "'s invoice: " + error.Code + " (" + error.Message + ")";
            }
        }

        /// <summary>The player's payment is held: the seat is taken.</summary>
        void OnInvoiceAccepted(LightningEvent accepted)
        {
            Seat seat = SeatOf(accepted.ObjectId);
            if (seat == null || seat.State != SeatState.AwaitingPayment) return;
            seat.State = SeatState.Held;
            DropQr(seat);
        }

        /// <summary>
        /// The invoice expired unpaid, or was cancelled (by this lobby, or by the LSP before a held
        /// payment's deadline, which refunds it): the seat opens again unless the lobby is closed.
        /// </summary>
        void OnInvoiceGone(LightningEvent gone)
        {
            Seat seat = SeatOf(gone.ObjectId);
            if (seat == null || seat.State == SeatState.Settled) return;
            DropQr(seat);
            seat.InvoiceId = null;
            seat.Preimage = null;
            seat.State = Closed ? SeatState.Cancelled : SeatState.Open;
        }

        /// <summary>
        /// Every seat is held: settle each hold with its preimage, collecting the fees. A seat that
        /// fails stays held, and pressing Start again retries it.
        /// </summary>
        async void StartTournament()
        {
            started = true;
            foreach (var seat in seats)
            {
                if (seat.State != SeatState.Held) continue;
                seat.State = SeatState.Settling;
                try
                {
                    await client.SettleHoldInvoiceAsync(seat.InvoiceId, Hex(seat.Preimage));
                    if (this == null) return;
                    seat.State = SeatState.Settled;
                }
                catch (LspException error)
                {
                    if (this == null) return;
                    // Unless the LSP cancelled the hold meanwhile (OnInvoiceGone: refunded).
                    if (seat.State == SeatState.Settling) seat.State = SeatState.Held;
                    status = "Settling " + seat.Player + " failed: " + error.Code + " (" + error.Message + ")";
                }
            }
            if (Count(SeatState.Settled) == seats.Length)
                status = "All " + seats.Length + " entry fees collected: the tournament starts.";
        }

        /// <summary>Cancels every hold invoice still open or held: held payments return to the players.</summary>
        async void CancelLobby()
        {
            cancelled = true;
            bool failed = false;
            foreach (var seat in seats)
            {
                if (seat.InvoiceId == null || seat.State == SeatState.Settled) continue;
                string invoiceId = seat.InvoiceId;
                try
                {
                    await client.CancelHoldInvoiceAsync(invoiceId);
                    if (this == null) return;
                    // The invoice.cancelled event says the same; whichever comes first closes the seat.
                    if (seat.InvoiceId == invoiceId)
                    {
                        DropQr(seat);
                        seat.InvoiceId = null;
                        seat.Preimage = null;
                        seat.State = SeatState.Cancelled;
                    }
                }
                catch (LspException error)
                {
                    if (this == null) return;
                    failed = true;
                    status = "Cancelling " + seat.Player + "'s entry failed: " + error.Code + " (" + error.Message + ")";
                }
            }
            if (!failed) status = "Lobby cancelled: every held entry fee returns to its player.";
        }

        int Count(SeatState state)
        {
            int count = 0;
            foreach (var seat in seats) if (seat.State == state) count++;
            return count;
        }

        Seat SeatOf(string invoiceId)
        {
            if (invoiceId == null || seats == null) return null;
            foreach (var seat in seats) if (seat.InvoiceId == invoiceId) return seat;
            return null;
        }

        static void DropQr(Seat seat)
        {
            // Textures are native objects: destroy them, the garbage collector does not.
            if (seat.Qr != null) Destroy(seat.Qr);
            seat.Qr = null;
        }

        static string Hex(byte[] bytes)
        {
            var hex = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes) hex.Append(b.ToString("x2"));
            return hex.ToString();
        }

        void OnGUI()
        {
            GUILayout.BeginArea(new Rect(20, 20, Mathf.Min(560, Screen.width - 40), Screen.height - 40));
            GUILayout.Label(lobbyName + ": " + seatCount + " seats, entry " + entryFeeMsat / 1000 + " sats");
            if (client != null && seats != null)
            {
                scroll = GUILayout.BeginScrollView(scroll);
                for (int i = 0; i < seats.Length; i++) SeatGUI(seats[i], i + 1);
                GUILayout.EndScrollView();

                // One organizer action at a time: none while an invoice is being created or settled.
                bool busy = Count(SeatState.Creating) + Count(SeatState.Settling) > 0;
                int held = Count(SeatState.Held);
                int settled = Count(SeatState.Settled);
                GUILayout.BeginHorizontal();
                GUI.enabled = !busy && !cancelled && held > 0 && held + settled == seats.Length;
                if (GUILayout.Button("Start tournament (" + (held + settled) + "/" + seats.Length + " seats taken)", GUILayout.Height(32))) StartTournament();
                GUI.enabled = !busy && settled == 0 && Count(SeatState.Cancelled) + Count(SeatState.Open) < seats.Length;
                if (GUILayout.Button("Cancel lobby (refund all)", GUILayout.Height(32))) CancelLobby();
                GUI.enabled = true;
                GUILayout.EndHorizontal();
            }
            GUILayout.Label(status);
            GUILayout.EndArea();
        }

        void SeatGUI(Seat seat, int number)
        {
            GUILayout.BeginHorizontal(GUI.skin.box);
            GUILayout.Label("Seat " + number, GUILayout.Width(60));
            switch (seat.State)
            {
                case SeatState.Open:
                    if (Closed)
                    {
                        GUILayout.Label("closed");
                        break;
                    }
                    seat.Player = GUILayout.TextField(seat.Player, 32, GUILayout.Width(160));
                    if (GUILayout.Button("Join", GUILayout.Width(80))) Join(seat, number);
                    break;
                case SeatState.Creating:
                    GUILayout.Label(seat.Player + ": creating the entry invoice...");
                    break;
                case SeatState.AwaitingPayment:
                    Rect area = GUILayoutUtility.GetRect(128, 128, GUILayout.ExpandWidth(false));
                    if (seat.Qr != null) GUI.DrawTexture(area, seat.Qr, ScaleMode.ScaleToFit);
                    GUILayout.BeginVertical();
                    GUILayout.Label(seat.Player + ": scan to pay the entry fee (held until the start).");
                    if (GUILayout.Button("Copy invoice", GUILayout.Width(120))) GUIUtility.systemCopyBuffer = seat.Bolt11;
                    GUILayout.EndVertical();
                    break;
                case SeatState.Held:
                    GUILayout.Label(seat.Player + ": seat taken (payment held)");
                    break;
                case SeatState.Settling:
                    GUILayout.Label(seat.Player + ": collecting the entry fee...");
                    break;
                case SeatState.Settled:
                    GUILayout.Label(seat.Player + ": entry fee collected");
                    break;
                case SeatState.Cancelled:
                    GUILayout.Label(seat.Player + ": entry cancelled (a held payment goes back to the player)");
                    break;
            }
            GUILayout.EndHorizontal();
        }
    }
}
