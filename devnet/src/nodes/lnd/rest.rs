//! A typed client of LND's REST API (the grpc-gateway over its gRPC services), for the calls
//! the devnet, the interop tests and the side-by-side benchmark make. LND's JSON follows the
//! proto3 mapping: 64-bit integers are strings, bytes are base64, field names are the proto's
//! snake_case ones.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bitcoin::hashes::hex::FromHex;
use bitcoin::hex::DisplayHex;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::models::{
    u64_from_string, LndChannel, LndCreatedInvoice, LndInfo, LndInvoice, LndPayReq, LndPayment,
    LndSend,
};
use serde_json::{json, Value};

use super::super::NodeError;

/// LND's TLV record type that carries a keysend payment's preimage.
pub const KEYSEND_PREIMAGE_TLV: u64 = 5_482_373_484;

/// A client of one LND node's REST API (plain HTTP on loopback, admin macaroon).
#[derive(Clone)]
pub struct LndRest {
    name: String,
    base: String,
    macaroon_hex: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for LndRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LndRest")
            .field("name", &self.name)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl LndRest {
    /// A client of `base` (`http://127.0.0.1:port`) authenticated with the hex admin macaroon.
    pub fn new(name: &str, base: String, macaroon_hex: String) -> Result<LndRest, NodeError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| NodeError::io("build the LND REST client", e))?;
        Ok(LndRest {
            name: name.to_owned(),
            base,
            macaroon_hex,
            http,
        })
    }

    /// The REST base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The hex admin macaroon (LND's `Grpc-Metadata-macaroon` header).
    pub fn macaroon_hex(&self) -> &str {
        &self.macaroon_hex
    }

    fn error(&self, operation: &str, message: impl std::fmt::Display) -> NodeError {
        NodeError::Lnd {
            node: self.name.clone(),
            operation: operation.to_owned(),
            message: message.to_string(),
        }
    }

    async fn send<T: DeserializeOwned>(
        &self,
        operation: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, NodeError> {
        let response = request
            .header("Grpc-Metadata-macaroon", &self.macaroon_hex)
            .send()
            .await
            .map_err(|e| self.error(operation, e))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| self.error(operation, e))?;
        if !status.is_success() {
            return Err(self.error(operation, format!("HTTP {status}: {body}")));
        }
        serde_json::from_str(&body)
            .map_err(|e| self.error(operation, format!("unexpected answer ({e}): {body}")))
    }

    async fn get<T: DeserializeOwned>(&self, operation: &str, path: &str) -> Result<T, NodeError> {
        let url = format!("{}{path}", self.base);
        self.send(operation, self.http.get(url)).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        operation: &str,
        path: &str,
        body: &Value,
    ) -> Result<T, NodeError> {
        let url = format!("{}{path}", self.base);
        self.send(operation, self.http.post(url).json(body)).await
    }

    /// LND's state (`GET /v1/state`): `SERVER_ACTIVE` once every RPC is served (before that,
    /// `getinfo` may answer while peers and channels are still refused).
    pub async fn state(&self) -> Result<String, NodeError> {
        #[derive(Deserialize)]
        struct Answer {
            state: String,
        }
        let answer: Answer = self.get("state", "/v1/state").await?;
        Ok(answer.state)
    }

    /// `GET /v1/getinfo`.
    pub async fn get_info(&self) -> Result<LndInfo, NodeError> {
        self.get("getinfo", "/v1/getinfo").await
    }

    /// A fresh P2WPKH address of LND's wallet (`GET /v1/newaddress`).
    pub async fn new_address(&self) -> Result<String, NodeError> {
        #[derive(Deserialize)]
        struct Answer {
            address: String,
        }
        let answer: Answer = self
            .get("newaddress", "/v1/newaddress?type=WITNESS_PUBKEY_HASH")
            .await?;
        Ok(answer.address)
    }

    /// Confirmed on-chain balance, sats (`GET /v1/balance/blockchain`).
    pub async fn confirmed_balance(&self) -> Result<u64, NodeError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(deserialize_with = "u64_from_string")]
            confirmed_balance: u64,
        }
        let answer: Answer = self.get("walletbalance", "/v1/balance/blockchain").await?;
        Ok(answer.confirmed_balance)
    }

    /// Connects to `pubkey@host` and returns once connected (`POST /v1/peers`, not `perm`:
    /// a permanent connection is made in the background); already connected is fine. LND
    /// reconnects to its channel peers by itself.
    pub async fn connect(&self, pubkey: &str, host: &str) -> Result<(), NodeError> {
        let body =
            json!({"addr": {"pubkey": pubkey, "host": host}, "perm": false, "timeout": "30"});
        match self.post::<Value>("connect", "/v1/peers", &body).await {
            Ok(_) => Ok(()),
            Err(NodeError::Lnd { message, .. }) if message.contains("already connected") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Opens an announced channel to `pubkey` of `capacity_sats`, pushing `push_sats`, and
    /// returns once the funding transaction is broadcast (`POST /v1/channels`): its txid.
    /// With `anchors` false the channel is `STATIC_REMOTE_KEY`: LDK Node accepts an anchor
    /// channel only while it holds an on-chain reserve for it (25,000 sats), and unlike LDK,
    /// LND does not retry a refused opening with a simpler channel type.
    pub async fn open_channel(
        &self,
        pubkey: &str,
        capacity_sats: u64,
        push_sats: u64,
        anchors: bool,
    ) -> Result<String, NodeError> {
        let key = Vec::<u8>::from_hex(pubkey).map_err(|e| NodeError::input("node_pubkey", e))?;
        let mut body = json!({
            "node_pubkey": B64.encode(key),
            "local_funding_amount": capacity_sats.to_string(),
            "push_sat": push_sats.to_string(),
            "private": false,
            "sat_per_vbyte": "2",
            // Several channels in a row from one wallet: each spends the last one's change.
            "min_confs": 0,
            "spend_unconfirmed": true,
        });
        if !anchors {
            body["commitment_type"] = json!("STATIC_REMOTE_KEY");
        }
        #[derive(Deserialize)]
        struct Answer {
            funding_txid_bytes: String,
        }
        let answer: Answer = self.post("openchannel", "/v1/channels", &body).await?;
        // LND gives the txid's bytes in internal order; the usual hex is reversed.
        let mut bytes = B64
            .decode(&answer.funding_txid_bytes)
            .map_err(|e| self.error("openchannel", e))?;
        bytes.reverse();
        Ok(bytes.to_lower_hex_string())
    }

    /// Every channel (`GET /v1/channels`).
    pub async fn list_channels(&self) -> Result<Vec<LndChannel>, NodeError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            channels: Vec<LndChannel>,
        }
        let answer: Answer = self.get("listchannels", "/v1/channels").await?;
        Ok(answer.channels)
    }

    /// Whether LND's router finds a route to `pubkey` for `amount_sats` now
    /// (`GET /v1/graph/routes/{pub_key}/{amt}`): its own channels are in its graph and usable.
    pub async fn has_route_to(&self, pubkey: &str, amount_sats: u64) -> Result<bool, NodeError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            routes: Vec<Value>,
        }
        let path = format!("/v1/graph/routes/{pubkey}/{amount_sats}");
        match self.get::<Answer>("queryroutes", &path).await {
            Ok(answer) => Ok(!answer.routes.is_empty()),
            Err(NodeError::Lnd { message, .. })
                if message.contains("unable to find a path")
                    || message.contains("no route")
                    || message.contains("insufficient local balance") =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Creates an invoice of `amount_msat` (`POST /v1/invoices`).
    pub async fn add_invoice(
        &self,
        amount_msat: u64,
        memo: &str,
        expiry_secs: u64,
    ) -> Result<LndCreatedInvoice, NodeError> {
        let body = json!({"value_msat": amount_msat.to_string(), "memo": memo,
                          "expiry": expiry_secs.to_string()});
        #[derive(Deserialize)]
        struct Answer {
            r_hash: String,
            payment_request: String,
        }
        let answer: Answer = self.post("addinvoice", "/v1/invoices", &body).await?;
        let hash = B64
            .decode(&answer.r_hash)
            .map_err(|e| self.error("addinvoice", e))?;
        Ok(LndCreatedInvoice {
            payment_request: answer.payment_request,
            payment_hash: hash.to_lower_hex_string(),
        })
    }

    /// The invoice of `payment_hash` (hex), also one LND made for a keysend it received.
    pub async fn lookup_invoice(&self, payment_hash: &str) -> Result<LndInvoice, NodeError> {
        self.get("lookupinvoice", &format!("/v1/invoice/{payment_hash}"))
            .await
    }

    /// Decodes a BOLT11 string (`GET /v1/payreq/{pay_req}`).
    pub async fn decode_pay_req(&self, bolt11: &str) -> Result<LndPayReq, NodeError> {
        self.get("decodepayreq", &format!("/v1/payreq/{bolt11}"))
            .await
    }

    /// Pays through LND's router (`POST /v2/router/send`) and waits for the final state.
    /// For keysend (`dest` set) a fresh preimage is made and sent in its TLV record.
    pub async fn send_payment(&self, send: &LndSend) -> Result<LndPayment, NodeError> {
        let mut body = json!({
            "timeout_seconds": send.timeout.as_secs().max(1),
            "fee_limit_msat": send.fee_limit_msat.to_string(),
            "max_parts": send.max_parts.max(1),
            "no_inflight_updates": true,
        });
        let mut records: BTreeMap<String, String> = send
            .custom_records
            .iter()
            .map(|(k, v)| (k.to_string(), B64.encode(v)))
            .collect();
        if let Some(bolt11) = &send.payment_request {
            body["payment_request"] = json!(bolt11);
        }
        if let Some(dest) = &send.dest {
            let key = Vec::<u8>::from_hex(dest).map_err(|e| NodeError::input("dest", e))?;
            let preimage = random_bytes()?;
            let hash = <bitcoin::hashes::sha256::Hash as bitcoin::hashes::Hash>::hash(&preimage);
            records.insert(KEYSEND_PREIMAGE_TLV.to_string(), B64.encode(preimage));
            body["dest"] = json!(B64.encode(key));
            body["payment_hash"] = json!(B64.encode(AsRef::<[u8]>::as_ref(&hash)));
        }
        if let Some(amount) = send.amt_msat {
            body["amt_msat"] = json!(amount.to_string());
        }
        if !records.is_empty() {
            body["dest_custom_records"] = json!(records);
        }
        let url = format!("{}/v2/router/send", self.base);
        let mut response = self
            .http
            .post(url)
            .header("Grpc-Metadata-macaroon", &self.macaroon_hex)
            .json(&body)
            .send()
            .await
            .map_err(|e| self.error("sendpayment", e))?;
        // A stream of JSON objects, `{"result": Payment}` or `{"error": …}`; with
        // `no_inflight_updates` the first result carrying a final status is the answer.
        let mut buffer = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.error("sendpayment", e))?
        {
            buffer.extend_from_slice(&chunk);
            while let Some((value, used)) = first_json_object(&buffer) {
                buffer.drain(..used);
                if let Some(error) = value.get("error") {
                    return Err(self.error("sendpayment", error));
                }
                if let Some(result) = value.get("result") {
                    let payment: LndPayment = serde_json::from_value(result.clone())
                        .map_err(|e| self.error("sendpayment", e))?;
                    if payment.status == "SUCCEEDED" || payment.status == "FAILED" {
                        return Ok(payment);
                    }
                }
            }
        }
        Err(self.error(
            "sendpayment",
            format!(
                "the stream ended without a final state: {}",
                String::from_utf8_lossy(&buffer)
            ),
        ))
    }

    /// Asks LND to shut down (`POST /v1/stop`).
    pub async fn stop(&self) -> Result<(), NodeError> {
        self.post::<Value>("stop", "/v1/stop", &json!({}))
            .await
            .map(|_| ())
    }
}

/// The first whole JSON value at the start of `buffer` (after whitespace) and the bytes it
/// used, or `None` while it is incomplete.
fn first_json_object(buffer: &[u8]) -> Option<(Value, usize)> {
    let mut stream = serde_json::Deserializer::from_slice(buffer).into_iter::<Value>();
    match stream.next() {
        Some(Ok(value)) => Some((value, stream.byte_offset())),
        _ => None,
    }
}

/// 32 random bytes from the operating system, for a keysend preimage.
fn random_bytes() -> Result<[u8; 32], NodeError> {
    let mut out = [0u8; 32];
    getrandom::fill(&mut out).map_err(|e| NodeError::io("getrandom", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_answer_is_split_into_its_objects() {
        let text = br#"{"result":{"status":"IN_FLIGHT"}}
{"result":{"status":"SUCC"#;
        let (first, used) = first_json_object(text).unwrap();
        assert_eq!(first["result"]["status"], "IN_FLIGHT");
        assert!(first_json_object(&text[used..]).is_none(), "incomplete");
    }

    #[test]
    fn integers_arrive_as_strings_or_numbers() {
        let channel: LndChannel = serde_json::from_value(json!({
            "remote_pubkey": "02", "channel_point": "aa:0", "chan_id": "123",
            "capacity": 5, "local_balance": "4", "remote_balance": "1"}))
        .unwrap();
        assert_eq!(
            (channel.chan_id, channel.capacity, channel.local_balance),
            (123, 5, 4)
        );
        assert!(serde_json::from_value::<LndChannel>(json!({
            "remote_pubkey": "02", "channel_point": "aa:0", "chan_id": "x",
            "capacity": 5, "local_balance": "4", "remote_balance": "1"}))
        .is_err());
    }
}
