//! Request parsing with the API's error shape: JSON object bodies, query strings, resource ids
//! in the path and list parameters. Every problem answers `{code, message}` naming what was
//! wrong: `400 invalid_request` for bodies and queries, `404 not_found` for ids that cannot
//! exist (malformed, or not UTF-8).

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use bytes::Bytes;
use etrid_core::lsp::limits::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};
use etrid_core::lsp::{
    check_page_limit, ApiErrorCode, DeliveryStatus, InvoiceStatus, PaymentStatus, VoucherStatus,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::ApiError;
use crate::error::ServerError;
use crate::ids::is_valid_id;
use crate::store::{Cursor, ListFilter};

/// A JSON object body. A missing or other content type, malformed JSON, another JSON type
/// than an object (serde would read an array as fields by position), missing or unknown
/// fields and malformed values are `invalid_request`.
#[derive(Debug)]
pub(crate) struct Body<T>(pub(crate) T);

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ApiErrorCode::InvalidRequest, message)
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(&req) {
            return Err(invalid(
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| invalid(e.body_text()))?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(invalid("the body must be a JSON object"));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value =
            serde_path_to_error::deserialize(&mut de).map_err(|e| invalid(format!("body: {e}")))?;
        de.end()
            .map_err(|e| invalid(format!("body: trailing characters: {e}")))?;
        Ok(Body(value))
    }
}

/// A query string; unknown or malformed parameters are `invalid_request`.
#[derive(Debug)]
pub(crate) struct Params<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Params(v))
            .map_err(|e: QueryRejection| invalid(e.body_text()))
    }
}

/// The resource ids of the path, in order, each checked: an id that cannot exist (not UTF-8,
/// not `A-Z a-z 0-9 _ -`, too long) is `404 not_found` naming the resource, like an unknown one.
#[derive(Debug)]
pub(crate) struct Ids(pub(crate) Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let not_found = |what: &str| {
            ApiError::from(ServerError::not_found(
                what.trim_end_matches("_id").replace('_', " "),
            ))
        };
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found("resource"))?;
        let mut ids = Vec::new();
        for (name, value) in &params {
            if !is_valid_id(value) {
                return Err(not_found(name));
            }
            ids.push(value.to_owned());
        }
        Ok(Ids(ids))
    }
}

impl Ids {
    /// The first id (routes with one).
    pub(crate) fn one(self) -> String {
        self.0.into_iter().next().unwrap_or_default()
    }

    /// The first two ids (routes with two).
    pub(crate) fn two(self) -> (String, String) {
        let mut it = self.0.into_iter();
        let first = it.next().unwrap_or_default();
        (first, it.next().unwrap_or_default())
    }
}

/// A status a list can be filtered by, as stored.
pub(crate) trait StatusFilter {
    /// The stored (and wire) name.
    fn stored(&self) -> &'static str;
}

impl StatusFilter for InvoiceStatus {
    fn stored(&self) -> &'static str {
        self.as_str()
    }
}

impl StatusFilter for PaymentStatus {
    fn stored(&self) -> &'static str {
        self.as_str()
    }
}

impl StatusFilter for VoucherStatus {
    fn stored(&self) -> &'static str {
        self.as_str()
    }
}

impl StatusFilter for DeliveryStatus {
    fn stored(&self) -> &'static str {
        self.as_str()
    }
}

/// The status of a list without one: no value parses, so `status=…` is refused.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) enum NoStatus {}

impl StatusFilter for NoStatus {
    fn stored(&self) -> &'static str {
        match *self {}
    }
}

/// The list parameters of `GET /v1/invoices`, `/payments` and `/ledger`: an optional status
/// (typed: only the resource's statuses parse), the creation window and paging.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery<S> {
    /// Filter by status (only where the resource has one).
    status: Option<S>,
    /// Inclusive lower bound of `created_at`.
    created_after: Option<u64>,
    /// Exclusive upper bound of `created_at`.
    created_before: Option<u64>,
    /// Page size (default 50).
    limit: Option<u32>,
    /// Continue from a `next_cursor`.
    cursor: Option<String>,
}

/// The paging parameters of lists without a creation window (webhooks, deliveries, keys).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery<S> {
    /// Filter by status (only where the resource has one).
    status: Option<S>,
    /// Page size (default 50).
    limit: Option<u32>,
    /// Continue from a `next_cursor`.
    cursor: Option<String>,
}

/// The store filter of a list whose ids start with `prefix` (so a cursor of another list is
/// refused).
pub(crate) fn filter(
    status: Option<&'static str>,
    created_after: Option<u64>,
    created_before: Option<u64>,
    limit: Option<u32>,
    cursor: Option<&str>,
    prefix: &str,
) -> Result<ListFilter, ApiError> {
    check_page_limit(limit, MAX_PAGE_LIMIT).map_err(ServerError::from)?;
    Ok(ListFilter {
        status,
        created_after,
        created_before,
        limit: limit.unwrap_or(DEFAULT_PAGE_LIMIT),
        cursor: cursor.map(|c| Cursor::decode(c, prefix)).transpose()?,
    })
}

impl<S: StatusFilter> ListQuery<S> {
    /// The store filter for the list of ids starting with `prefix`.
    ///
    /// # Errors
    /// `invalid_request` naming `limit` or `cursor`.
    pub(crate) fn filter(&self, prefix: &str) -> Result<ListFilter, ApiError> {
        filter(
            self.status.as_ref().map(StatusFilter::stored),
            self.created_after,
            self.created_before,
            self.limit,
            self.cursor.as_deref(),
            prefix,
        )
    }
}

impl<S: StatusFilter> PageQuery<S> {
    /// The store filter for the list of ids starting with `prefix`.
    ///
    /// # Errors
    /// `invalid_request` naming `limit` or `cursor`.
    pub(crate) fn filter(&self, prefix: &str) -> Result<ListFilter, ApiError> {
        filter(
            self.status.as_ref().map(StatusFilter::stored),
            None,
            None,
            self.limit,
            self.cursor.as_deref(),
            prefix,
        )
    }
}
