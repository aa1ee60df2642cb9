//! Models of API key management: create (the key is returned once), list, revoke.

use serde::{Deserialize, Serialize};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    /// Create and read invoices and events: safe inside a game client.
    Invoice,
    /// Everything of the account: pay, manage keys and webhooks, read all.
    Admin,
}

/// Body of `POST /v1/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// The new key's scope.
    pub scope: ApiKeyScope,
    /// A name to recognise it by.
    pub label: String,
}

/// An API key of the account, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Opaque key id.
    pub id: String,
    /// Its scope.
    pub scope: ApiKeyScope,
    /// Its label.
    pub label: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// Last authenticated use.
    pub last_used_at: Option<u64>,
    /// When revoked.
    pub revoked_at: Option<u64>,
}

/// A created key with its secret, which is never shown again.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateApiKeyResponse {
    /// Opaque key id.
    pub id: String,
    /// Its scope.
    pub scope: ApiKeyScope,
    /// Its label.
    pub label: String,
    /// The first characters of the key.
    pub prefix: String,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// The secret key: store it now.
    pub key: String,
}

impl std::fmt::Debug for CreateApiKeyResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("CreateApiKeyResponse")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .field("label", &self.label)
            .field("prefix", &self.prefix)
            .field("key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A page of API keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyList {
    /// The page's keys.
    pub items: Vec<ApiKey>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
