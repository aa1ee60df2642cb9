//! An account's money and keys as the API reads and changes them: balance, ledger, and API
//! key management (create with the secret shown once, list, revoke).

use etrid_core::lsp::{
    ApiKey, ApiKeyList, Balance, CreateApiKeyRequest, CreateApiKeyResponse, LedgerList, Validate,
};

use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, ListFilter};

impl Engine {
    /// The account's balance.
    ///
    /// # Errors
    /// Database failures.
    pub async fn balance(&self, ctx: &AuthContext) -> Result<Balance, ServerError> {
        Ok(self.store.balance(&ctx.account_id).await?)
    }

    /// A page of the account's ledger, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn ledger(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<LedgerList, ServerError> {
        let (items, next_cursor) = self.store.list_ledger(&ctx.account_id, filter).await?;
        Ok(LedgerList { items, next_cursor })
    }

    /// Creates an API key of the account; the answer carries the secret, shown only here.
    ///
    /// # Errors
    /// `invalid_request` (label), database or entropy failures.
    pub async fn create_key(
        &self,
        ctx: &AuthContext,
        req: CreateApiKeyRequest,
    ) -> Result<CreateApiKeyResponse, ServerError> {
        req.validate()?;
        Ok(self
            .store
            .create_key(&ctx.account_id, req.scope, &req.label)
            .await?)
    }

    /// A page of the account's keys (without secrets), newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_keys(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<ApiKeyList, ServerError> {
        let (items, next_cursor) = self.store.list_keys(&ctx.account_id, filter).await?;
        Ok(ApiKeyList { items, next_cursor })
    }

    /// Revokes a key of the account; it authenticates no more.
    ///
    /// # Errors
    /// `not_found`, `conflict` (the account's last active admin key), database failures.
    pub async fn revoke_key(&self, ctx: &AuthContext, key_id: &str) -> Result<ApiKey, ServerError> {
        Ok(self.store.revoke_key(&ctx.account_id, key_id).await?)
    }
}
