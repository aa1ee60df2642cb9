//! API key management (admin scope): create (the secret is returned once), list, revoke.

use super::client::{checked_id, json_body, Query};
use super::model::{
    ApiKey, ApiKeyList, CreateApiKeyRequest, CreateApiKeyResponse, ListPageRequest, Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Creates an API key (`POST /v1/api-keys`); the response holds the key, shown only once.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for an empty or over-long label; server errors.
    pub async fn create_api_key(
        &self,
        request: CreateApiKeyRequest,
    ) -> Result<CreateApiKeyResponse, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/api-keys", &Query::new(), body)
            .await
    }

    /// Lists the account's API keys, without secrets (`GET /v1/api-keys`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_api_keys(&self, request: ListPageRequest) -> Result<ApiKeyList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/api-keys", &query, None).await
    }

    /// Revokes an API key at once (`DELETE /v1/api-keys/{id}`).
    ///
    /// # Errors
    /// `conflict` ([`LspError::Api`]) for the account's last admin key.
    pub async fn revoke_api_key(&self, key_id: &str) -> Result<ApiKey, LspError> {
        let id = checked_id("key_id", key_id)?;
        let path = format!("/v1/api-keys/{id}");
        self.call(Method::Delete, &path, &Query::new(), None).await
    }
}
