//! Admin routes: balance and ledger, webhooks, API keys, and the node's info, channels and
//! liquidity.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiKey, Balance, Channel, ChannelList, CreateApiKeyRequest, CreateApiKeyResponse,
    CreateWebhookRequest, CreateWebhookResponse, LedgerEntry, LiquiditySummary, NodeInfo, Webhook,
    WebhookDelivery,
};

use super::query::{Body, ListQuery, Page, Params};
use super::{AppState, Caller};
use crate::error::{ApiResult, ServerError};
use crate::ids::{hex, is_valid_id};

fn check_id(id: &str, what: &str) -> Result<(), ServerError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(ServerError::not_found(what))
    }
}

/// `GET /v1/balance`
pub(super) async fn balance(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Balance>> {
    let ctx = caller.admin()?;
    Ok(Json(state.engine.store().balance(&ctx.account_id).await?))
}

/// `GET /v1/ledger`
pub(super) async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Page<LedgerEntry>>> {
    let ctx = caller.admin()?;
    let filter = q.filter(&[])?;
    Ok(Json(
        state
            .engine
            .store()
            .list_ledger(&ctx.account_id, &filter)
            .await?
            .into(),
    ))
}

/// `POST /v1/webhooks`
pub(super) async fn create_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<CreateWebhookRequest>,
) -> ApiResult<(StatusCode, Json<CreateWebhookResponse>)> {
    let ctx = caller.admin()?;
    let url = url::Url::parse(&req.url).map_err(|e| ServerError::invalid(format!("url: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || req.url.len() > 2048 {
        return Err(ServerError::invalid(
            "url must be an http(s) URL of at most 2048 bytes",
        ));
    }
    if req.description.as_ref().is_some_and(|d| d.len() > 256) {
        return Err(ServerError::invalid(
            "description must be at most 256 bytes",
        ));
    }
    let mut types = req.event_types.clone();
    types.sort_by_key(|t| t.as_str());
    types.dedup();
    let rec = state
        .engine
        .store()
        .create_webhook(&ctx.account_id, &req.url, &types, req.description)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreateWebhookResponse {
            id: rec.webhook.id,
            url: rec.webhook.url,
            event_types: rec.webhook.event_types,
            description: rec.webhook.description,
            enabled: rec.webhook.enabled,
            created_at: rec.webhook.created_at,
            secret: rec.secret,
        }),
    ))
}

/// `GET /v1/webhooks`
pub(super) async fn list_webhooks(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Page<Webhook>>> {
    let ctx = caller.admin()?;
    let filter = q.filter(&[])?;
    Ok(Json(
        state
            .engine
            .store()
            .list_webhooks(&ctx.account_id, &filter)
            .await?
            .into(),
    ))
}

/// `DELETE /v1/webhooks/{id}`
pub(super) async fn delete_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let ctx = caller.admin()?;
    check_id(&id, "webhook")?;
    state
        .engine
        .store()
        .delete_webhook(&ctx.account_id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/webhooks/{id}/deliveries`
pub(super) async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    let ctx = caller.admin()?;
    check_id(&id, "webhook")?;
    let filter = q.filter(&["pending", "succeeded", "failed"])?;
    Ok(Json(
        state
            .engine
            .store()
            .list_deliveries(&ctx.account_id, &id, &filter)
            .await?
            .into(),
    ))
}

/// `POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver`
pub(super) async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let ctx = caller.admin()?;
    check_id(&id, "webhook")?;
    check_id(&delivery_id, "delivery")?;
    let d = state
        .engine
        .store()
        .redeliver(&ctx.account_id, &id, &delivery_id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(d)))
}

/// `POST /v1/api-keys`
pub(super) async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<CreateApiKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreateApiKeyResponse>)> {
    let ctx = caller.admin()?;
    let key = state
        .engine
        .store()
        .create_key(&ctx.account_id, req.scope, &req.label)
        .await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// `GET /v1/api-keys`
pub(super) async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Page<ApiKey>>> {
    let ctx = caller.admin()?;
    let filter = q.filter(&["invoice", "admin"])?;
    Ok(Json(
        state
            .engine
            .store()
            .list_keys(&ctx.account_id, &filter)
            .await?
            .into(),
    ))
}

/// `DELETE /v1/api-keys/{id}`
pub(super) async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApiKey>> {
    let ctx = caller.admin()?;
    check_id(&id, "API key")?;
    Ok(Json(
        state
            .engine
            .store()
            .revoke_key(&ctx.account_id, &id)
            .await?,
    ))
}

/// `GET /v1/node`
pub(super) async fn node_info(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<NodeInfo>> {
    caller.admin()?;
    let engine = &state.engine;
    let node = engine.node();
    let status = node.status();
    let channels = node.list_channels();
    Ok(Json(NodeInfo {
        node_id: node.node_id().to_string(),
        network: engine.config().network,
        alias: node.node_alias().map(|a| a.to_string()),
        block_height: status.current_best_block.height,
        synced: status.is_running && status.latest_lightning_wallet_sync_timestamp.is_some(),
        num_channels: u32::try_from(channels.len()).unwrap_or(u32::MAX),
        num_usable_channels: u32::try_from(channels.iter().filter(|c| c.is_usable).count())
            .unwrap_or(u32::MAX),
        num_peers: u32::try_from(node.list_peers().iter().filter(|p| p.is_connected).count())
            .unwrap_or(u32::MAX),
        listening_addresses: node
            .listening_addresses()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

fn channel_model(c: &ldk_node::ChannelDetails) -> Channel {
    Channel {
        id: c.user_channel_id.0.to_string(),
        channel_id: hex(&c.channel_id.0),
        counterparty_node_id: c.counterparty_node_id.to_string(),
        capacity_msat: Msat::from_msat(c.channel_value_sats.saturating_mul(1000)),
        outbound_capacity_msat: Msat::from_msat(c.outbound_capacity_msat),
        inbound_capacity_msat: Msat::from_msat(c.inbound_capacity_msat),
        is_usable: c.is_usable,
        is_public: c.is_announced,
        is_outbound: c.is_outbound,
        confirmations: c.confirmations,
        funding_txid: c.funding_txo.map(|o| o.txid.to_string()),
    }
}

/// `GET /v1/channels`
pub(super) async fn channels(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<ChannelList>> {
    caller.admin()?;
    let items = state
        .engine
        .node()
        .list_channels()
        .iter()
        .map(channel_model)
        .collect();
    Ok(Json(ChannelList { items }))
}

/// `GET /v1/liquidity`
pub(super) async fn liquidity(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<LiquiditySummary>> {
    caller.admin()?;
    let channels = state.engine.node().list_channels();
    let usable: Vec<_> = channels.iter().filter(|c| c.is_usable).collect();
    let sum = |f: fn(&ldk_node::ChannelDetails) -> u64| {
        usable.iter().map(|c| f(c)).fold(0u64, u64::saturating_add)
    };
    let max =
        |f: fn(&ldk_node::ChannelDetails) -> u64| usable.iter().map(|c| f(c)).max().unwrap_or(0);
    Ok(Json(LiquiditySummary {
        total_outbound_msat: Msat::from_msat(sum(|c| c.outbound_capacity_msat)),
        total_inbound_msat: Msat::from_msat(sum(|c| c.inbound_capacity_msat)),
        largest_outbound_msat: Msat::from_msat(max(|c| c.next_outbound_htlc_limit_msat)),
        largest_inbound_msat: Msat::from_msat(max(|c| c.inbound_capacity_msat)),
        usable_channels: u32::try_from(usable.len()).unwrap_or(u32::MAX),
        pending_channels: u32::try_from(channels.iter().filter(|c| !c.is_channel_ready).count())
            .unwrap_or(u32::MAX),
    }))
}
