//! [`Validate`]: the checks of every request body, written once against [`super::limits`].
//! The client runs them before sending (so a bad request costs no round trip) and the server
//! runs them on receipt (so no other client gets past them); both answer with the field and the
//! reason of [`RequestError`].

use std::collections::BTreeSet;

use thiserror::Error;

use super::limits::{
    is_client_key, KEYSEND_RECORD_TYPE, MAX_AMOUNT_MSAT, MAX_CUSTOM_RECORDS,
    MAX_CUSTOM_RECORD_BYTES, MAX_DESCRIPTION_BYTES, MAX_EXPIRY_SECS, MAX_ID_LEN,
    MAX_INVOICE_AMOUNT_MSAT, MAX_LABEL_BYTES, MAX_METADATA_BYTES, MAX_PARTS, MAX_TIMEOUT_SECS,
    MAX_WEBHOOK_DESCRIPTION_BYTES, MAX_WEBHOOK_URL_BYTES, MIN_CUSTOM_RECORD_TYPE, MIN_EXPIRY_SECS,
    MIN_TIMEOUT_SECS,
};
use super::limits::{
    DEFAULT_ADDRESS_MAX_MSAT, DEFAULT_ADDRESS_MIN_MSAT, MAX_ADDRESS_COMMENT_LEN,
    MAX_ADDRESS_NAME_LEN, MAX_EVENTS_LIMIT, MAX_PAGE_LIMIT,
};
use super::{
    CreateApiKeyRequest, CreateHoldInvoiceRequest, CreateInvoiceRequest,
    CreateLightningAddressRequest, CreateWebhookRequest, DescriptionHash, KeysendRequest,
    ListEventsRequest, ListInvoicesRequest, ListLedgerRequest, ListPageRequest,
    ListPaymentsRequest, PayInvoiceRequest, SettleHoldInvoiceRequest,
};
use crate::amount::Msat;

/// A request field outside the API's limits.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
#[non_exhaustive]
pub struct RequestError {
    /// The field, as named on the wire (`custom_records.type` for a field of a list item).
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl RequestError {
    /// An error for `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> RequestError {
        RequestError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A request body the API can check without the server's state.
pub trait Validate {
    /// Checks every field against the API's limits.
    ///
    /// # Errors
    /// The first field outside its limits.
    fn validate(&self) -> Result<(), RequestError>;
}

/// The fields both invoice kinds share.
fn check_invoice_fields(
    amount_msat: Option<Msat>,
    description: Option<&str>,
    description_hash: Option<&DescriptionHash>,
    expiry_secs: Option<u64>,
    external_id: Option<&str>,
    metadata: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<(), RequestError> {
    if let Some(amount) = amount_msat {
        if amount.as_u64() == 0 || amount > MAX_INVOICE_AMOUNT_MSAT {
            return Err(RequestError::new(
                "amount_msat",
                format!(
                    "must be between 1 and {} (the most a BOLT11 invoice can encode)",
                    MAX_INVOICE_AMOUNT_MSAT.as_u64()
                ),
            ));
        }
    }
    if description.is_some() && description_hash.is_some() {
        return Err(RequestError::new(
            "description_hash",
            "give description or description_hash, not both",
        ));
    }
    if description.is_some_and(|d| d.len() > MAX_DESCRIPTION_BYTES) {
        return Err(RequestError::new(
            "description",
            format!("must be at most {MAX_DESCRIPTION_BYTES} bytes of UTF-8"),
        ));
    }
    if let Some(expiry) = expiry_secs {
        if !(MIN_EXPIRY_SECS..=MAX_EXPIRY_SECS).contains(&expiry) {
            return Err(RequestError::new(
                "expiry_secs",
                format!("must be between {MIN_EXPIRY_SECS} and {MAX_EXPIRY_SECS}"),
            ));
        }
    }
    if let Some(id) = external_id {
        check_client_key("external_id", id)?;
    }
    if let Some(map) = metadata {
        let size = serde_json::to_vec(map)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_METADATA_BYTES {
            return Err(RequestError::new(
                "metadata",
                format!("must be at most {MAX_METADATA_BYTES} bytes as compact JSON"),
            ));
        }
    }
    Ok(())
}

/// Checks an `external_id` or `idempotency_key`.
pub(super) fn check_client_key(field: &str, key: &str) -> Result<(), RequestError> {
    if is_client_key(key) {
        Ok(())
    } else {
        Err(RequestError::new(
            field,
            format!("must be 1 to {MAX_ID_LEN} characters of A-Z a-z 0-9 _ - . :"),
        ))
    }
}

/// The payment fields both payment kinds share.
fn check_payment_fields(
    max_fee_msat: Option<Msat>,
    max_parts: Option<u32>,
    timeout_secs: Option<u64>,
    idempotency_key: &str,
) -> Result<(), RequestError> {
    check_client_key("idempotency_key", idempotency_key)?;
    if max_fee_msat.is_some_and(|f| f > MAX_AMOUNT_MSAT) {
        return Err(RequestError::new(
            "max_fee_msat",
            format!("must be at most {}", MAX_AMOUNT_MSAT.as_u64()),
        ));
    }
    if let Some(parts) = max_parts {
        if !(1..=MAX_PARTS).contains(&parts) {
            return Err(RequestError::new(
                "max_parts",
                format!("must be between 1 and {MAX_PARTS}"),
            ));
        }
    }
    if let Some(timeout) = timeout_secs {
        if !(MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&timeout) {
            return Err(RequestError::new(
                "timeout_secs",
                format!("must be between {MIN_TIMEOUT_SECS} and {MAX_TIMEOUT_SECS}"),
            ));
        }
    }
    Ok(())
}

/// Both invoice requests share their fields' checks.
macro_rules! validate_invoice_request {
    ($($request:ty),+) => {$(
        impl Validate for $request {
            fn validate(&self) -> Result<(), RequestError> {
                check_invoice_fields(
                    self.amount_msat,
                    self.description.as_deref(),
                    self.description_hash.as_ref(),
                    self.expiry_secs,
                    self.external_id.as_deref(),
                    self.metadata.as_ref(),
                )
            }
        }
    )+};
}

validate_invoice_request!(CreateHoldInvoiceRequest);

impl Validate for CreateInvoiceRequest {
    fn validate(&self) -> Result<(), RequestError> {
        check_invoice_fields(
            self.amount_msat,
            self.description.as_deref(),
            self.description_hash.as_ref(),
            self.expiry_secs,
            self.external_id.as_deref(),
            self.metadata.as_ref(),
        )?;
        if let Some(quote) = &self.quote_id {
            if self.amount_msat.is_some() {
                return Err(RequestError::new(
                    "quote_id",
                    "give amount_msat or quote_id, not both: the quote sets the amount",
                ));
            }
            if !super::limits::is_resource_id(quote) {
                return Err(RequestError::new("quote_id", "is not a quote id (quo_…)"));
            }
        }
        Ok(())
    }
}

impl Validate for SettleHoldInvoiceRequest {
    fn validate(&self) -> Result<(), RequestError> {
        // The preimage's type already guarantees 32 bytes of hex.
        Ok(())
    }
}

impl Validate for PayInvoiceRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.bolt11.trim().is_empty() {
            return Err(RequestError::new("bolt11", "must not be empty"));
        }
        if self.amount_msat.is_some_and(|a| a.as_u64() == 0) {
            return Err(RequestError::new("amount_msat", "must be positive"));
        }
        if self.amount_msat.is_some_and(|a| a > MAX_AMOUNT_MSAT) {
            return Err(RequestError::new(
                "amount_msat",
                format!("must be at most {}", MAX_AMOUNT_MSAT.as_u64()),
            ));
        }
        check_payment_fields(
            self.max_fee_msat,
            self.max_parts,
            self.timeout_secs,
            &self.idempotency_key,
        )
    }
}

impl Validate for KeysendRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.amount_msat.as_u64() == 0 || self.amount_msat > MAX_AMOUNT_MSAT {
            return Err(RequestError::new(
                "amount_msat",
                format!("must be between 1 and {}", MAX_AMOUNT_MSAT.as_u64()),
            ));
        }
        if self.custom_records.len() > MAX_CUSTOM_RECORDS {
            return Err(RequestError::new(
                "custom_records",
                format!("at most {MAX_CUSTOM_RECORDS} records"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, record) in self.custom_records.iter().enumerate() {
            let t = record.record_type;
            if t < MIN_CUSTOM_RECORD_TYPE || t == KEYSEND_RECORD_TYPE {
                return Err(RequestError::new(
                    "custom_records.type",
                    format!(
                        "record {i}: type {t} must be at least {MIN_CUSTOM_RECORD_TYPE} and not \
                         the keysend type {KEYSEND_RECORD_TYPE}"
                    ),
                ));
            }
            if !seen.insert(t) {
                return Err(RequestError::new(
                    "custom_records.type",
                    format!("record {i}: type {t} appears twice"),
                ));
            }
            if record.value.len() > MAX_CUSTOM_RECORD_BYTES {
                return Err(RequestError::new(
                    "custom_records.value",
                    format!("record {i}: must be at most {MAX_CUSTOM_RECORD_BYTES} bytes"),
                ));
            }
        }
        check_payment_fields(
            self.max_fee_msat,
            self.max_parts,
            self.timeout_secs,
            &self.idempotency_key,
        )
    }
}

impl Validate for CreateApiKeyRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.label.is_empty() || self.label.len() > MAX_LABEL_BYTES {
            return Err(RequestError::new(
                "label",
                format!("must be 1 to {MAX_LABEL_BYTES} bytes of UTF-8"),
            ));
        }
        Ok(())
    }
}

impl Validate for CreateLightningAddressRequest {
    fn validate(&self) -> Result<(), RequestError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= MAX_ADDRESS_NAME_LEN
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(RequestError::new(
                "name",
                format!("must be 1 to {MAX_ADDRESS_NAME_LEN} of a-z 0-9 - _"),
            ));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.is_empty() || d.len() > MAX_DESCRIPTION_BYTES)
        {
            return Err(RequestError::new(
                "description",
                format!("must be 1 to {MAX_DESCRIPTION_BYTES} bytes of UTF-8"),
            ));
        }
        let min = self.min_sendable_msat.unwrap_or(DEFAULT_ADDRESS_MIN_MSAT);
        let max = self.max_sendable_msat.unwrap_or(DEFAULT_ADDRESS_MAX_MSAT);
        if min == Msat::ZERO || min > max || max > MAX_INVOICE_AMOUNT_MSAT {
            return Err(RequestError::new(
                "min_sendable_msat",
                format!(
                    "must be at least 1 and at most max_sendable_msat, itself at most {} msat",
                    MAX_INVOICE_AMOUNT_MSAT.as_u64()
                ),
            ));
        }
        if self
            .comment_allowed
            .is_some_and(|c| c > MAX_ADDRESS_COMMENT_LEN)
        {
            return Err(RequestError::new(
                "comment_allowed",
                format!("must be at most {MAX_ADDRESS_COMMENT_LEN}"),
            ));
        }
        if self
            .success_message
            .as_ref()
            .is_some_and(|m| m.is_empty() || m.chars().count() > 144)
        {
            return Err(RequestError::new(
                "success_message",
                "must be 1 to 144 characters (LUD-09)",
            ));
        }
        Ok(())
    }
}

impl Validate for CreateWebhookRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.url.len() > MAX_WEBHOOK_URL_BYTES {
            return Err(RequestError::new(
                "url",
                format!("must be at most {MAX_WEBHOOK_URL_BYTES} bytes"),
            ));
        }
        let url =
            url::Url::parse(&self.url).map_err(|e| RequestError::new("url", e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RequestError::new("url", "must be an http or https URL"));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.len() > MAX_WEBHOOK_DESCRIPTION_BYTES)
        {
            return Err(RequestError::new(
                "description",
                format!("must be at most {MAX_WEBHOOK_DESCRIPTION_BYTES} bytes of UTF-8"),
            ));
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = self.event_types.iter().find(|t| !seen.insert(t.as_str())) {
            return Err(RequestError::new(
                "event_types",
                format!("{} appears twice", dup.as_str()),
            ));
        }
        Ok(())
    }
}

/// List requests check their page size against their list's maximum.
macro_rules! validate_page_limit {
    ($($request:ty => $max:expr),+) => {$(
        impl Validate for $request {
            fn validate(&self) -> Result<(), RequestError> {
                check_page_limit(self.limit, $max)
            }
        }
    )+};
}

validate_page_limit!(
    ListInvoicesRequest => MAX_PAGE_LIMIT,
    ListPaymentsRequest => MAX_PAGE_LIMIT,
    ListLedgerRequest => MAX_PAGE_LIMIT,
    ListPageRequest => MAX_PAGE_LIMIT,
    ListEventsRequest => MAX_EVENTS_LIMIT
);

/// Checks a list `limit` against `max`.
///
/// # Errors
/// [`RequestError`] naming `limit`.
pub fn check_page_limit(limit: Option<u32>, max: u32) -> Result<(), RequestError> {
    match limit {
        Some(l) if l == 0 || l > max => Err(RequestError::new(
            "limit",
            format!("must be between 1 and {max}"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::model::{CustomRecord, HexBytes};

    fn keysend(records: Vec<CustomRecord>) -> KeysendRequest {
        let destination = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let mut request = KeysendRequest::new(destination, Msat::from_msat(1000), "k");
        request.custom_records = records;
        request
    }

    #[test]
    fn invoice_amounts_stop_where_bolt11_stops() {
        let at = CreateInvoiceRequest {
            amount_msat: Some(MAX_INVOICE_AMOUNT_MSAT),
            ..Default::default()
        };
        assert_eq!(at.validate(), Ok(()));
        let above = CreateInvoiceRequest {
            amount_msat: Some(Msat::from_msat(MAX_INVOICE_AMOUNT_MSAT.as_u64() + 1)),
            ..Default::default()
        };
        assert_eq!(above.validate().unwrap_err().field, "amount_msat");
    }

    #[test]
    fn descriptions_count_bytes_not_characters() {
        let two_byte = "é".repeat(MAX_DESCRIPTION_BYTES / 2);
        let ok = CreateInvoiceRequest {
            description: Some(
                two_byte.clone()
                    + if MAX_DESCRIPTION_BYTES % 2 == 1 {
                        "a"
                    } else {
                        ""
                    },
            ),
            ..Default::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        let over = CreateInvoiceRequest {
            description: Some(two_byte + "é"),
            ..Default::default()
        };
        assert_eq!(over.validate().unwrap_err().field, "description");
    }

    #[test]
    fn duplicate_record_types_are_refused_naming_the_record() {
        let record = |t| CustomRecord {
            record_type: t,
            value: HexBytes::new(vec![1]),
        };
        assert_eq!(keysend(vec![record(70_000)]).validate(), Ok(()));
        let err = keysend(vec![record(70_000), record(70_000)])
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "custom_records.type");
        assert!(err.reason.starts_with("record 1:"), "{err}");
        let err = keysend(vec![record(KEYSEND_RECORD_TYPE)])
            .validate()
            .unwrap_err();
        assert_eq!(err.field, "custom_records.type");
    }

    #[test]
    fn client_keys_allow_dots_and_colons_and_labels_must_not_be_empty() {
        let pay = PayInvoiceRequest {
            bolt11: "lnbc1".into(),
            idempotency_key: "order:42.1".into(),
            ..Default::default()
        };
        assert_eq!(pay.validate(), Ok(()));
        let empty = CreateApiKeyRequest {
            scope: crate::lsp::model::ApiKeyScope::Invoice,
            label: String::new(),
        };
        assert_eq!(empty.validate().unwrap_err().field, "label");
    }
}
