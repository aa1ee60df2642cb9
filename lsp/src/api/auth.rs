//! Authentication: the bearer key (or, for browser WebSockets, the `etrid.bearer.<key>`
//! subprotocol) becomes a [`Caller`]; scope checks are one call per handler.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL};
use axum::http::request::Parts;
use etrid_core::lsp::ApiKeyScope;

use super::AppState;
use crate::error::ServerError;
use crate::store::AuthContext;

/// The WebSocket subprotocol prefix that carries a key where headers cannot.
pub(crate) const BEARER_PROTOCOL_PREFIX: &str = "etrid.bearer.";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller(pub AuthContext);

impl Caller {
    /// Requires the admin scope.
    ///
    /// # Errors
    /// `forbidden_scope` for invoice keys.
    pub fn admin(&self) -> Result<&AuthContext, ServerError> {
        match self.0.scope {
            ApiKeyScope::Admin => Ok(&self.0),
            ApiKeyScope::Invoice => Err(ServerError::ForbiddenScope { required: "admin" }),
        }
    }

    /// Any valid key (invoice scope is the lowest).
    pub fn invoice(&self) -> &AuthContext {
        &self.0
    }
}

fn bearer(parts: &Parts) -> Result<String, ServerError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let text = value.to_str().map_err(|_| ServerError::Unauthorized {
            reason: "malformed Authorization header",
        })?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .ok_or(ServerError::Unauthorized {
                reason: "Authorization must be \"Bearer <api key>\"",
            })?;
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
    Err(ServerError::Unauthorized {
        reason: "missing API key",
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServerError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        if token.is_empty() || token.len() > 256 {
            return Err(ServerError::Unauthorized {
                reason: "malformed API key",
            });
        }
        state.engine.store().authenticate(&token).await.map(Caller)
    }
}
