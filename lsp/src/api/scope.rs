//! Authentication and scope, by type: a handler that takes [`AdminKey`] cannot run for an
//! invoice key, and one that takes [`InvoiceKey`] runs for any valid key (admin includes
//! invoice). The key is the bearer token, or for browser WebSockets, which cannot set headers,
//! the `etrid.bearer.<key>` subprotocol.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL};
use axum::http::request::Parts;
use etrid_core::lsp::ApiKeyScope;

use super::error::ApiError;
use super::AppState;
use crate::error::ServerError;
use crate::store::AuthContext;

/// The WebSocket subprotocol prefix that carries a key where headers cannot.
pub(crate) const BEARER_PROTOCOL_PREFIX: &str = "etrid.bearer.";

/// Longest key accepted before asking the store.
const MAX_KEY_LEN: usize = 256;

/// A caller with any valid key: operations of `x-etrid-scope: invoice`.
#[derive(Debug, Clone)]
pub struct InvoiceKey(pub AuthContext);

/// A caller with an admin key: operations of `x-etrid-scope: admin`.
#[derive(Debug, Clone)]
pub struct AdminKey(pub AuthContext);

fn unauthorized(reason: &'static str) -> ServerError {
    ServerError::Unauthorized { reason }
}

/// The key of the request, from `Authorization: Bearer` or the WebSocket subprotocol.
pub(crate) fn bearer(parts: &Parts) -> Result<String, ServerError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let text = value
            .to_str()
            .map_err(|_| unauthorized("malformed Authorization header"))?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("Authorization must be \"Bearer <api key>\""))?;
        return Ok(token.trim().to_owned());
    }
    if let Some(value) = parts.headers.get(SEC_WEBSOCKET_PROTOCOL) {
        if let Ok(text) = value.to_str() {
            if let Some(token) = text
                .split(',')
                .map(str::trim)
                .find_map(|p| p.strip_prefix(BEARER_PROTOCOL_PREFIX))
            {
                return Ok(token.to_owned());
            }
        }
    }
    Err(unauthorized("missing API key"))
}

/// Authenticates the request's key.
///
/// # Errors
/// `unauthorized` for a missing, malformed, unknown or revoked key (the last two alike).
pub(crate) async fn authenticate(
    parts: &Parts,
    state: &AppState,
) -> Result<AuthContext, ServerError> {
    let token = bearer(parts)?;
    if token.is_empty() || token.len() > MAX_KEY_LEN {
        return Err(unauthorized("malformed API key"));
    }
    state.engine.authenticate(&token).await
}

impl FromRequestParts<AppState> for InvoiceKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(InvoiceKey(authenticate(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for AdminKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ctx = authenticate(parts, state).await?;
        match ctx.scope {
            ApiKeyScope::Admin => Ok(AdminKey(ctx)),
            ApiKeyScope::Invoice => Err(ServerError::ForbiddenScope { required: "admin" }.into()),
        }
    }
}
