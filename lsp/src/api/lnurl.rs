//! The LNURL-pay endpoints of Lightning Addresses (LUD-06, LUD-16), for any wallet and without
//! a key. They answer LUD-06 JSON: refusals are `{"status": "ERROR", "reason"}` with HTTP 200,
//! as LNURL wallets expect, not the API's `{code, message}`. Callbacks create invoices, so each
//! address has the invoice rate limit a key has.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::Value;

use super::AppState;
use crate::engine::LnurlRefusal;

/// `GET /.well-known/lnurlp/{name}`
pub(super) async fn pay_request(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Json<Value> {
    Json(
        state
            .engine
            .lnurl_pay_request(&name, &state.public_url)
            .await
            .unwrap_or_else(|refusal| refusal.to_json()),
    )
}

/// `GET /v1/lnurlp/{name}/callback?amount=<msat>&comment=<text>`
pub(super) async fn pay_callback(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let amount = match query.get("amount").map(|a| a.parse::<u64>()) {
        Some(Ok(amount)) => Some(amount),
        Some(Err(_)) => {
            return Json(LnurlRefusal("amount must be an integer number of msat".into()).to_json())
        }
        None => None,
    };
    let comment = query.get("comment").cloned();
    // Each callback creates an invoice: an address has the invoice rate limit a key has.
    let limiter = &state.limiter;
    let allow = |served: &str| limiter.check(&format!("lnurl:{served}")).is_ok();
    Json(
        state
            .engine
            .lnurl_pay_callback(&name, amount, comment, &state.public_url, allow)
            .await
            .unwrap_or_else(|refusal| refusal.to_json()),
    )
}
