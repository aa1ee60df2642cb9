//! Recurring payments the LSP runs for the account (S25): authorise a schedule, read it and
//! its history, cancel it (admin scope). See [`super::model::CreateScheduleRequest`].

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateScheduleRequest, ListPageRequest, LspSchedule, ScheduleList, ScheduleRunList, Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Authorises a recurring payment (`POST /v1/schedules`, admin scope): the LSP pays each
    /// occurrence as it falls due, once, until the schedule ends or is cancelled. With the same
    /// `idempotency_key`, answers the same schedule.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] naming the bad field (nothing sent); the server's
    /// `invalid_request` for a payee account that does not exist, `idempotency_mismatch`.
    pub async fn create_schedule(
        &self,
        request: CreateScheduleRequest,
    ) -> Result<LspSchedule, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/schedules", &Query::new(), body)
            .await
    }

    /// One schedule (`GET /v1/schedules/{id}`, admin scope).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn get_schedule(&self, id: &str) -> Result<LspSchedule, LspError> {
        let id = checked_id("schedule_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/schedules/{id}"),
            &Query::new(),
            None,
        )
        .await
    }

    /// The account's schedules, newest first (`GET /v1/schedules`, admin scope).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_schedules(&self, request: ListPageRequest) -> Result<ScheduleList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/schedules", &query, None).await
    }

    /// A schedule's history, newest first: each occurrence run and its payment (`GET
    /// /v1/schedules/{id}/runs`, admin scope; the newest 100).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn schedule_runs(&self, id: &str) -> Result<ScheduleRunList, LspError> {
        let id = checked_id("schedule_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/schedules/{id}/runs"),
            &Query::new(),
            None,
        )
        .await
    }

    /// Cancels a schedule (`POST /v1/schedules/{id}/cancel`, admin scope): nothing more is
    /// paid. Repeating it answers the cancelled schedule.
    ///
    /// # Errors
    /// [`LspError::NotFound`]; the server's `conflict` for a completed schedule.
    pub async fn cancel_schedule(&self, id: &str) -> Result<LspSchedule, LspError> {
        let id = checked_id("schedule_id", id)?;
        self.call(
            Method::Post,
            &format!("/v1/schedules/{id}/cancel"),
            &Query::new(),
            None,
        )
        .await
    }
}
