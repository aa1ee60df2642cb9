//! The client operations the C ABI offers, as [`EtridOperation`] values for the C header: the
//! core's JSON operations ([`Operation`], run by `LspClient::run_json`) under their C names.

use etrid_core::lsp::Operation;

/// An operation of the client, run asynchronously by `etrid_client_request`. Its arguments
/// are a JSON object (the field names of `lsp/openapi.json`, snake_case), and its result is
/// the JSON of the API's answer.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtridOperation {
    /// `{"amount_msat"?, "description"?, "description_hash"?, "expiry_secs"?, "external_id"?,
    /// "metadata"?}` → an invoice. Invoice scope.
    CreateInvoice = 1,
    /// `{"invoice_id"}` → an invoice.
    GetInvoice = 2,
    /// `{"status"?, "created_after"?, "created_before"?, "limit"?, "cursor"?}` → a page.
    ListInvoices = 3,
    /// `{"invoice_id"}` → the cancelled invoice.
    CancelInvoice = 4,
    /// `{"invoice_id", "timeout_ms"?}` → `{"status": "paid"|"accepted"|"expired"|"cancelled"|
    /// "timed_out", "invoice": … | null}`; never later than the invoice's expiry.
    WaitForPayment = 5,
    /// `{"payment_hash", "amount_msat"?, …}` → a hold invoice. Admin scope.
    CreateHoldInvoice = 6,
    /// `{"invoice_id", "preimage"}` → the settled invoice.
    SettleHoldInvoice = 7,
    /// `{"invoice_id"}` → the cancelled hold invoice.
    CancelHoldInvoice = 8,
    /// `{"bolt11", "idempotency_key", "amount_msat"?, "max_fee_msat"?, "max_parts"?}` → a
    /// payment; checked locally first (network, expiry, policy) like `etrid_client_prepare_pay`.
    PayInvoice = 9,
    /// `{"destination", "amount_msat", "idempotency_key", "custom_records"?, …}` → a payment.
    Keysend = 10,
    /// `{"payment_id"}` → a payment.
    GetPayment = 11,
    /// `{"status"?, "created_after"?, "created_before"?, "limit"?, "cursor"?}` → a page.
    ListPayments = 12,
    /// `{}` → `{"available_msat", "reserved_msat"}`.
    Balance = 13,
    /// `{"created_after"?, "created_before"?, "limit"?, "cursor"?}` → a page.
    ListLedger = 14,
    /// `{"scope", "label"?}` → the key with its secret (shown once). Admin scope.
    CreateApiKey = 15,
    /// `{"limit"?, "cursor"?}` → a page.
    ListApiKeys = 16,
    /// `{"key_id"}` → the revoked key.
    RevokeApiKey = 17,
    /// `{"url", "event_types"?}` → the webhook with its secret (shown once). Admin scope.
    CreateWebhook = 18,
    /// `{"limit"?, "cursor"?}` → a page.
    ListWebhooks = 19,
    /// `{"webhook_id"}` → `null`.
    DeleteWebhook = 20,
    /// `{"webhook_id", "limit"?, "cursor"?}` → a page.
    ListWebhookDeliveries = 21,
    /// `{"webhook_id", "delivery_id"}` → the delivery.
    RedeliverWebhook = 22,
    /// `{}` → the server's health (no key needed).
    Health = 23,
    /// `{}` → the LSP node's id, network and counts.
    NodeInfo = 24,
    /// `{}` → the LSP node's channels. Admin scope.
    ListChannels = 25,
    /// `{}` → inbound and outbound liquidity.
    Liquidity = 26,
    /// `{"after"?, "limit"?}` → a page of events, oldest first.
    ListEvents = 27,
    /// `{"name", "description"?, "min_sendable_msat"?, "max_sendable_msat"?, "comment_allowed"?,
    /// "success_message"?}` → the Lightning Address. Admin scope.
    CreateLightningAddress = 28,
    /// `{"limit"?, "cursor"?}` → a page of Lightning Addresses.
    ListLightningAddresses = 29,
    /// `{"name"}` → `null`.
    DeleteLightningAddress = 30,
    /// `{"target", "amount_msat", "idempotency_key", "comment"?, "max_fee_msat"?}` →
    /// `{"payment", "pay_request", "success_action"}`: pays a Lightning Address or LNURL-pay
    /// code once the service's terms and invoice check out. Admin scope.
    PayLnurl = 31,
    /// `{"name", "entry_fee_msat", "seats", "payout_table_bps", "organizer_fee_bps"?,
    /// "join_deadline", "external_id"?, "metadata"?}` → the tournament. Admin scope.
    CreateTournament = 32,
    /// `{"tournament_id"}` → the tournament.
    GetTournament = 33,
    /// `{"limit"?, "cursor"?}` → a page of tournaments. Admin scope.
    ListTournaments = 34,
    /// `{"tournament_id", "player_id", "payout"}` → the entry with the hold invoice to pay.
    JoinTournament = 35,
    /// `{"tournament_id"}` → `{"items"}`: every entry.
    ListTournamentEntries = 36,
    /// `{"tournament_id"}` → the tournament, cancelled (every held entry refunded). Admin scope.
    CancelTournament = 37,
    /// `{"tournament_id", "standings"}` → `{"items"}`: every payout. Admin scope.
    EnterTournamentResults = 38,
    /// `{"tournament_id"}` → `{"items"}`: pays the winners, or retries failed payouts. Admin
    /// scope.
    PayTournament = 39,
    /// `{"tournament_id"}` → `{"items"}`: every payout. Admin scope.
    ListTournamentPayouts = 40,
    /// `{"tournament_id"}` → `{"items"}`: the audit log. Admin scope.
    TournamentAudit = 41,
    /// `{"fiat_amount", "currency", "ttl_secs"?, "max_slippage_bps"?}` → the quote (a fiat price
    /// locked in msat); create the invoice with its `quote_id`.
    CreateQuote = 42,
    /// `{"amount_msat", "idempotency_key", "min_withdrawable_msat"?, "count"?, "expiry_secs"?,
    /// "description"?}` → the batch of vouchers, their value set aside. Admin scope.
    CreateVouchers = 43,
    /// `{"voucher_id"}` → the voucher. Admin scope.
    GetVoucher = 44,
    /// `{"batch_id"?, "status"?, "limit"?, "cursor"?}` → a page of vouchers. Admin scope.
    ListVouchers = 45,
    /// `{"voucher_id"}` → the voucher, cancelled (its value returned). Admin scope.
    CancelVoucher = 46,
    /// `{"lnurl", "amount_msat"?, "description"?}` → `{"invoice", "withdraw_request"}`: redeems
    /// an LNURL-withdraw link (a voucher) into the account.
    RedeemWithdraw = 47,
    /// `{"amount_msat", "destination", "schedule", "idempotency_key", "max_total_msat"?,
    /// "description"?}` → the recurring payment schedule. Admin scope.
    CreateSchedule = 48,
    /// `{"schedule_id"}` → the schedule. Admin scope.
    GetSchedule = 49,
    /// `{"limit"?, "cursor"?}` → a page of schedules. Admin scope.
    ListSchedules = 50,
    /// `{"schedule_id"}` → `{"items"}`: its newest runs. Admin scope.
    ScheduleRuns = 51,
    /// `{"schedule_id"}` → the schedule, cancelled. Admin scope.
    CancelSchedule = 52,
    /// `{"destination", "rate_msat_per_sec", "budget_msat", "idempotency_key",
    /// "tick_interval_ms"?, "min_payment_msat"?, "description"?}` → the stream, running.
    /// Admin scope.
    CreateStream = 53,
    /// `{"stream_id"}` → the stream. Admin scope.
    GetStream = 54,
    /// `{"limit"?, "cursor"?}` → a page of streams. Admin scope.
    ListStreams = 55,
    /// `{"stream_id"}` → the stream, paused. Admin scope.
    PauseStream = 56,
    /// `{"stream_id"}` → the stream, running again. Admin scope.
    ResumeStream = 57,
    /// `{"stream_id"}` → the stream, settling. Admin scope.
    StopStream = 58,
    /// `{"stream_id"}` → `{"stream_id", "key"}`: a key for this stream only. Admin scope.
    CreateStreamKey = 59,
    /// `{"tournament_id"}` → the lobby of a tournament that takes public joins. No key needed.
    GetPublicTournament = 60,
    /// `{"tournament_id", "player_id", "payout"}` → the entry, with the hold invoice to pay. No
    /// key needed (the tournament must take public joins).
    JoinPublicTournament = 61,
}

impl EtridOperation {
    /// The core's operation with this number, if any (a C caller can pass any integer). The
    /// numbers are the core's [`Operation`] numbers; a test checks every one agrees.
    pub(crate) fn from_raw(raw: i32) -> Option<Operation> {
        Operation::from_number(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The C enum and the core's operations agree, number for number and name for name.
    #[test]
    fn c_operations_are_the_core_operations() {
        use EtridOperation as C;
        let c = [
            C::CreateInvoice,
            C::GetInvoice,
            C::ListInvoices,
            C::CancelInvoice,
            C::WaitForPayment,
            C::CreateHoldInvoice,
            C::SettleHoldInvoice,
            C::CancelHoldInvoice,
            C::PayInvoice,
            C::Keysend,
            C::GetPayment,
            C::ListPayments,
            C::Balance,
            C::ListLedger,
            C::CreateApiKey,
            C::ListApiKeys,
            C::RevokeApiKey,
            C::CreateWebhook,
            C::ListWebhooks,
            C::DeleteWebhook,
            C::ListWebhookDeliveries,
            C::RedeliverWebhook,
            C::Health,
            C::NodeInfo,
            C::ListChannels,
            C::Liquidity,
            C::ListEvents,
            C::CreateLightningAddress,
            C::ListLightningAddresses,
            C::DeleteLightningAddress,
            C::PayLnurl,
            C::CreateTournament,
            C::GetTournament,
            C::ListTournaments,
            C::JoinTournament,
            C::ListTournamentEntries,
            C::CancelTournament,
            C::EnterTournamentResults,
            C::PayTournament,
            C::ListTournamentPayouts,
            C::TournamentAudit,
            C::CreateQuote,
            C::CreateVouchers,
            C::GetVoucher,
            C::ListVouchers,
            C::CancelVoucher,
            C::RedeemWithdraw,
            C::CreateSchedule,
            C::GetSchedule,
            C::ListSchedules,
            C::ScheduleRuns,
            C::CancelSchedule,
            C::CreateStream,
            C::GetStream,
            C::ListStreams,
            C::PauseStream,
            C::ResumeStream,
            C::StopStream,
            C::CreateStreamKey,
            C::GetPublicTournament,
            C::JoinPublicTournament,
        ];
        assert_eq!(c.len(), Operation::ALL.len());
        for (c_op, core_op) in c.into_iter().zip(Operation::ALL) {
            assert_eq!(c_op as i32, core_op.number());
            assert_eq!(format!("{c_op:?}"), format!("{core_op:?}"));
        }
    }
}
