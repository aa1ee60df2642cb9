//! Streaming payments (S24): the LSP pays a payee `rate_msat_per_sec` for every second a stream
//! runs, in arrears, one payment per tick, never beyond the budget; pause, resume and stop
//! change what is charged. The accounting is the core's [`StreamingPayment`]
//! (`crate::streaming`), kept by the LSP across restarts: each payment's idempotency key is
//! `stream:{id}:{sequence}`, so none is paid twice.
//!
//! [`StreamingPayment`]: crate::streaming::StreamingPayment

use serde::{Deserialize, Serialize};

use super::validate::check_client_key;
use super::{PayoutDestination, RequestError, Validate};
use crate::amount::Msat;
use crate::lsp::limits::MAX_INVOICE_AMOUNT_MSAT;
use crate::streaming::StreamState;

/// The shortest tick a stream may have, in milliseconds: one payment a second at most.
pub const MIN_STREAM_TICK_MS: u64 = 1_000;
/// The longest tick, in milliseconds: one hour.
pub const MAX_STREAM_TICK_MS: u64 = 3_600_000;
/// The smallest payment a stream sends while it runs, when the request does not say: 1 sat.
pub const DEFAULT_STREAM_MIN_PAYMENT_MSAT: Msat = Msat::from_msat(1_000);
/// The TLV type carrying the stream's id (UTF-8) on keysend payments (odd: ignorable).
pub const STREAM_ID_RECORD_TYPE: u64 = 9_000_001;
/// The TLV type carrying the payment's sequence in the stream (u64, big-endian).
pub const STREAM_SEQUENCE_RECORD_TYPE: u64 = 9_000_003;

/// Body of `POST /v1/streams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStreamRequest {
    /// Who is paid: an account of this LSP, a Lightning Address, or a node by keysend (the
    /// payments then carry the stream id and sequence as TLV records 9000001 and 9000003).
    pub destination: PayoutDestination,
    /// Millisatoshis per second of running time.
    pub rate_msat_per_sec: u64,
    /// The most the stream pays in total; it finishes when it has paid this.
    pub budget_msat: Msat,
    /// Milliseconds between payments: 1,000 to 3,600,000, default 1,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick_interval_ms: Option<u64>,
    /// The smallest payment while running (the rest is settled at stop); default 1 sat, at most
    /// the budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_payment_msat: Option<Msat>,
    /// What the stream pays for (invoice descriptions), ≤ 200 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// One key, one stream: the same key answers the same stream.
    pub idempotency_key: String,
}

impl Validate for CreateStreamRequest {
    fn validate(&self) -> Result<(), RequestError> {
        self.destination.check_payable("a stream")?;
        if self.rate_msat_per_sec == 0 || self.rate_msat_per_sec > MAX_INVOICE_AMOUNT_MSAT.as_u64()
        {
            return Err(RequestError::new(
                "rate_msat_per_sec",
                "must be at least 1 msat per second",
            ));
        }
        if self.budget_msat.as_u64() == 0 || self.budget_msat > MAX_INVOICE_AMOUNT_MSAT {
            return Err(RequestError::new("budget_msat", "must be at least 1 msat"));
        }
        if self
            .tick_interval_ms
            .is_some_and(|t| !(MIN_STREAM_TICK_MS..=MAX_STREAM_TICK_MS).contains(&t))
        {
            return Err(RequestError::new(
                "tick_interval_ms",
                format!("must be between {MIN_STREAM_TICK_MS} and {MAX_STREAM_TICK_MS}"),
            ));
        }
        if self
            .min_payment_msat
            .is_some_and(|m| m.as_u64() == 0 || m > self.budget_msat)
        {
            return Err(RequestError::new(
                "min_payment_msat",
                "must be between 1 and budget_msat",
            ));
        }
        if self
            .description
            .as_deref()
            .is_some_and(|d| d.len() > super::MAX_SCHEDULE_DESCRIPTION_BYTES)
        {
            return Err(RequestError::new(
                "description",
                format!(
                    "must be at most {} bytes of UTF-8",
                    super::MAX_SCHEDULE_DESCRIPTION_BYTES
                ),
            ));
        }
        check_client_key("idempotency_key", &self.idempotency_key)
    }
}

/// A streaming payment of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspStream {
    /// Its id (`str_…`).
    pub id: String,
    /// `running`, `paused`, `settling` (stopped, the last payment being made), `finished`
    /// or `failed` (payments kept failing; `owed_msat` is what was not paid).
    pub state: StreamState,
    /// Who is paid.
    pub destination: PayoutDestination,
    /// Millisatoshis per second of running time.
    pub rate_msat_per_sec: u64,
    /// The most it pays.
    pub budget_msat: Msat,
    /// Milliseconds between payments.
    pub tick_interval_ms: u64,
    /// What it pays for.
    pub description: String,
    /// Milliseconds it has run (paused time excluded), as of `updated_at`.
    pub active_ms: u64,
    /// What the running time has earned: `min(rate × active time, budget)`.
    pub earned_msat: Msat,
    /// What has been paid.
    pub paid_msat: Msat,
    /// The payment in flight.
    pub in_flight_msat: Msat,
    /// Earned, neither paid nor in flight.
    pub owed_msat: Msat,
    /// Payments made (the last one's sequence).
    pub payments: u64,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// When these figures were taken, unix milliseconds.
    pub updated_at_ms: u64,
    /// When it finished or failed.
    pub ended_at: Option<u64>,
    /// Why the last payment failed, if it did.
    pub failure_reason: Option<String>,
}

/// The prefix of a stream key: a bearer token that reads, pauses, resumes and stops one stream
/// and does nothing else (it is not an API key).
pub const STREAM_KEY_PREFIX: &str = "etrid_sk_";

/// A stream's key, as issued by `POST /v1/streams/{id}/key`: shown once; a new one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamKey {
    /// The stream it controls.
    pub stream_id: String,
    /// The key (`etrid_sk_…`): give it to the game client as its `api_key`.
    pub key: String,
}

/// A page of the account's streams, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamList {
    /// The page's streams.
    pub items: Vec<LspStream>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CreateStreamRequest {
        CreateStreamRequest {
            destination: PayoutDestination::Account {
                account_id: "acc_1".into(),
            },
            rate_msat_per_sec: 10_000,
            budget_msat: Msat::from_msat(600_000),
            tick_interval_ms: None,
            min_payment_msat: None,
            description: None,
            idempotency_key: "stream-1".into(),
        }
    }

    #[test]
    fn s24_requests_outside_limits_name_their_field() {
        assert_eq!(request().validate(), Ok(()));
        let field = |r: CreateStreamRequest| r.validate().unwrap_err().field;
        let mut r = request();
        r.destination = PayoutDestination::Voucher;
        assert_eq!(field(r), "destination");
        let mut r = request();
        r.rate_msat_per_sec = 0;
        assert_eq!(field(r), "rate_msat_per_sec");
        let mut r = request();
        r.budget_msat = Msat::ZERO;
        assert_eq!(field(r), "budget_msat");
        let mut r = request();
        r.tick_interval_ms = Some(999);
        assert_eq!(field(r), "tick_interval_ms");
        let mut r = request();
        r.min_payment_msat = Some(Msat::from_msat(600_001));
        assert_eq!(field(r), "min_payment_msat");
    }
}
