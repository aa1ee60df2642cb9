//! Lightning Addresses the LSP serves for an account (LUD-16 over LUD-06): `name@host` for a
//! shop, a streamer or a player, paid by any wallet; each payment is an invoice of the account
//! with the LNURL metadata's hash as its description hash.

use serde::{Deserialize, Serialize};

use crate::amount::Msat;

/// Body of `POST /v1/lightning-addresses`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLightningAddressRequest {
    /// The name before `@`: 1 to 64 of `a-z 0-9 - _`, unique on this LSP.
    pub name: String,
    /// What wallets show the payer (the metadata's `text/plain`); default "Pay name@host".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The least a payment may be, in msat (default 1,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sendable_msat: Option<Msat>,
    /// The most a payment may be, in msat (default 1,000,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sendable_msat: Option<Msat>,
    /// How many characters of comment a payer may attach (LUD-12); default 0, at most 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_allowed: Option<u32>,
    /// A message wallets show once paid (LUD-09 `message` success action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_message: Option<String>,
}

/// A Lightning Address of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspLightningAddress {
    /// The name before `@`.
    pub name: String,
    /// The full address, `name@host`.
    pub address: String,
    /// The same as a bech32 LNURL (`LNURL1…`), for QR codes of wallets without LUD-16.
    pub lnurl: String,
    /// What wallets show the payer.
    pub description: String,
    /// The least a payment may be.
    pub min_sendable_msat: Msat,
    /// The most a payment may be.
    pub max_sendable_msat: Msat,
    /// Characters of comment a payer may attach.
    pub comment_allowed: u32,
    /// The message wallets show once paid.
    pub success_message: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: u64,
}

/// A page of the account's Lightning Addresses, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightningAddressList {
    /// The page's addresses.
    pub items: Vec<LspLightningAddress>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
