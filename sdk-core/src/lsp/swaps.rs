//! Swaps with the LSP as swap server (S35–S39): its terms, starting a submarine or reverse
//! swap, reading swaps. These calls only carry the protocol; the checks that make a swap safe
//! (script, hash, amounts and timeout rebuilt and compared, the lockup watched on chain) are
//! the swap flow's, which never trusts what these answers say.

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateReverseSwapRequest, CreateSubmarineSwapRequest, ListPageRequest, LspSwap, SwapInfo,
    SwapList, Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// The LSP's swap terms: limits, fees, timeouts, confirmations and its chain tip (`GET
    /// /v1/swaps/info`, invoice scope).
    ///
    /// # Errors
    /// The server's `swaps_unavailable` when it offers no swaps; transport errors.
    pub async fn swap_info(&self) -> Result<SwapInfo, LspError> {
        self.call(Method::Get, "/v1/swaps/info", &Query::new(), None)
            .await
    }

    /// Starts a submarine swap (`POST /v1/swaps/submarine`, admin scope): the LSP will pay
    /// `bolt11` once coins are locked at the address it answers. The same invoice and key again
    /// answer the same swap.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for an empty or oversized invoice (nothing sent); the
    /// server's `invalid_invoice` (unpayable, wrong network, expiring too soon),
    /// `invalid_request` (amount outside the limits) or `swaps_unavailable`.
    pub async fn create_submarine_swap(
        &self,
        request: CreateSubmarineSwapRequest,
    ) -> Result<LspSwap, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/swaps/submarine", &Query::new(), body)
            .await
    }

    /// Starts a reverse swap (`POST /v1/swaps/reverse`, admin scope): the LSP answers with a
    /// hold invoice for `payment_hash` and locks the coins once the payment is held. The same
    /// hash, key and amount again answer the same swap.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for an amount that is not whole positive satoshis (nothing
    /// sent); the server's `invalid_request` (outside the limits), `idempotency_mismatch` (the
    /// hash reused with another key or amount) or `swaps_unavailable`.
    pub async fn create_reverse_swap(
        &self,
        request: CreateReverseSwapRequest,
    ) -> Result<LspSwap, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/swaps/reverse", &Query::new(), body)
            .await
    }

    /// One swap of the account (`GET /v1/swaps/{swap_id}`, invoice scope).
    ///
    /// # Errors
    /// [`LspError::NotFound`] when the account has no such swap.
    pub async fn get_swap(&self, swap_id: &str) -> Result<LspSwap, LspError> {
        let id = checked_id("swap_id", swap_id)?;
        self.call(Method::Get, &format!("/v1/swaps/{id}"), &Query::new(), None)
            .await
    }

    /// The account's swaps, newest first (`GET /v1/swaps`, invoice scope): what a client
    /// restoring from its rescue key pages through.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a page limit outside 1..=100; server and transport
    /// errors.
    pub async fn list_swaps(&self, request: ListPageRequest) -> Result<SwapList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/swaps", &query, None).await
    }
}
