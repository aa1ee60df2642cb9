//! API keys: created with 256 random bits (shown once, stored as a SHA-256 hash), listed,
//! revoked. An account always keeps at least one active admin key.

use etrid_core::lsp::{ApiKey, CreateApiKeyResponse};

use super::accounts::{parse_scope, scope_str, Scope};
use super::StoreError;
use super::{page, Cursor, ListFilter, Store, LIST_TAIL};
use crate::db::{Row, Stmt, Value};
use crate::ids;
use crate::time::now_secs;

const KEY_COLUMNS: &str = "id, scope, label, prefix, created_at, last_used_at, revoked_at";

fn key_from_row(r: &Row) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: r.text(0)?,
        scope: parse_scope(&r.text(1)?)?,
        label: r.text(2)?,
        prefix: r.text(3)?,
        created_at: r.uint(4)?,
        last_used_at: r.opt_uint(5)?,
        revoked_at: r.opt_uint(6)?,
    })
}

impl Store {
    /// Creates a key for the account; the answer holds the key itself, the only time it is
    /// shown.
    ///
    /// # Errors
    /// Database or entropy failures (the label was validated by the caller).
    pub async fn create_key(
        &self,
        account_id: &str,
        scope: Scope,
        label: &str,
    ) -> Result<CreateApiKeyResponse, StoreError> {
        let kind = match scope {
            Scope::Invoice => "inv",
            Scope::Admin => "adm",
        };
        let key = format!("etrid_{kind}_{}", ids::hex(&ids::random_bytes::<32>()?));
        // The prefix identifies a key in listings without revealing it.
        let prefix: String = key.chars().take(18).collect();
        let id = ids::new_id("key")?;
        let created_at = now_secs();
        self.db
            .batch(vec![Stmt::new(
                "INSERT INTO api_keys (id, account_id, scope, label, prefix, key_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                vec![
                    id.clone().into(),
                    account_id.into(),
                    scope_str(scope).into(),
                    label.into(),
                    prefix.clone().into(),
                    ids::sha256_hex(key.as_bytes()).into(),
                    created_at.into(),
                ],
            )])
            .await?;
        Ok(CreateApiKeyResponse {
            id,
            scope,
            label: label.to_owned(),
            prefix,
            created_at,
            key,
        })
    }

    /// A page of the account's keys, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_keys(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<ApiKey>, Option<String>), StoreError> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE account_id = $1 {}",
            LIST_TAIL.replace("status = $2", "scope = $2")
        );
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let rows = self.db.query(&sql, params).await?;
        let keys = rows
            .iter()
            .map(key_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(keys, filter.limit, |k| Cursor {
            created_at: k.created_at,
            id: k.id.clone(),
        }))
    }

    /// Revokes a key at once. Revoking twice returns the same revoked key.
    ///
    /// # Errors
    /// `not_found` for another account's or an unknown key; `conflict` when it is the
    /// account's last active admin key.
    pub async fn revoke_key(&self, account_id: &str, key_id: &str) -> Result<ApiKey, StoreError> {
        let now = now_secs();
        let result = self
            .db
            .batch(vec![Stmt::guarded(
                "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND account_id = $3 \
                 AND revoked_at IS NULL AND (scope <> 'admin' OR \
                 (SELECT COUNT(*) FROM api_keys WHERE account_id = $3 AND scope = 'admin' \
                  AND revoked_at IS NULL) > 1)",
                vec![now.into(), key_id.into(), account_id.into()],
                1,
            )])
            .await;
        self.forget_key(key_id);
        let row = self
            .db
            .query_opt(
                &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1 AND account_id = $2"),
                vec![key_id.into(), account_id.into()],
            )
            .await?
            .ok_or_else(|| StoreError::not_found("API key"))?;
        let key = key_from_row(&row)?;
        match result {
            Ok(_) => Ok(key),
            Err(e) if e.is_guard() => {
                if key.revoked_at.is_some() {
                    Ok(key)
                } else {
                    Err(StoreError::conflict(
                        "this is the account's last active admin key",
                    ))
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}
