//! Lightning Addresses the LSP serves for the account: create, list, delete (admin scope).

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateLightningAddressRequest, LightningAddressList, ListPageRequest, LspLightningAddress,
    Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Creates a Lightning Address `name@host` for the account (`POST
    /// /v1/lightning-addresses`, admin scope): any wallet can then pay the account through it.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a bad name or bounds (nothing sent); the server's
    /// `conflict` when the name is taken on this LSP.
    pub async fn create_lightning_address(
        &self,
        request: CreateLightningAddressRequest,
    ) -> Result<LspLightningAddress, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/lightning-addresses", &Query::new(), body)
            .await
    }

    /// The account's Lightning Addresses, newest first (`GET /v1/lightning-addresses`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_lightning_addresses(
        &self,
        request: ListPageRequest,
    ) -> Result<LightningAddressList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/lightning-addresses", &query, None)
            .await
    }

    /// Deletes a Lightning Address (`DELETE /v1/lightning-addresses/{name}`): payments to it
    /// are refused from then on, and the name is free again.
    ///
    /// # Errors
    /// [`LspError::NotFound`] when the account has no such address.
    pub async fn delete_lightning_address(&self, name: &str) -> Result<(), LspError> {
        let name = checked_id("name", name)?;
        self.call_no_content(Method::Delete, &format!("/v1/lightning-addresses/{name}"))
            .await
    }
}
