//! The account's balance and ledger (admin scope).

use super::client::Query;
use super::model::{Balance, LedgerList, ListLedgerRequest, Validate};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// The account's available and reserved balance (`GET /v1/balance`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn balance(&self) -> Result<Balance, LspError> {
        self.call(Method::Get, "/v1/balance", &Query::new(), None)
            .await
    }

    /// The account's ledger entries, newest first (`GET /v1/ledger`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_ledger(&self, request: ListLedgerRequest) -> Result<LedgerList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("created_after", request.created_after)
            .opt("created_before", request.created_before)
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/ledger", &query, None).await
    }
}
