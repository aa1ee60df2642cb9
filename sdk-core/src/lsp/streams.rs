//! Streaming payments the LSP makes for the account (S24): start, read, pause, resume, stop
//! (admin scope). See [`super::model::CreateStreamRequest`].

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateStreamRequest, ListPageRequest, LspStream, StreamKey, StreamList, Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Starts a stream (`POST /v1/streams`, admin scope): the LSP pays the destination
    /// `rate_msat_per_sec` for every second it runs, one payment per tick, never beyond the
    /// budget. With the same `idempotency_key`, answers the same stream.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] naming the bad field (nothing sent); the server's
    /// `invalid_request` for a payee account that does not exist, `idempotency_mismatch`.
    pub async fn create_stream(&self, request: CreateStreamRequest) -> Result<LspStream, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/streams", &Query::new(), body)
            .await
    }

    /// One stream, its figures as of its last step (`GET /v1/streams/{id}`, admin scope).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn get_stream(&self, id: &str) -> Result<LspStream, LspError> {
        let id = checked_id("stream_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/streams/{id}"),
            &Query::new(),
            None,
        )
        .await
    }

    /// The account's streams, newest first (`GET /v1/streams`, admin scope).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_streams(&self, request: ListPageRequest) -> Result<StreamList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/streams", &query, None).await
    }

    /// Pauses a running stream (`POST /v1/streams/{id}/pause`): its time stops being charged.
    ///
    /// # Errors
    /// [`LspError::NotFound`]; the server's `conflict` unless running.
    pub async fn pause_stream(&self, id: &str) -> Result<LspStream, LspError> {
        self.stream_action(id, "pause").await
    }

    /// Resumes a paused stream (`POST /v1/streams/{id}/resume`).
    ///
    /// # Errors
    /// [`LspError::NotFound`]; the server's `conflict` unless paused.
    pub async fn resume_stream(&self, id: &str) -> Result<LspStream, LspError> {
        self.stream_action(id, "resume").await
    }

    /// Stops a stream for good (`POST /v1/streams/{id}/stop`): what its time earned is paid
    /// (`settling`, then `finished`).
    ///
    /// # Errors
    /// [`LspError::NotFound`]; the server's `conflict` once stopped.
    pub async fn stop_stream(&self, id: &str) -> Result<LspStream, LspError> {
        self.stream_action(id, "stop").await
    }

    /// Issues the stream's key (`POST /v1/streams/{id}/key`, admin scope): a key that reads,
    /// pauses, resumes and stops this stream and does nothing else, for a game client to hold
    /// as its `api_key`. A new key replaces the previous one.
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn create_stream_key(&self, id: &str) -> Result<StreamKey, LspError> {
        let id = checked_id("stream_id", id)?;
        self.call(
            Method::Post,
            &format!("/v1/streams/{id}/key"),
            &Query::new(),
            None,
        )
        .await
    }

    async fn stream_action(&self, id: &str, action: &str) -> Result<LspStream, LspError> {
        let id = checked_id("stream_id", id)?;
        self.call(
            Method::Post,
            &format!("/v1/streams/{id}/{action}"),
            &Query::new(),
            None,
        )
        .await
    }
}
