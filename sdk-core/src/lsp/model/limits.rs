//! Every limit of the LSP API v1, stated once: the client checks requests against these before
//! sending, the server checks them on receipt, and a test compares them with the bounds
//! `lsp/openapi.json` publishes (so the document, the client and the server cannot disagree).
//!
//! Lengths named `*_BYTES` count UTF-8 bytes (BOLT11 limits descriptions in bytes); the
//! document states them as `x-etrid-max-bytes`, since JSON Schema's `maxLength` counts
//! characters.

use crate::amount::Msat;

/// Longest id in a path, `external_id` or `idempotency_key`, in characters (all ASCII).
pub const MAX_ID_LEN: usize = 128;

/// Largest amount an invoice may ask for. BOLT11 encodes amounts in pico-bitcoin in a `u64`, so
/// `amount_msat × 10` must fit: anything larger cannot be put in an invoice at all.
pub const MAX_INVOICE_AMOUNT_MSAT: Msat = Msat::from_msat(u64::MAX / 10);

/// Largest amount, fee limit or balance on the wire: the 21 million bitcoin supply.
pub const MAX_AMOUNT_MSAT: Msat = Msat::MAX_SUPPLY;

/// Longest invoice description BOLT11 can carry, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 639;

/// Largest `metadata` object, serialised as compact JSON, in bytes.
pub const MAX_METADATA_BYTES: usize = 4096;

/// Shortest invoice expiry, in seconds.
pub const MIN_EXPIRY_SECS: u64 = 1;

/// Longest invoice expiry, in seconds: one year.
pub const MAX_EXPIRY_SECS: u64 = 365 * 24 * 3600;

/// Invoice expiry when none is given, in seconds.
pub const DEFAULT_EXPIRY_SECS: u64 = 3600;

/// Most multi-path parts a payment may be split into (LDK counts paths in a `u8`).
pub const MAX_PARTS: u32 = 255;

/// Shortest payment retry window, in seconds.
pub const MIN_TIMEOUT_SECS: u64 = 1;

/// Longest payment retry window, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// Most custom TLV records on one keysend.
pub const MAX_CUSTOM_RECORDS: usize = 32;

/// Longest custom TLV record value, in bytes.
pub const MAX_CUSTOM_RECORD_BYTES: usize = 1024;

/// First TLV type of the custom range (BOLT 1: types 2^16 and above).
pub const MIN_CUSTOM_RECORD_TYPE: u64 = 65_536;

/// The keysend preimage TLV type, which the node sets itself and custom records must not use.
pub const KEYSEND_RECORD_TYPE: u64 = 5_482_373_484;

/// The TLV type naming, in UTF-8, the Lightning Address (the name before `@`) a keysend to the
/// LSP's node pays: the account owning that address is credited, and a keysend naming no
/// address of the LSP is refused. 696969 is the `customKey` custodial wallets publish for
/// keysend (Podcasting 2.0 value blocks); odd, so nodes that do not know it ignore it.
pub const KEYSEND_ADDRESS_RECORD_TYPE: u64 = 696_969;

/// Longest API key label, in bytes.
pub const MAX_LABEL_BYTES: usize = 128;

/// The longest Lightning Address name (the part before `@`), in characters.
pub const MAX_ADDRESS_NAME_LEN: usize = 64;

/// The most characters of comment a Lightning Address may accept (LUD-12).
pub const MAX_ADDRESS_COMMENT_LEN: u32 = 1000;

/// The default least amount a Lightning Address accepts, in msat.
pub const DEFAULT_ADDRESS_MIN_MSAT: Msat = Msat::from_msat(1_000);

/// The default most amount a Lightning Address accepts, in msat (1,000,000 sat).
pub const DEFAULT_ADDRESS_MAX_MSAT: Msat = Msat::from_msat(1_000_000_000);

/// Longest webhook URL, in bytes.
pub const MAX_WEBHOOK_URL_BYTES: usize = 2048;

/// Longest webhook description, in bytes.
pub const MAX_WEBHOOK_DESCRIPTION_BYTES: usize = 256;

/// Largest page of a list (`limit`), and the default.
pub const MAX_PAGE_LIMIT: u32 = 100;

/// Page size of a list when `limit` is not given.
pub const DEFAULT_PAGE_LIMIT: u32 = 50;

/// Largest page of `GET /v1/events`.
pub const MAX_EVENTS_LIMIT: u32 = 1000;

/// Page size of `GET /v1/events` when `limit` is not given.
pub const DEFAULT_EVENTS_LIMIT: u32 = 100;

/// Whether `id` is a resource id the server issues (`inv_…`): 1 to [`MAX_ID_LEN`] of
/// `A-Z a-z 0-9 _ -`.
pub fn is_resource_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// Whether `key` is a caller-chosen key (`external_id`, `idempotency_key`): 1 to
/// [`MAX_ID_LEN`] of `A-Z a-z 0-9 _ - . :` (so `order:42` or `match.7` work).
pub fn is_client_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_ID_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}
