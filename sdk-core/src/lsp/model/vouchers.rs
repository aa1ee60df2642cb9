//! Vouchers (S23): gift cards and prizes anyone can claim with a Lightning wallet, served by the
//! LSP as LNURL-withdraw (LUD-03) links.
//!
//! Creating vouchers sets their value aside from the account's balance at once (reserved:
//! amount plus a routing-fee allowance), so a printed voucher can always be paid. A voucher is
//! claimed once: the first wallet to hand in an invoice within its bounds is paid, every other
//! claim is refused; a claim whose payment fails leaves it claimable. What is not claimed by
//! `expires_at` (or what a cancel takes back) returns to the balance, and the unused fee
//! allowance of a claimed voucher too.

use serde::{Deserialize, Serialize};

use super::limits::{MAX_INVOICE_AMOUNT_MSAT, MAX_PAGE_LIMIT};
use super::validate::check_client_key;
use super::{RequestError, Validate};
use crate::amount::Msat;

/// The most vouchers one request creates.
pub const MAX_VOUCHER_BATCH: u32 = 1000;
/// The smallest voucher: 1 sat (wallets cannot ask for less in an invoice they all accept).
pub const MIN_VOUCHER_MSAT: Msat = Msat::from_msat(1_000);
/// The longest a voucher stays claimable, in seconds: one year.
pub const MAX_VOUCHER_EXPIRY_SECS: u64 = 365 * 24 * 3600;
/// The shortest a voucher stays claimable, in seconds (a giveaway on a live stream).
pub const MIN_VOUCHER_EXPIRY_SECS: u64 = 10;
/// How long a voucher stays claimable when the request does not say, in seconds: 30 days.
pub const DEFAULT_VOUCHER_EXPIRY_SECS: u64 = 30 * 24 * 3600;
/// The longest voucher description (the wallet's default invoice description), in bytes.
pub const MAX_VOUCHER_DESCRIPTION_BYTES: usize = 200;

/// Body of `POST /v1/vouchers`: `count` vouchers of the same value, one batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVouchersRequest {
    /// What each voucher pays at most (LUD-03 `maxWithdrawable`), at least 1 sat.
    pub amount_msat: Msat,
    /// The least a claim may take (`minWithdrawable`); default: the whole `amount_msat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_withdrawable_msat: Option<Msat>,
    /// How many vouchers: 1 to 1,000, default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Seconds until unclaimed vouchers expire and their value returns: 10 s to one year,
    /// default 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_secs: Option<u64>,
    /// The description a wallet puts in its invoice (`defaultDescription`), ≤ 200 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// One key, one batch: creating again with the same key answers the same batch and sets
    /// nothing more aside.
    pub idempotency_key: String,
}

impl CreateVouchersRequest {
    /// One voucher of `amount_msat` under `idempotency_key`, the rest at defaults.
    pub fn new(amount_msat: Msat, idempotency_key: impl Into<String>) -> CreateVouchersRequest {
        CreateVouchersRequest {
            amount_msat,
            min_withdrawable_msat: None,
            count: None,
            expiry_secs: None,
            description: None,
            idempotency_key: idempotency_key.into(),
        }
    }
}

impl Validate for CreateVouchersRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.amount_msat < MIN_VOUCHER_MSAT || self.amount_msat > MAX_INVOICE_AMOUNT_MSAT {
            return Err(RequestError::new(
                "amount_msat",
                format!(
                    "must be between {} and {}",
                    MIN_VOUCHER_MSAT.as_u64(),
                    MAX_INVOICE_AMOUNT_MSAT.as_u64()
                ),
            ));
        }
        if let Some(min) = self.min_withdrawable_msat {
            if min < MIN_VOUCHER_MSAT || min > self.amount_msat {
                return Err(RequestError::new(
                    "min_withdrawable_msat",
                    format!(
                        "must be between {} and amount_msat",
                        MIN_VOUCHER_MSAT.as_u64()
                    ),
                ));
            }
        }
        if self.count.is_some_and(|c| c == 0 || c > MAX_VOUCHER_BATCH) {
            return Err(RequestError::new(
                "count",
                format!("must be between 1 and {MAX_VOUCHER_BATCH}"),
            ));
        }
        if self
            .expiry_secs
            .is_some_and(|e| !(MIN_VOUCHER_EXPIRY_SECS..=MAX_VOUCHER_EXPIRY_SECS).contains(&e))
        {
            return Err(RequestError::new(
                "expiry_secs",
                format!("must be between {MIN_VOUCHER_EXPIRY_SECS} and {MAX_VOUCHER_EXPIRY_SECS}"),
            ));
        }
        if self
            .description
            .as_deref()
            .is_some_and(|d| d.len() > MAX_VOUCHER_DESCRIPTION_BYTES)
        {
            return Err(RequestError::new(
                "description",
                format!("must be at most {MAX_VOUCHER_DESCRIPTION_BYTES} bytes of UTF-8"),
            ));
        }
        check_client_key("idempotency_key", &self.idempotency_key)
    }
}

/// Where a voucher stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoucherStatus {
    /// Claimable: its value is set aside.
    Active,
    /// A wallet's invoice is being paid; back to `active` if that payment fails.
    Claiming,
    /// Paid to a wallet (final).
    Claimed,
    /// Not claimed in time; its value returned to the balance (final).
    Expired,
    /// Cancelled by the account; its value returned to the balance (final).
    Cancelled,
}

impl VoucherStatus {
    /// Every status.
    pub const ALL: [VoucherStatus; 5] = [
        VoucherStatus::Active,
        VoucherStatus::Claiming,
        VoucherStatus::Claimed,
        VoucherStatus::Expired,
        VoucherStatus::Cancelled,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            VoucherStatus::Active => "active",
            VoucherStatus::Claiming => "claiming",
            VoucherStatus::Claimed => "claimed",
            VoucherStatus::Expired => "expired",
            VoucherStatus::Cancelled => "cancelled",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<VoucherStatus> {
        VoucherStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A voucher of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspVoucher {
    /// Its id (`vch_…`).
    pub id: String,
    /// The batch it was created in (`vbt_…`).
    pub batch_id: String,
    /// Where it stands.
    pub status: VoucherStatus,
    /// The most a claim takes.
    pub amount_msat: Msat,
    /// The least a claim takes.
    pub min_withdrawable_msat: Msat,
    /// What is set aside while it is claimable: `amount_msat` plus the routing-fee allowance.
    pub reserved_msat: Msat,
    /// The description a wallet puts in its invoice.
    pub description: String,
    /// The LNURL-withdraw code (`LNURL1…`, bech32) to print as a QR code. Whoever holds it
    /// can claim the voucher: treat it as cash.
    pub lnurl: String,
    /// The same link as a URL (LUD-17 `lnurlw://` form is this with the scheme replaced).
    pub url: String,
    /// When an unclaimed voucher expires (unix seconds).
    pub expires_at: u64,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// What the claim took, once claimed.
    pub claimed_msat: Option<Msat>,
    /// The payment that paid the claim (a payment of the account), while claiming or claimed.
    pub payment_id: Option<String>,
    /// When it was claimed, expired or cancelled.
    pub completed_at: Option<u64>,
}

/// A batch of vouchers, as created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherBatch {
    /// Its id (`vbt_…`).
    pub id: String,
    /// Its vouchers, in creation order.
    pub vouchers: Vec<LspVoucher>,
    /// Everything set aside for them.
    pub reserved_msat: Msat,
    /// Creation time, unix seconds.
    pub created_at: u64,
}

/// Query of `GET /v1/vouchers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListVouchersRequest {
    /// Only this batch's vouchers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    /// Only vouchers in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VoucherStatus>,
    /// Page size, 1 to 100 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl Validate for ListVouchersRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if let Some(batch) = &self.batch_id {
            check_client_key("batch_id", batch)?;
        }
        if self.limit.is_some_and(|l| l == 0 || l > MAX_PAGE_LIMIT) {
            return Err(RequestError::new(
                "limit",
                format!("must be between 1 and {MAX_PAGE_LIMIT}"),
            ));
        }
        Ok(())
    }
}

/// A page of the account's vouchers, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherList {
    /// The page's vouchers.
    pub items: Vec<LspVoucher>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CreateVouchersRequest {
        CreateVouchersRequest::new(Msat::from_msat(50_000), "prizes-1")
    }

    #[test]
    fn s23_requests_outside_limits_name_their_field() {
        assert_eq!(request().validate(), Ok(()));
        let field = |r: CreateVouchersRequest| r.validate().unwrap_err().field;
        let mut r = request();
        r.amount_msat = Msat::from_msat(999);
        assert_eq!(field(r), "amount_msat");
        let mut r = request();
        r.min_withdrawable_msat = Some(Msat::from_msat(50_001));
        assert_eq!(field(r), "min_withdrawable_msat");
        let mut r = request();
        r.count = Some(MAX_VOUCHER_BATCH + 1);
        assert_eq!(field(r), "count");
        let mut r = request();
        r.expiry_secs = Some(MIN_VOUCHER_EXPIRY_SECS - 1);
        assert_eq!(field(r), "expiry_secs");
        let mut r = request();
        r.description = Some("x".repeat(MAX_VOUCHER_DESCRIPTION_BYTES + 1));
        assert_eq!(field(r), "description");
        let mut r = request();
        r.idempotency_key = String::new();
        assert_eq!(field(r), "idempotency_key");
    }

    #[test]
    fn s23_statuses_round_trip_their_names() {
        for s in VoucherStatus::ALL {
            assert_eq!(VoucherStatus::from_name(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
    }
}
