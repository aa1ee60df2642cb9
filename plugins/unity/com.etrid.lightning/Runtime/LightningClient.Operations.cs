// One Task-returning method per operation of the LSP client, over RequestAsync. Arguments are
// the API's snake_case JSON fields (see lsp/openapi.json); results are the API's JSON.

using System.Threading;
using System.Threading.Tasks;

namespace Etrid
{
    public sealed partial class LightningClient
    {
        static string IdArgs(string name, string id)
        {
            return "{\"" + name + "\":" + LightningJson.Quote(id) + "}";
        }

        /// <summary>
        /// Creates an invoice (invoice scope): <c>{"amount_msat"?, "description"?, "description_hash"?,
        /// "expiry_secs"?, "external_id"?, "metadata"?}</c>. The same <c>external_id</c> returns the
        /// same invoice, so a retried purchase never bills twice.
        /// </summary>
        public Task<string> CreateInvoiceAsync(string argsJson) { return RequestAsync(Operation.CreateInvoice, argsJson); }

        /// <summary>Creates an invoice for <paramref name="amountMsat"/> with a description and your order id (null: none).</summary>
        public Task<string> CreateInvoiceAsync(ulong amountMsat, string description, string externalId = null)
        {
            return CreateInvoiceAsync("{\"amount_msat\":" + amountMsat + ",\"description\":" + LightningJson.Quote(description)
                + (externalId == null ? "" : ",\"external_id\":" + LightningJson.Quote(externalId)) + "}");
        }

        /// <summary>Gets one invoice by id.</summary>
        public Task<string> GetInvoiceAsync(string invoiceId) { return RequestAsync(Operation.GetInvoice, IdArgs("invoice_id", invoiceId)); }

        /// <summary>A page of invoices: <c>{"status"?, "created_after"?, "created_before"?, "limit"?, "cursor"?}</c> → <c>{"items", "next_cursor"}</c>.</summary>
        public Task<string> ListInvoicesAsync(string argsJson = null) { return RequestAsync(Operation.ListInvoices, argsJson); }

        /// <summary>Cancels an open invoice.</summary>
        public Task<string> CancelInvoiceAsync(string invoiceId) { return RequestAsync(Operation.CancelInvoice, IdArgs("invoice_id", invoiceId)); }

        /// <summary>
        /// Waits until the invoice is paid, accepted, expired or cancelled (never past its expiry),
        /// or <paramref name="timeoutMs"/> passes (-1: no timeout): <c>{"status", "invoice"}</c>
        /// with status <c>paid</c>, <c>accepted</c>, <c>expired</c>, <c>cancelled</c> or <c>timed_out</c>.
        /// </summary>
        public Task<string> WaitForPaymentAsync(string invoiceId, long timeoutMs = -1, CancellationToken cancellation = default(CancellationToken))
        {
            string args = "{\"invoice_id\":" + LightningJson.Quote(invoiceId) + (timeoutMs >= 0 ? ",\"timeout_ms\":" + timeoutMs : "") + "}";
            return RequestAsync(Operation.WaitForPayment, args, cancellation);
        }

        /// <summary>
        /// Creates a hold invoice (admin scope): <c>{"payment_hash", "amount_msat"?, "description"?,
        /// "expiry_secs"?, ...}</c>. Its payment is held (<see cref="InvoiceAccepted"/>) until you
        /// settle it with the preimage or cancel it.
        /// </summary>
        public Task<string> CreateHoldInvoiceAsync(string argsJson) { return RequestAsync(Operation.CreateHoldInvoice, argsJson); }

        /// <summary>Settles an accepted hold invoice with its preimage (64 hex characters).</summary>
        public Task<string> SettleHoldInvoiceAsync(string invoiceId, string preimageHex)
        {
            return RequestAsync(Operation.SettleHoldInvoice, "{\"invoice_id\":" + LightningJson.Quote(invoiceId)
                + ",\"preimage\":" + LightningJson.Quote(preimageHex) + "}");
        }

        /// <summary>Cancels a hold invoice: a held payment returns to the payer.</summary>
        public Task<string> CancelHoldInvoiceAsync(string invoiceId) { return RequestAsync(Operation.CancelHoldInvoice, IdArgs("invoice_id", invoiceId)); }

        /// <summary>
        /// Pays a BOLT11 invoice (admin scope): <c>{"bolt11", "idempotency_key", "amount_msat"?,
        /// "max_fee_msat"?, "max_parts"?}</c>. Checked locally first (network, expiry, fee policy);
        /// the same idempotency key never pays twice.
        /// </summary>
        public Task<string> PayInvoiceAsync(string argsJson) { return RequestAsync(Operation.PayInvoice, argsJson); }

        /// <summary>Pays <paramref name="bolt11"/> once for <paramref name="idempotencyKey"/>.</summary>
        public Task<string> PayInvoiceAsync(string bolt11, string idempotencyKey)
        {
            return PayInvoiceAsync("{\"bolt11\":" + LightningJson.Quote(bolt11) + ",\"idempotency_key\":" + LightningJson.Quote(idempotencyKey) + "}");
        }

        /// <summary>
        /// Sends a spontaneous payment (admin scope): <c>{"destination", "amount_msat",
        /// "idempotency_key", "custom_records"?: [{"type", "value"}], ...}</c>.
        /// </summary>
        public Task<string> KeysendAsync(string argsJson) { return RequestAsync(Operation.Keysend, argsJson); }

        /// <summary>Gets one payment by id.</summary>
        public Task<string> GetPaymentAsync(string paymentId) { return RequestAsync(Operation.GetPayment, IdArgs("payment_id", paymentId)); }

        /// <summary>A page of payments: <c>{"status"?, "created_after"?, "created_before"?, "limit"?, "cursor"?}</c>.</summary>
        public Task<string> ListPaymentsAsync(string argsJson = null) { return RequestAsync(Operation.ListPayments, argsJson); }

        /// <summary>The account's balance: <c>{"available_msat", "reserved_msat"}</c>.</summary>
        public Task<string> BalanceAsync() { return RequestAsync(Operation.Balance, null); }

        /// <summary>A page of ledger entries: <c>{"created_after"?, "created_before"?, "limit"?, "cursor"?}</c>.</summary>
        public Task<string> ListLedgerAsync(string argsJson = null) { return RequestAsync(Operation.ListLedger, argsJson); }

        /// <summary>Creates an API key (admin scope): <c>{"scope": "invoice"|"admin", "label"?}</c>; its secret is in the answer only.</summary>
        public Task<string> CreateApiKeyAsync(string argsJson) { return RequestAsync(Operation.CreateApiKey, argsJson); }

        /// <summary>A page of API keys: <c>{"limit"?, "cursor"?}</c>.</summary>
        public Task<string> ListApiKeysAsync(string argsJson = null) { return RequestAsync(Operation.ListApiKeys, argsJson); }

        /// <summary>Revokes an API key.</summary>
        public Task<string> RevokeApiKeyAsync(string keyId) { return RequestAsync(Operation.RevokeApiKey, IdArgs("key_id", keyId)); }

        /// <summary>Registers a webhook (admin scope): <c>{"url", "event_types"?}</c>; its signing secret is in the answer only.</summary>
        public Task<string> CreateWebhookAsync(string argsJson) { return RequestAsync(Operation.CreateWebhook, argsJson); }

        /// <summary>A page of webhooks: <c>{"limit"?, "cursor"?}</c>.</summary>
        public Task<string> ListWebhooksAsync(string argsJson = null) { return RequestAsync(Operation.ListWebhooks, argsJson); }

        /// <summary>Deletes a webhook (completes with <c>null</c>).</summary>
        public Task<string> DeleteWebhookAsync(string webhookId) { return RequestAsync(Operation.DeleteWebhook, IdArgs("webhook_id", webhookId)); }

        /// <summary>A page of a webhook's deliveries: <c>{"webhook_id", "limit"?, "cursor"?}</c>.</summary>
        public Task<string> ListWebhookDeliveriesAsync(string argsJson) { return RequestAsync(Operation.ListWebhookDeliveries, argsJson); }

        /// <summary>Delivers a webhook delivery again.</summary>
        public Task<string> RedeliverWebhookAsync(string webhookId, string deliveryId)
        {
            return RequestAsync(Operation.RedeliverWebhook, "{\"webhook_id\":" + LightningJson.Quote(webhookId)
                + ",\"delivery_id\":" + LightningJson.Quote(deliveryId) + "}");
        }

        /// <summary>The server's health (no key needed).</summary>
        public Task<string> HealthAsync() { return RequestAsync(Operation.Health, null); }

        /// <summary>The LSP node's id, network and counts.</summary>
        public Task<string> NodeInfoAsync() { return RequestAsync(Operation.NodeInfo, null); }

        /// <summary>The LSP node's channels (admin scope).</summary>
        public Task<string> ListChannelsAsync() { return RequestAsync(Operation.ListChannels, null); }

        /// <summary>Inbound and outbound liquidity: <c>{"largest_outbound_msat", ...}</c>.</summary>
        public Task<string> LiquidityAsync() { return RequestAsync(Operation.Liquidity, null); }

        /// <summary>A page of the account's events, oldest first: <c>{"after"?, "limit"?}</c>.</summary>
        public Task<string> ListEventsAsync(string argsJson = null) { return RequestAsync(Operation.ListEvents, argsJson); }

        /// <summary>
        /// Serves a Lightning Address <c>name@host</c> for the account (admin scope):
        /// <c>{"name", "description"?, "min_sendable_msat"?, "max_sendable_msat"?, "comment_allowed"?,
        /// "success_message"?}</c> → <c>{"name", "address", "lnurl", ...}</c>. Players and fans pay
        /// it from any wallet.
        /// </summary>
        public Task<string> CreateLightningAddressAsync(string argsJson) { return RequestAsync(Operation.CreateLightningAddress, argsJson); }

        /// <summary>A page of the account's Lightning Addresses: <c>{"limit"?, "cursor"?}</c>.</summary>
        public Task<string> ListLightningAddressesAsync(string argsJson = null) { return RequestAsync(Operation.ListLightningAddresses, argsJson); }

        /// <summary>Deletes a Lightning Address: payments to it are refused from then on.</summary>
        public Task<string> DeleteLightningAddressAsync(string name) { return RequestAsync(Operation.DeleteLightningAddress, IdArgs("name", name)); }

        /// <summary>
        /// Pays <paramref name="target"/> (a Lightning Address <c>name@host</c> or an LNURL-pay code)
        /// <paramref name="amountMsat"/> once for <paramref name="idempotencyKey"/>, with an optional
        /// comment (admin scope). The service's terms and invoice are checked before anything is paid:
        /// <c>{"payment", "pay_request", "success_action"}</c>.
        /// </summary>
        public Task<string> PayLnurlAsync(string target, ulong amountMsat, string idempotencyKey, string comment = null)
        {
            return RequestAsync(Operation.PayLnurl, "{\"target\":" + LightningJson.Quote(target) + ",\"amount_msat\":" + amountMsat
                + ",\"idempotency_key\":" + LightningJson.Quote(idempotencyKey)
                + (comment == null ? "" : ",\"comment\":" + LightningJson.Quote(comment)) + "}");
        }

        /// <summary>
        /// Creates a tournament (admin scope): <c>{"name", "entry_fee_msat", "seats", "payout_table_bps",
        /// "organizer_fee_bps"?, "join_deadline", "external_id"?, "metadata"?}</c> → the tournament.
        /// Entry fees are held until every seat is taken, then settled into the pool.
        /// </summary>
        public Task<string> CreateTournamentAsync(string argsJson) { return RequestAsync(Operation.CreateTournament, argsJson); }

        /// <summary>A tournament: its status, seats taken, pool and payout counts.</summary>
        public Task<string> GetTournamentAsync(string tournamentId) { return RequestAsync(Operation.GetTournament, IdArgs("tournament_id", tournamentId)); }

        /// <summary>A page of the account's tournaments: <c>{"limit"?, "cursor"?}</c> (admin scope).</summary>
        public Task<string> ListTournamentsAsync(string argsJson = null) { return RequestAsync(Operation.ListTournaments, argsJson); }

        /// <summary>
        /// Joins <paramref name="playerId"/>, whose prize goes to <paramref name="payoutJson"/>
        /// (<c>{"type": "lightning_address", "address"}</c>, <c>{"type": "keysend", "node_id"}</c>,
        /// <c>{"type": "account", "account_id"}</c>, or <c>{"type": "voucher"}</c>: the payout then carries a
        /// <c>voucher_lnurl</c> to show as a QR code): the entry, with the hold invoice (<c>bolt11</c>)
        /// the player pays. The seat is the player's once the payment is held.
        /// </summary>
        public Task<string> JoinTournamentAsync(string tournamentId, string playerId, string payoutJson)
        {
            return RequestAsync(Operation.JoinTournament, "{\"tournament_id\":" + LightningJson.Quote(tournamentId)
                + ",\"player_id\":" + LightningJson.Quote(playerId) + ",\"payout\":" + payoutJson + "}");
        }

        /// <summary>
        /// The lobby of a tournament created with <c>"public_join": true</c> (no key needed: a client
        /// made with an empty API key may call it): its terms, seats, seated players and, once
        /// results are in, their prizes.
        /// </summary>
        public Task<string> GetPublicTournamentAsync(string tournamentId) { return RequestAsync(Operation.GetPublicTournament, IdArgs("tournament_id", tournamentId)); }

        /// <summary>
        /// Joins <paramref name="playerId"/> to a tournament created with <c>"public_join": true</c>,
        /// without a key, as <see cref="JoinTournamentAsync"/> does with one: the entry, with the hold
        /// invoice the player pays.
        /// </summary>
        public Task<string> JoinPublicTournamentAsync(string tournamentId, string playerId, string payoutJson)
        {
            return RequestAsync(Operation.JoinPublicTournament, "{\"tournament_id\":" + LightningJson.Quote(tournamentId)
                + ",\"player_id\":" + LightningJson.Quote(playerId) + ",\"payout\":" + payoutJson + "}");
        }

        /// <summary>Every entry of a tournament: <c>{"items"}</c>.</summary>
        public Task<string> ListTournamentEntriesAsync(string tournamentId) { return RequestAsync(Operation.ListTournamentEntries, IdArgs("tournament_id", tournamentId)); }

        /// <summary>Cancels an open tournament: every held entry fee is failed back (admin scope).</summary>
        public Task<string> CancelTournamentAsync(string tournamentId) { return RequestAsync(Operation.CancelTournament, IdArgs("tournament_id", tournamentId)); }

        /// <summary>
        /// Enters the final standings, <paramref name="standingsJson"/> a JSON array of
        /// <c>{"player_id", "rank"}</c> (admin scope): <c>{"items"}</c>, every payout exact to the msat.
        /// </summary>
        public Task<string> EnterTournamentResultsAsync(string tournamentId, string standingsJson)
        {
            return RequestAsync(Operation.EnterTournamentResults, "{\"tournament_id\":" + LightningJson.Quote(tournamentId)
                + ",\"standings\":" + standingsJson + "}");
        }

        /// <summary>Pays the winners, or retries failed payouts; no one is paid twice (admin scope).</summary>
        public Task<string> PayTournamentAsync(string tournamentId) { return RequestAsync(Operation.PayTournament, IdArgs("tournament_id", tournamentId)); }

        /// <summary>Every payout of a tournament, best rank first (admin scope).</summary>
        public Task<string> ListTournamentPayoutsAsync(string tournamentId) { return RequestAsync(Operation.ListTournamentPayouts, IdArgs("tournament_id", tournamentId)); }

        /// <summary>A tournament's audit log, oldest first (admin scope).</summary>
        public Task<string> TournamentAuditAsync(string tournamentId) { return RequestAsync(Operation.TournamentAudit, IdArgs("tournament_id", tournamentId)); }

        /// <summary>
        /// Quotes <paramref name="fiatAmount"/> (a decimal string, <c>"4.99"</c>: never a float) of
        /// <paramref name="currency"/> (<c>"EUR"</c>): the LSP locks its rate for
        /// <paramref name="ttlSecs"/> seconds → <c>{"id", "amount_msat", "rate", "expires_at", ...}</c>.
        /// Create the invoice with <c>{"quote_id": id}</c> to charge exactly that; an expired quote
        /// (<c>lsp_quote_expired</c>) or a moved rate (<c>lsp_slippage_exceeded</c>) is refused: quote again.
        /// </summary>
        public Task<string> CreateQuoteAsync(string fiatAmount, string currency, ulong ttlSecs = 0, uint maxSlippageBps = 100)
        {
            return RequestAsync(Operation.CreateQuote, "{\"fiat_amount\":" + LightningJson.Quote(fiatAmount)
                + ",\"currency\":" + LightningJson.Quote(currency)
                + (ttlSecs == 0 ? "" : ",\"ttl_secs\":" + ttlSecs)
                + ",\"max_slippage_bps\":" + maxSlippageBps + "}");
        }

        /// <summary>
        /// Creates <paramref name="count"/> vouchers of at most <paramref name="amountMsat"/> each
        /// (admin scope): LNURL-withdraw links any wallet claims once, their value set aside from
        /// the balance now and returned if unclaimed after <paramref name="expirySecs"/> (0: 30 days).
        /// → <c>{"id", "vouchers": [{"id", "lnurl", "url", "status", ...}], "reserved_msat"}</c>;
        /// print each <c>lnurl</c> as a QR code. The same <paramref name="idempotencyKey"/> answers the same batch.
        /// </summary>
        public Task<string> CreateVouchersAsync(ulong amountMsat, string idempotencyKey, uint count = 1, ulong expirySecs = 0, string description = null)
        {
            return RequestAsync(Operation.CreateVouchers, "{\"amount_msat\":" + amountMsat
                + ",\"idempotency_key\":" + LightningJson.Quote(idempotencyKey)
                + ",\"count\":" + count
                + (expirySecs == 0 ? "" : ",\"expiry_secs\":" + expirySecs)
                + (description == null ? "" : ",\"description\":" + LightningJson.Quote(description)) + "}");
        }

        /// <summary>One voucher: its status (active, claiming, claimed, expired, cancelled) and claim (admin scope).</summary>
        public Task<string> GetVoucherAsync(string voucherId) { return RequestAsync(Operation.GetVoucher, IdArgs("voucher_id", voucherId)); }

        /// <summary>A page of vouchers: <c>{"batch_id"?, "status"?, "limit"?, "cursor"?}</c> (admin scope).</summary>
        public Task<string> ListVouchersAsync(string argsJson = null) { return RequestAsync(Operation.ListVouchers, argsJson); }

        /// <summary>Cancels an active voucher: its link stops working and its value returns (admin scope).</summary>
        public Task<string> CancelVoucherAsync(string voucherId) { return RequestAsync(Operation.CancelVoucher, IdArgs("voucher_id", voucherId)); }

        /// <summary>
        /// Redeems an LNURL-withdraw link (a scanned voucher, a prize) into the account: the service
        /// pays an invoice of the account for <paramref name="amountMsat"/> (0: the most it offers)
        /// → <c>{"invoice", "withdraw_request"}</c>; the <see cref="InvoicePaid"/> event follows.
        /// </summary>
        public Task<string> RedeemWithdrawAsync(string lnurl, ulong amountMsat = 0)
        {
            return RequestAsync(Operation.RedeemWithdraw, "{\"lnurl\":" + LightningJson.Quote(lnurl)
                + (amountMsat == 0 ? "" : ",\"amount_msat\":" + amountMsat) + "}");
        }

        /// <summary>
        /// Authorises a recurring payment (admin scope): <c>{"amount_msat", "destination", "schedule":
        /// {"period": {"kind": "monthly", "months": 1}, "start", "end", "max_count", "catch_up": {"kind": "all", "max": 3}},
        /// "idempotency_key", "max_total_msat"?, "description"?}</c> → the schedule. The LSP pays each
        /// occurrence once as it falls due, across restarts, until it ends or is cancelled.
        /// </summary>
        public Task<string> CreateScheduleAsync(string argsJson) { return RequestAsync(Operation.CreateSchedule, argsJson); }

        /// <summary>A schedule: status, paid and failed counts, next due time (admin scope).</summary>
        public Task<string> GetScheduleAsync(string scheduleId) { return RequestAsync(Operation.GetSchedule, IdArgs("schedule_id", scheduleId)); }

        /// <summary>A page of schedules: <c>{"limit"?, "cursor"?}</c> (admin scope).</summary>
        public Task<string> ListSchedulesAsync(string argsJson = null) { return RequestAsync(Operation.ListSchedules, argsJson); }

        /// <summary>A schedule's history, newest first: <c>{"items": [{"index", "due_at", "status", "payment_id", ...}]}</c>.</summary>
        public Task<string> ScheduleRunsAsync(string scheduleId) { return RequestAsync(Operation.ScheduleRuns, IdArgs("schedule_id", scheduleId)); }

        /// <summary>Cancels a schedule: nothing more is paid (admin scope).</summary>
        public Task<string> CancelScheduleAsync(string scheduleId) { return RequestAsync(Operation.CancelSchedule, IdArgs("schedule_id", scheduleId)); }

        /// <summary>
        /// Starts a streaming payment (admin scope): the LSP pays <paramref name="destinationJson"/>
        /// (<c>{"type": "account", "account_id"}</c>, <c>{"type": "lightning_address", "address"}</c> or
        /// <c>{"type": "keysend", "node_id"}</c>) <paramref name="rateMsatPerSec"/> for every second the
        /// stream runs, one payment a second, never beyond <paramref name="budgetMsat"/> → the stream.
        /// Pause it when the player pauses; stop it when the session ends.
        /// </summary>
        public Task<string> CreateStreamAsync(string destinationJson, ulong rateMsatPerSec, ulong budgetMsat, string idempotencyKey, string description = null)
        {
            return RequestAsync(Operation.CreateStream, "{\"destination\":" + destinationJson
                + ",\"rate_msat_per_sec\":" + rateMsatPerSec + ",\"budget_msat\":" + budgetMsat
                + ",\"idempotency_key\":" + LightningJson.Quote(idempotencyKey)
                + (description == null ? "" : ",\"description\":" + LightningJson.Quote(description)) + "}");
        }

        /// <summary>A stream: state, paid, earned and owed msat, active time (admin scope).</summary>
        public Task<string> GetStreamAsync(string streamId) { return RequestAsync(Operation.GetStream, IdArgs("stream_id", streamId)); }

        /// <summary>A page of streams: <c>{"limit"?, "cursor"?}</c> (admin scope).</summary>
        public Task<string> ListStreamsAsync(string argsJson = null) { return RequestAsync(Operation.ListStreams, argsJson); }

        /// <summary>Pauses a running stream: its time stops being charged (admin scope).</summary>
        public Task<string> PauseStreamAsync(string streamId) { return RequestAsync(Operation.PauseStream, IdArgs("stream_id", streamId)); }

        /// <summary>Resumes a paused stream (admin scope).</summary>
        public Task<string> ResumeStreamAsync(string streamId) { return RequestAsync(Operation.ResumeStream, IdArgs("stream_id", streamId)); }

        /// <summary>Stops a stream for good: what its time earned is paid, then it is finished (admin scope).</summary>
        public Task<string> StopStreamAsync(string streamId) { return RequestAsync(Operation.StopStream, IdArgs("stream_id", streamId)); }

        /// <summary>
        /// Issues the stream's key (admin scope, on your server) → <c>{"stream_id", "key"}</c>: give
        /// <c>key</c> to the game as its API key; it reads, pauses, resumes and stops this stream and
        /// nothing else. A new key replaces the previous one.
        /// </summary>
        public Task<string> CreateStreamKeyAsync(string streamId) { return RequestAsync(Operation.CreateStreamKey, IdArgs("stream_id", streamId)); }
    }
}
