//! Account and server operations: balance and ledger, API keys, webhooks, node information,
//! and the event log read as pages.

use etrid_core::lsp::{
    CreateApiKeyRequest, CreateWebhookRequest, ListEventsRequest, ListLedgerRequest,
    ListPageRequest,
};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default};

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// The account's balance: available and reserved (by payments in flight), in msat.
    #[wasm_bindgen(unchecked_return_type = "Promise<Balance>")]
    pub fn balance(&self) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.balance().await) })
    }

    /// The account's ledger entries, newest first, a page at a time.
    #[wasm_bindgen(js_name = listLedger, unchecked_return_type = "Promise<LedgerList>")]
    pub fn list_ledger(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListLedgerRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListLedgerRequest = from_js_or_default(query, "listLedger query")?;
            lsp(client.list_ledger(query).await)
        })
    }

    /// Creates an API key (admin scope); the secret is in the answer, once.
    #[wasm_bindgen(js_name = createApiKey, unchecked_return_type = "Promise<CreateApiKeyResponse>")]
    pub fn create_api_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateApiKeyRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateApiKeyRequest = from_js(request, "createApiKey request")?;
            lsp(client.create_api_key(request).await)
        })
    }

    /// Lists the account's API keys (never their secrets).
    #[wasm_bindgen(js_name = listApiKeys, unchecked_return_type = "Promise<ApiKeyList>")]
    pub fn list_api_keys(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listApiKeys query")?;
            lsp(client.list_api_keys(query).await)
        })
    }

    /// Revokes an API key: it is refused from then on.
    #[wasm_bindgen(js_name = revokeApiKey, unchecked_return_type = "Promise<ApiKey>")]
    pub fn revoke_api_key(&self, key_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.revoke_api_key(&key_id).await) })
    }

    /// Registers a webhook; its signing secret is in the answer, once.
    #[wasm_bindgen(js_name = createWebhook, unchecked_return_type = "Promise<CreateWebhookResponse>")]
    pub fn create_webhook(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateWebhookRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateWebhookRequest = from_js(request, "createWebhook request")?;
            lsp(client.create_webhook(request).await)
        })
    }

    /// Lists the account's webhooks.
    #[wasm_bindgen(js_name = listWebhooks, unchecked_return_type = "Promise<WebhookList>")]
    pub fn list_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listWebhooks query")?;
            lsp(client.list_webhooks(query).await)
        })
    }

    /// Deletes a webhook.
    #[wasm_bindgen(js_name = deleteWebhook, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook(&self, webhook_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.delete_webhook(&webhook_id).await) })
    }

    /// Lists a webhook's deliveries, newest first.
    #[wasm_bindgen(
        js_name = listWebhookDeliveries,
        unchecked_return_type = "Promise<WebhookDeliveryList>"
    )]
    pub fn list_webhook_deliveries(
        &self,
        webhook_id: String,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listWebhookDeliveries query")?;
            lsp(client.list_webhook_deliveries(&webhook_id, query).await)
        })
    }

    /// Delivers a past delivery's event again.
    #[wasm_bindgen(js_name = redeliverWebhook, unchecked_return_type = "Promise<WebhookDelivery>")]
    pub fn redeliver_webhook(&self, webhook_id: String, delivery_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.redeliver_webhook(&webhook_id, &delivery_id).await) })
    }

    /// The server's health (no key needed).
    #[wasm_bindgen(unchecked_return_type = "Promise<Health>")]
    pub fn health(&self) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.health().await) })
    }

    /// The LSP node's id, network, block height and channel counts.
    #[wasm_bindgen(js_name = nodeInfo, unchecked_return_type = "Promise<NodeInfo>")]
    pub fn node_info(&self) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.node_info().await) })
    }

    /// The LSP node's channels (admin scope).
    #[wasm_bindgen(js_name = listChannels, unchecked_return_type = "Promise<ChannelList>")]
    pub fn list_channels(&self) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.list_channels().await) })
    }

    /// The LSP node's inbound and outbound liquidity.
    #[wasm_bindgen(unchecked_return_type = "Promise<LiquiditySummary>")]
    pub fn liquidity(&self) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.liquidity().await) })
    }

    /// A page of the account's events with id > `after`, oldest first.
    #[wasm_bindgen(js_name = listEvents, unchecked_return_type = "Promise<EventList>")]
    pub fn list_events(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListEventsRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListEventsRequest = from_js_or_default(query, "listEvents query")?;
            lsp(client.list_events(query).await)
        })
    }
}
