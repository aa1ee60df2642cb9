// The operations the C ABI's client runs (etrid_client_request), by number.

namespace Etrid
{
    /// <summary>
    /// The operations of <see cref="LightningClient.RequestAsync"/>: the values of
    /// <c>EtridOperation</c> in etrid.h (a test checks they agree). Each takes a JSON object of the
    /// API's snake_case fields and completes with the API's JSON answer.
    /// </summary>
    public enum Operation
    {
        /// <summary>Create an invoice (invoice scope).</summary>
        CreateInvoice = 1,
        /// <summary>Get one invoice by id.</summary>
        GetInvoice = 2,
        /// <summary>List invoices, newest first, a page at a time.</summary>
        ListInvoices = 3,
        /// <summary>Cancel an open invoice.</summary>
        CancelInvoice = 4,
        /// <summary>Wait until an invoice is paid, accepted, expired or cancelled.</summary>
        WaitForPayment = 5,
        /// <summary>Create a hold invoice for a payment hash (admin scope).</summary>
        CreateHoldInvoice = 6,
        /// <summary>Settle an accepted hold invoice with its preimage.</summary>
        SettleHoldInvoice = 7,
        /// <summary>Cancel a hold invoice; the payer's HTLCs return.</summary>
        CancelHoldInvoice = 8,
        /// <summary>Pay a BOLT11 invoice (admin scope).</summary>
        PayInvoice = 9,
        /// <summary>Send a spontaneous payment to a node id (admin scope).</summary>
        Keysend = 10,
        /// <summary>Get one payment by id.</summary>
        GetPayment = 11,
        /// <summary>List payments, a page at a time.</summary>
        ListPayments = 12,
        /// <summary>The account's available and reserved balance.</summary>
        Balance = 13,
        /// <summary>List the account's ledger entries.</summary>
        ListLedger = 14,
        /// <summary>Create an API key (admin scope).</summary>
        CreateApiKey = 15,
        /// <summary>List the account's API keys.</summary>
        ListApiKeys = 16,
        /// <summary>Revoke an API key.</summary>
        RevokeApiKey = 17,
        /// <summary>Register a webhook (admin scope).</summary>
        CreateWebhook = 18,
        /// <summary>List webhooks.</summary>
        ListWebhooks = 19,
        /// <summary>Delete a webhook.</summary>
        DeleteWebhook = 20,
        /// <summary>List a webhook's deliveries.</summary>
        ListWebhookDeliveries = 21,
        /// <summary>Deliver a webhook delivery again.</summary>
        RedeliverWebhook = 22,
        /// <summary>The server's health (no key needed).</summary>
        Health = 23,
        /// <summary>The LSP node's id, network and counts.</summary>
        NodeInfo = 24,
        /// <summary>The LSP node's channels (admin scope).</summary>
        ListChannels = 25,
        /// <summary>Inbound and outbound liquidity.</summary>
        Liquidity = 26,
        /// <summary>A page of the account's events, oldest first.</summary>
        ListEvents = 27,
        /// <summary>Serve a Lightning Address name@host for the account (admin scope).</summary>
        CreateLightningAddress = 28,
        /// <summary>List the account's Lightning Addresses.</summary>
        ListLightningAddresses = 29,
        /// <summary>Delete a Lightning Address.</summary>
        DeleteLightningAddress = 30,
        /// <summary>Pay a Lightning Address or LNURL-pay code, its terms and invoice checked first (admin scope).</summary>
        PayLnurl = 31,
        /// <summary>Create a tournament: entry fee, seats, payout table, organizer fee, join deadline (admin scope).</summary>
        CreateTournament = 32,
        /// <summary>Get a tournament.</summary>
        GetTournament = 33,
        /// <summary>List the account's tournaments (admin scope).</summary>
        ListTournaments = 34,
        /// <summary>Join a player: the entry with the hold invoice the player pays.</summary>
        JoinTournament = 35,
        /// <summary>Every entry of a tournament.</summary>
        ListTournamentEntries = 36,
        /// <summary>Cancel an open tournament: every held entry is refunded (admin scope).</summary>
        CancelTournament = 37,
        /// <summary>Enter the final standings; answers every payout (admin scope).</summary>
        EnterTournamentResults = 38,
        /// <summary>Pay the winners, or retry failed payouts; no one is paid twice (admin scope).</summary>
        PayTournament = 39,
        /// <summary>Every payout of a tournament (admin scope).</summary>
        ListTournamentPayouts = 40,
        /// <summary>A tournament's audit log (admin scope).</summary>
        TournamentAudit = 41,
        /// <summary>Quote a fiat price: the LSP locks its rate; create the invoice with the quote's id.</summary>
        CreateQuote = 42,
        /// <summary>Create a batch of vouchers (LNURL-withdraw links), their value set aside (admin scope).</summary>
        CreateVouchers = 43,
        /// <summary>One voucher (admin scope).</summary>
        GetVoucher = 44,
        /// <summary>A page of vouchers, optionally of one batch or status (admin scope).</summary>
        ListVouchers = 45,
        /// <summary>Cancel an active voucher: its value returns to the balance (admin scope).</summary>
        CancelVoucher = 46,
        /// <summary>Redeem an LNURL-withdraw link (a voucher) into the account.</summary>
        RedeemWithdraw = 47,
        /// <summary>Authorise a recurring payment: the LSP pays each occurrence once as it falls due (admin scope).</summary>
        CreateSchedule = 48,
        /// <summary>One recurring payment schedule (admin scope).</summary>
        GetSchedule = 49,
        /// <summary>A page of schedules (admin scope).</summary>
        ListSchedules = 50,
        /// <summary>A schedule's history: its newest runs with their payments (admin scope).</summary>
        ScheduleRuns = 51,
        /// <summary>Cancel a schedule: nothing more is paid (admin scope).</summary>
        CancelSchedule = 52,
        /// <summary>Start a streaming payment: the LSP pays per second of running time, within a budget (admin scope).</summary>
        CreateStream = 53,
        /// <summary>One stream and its figures (admin scope).</summary>
        GetStream = 54,
        /// <summary>A page of streams (admin scope).</summary>
        ListStreams = 55,
        /// <summary>Pause a stream: its time stops being charged (admin scope).</summary>
        PauseStream = 56,
        /// <summary>Resume a paused stream (admin scope).</summary>
        ResumeStream = 57,
        /// <summary>Stop a stream for good: what it earned is paid (admin scope).</summary>
        StopStream = 58,
        /// <summary>Issue a key that reads, pauses, resumes and stops only this stream, for a game client (admin scope).</summary>
        CreateStreamKey = 59,
        /// <summary>The lobby of a tournament that takes public joins (no key needed).</summary>
        GetPublicTournament = 60,
        /// <summary>Join a player to a tournament that takes public joins (no key needed).</summary>
        JoinPublicTournament = 61,
    }
}
