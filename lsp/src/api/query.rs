//! Request parsing with the API's error shape: JSON bodies and list query strings whose
//! problems answer `400 invalid_request` naming what was wrong.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::ServerError;
use crate::store::{Cursor, ListFilter};

/// A JSON body; malformed JSON, missing or unknown fields are `invalid_request`.
#[derive(Debug)]
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| Body(v))
            .map_err(|e: JsonRejection| ServerError::invalid(e.body_text()))
    }
}

/// A query string; unknown or malformed parameters are `invalid_request`.
#[derive(Debug)]
pub(crate) struct Params<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Params(v))
            .map_err(|e: QueryRejection| ServerError::invalid(e.body_text()))
    }
}

/// The list parameters of `GET /v1/invoices`, `/payments`, `/ledger`, `/webhooks`, …
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Filter by status (only where the resource has one).
    pub(crate) status: Option<String>,
    /// Inclusive lower bound of `created_at`.
    pub(crate) created_after: Option<u64>,
    /// Exclusive upper bound of `created_at`.
    pub(crate) created_before: Option<u64>,
    /// Page size, 1-100 (default 50).
    pub(crate) limit: Option<u32>,
    /// Continue from a `next_cursor`.
    pub(crate) cursor: Option<String>,
}

impl ListQuery {
    /// The filter, with `status` checked against `statuses` (empty: no status filter allowed).
    ///
    /// # Errors
    /// `invalid_request` naming the parameter.
    pub(crate) fn filter(&self, statuses: &[&'static str]) -> Result<ListFilter, ServerError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(ServerError::invalid("limit must be between 1 and 100"));
        }
        let status = match &self.status {
            None => None,
            Some(s) => Some(
                statuses
                    .iter()
                    .copied()
                    .find(|known| *known == s.as_str())
                    .ok_or_else(|| {
                        ServerError::invalid(format!(
                            "status must be one of: {}",
                            if statuses.is_empty() {
                                "(no status filter here)".to_owned()
                            } else {
                                statuses.join(", ")
                            }
                        ))
                    })?,
            ),
        };
        Ok(ListFilter {
            status,
            created_after: self.created_after,
            created_before: self.created_before,
            limit,
            cursor: self.cursor.as_deref().map(Cursor::decode).transpose()?,
        })
    }
}

/// `{"items": [...], "next_cursor": ...}` for any list.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Page<T> {
    /// The items, newest first.
    pub(crate) items: Vec<T>,
    /// The cursor of the next page, or null on the last.
    pub(crate) next_cursor: Option<String>,
}

impl<T> From<(Vec<T>, Option<String>)> for Page<T> {
    fn from((items, next_cursor): (Vec<T>, Option<String>)) -> Self {
        Page { items, next_cursor }
    }
}
