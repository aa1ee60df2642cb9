//! Accounts, their balances, and authenticating API keys (hashed at rest, cached in memory,
//! revocation effective at once).

use std::time::{Duration, Instant};

use etrid_core::amount::Msat;
use etrid_core::lsp::{ApiKeyScope, Balance};

use super::Store;
use super::StoreError;
use crate::db::{Stmt, Value};
use crate::ids;
use crate::time::now_secs;

/// How often a key's `last_used_at` is written at most.
const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// A key's scope.
pub type Scope = ApiKeyScope;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id (`acct_…`).
    pub id: String,
    /// Its label.
    pub label: String,
    /// When it was created.
    pub created_at: u64,
}

/// Who is calling: the account and key behind a request's bearer token.
#[derive(Debug, Clone)]
pub struct AuthContext {
    /// The account.
    pub account_id: String,
    /// The key's id.
    pub key_id: String,
    /// The key's scope.
    pub scope: Scope,
    /// When `last_used_at` was last written by this process.
    last_written: Option<Instant>,
}

impl AuthContext {
    /// The account acting through no key, with invoice scope: work the server does on the
    /// account's behalf (an LNURL callback creating the account's invoice).
    pub(crate) fn on_behalf_of(account_id: &str) -> AuthContext {
        AuthContext {
            account_id: account_id.to_owned(),
            key_id: String::new(),
            scope: ApiKeyScope::Invoice,
            last_written: None,
        }
    }
}

/// The text form of a scope in the database.
pub(crate) fn scope_str(scope: Scope) -> &'static str {
    match scope {
        ApiKeyScope::Invoice => "invoice",
        ApiKeyScope::Admin => "admin",
    }
}

/// Parses a stored scope.
pub(crate) fn parse_scope(text: &str) -> Result<Scope, StoreError> {
    match text {
        "invoice" => Ok(ApiKeyScope::Invoice),
        "admin" => Ok(ApiKeyScope::Admin),
        other => Err(crate::db::DbError::Decode {
            reason: format!("unknown scope {other:?}"),
        }
        .into()),
    }
}

impl Store {
    /// Creates an account with a first admin key; returns the account and the key (shown once).
    ///
    /// # Errors
    /// Database or entropy failures.
    pub async fn create_account(
        &self,
        label: &str,
    ) -> Result<(Account, etrid_core::lsp::CreateApiKeyResponse), StoreError> {
        let account = Account {
            id: ids::new_id("acct")?,
            label: label.to_owned(),
            created_at: now_secs(),
        };
        self.db
            .batch(vec![Stmt::new(
                "INSERT INTO accounts (id, label, created_at) VALUES ($1, $2, $3)",
                vec![
                    account.id.clone().into(),
                    account.label.clone().into(),
                    account.created_at.into(),
                ],
            )])
            .await?;
        let key = self
            .create_key(&account.id, ApiKeyScope::Admin, "initial admin key")
            .await?;
        Ok((account, key))
    }

    /// The account behind a bearer token, or `unauthorized`.
    ///
    /// # Errors
    /// [`StoreError::UnknownKey`] for unknown and revoked keys alike.
    pub async fn authenticate(&self, token: &str) -> Result<AuthContext, StoreError> {
        let hash = ids::sha256_hex(token.as_bytes());
        let cached = self.cache().get(&hash).cloned();
        let mut ctx = match cached {
            Some(ctx) => ctx,
            None => {
                let row = self
                    .db
                    .query_opt(
                        "SELECT id, account_id, scope, revoked_at FROM api_keys WHERE key_hash = $1",
                        vec![hash.clone().into()],
                    )
                    .await?
                    .ok_or(StoreError::UnknownKey)?;
                if row.opt_uint(3)?.is_some() {
                    return Err(StoreError::UnknownKey);
                }
                AuthContext {
                    key_id: row.text(0)?,
                    account_id: row.text(1)?,
                    scope: parse_scope(&row.text(2)?)?,
                    last_written: None,
                }
            }
        };
        if ctx
            .last_written
            .is_none_or(|t| t.elapsed() >= LAST_USED_EVERY)
        {
            self.db
                .execute(
                    "UPDATE api_keys SET last_used_at = $1 WHERE id = $2",
                    vec![now_secs().into(), ctx.key_id.clone().into()],
                )
                .await?;
            ctx.last_written = Some(Instant::now());
        }
        self.cache().insert(hash, ctx.clone());
        Ok(ctx)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, AuthContext>> {
        self.auth_cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets a key in the authentication cache (after revocation).
    pub(crate) fn forget_key(&self, key_id: &str) {
        self.cache().retain(|_, ctx| ctx.key_id != key_id);
    }

    /// The account's balance.
    ///
    /// # Errors
    /// `not_found` if the account does not exist.
    pub async fn balance(&self, account_id: &str) -> Result<Balance, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT available_msat, reserved_msat FROM accounts WHERE id = $1",
                vec![Value::from(account_id)],
            )
            .await?
            .ok_or_else(|| StoreError::not_found("account"))?;
        Ok(Balance {
            available_msat: Msat::from_msat(row.uint(0)?),
            reserved_msat: Msat::from_msat(row.uint(1)?),
        })
    }

    /// Every account id (for the operator CLI).
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT id, label, created_at FROM accounts ORDER BY created_at, id",
                vec![],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Account {
                    id: r.text(0)?,
                    label: r.text(1)?,
                    created_at: r.uint(2)?,
                })
            })
            .collect()
    }
}
