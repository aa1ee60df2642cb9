//! Shared helpers for the chain server's integration tests: a started server, a JSON-RPC client
//! over real HTTP, plain HTTP getters, and a test key that builds and signs P2WPKH/P2WSH spends.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use bitcoin::blockdata::script::Builder;
use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{All, Message, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::transaction::Version;
use bitcoin::{
    absolute, ecdsa, Address, Amount, CompressedPublicKey, Network, OutPoint, Script, ScriptBuf,
    Sequence, Transaction, TxIn, TxOut, Txid, Witness,
};
use etrid_devnet::chain::{ChainConfig, ChainServer};
use serde_json::{json, Value};

/// Starts a server with the default (in-memory, on-demand mining) configuration.
pub async fn start() -> ChainServer {
    ChainServer::start(ChainConfig::default())
        .await
        .expect("chain server starts")
}

/// A JSON-RPC client speaking to the server over loopback HTTP.
pub struct Rpc {
    client: reqwest::Client,
    url: String,
    user: String,
    password: String,
}

impl Rpc {
    pub fn new(server: &ChainServer) -> Self {
        Rpc {
            client: reqwest::Client::new(),
            url: format!("http://{}/", server.rpc_addr()),
            user: server.rpc_user().to_string(),
            password: server.rpc_password().to_string(),
        }
    }

    /// Sends `body` with the given credentials; returns the status and body text.
    pub async fn raw(&self, body: &str, user: &str, password: &str) -> (u16, String) {
        let response = self
            .client
            .post(&self.url)
            .basic_auth(user, Some(password))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Calls `method`; returns the result or `(code, message)`, checking bitcoind's envelope
    /// and HTTP statuses on the way.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, (i32, String)> {
        let body = json!({"method": method, "params": params, "id": "7"}).to_string();
        let (status, text) = self.raw(&body, &self.user, &self.password).await;
        let reply: Value = serde_json::from_str(&text).expect("JSON reply");
        assert_eq!(reply["id"], "7");
        assert!(
            reply.get("result").is_some(),
            "result key always present: {text}"
        );
        assert!(
            reply.get("error").is_some(),
            "error key always present: {text}"
        );
        if reply["error"].is_null() {
            assert_eq!(status, 200);
            Ok(reply["result"].clone())
        } else {
            let code = reply["error"]["code"].as_i64().expect("code") as i32;
            let expected = if code == -32601 { 404 } else { 500 };
            assert_eq!(status, expected, "HTTP status for code {code}");
            Err((
                code,
                reply["error"]["message"]
                    .as_str()
                    .expect("message")
                    .to_string(),
            ))
        }
    }

    pub async fn ok(&self, method: &str, params: Value) -> Value {
        match self.call(method, params.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{method} {params} failed: {e:?}"),
        }
    }
}

/// GET `url`; returns status, content type and body text.
pub async fn get(url: &str) -> (u16, String, String) {
    let response = reqwest::get(url).await.expect("GET");
    let status = response.status().as_u16();
    let ctype = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ctype, response.text().await.expect("body"))
}

/// GET `url` expecting 200 JSON.
pub async fn get_json(url: &str) -> Value {
    let (status, _, body) = get(url).await;
    assert_eq!(status, 200, "GET {url}: {body}");
    serde_json::from_str(&body).expect("JSON")
}

/// A P2WPKH test key.
pub struct Key {
    secp: Secp256k1<All>,
    secret: SecretKey,
    pub pubkey: CompressedPublicKey,
    pub script: ScriptBuf,
    pub address: Address,
}

impl Key {
    pub fn new(seed: u8) -> Self {
        let secp = Secp256k1::new();
        let secret = SecretKey::from_slice(&sha256::Hash::hash(&[seed, 0xe7]).to_byte_array())
            .expect("valid key");
        let pubkey = CompressedPublicKey(secret.public_key(&secp));
        let address = Address::p2wpkh(&pubkey, Network::Regtest);
        Key {
            script: address.script_pubkey(),
            secp,
            secret,
            pubkey,
            address,
        }
    }

    fn sign(&self, sighash: [u8; 32]) -> ecdsa::Signature {
        ecdsa::Signature {
            signature: self
                .secp
                .sign_ecdsa(&Message::from_digest(sighash), &self.secret),
            sighash_type: EcdsaSighashType::All,
        }
    }

    /// Signs input `index` spending a P2WPKH output of ours worth `value`.
    pub fn sign_p2wpkh(&self, tx: &mut Transaction, index: usize, value: Amount) {
        let sighash = SighashCache::new(&*tx)
            .p2wpkh_signature_hash(index, &self.script, value, EcdsaSighashType::All)
            .expect("sighash");
        tx.input[index].witness =
            Witness::p2wpkh(&self.sign(sighash.to_byte_array()), &self.pubkey.0);
    }
}

/// An unsigned transaction spending `inputs` (outpoint, sequence) to `outputs`.
pub fn spend(
    inputs: &[(OutPoint, u32)],
    outputs: Vec<TxOut>,
    version: i32,
    lock_time: u32,
) -> Transaction {
    Transaction {
        version: Version(version),
        lock_time: absolute::LockTime::from_consensus(lock_time),
        input: inputs
            .iter()
            .map(|(op, seq)| TxIn {
                previous_output: *op,
                script_sig: ScriptBuf::new(),
                sequence: Sequence(*seq),
                witness: Witness::new(),
            })
            .collect(),
        output: outputs,
    }
}

/// An output paying `sat` to `script`.
pub fn out(script: &Script, sat: u64) -> TxOut {
    TxOut {
        value: Amount::from_sat(sat),
        script_pubkey: script.to_owned(),
    }
}

/// Funds `address` with `sat` from the faucet and mines one block; returns the output.
pub fn funded(server: &ChainServer, address: &Address, sat: u64) -> (OutPoint, TxOut) {
    let txid = server.fund(address, Amount::from_sat(sat)).expect("fund");
    server.mine(1, None).expect("mine");
    let (tx, height) = server.transaction(&txid).expect("known");
    assert!(height.is_some(), "confirmed");
    (OutPoint { txid, vout: 0 }, tx.output[0].clone())
}

/// A signed one-input one-output spend of a P2WPKH output paying `fee` sat.
pub fn pay(key: &Key, from: (OutPoint, &TxOut), to: &Script, fee: u64) -> Transaction {
    let mut tx = spend(
        &[(from.0, 0xffff_fffd)],
        vec![out(to, from.1.value.to_sat() - fee)],
        2,
        0,
    );
    key.sign_p2wpkh(&mut tx, 0, from.1.value);
    tx
}

/// A P2WSH script `<n> <op> OP_DROP OP_1` (CSV or CLTV gated anyone-can-spend).
pub fn timelock_script(n: i64, op: bitcoin::opcodes::Opcode) -> ScriptBuf {
    Builder::new()
        .push_int(n)
        .push_opcode(op)
        .push_opcode(bitcoin::opcodes::all::OP_DROP)
        .push_opcode(bitcoin::opcodes::OP_TRUE)
        .into_script()
}

/// The txid at `vout` as an outpoint.
pub fn outpoint(txid: Txid, vout: u32) -> OutPoint {
    OutPoint { txid, vout }
}

/// The RPC error code and message of a server-side rejection.
pub fn rejection(e: etrid_devnet::chain::ChainError) -> (i32, String) {
    match e {
        etrid_devnet::chain::ChainError::Rejected { code, reason } => (code, reason),
        other => panic!("expected a rejection, got {other:?}"),
    }
}
